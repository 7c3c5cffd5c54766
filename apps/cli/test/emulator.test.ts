import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * `axn emulator` as a new user meets it (issue 10, item 10; issue 9, item 9): a busy port is one line
 * saying what to do, `--help` lists only operator routes that exist, the banner's commands work as
 * printed, `--seed none` names no pool that is not there, and `--operator-token` is required when given.
 */

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('AXN_') && !key.startsWith('ALIBABA_CLOUD_')) env[key] = value;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command to its end. */
function run(command: string, args: string[], env = cleanEnv()) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args, { cwd: mkdtempSync(join(tmpdir(), 'axn-emu-cli-')), env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

const running: ChildProcess[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

/** Starts `axn emulator` on a free port with these options; resolves with its banner and URL. */
async function startEmulator(args: string[] = []) {
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--db', ':memory:', ...args], {
    cwd: mkdtempSync(join(tmpdir(), 'axn-emu-cli-')),
    env: cleanEnv(),
  });
  running.push(child);
  let banner = '';
  child.stdout!.on('data', (chunk) => {
    banner += chunk;
  });
  const deadline = Date.now() + 10_000;
  while (!banner.includes('Try, in another terminal:\n') || !/\n {2}\S.*\n$/.test(banner)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no banner: ${banner}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 100)); // the last banner line may still be on its way
  const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1] as string;
  return { child, banner, url };
}

/** The banner's suggested commands: the indented lines after "Try". */
const suggestions = (banner: string) =>
  banner
    .split('Try, in another terminal:\n')[1]!
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.trim());

describe('axn emulator', () => {
  it('a busy port answers one line saying so and how to pick another', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as { port: number };
    try {
      const { code, stdout, stderr } = await run(process.execPath, [
        BIN,
        'emulator',
        '--port',
        String(port),
        '--db',
        ':memory:',
      ]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `axn: port ${port} on 127.0.0.1 is already in use: pick another with --port (e.g. --port ${port + 1}), or --port 0 for any free one\n`,
      );
    } finally {
      squatter.close();
    }
  });

  it('--help lists only operator routes that exist: each one, requested, is a route', async () => {
    const help = (await run(process.execPath, [BIN, 'emulator', '--help'])).stdout;
    const routes = help
      .split('\n')
      .map((line) => /^ {2}((?:GET|POST|DELETE)(?: (?:GET|POST|DELETE))*) +(\S+)$/.exec(line))
      .filter((match) => match !== null)
      .flatMap((match) => match[1]!.split(' ').map((method) => ({ method, path: match[2]!.split('?')[0]! })));
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(help).not.toMatch(/\bnumbers,/); // the old list named a bare `numbers` route
    const { url } = await startEmulator();
    for (const { method, path } of routes) {
      // Placeholders become names that exist nowhere, so no route changes anything.
      const concrete = path.replace('KEY', 'FC-NOWHERE').replace('SECRETNO', '17999999999');
      const response = await fetch(`${url}/_emulator/${concrete}`, {
        method,
        headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
        body: method === 'POST' ? '{}' : undefined,
      });
      const body = (await response.json()) as { error?: string };
      expect(body.error ?? '', `${method} ${path}`).not.toMatch(/^no operator route/);
      expect(response.status, `${method} ${path}`).toBeLessThan(500);
    }
    expect((await fetch(`${url}/_emulator/numbers`)).status).toBe(404);
  });

  it('the banner’s commands run as printed, and the look-up finds the binding the bind made', async () => {
    const { banner } = await startEmulator();
    const lines = suggestions(banner);
    expect(lines.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual([
      'export ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret',
      'axn api BindAxnExtension',
      'axn api QuerySubsId',
    ]);
    // `axn` on PATH as a user would have it, then the lines through a shell, verbatim.
    const bin = mkdtempSync(join(tmpdir(), 'axn-path-'));
    writeFileSync(join(bin, 'axn'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'axn'), 0o755);
    const env = cleanEnv({ PATH: `${bin}${delimiter}${process.env.PATH}` });
    const { code, stdout, stderr } = await run('sh', ['-c', lines.join('\n')], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const bound = /SubsId: (\d+)/.exec(stdout.split('SecretBindDTO')[1] ?? '')?.[1];
    expect(bound).toMatch(/^\d{10,}$/);
    // The second answer (QuerySubsId) names that binding: not an empty SubsId.
    const lookedUp = stdout.split('\n').filter((line) => /^SubsId: /.test(line));
    expect(lookedUp).toEqual([`SubsId: ${bound}`]);
  });

  it('--seed none names no demo pool; its operator examples create a pool as printed', async () => {
    const { banner, url } = await startEmulator(['--seed', 'none']);
    expect(banner).not.toContain('FC-DEMO');
    for (const line of suggestions(banner)) {
      const [, header, body, target] = /^curl -H '([^']+)' -d '([^']+)' (\S+)$/.exec(line) ?? [];
      expect(target, line).toBeDefined();
      const [name, value] = (header as string).split(': ');
      const response = await fetch(target as string, {
        method: 'POST',
        headers: { [name as string]: value as string },
        body,
      });
      expect([line, response.status]).toEqual([line, 200]);
    }
    const numbers = await (await fetch(`${url}/_emulator/pools/FC-LOCAL/numbers`)).json();
    expect(numbers).toEqual({
      numbers: [{ secretNo: '17100000001', poolKey: 'FC-LOCAL', city: '北京', status: 'active' }],
    });
  });

  it('--operator-token: the operator API then needs it; a short one is a usage error', async () => {
    const token = 'a-long-operator-token-1234';
    const { url, banner } = await startEmulator(['--operator-token', token]);
    expect(banner).not.toContain(token);
    expect((await fetch(`${url}/_emulator/health`)).status).toBe(401);
    const ok = await fetch(`${url}/_emulator/health`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const short = await run(process.execPath, [BIN, 'emulator', '--operator-token', 'short']);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/^axn: --operator-token must be at least 16 characters/);
  });
});
