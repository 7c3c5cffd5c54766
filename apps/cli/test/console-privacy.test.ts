import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** The machine's environment without any AXN_* or Alibaba Cloud variable. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AXN_') && !key.startsWith('ALIBABA_CLOUD_')) env[key] = value;
  }
  return { ...env, NO_COLOR: '1' };
}

/** A console process driven line by line: `send` a line and wait for the prompt that follows its answer. */
function startConsole(cwd: string) {
  const child = spawn(process.execPath, [BIN, 'console'], { cwd, env: cleanEnv() });
  let stdout = '';
  let stderr = '';
  let waiter: { count: number; resolve: () => void } | undefined;
  const prompts = () => stdout.split('axn> ').length - 1;
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (waiter && prompts() >= waiter.count) waiter.resolve();
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const untilPrompt = (count: number) =>
    new Promise<void>((resolve) => {
      if (prompts() >= count) resolve();
      else waiter = { count, resolve };
    });
  return {
    async send(line: string): Promise<void> {
      const next = prompts() + 1;
      child.stdin.write(`${line}\n`);
      await untilPrompt(next);
    },
    async exit(): Promise<{ code: number | null; stdout: string; stderr: string }> {
      child.stdin.end('exit\n');
      const code = await closed;
      return { code, stdout, stderr };
    },
    started: () => untilPrompt(1),
    output: () => stdout,
  };
}

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** The embedded emulator's own database: it plays Alibaba Cloud, which must hold A to route calls. */
const EMULATOR_FILES = /^emulator\.db(?:-wal|-shm|-journal)?$/;

/**
 * Which of `numbers` appear in clear in which file of `dir`, in UTF-8/ASCII or UTF-16 (SQLite can store
 * either), as `file: number` lines.
 */
function clearNumbers(dir: string, numbers: readonly string[]): { scanned: string[]; found: string[] } {
  const scanned: string[] = [];
  const found: string[] = [];
  for (const path of filesUnder(dir)) {
    const name = relative(dir, path);
    scanned.push(name);
    const bytes = readFileSync(path);
    for (const number of numbers) {
      if (bytes.includes(Buffer.from(number, 'latin1')) || bytes.includes(Buffer.from(number, 'utf16le')))
        found.push(`${name}: ${number}`);
    }
  }
  return { scanned, found };
}

// Every A and B number the session types, as Aliyun receives them.
const NUMBERS = [
  '13800138000',
  '13900139000',
  '13700137000',
  '13600136000',
  '13500135000',
  '18612345678',
  '057188992688',
  '01012345678',
];

const SESSION = [
  '/bind 13800138000 city=北京 expires=2d',
  '绑定 +86 139 0013 9000 城市=上海 有效期=3天',
  'bind 137-0013-7000 b=13600136000 out="order 42"',
  'bind １３５００１３５０００',
  'bind 18612345678 057188992688 01012345678',
  'list',
  'info 13800138000',
  'info +86 139-0013-9000',
  'extend 13800138000 5d',
  'help',
  'unbind 057188992688',
  'bind 13800138000 out="never closed',
  'list all',
];

describe('the console keeps no phone number in clear on disk', () => {
  it('after binds and look-ups, every file of the state directory is free of the numbers used', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'axn-privacy-'));
    const stateDir = join(cwd, '.axnbot');
    const session = startConsole(cwd);
    await session.started();
    for (const line of SESSION) await session.send(line);

    // While the console runs, the ledger's WAL and any journal are on disk too: scan them now.
    const during = clearNumbers(stateDir, NUMBERS);
    const { code, stdout, stderr } = await session.exit();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The session really bound them (masked in the replies).
    expect(stdout).toContain('138****8000');
    expect(stdout).toContain('0571****88');
    expect(stdout).toContain('🔓 Unbound');
    // The banner's example number aside, no answer shows a number in clear.
    const answers = stdout.slice(stdout.indexOf('axn> '));
    for (const number of NUMBERS) expect(answers).not.toContain(number);

    const after = clearNumbers(stateDir, NUMBERS);
    expect(after.scanned).toEqual(expect.arrayContaining(['axnbot.db', 'hash-key', 'history']));
    for (const scan of [during, after]) {
      const leaks = scan.found.filter((hit) => !EMULATOR_FILES.test(hit.split(':')[0]!));
      expect(leaks).toEqual([]);
    }
    // The only file that holds A is the embedded emulator's — it stands in for Alibaba Cloud's side.
    expect(after.found.length).toBeGreaterThan(0);
    expect(after.found.every((hit) => EMULATOR_FILES.test(hit.split(':')[0]!))).toBe(true);

    // Lines without a number are remembered; lines with one are not.
    expect(readFileSync(join(stateDir, 'history'), 'utf8')).toBe('list\nhelp\nlist all\n');
    expect(statSync(join(stateDir, 'history')).mode & 0o777).toBe(0o600);
    // The folder and the ledger are this user's only.
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(stateDir, 'axnbot.db')).mode & 0o777).toBe(0o600);
    expect(statSync(join(stateDir, 'hash-key')).mode & 0o777).toBe(0o600);
  });

  it('drops numbers an older version left in the history file, keeping the other lines', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'axn-privacy-old-'));
    const session = startConsole(cwd);
    await session.started();
    await session.exit();
    const history = join(cwd, '.axnbot', 'history');
    writeFileSync(history, 'list\n/bind 13800138000 city=北京\nhelp\ninfo 139 0013 9000\n');
    const again = startConsole(cwd);
    await again.started();
    await again.send('list mine');
    await again.exit();
    expect(readFileSync(history, 'utf8')).toBe('list\nhelp\nlist mine\n');
  });
});
