import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleCommand } from '../src/commands/console.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** The machine's environment without any AXN_* or Alibaba Cloud variable. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AXN_') && !key.startsWith('ALIBABA_CLOUD_')) env[key] = value;
  }
  return { ...env, NO_COLOR: '1' };
}

/** Waits until `read()` satisfies `done`, or fails after a while saying what it last saw. */
async function until(read: () => string, done: (text: string) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A terminal stand-in: what readline writes, with the TTY traits that make it edit lines and read keys. */
class Screen extends Writable {
  readonly isTTY = true;
  readonly columns = 200;
  readonly rows = 50;
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

describe('console keys, driven through the console with a TTY-like output and raw key input', () => {
  const home = process.cwd();
  beforeEach(() => {
    // The console keeps its state in ./.axnbot: give each test its own folder.
    process.chdir(mkdtempSync(join(tmpdir(), 'axn-keys-')));
  });
  afterEach(() => {
    process.chdir(home);
  });

  async function session() {
    const keys = new PassThrough();
    const screen = new Screen();
    const finished = consoleCommand([], keys, screen, cleanEnv());
    const prompts = () => screen.text.split('axn> ').length - 1;
    await until(
      () => screen.text,
      () => prompts() >= 1,
      'the first prompt',
    );
    return { keys, screen, finished, prompts };
  }

  it('Ctrl-C clears a half-typed line and keeps the console open; Ctrl-C on an empty line leaves', async () => {
    const { keys, screen, finished, prompts } = await session();
    keys.write('bind 1380013');
    await until(
      () => screen.text,
      (text) => text.includes('bind 1380013'),
      'the echo of the typing',
    );
    keys.write('\x03');
    await until(
      () => screen.text,
      (text) => text.includes('bind 1380013^C\n'),
      'the ^C mark',
    );
    // The next line starts empty: had the typing survived, this would read "bind 1380013list".
    const before = prompts();
    keys.write('list\r');
    await until(
      () => screen.text,
      () => prompts() > before,
      'the answer to list',
    );
    const answer = screen.text.slice(screen.text.lastIndexOf('list\r') + 5);
    expect(answer).toMatch(/live binding|No live bindings|没有/);
    expect(screen.text).not.toContain('is not a phone number');
    expect(screen.text).not.toContain('bye');
    keys.write('\x03');
    expect(await finished).toBe(0);
    expect(screen.text).toContain('bye');
  });

  it('Ctrl-D on an empty line leaves', async () => {
    const { keys, screen, finished } = await session();
    keys.write('\x04');
    expect(await finished).toBe(0);
    expect(screen.text).toContain('bye');
  });

  it('Up recalls a line with a phone number that the history file never received', async () => {
    const { keys, screen, finished } = await session();
    const bound = () => screen.text.match(/✅ Bound/g)?.length ?? 0;
    keys.write('bind 13800138000 city=北京\r');
    await until(
      () => screen.text,
      () => bound() === 1,
      'the first bind',
    );
    keys.write('\x1b[A');
    await until(
      () => screen.text,
      (text) => text.slice(text.indexOf('✅ Bound')).includes('axn> bind 13800138000 city=北京'),
      'the recalled line',
    );
    keys.write('\r');
    // Two binds went through: the line came back from memory.
    await until(
      () => screen.text,
      () => bound() === 2,
      'the recalled bind',
    );
    keys.write('help\r');
    keys.write('\x04');
    expect(await finished).toBe(0);
    expect(readFileSync(join('.axnbot', 'history'), 'utf8')).toBe('help\n');
  });
});

// A real terminal: util-linux `script` runs the console on a pseudo-terminal, so readline gets raw keys
// from the kernel's line discipline exactly as in a shell.
const hasScript =
  process.platform === 'linux' && spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasScript)('console keys on a real pseudo-terminal', () => {
  it('Ctrl-C clears the line, Up recalls, a second Ctrl-C on an empty line leaves', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'axn-pty-'));
    const child = spawn('script', ['-qfec', `'${process.execPath}' '${BIN}' console`, '/dev/null'], {
      cwd,
      env: { ...cleanEnv(), TERM: 'xterm' },
    });
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const prompts = () => text.split('axn> ').length - 1;
    try {
      await until(
        () => text,
        () => prompts() >= 1,
        'the first prompt',
      );
      child.stdin.write('bind 1390013');
      await until(
        () => text,
        (seen) => seen.includes('bind 1390013'),
        'the echo',
      );
      child.stdin.write('\x03');
      await until(
        () => text,
        (seen) => seen.includes('bind 1390013^C'),
        'the ^C mark',
      );
      child.stdin.write('bind 13900139000\r');
      await until(
        () => text,
        (seen) => seen.includes('✅ Bound'),
        'the bind',
      );
      child.stdin.write('\x1b[A');
      child.stdin.write('\r');
      await until(
        () => text,
        (seen) => (seen.match(/✅ Bound/g)?.length ?? 0) === 2,
        'the recalled bind',
      );
      expect(text).not.toContain('bye');
      child.stdin.write('\x03');
      await until(
        () => text,
        (seen) => seen.includes('bye'),
        'bye',
      );
      expect(await closed).toBe(0);
      expect(text).not.toContain('is not a phone number');
    } finally {
      child.kill();
    }
  });
});
