import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npx @axnbot/cli …` as a stranger meets it (issue 12, "Installable"): every publishable package is
 * packed with `pnpm pack` exactly as `pnpm publish` would pack it, the tarballs are installed with npm
 * into an empty project (our packages only from the tarballs, third-party ones from the registry, one
 * `npm install`), and the installed `axn` runs from an empty folder: `--version`, `emulator --port 0`
 * (banner, health, stop), `run "help"` and a piped `console` session.
 *
 * Slow (a registry install, and a native build where a dependency needs one), so it runs in the test
 * command's last tier (`turbo run test:pack`), with a limit on every step. It is skipped, saying why,
 * only when the npm registry cannot be reached.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PNPM = ['-y', 'pnpm@12.21.0'];
/** Every step has a limit; the install gets the most (it may compile a native addon). */
const LIMITS = { pack: 60_000, install: 480_000, command: 60_000, ping: 20_000 } as const;

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to its end, or kills it at its limit (the outcome then says so). */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; limitMs: number; input?: string },
): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.limitMs} ms]`;
      child.kill('SIGKILL');
    }, options.limitMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** The environment of a user with no axnbot configuration and no colour. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('AXN_') || key.startsWith('ALIBABA_CLOUD_')) continue;
    // The test runner's own npm and pnpm settings (a workspace, a store) are not a stranger's; where
    // the registry is and how to reach it are.
    const reach = /^npm_config_(registry|cafile|proxy|https_proxy|noproxy|strict_ssl|nodedir)$/i.test(key);
    if ((/^(npm|pnpm)_/i.test(key) && !reach) || key === 'INIT_CWD') continue;
    // pnpm points NODE_PATH at the workspace's packages: a stranger's axn must find its own or none.
    if (key === 'NODE_PATH') continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Whether the npm registry answers, and if not, why. */
async function registryReachable(): Promise<{ ok: boolean; why: string }> {
  try {
    const ping = await run('npm', ['ping'], {
      cwd: tmpdir(),
      env: userEnv(),
      limitMs: LIMITS.ping,
    });
    if (ping.code === 0) return { ok: true, why: '' };
    const detail = `${ping.stderr}${ping.stdout}`.trim().split('\n').pop() ?? '';
    return { ok: false, why: `npm ping failed (${detail})` };
  } catch (error) {
    return { ok: false, why: `npm could not be run (${(error as Error).message})` };
  }
}

interface WorkspacePackage {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  readonly private: boolean;
}

function workspacePackages(): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(ROOT, group))) {
      const dir = join(ROOT, group, entry);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      found.push({ dir, name: manifest.name, version: manifest.version, private: manifest.private === true });
    }
  }
  return found;
}

const registry = await registryReachable();
const publishable = workspacePackages().filter((pkg) => !pkg.private);
const work = mkdtempSync(join(tmpdir(), 'axn-pack-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const title = registry.ok
  ? 'the packed packages install with npm and the installed axn runs from an empty folder'
  : `SKIPPED — the packed-install test needs the npm registry, which is unreachable: ${registry.why}`;

describe('installable from packed tarballs', () => {
  it('publishes the CLI and the libraries it needs, and neither bot', () => {
    const names = publishable.map((pkg) => pkg.name);
    for (const name of ['@axnbot/cli', '@axnbot/core', '@axnbot/emulator', '@axnbot/chatops'])
      expect(names).toContain(name);
    expect(names).not.toContain('@axnbot/slack-bot');
    expect(names).not.toContain('@axnbot/dingtalk-bot');
  });

  it.skipIf(!registry.ok)(title, { timeout: 900_000 }, async () => {
    const started = Date.now();
    const tarballs = join(work, 'tarballs');
    const project = join(work, 'project');
    const empty = join(work, 'empty');
    for (const dir of [tarballs, project, empty]) mkdirSync(dir, { recursive: true });

    // 1. Pack each publishable package as `pnpm publish` would (workspace:* becomes the version).
    const packed = new Map<string, string>();
    for (const pkg of publishable) {
      const result = await run('npx', [...PNPM, 'pack', '--pack-destination', tarballs], {
        cwd: pkg.dir,
        limitMs: LIMITS.pack,
      });
      expect(result.code, `pnpm pack in ${pkg.dir}\n${result.stderr}`).toBe(0);
      const file = readdirSync(tarballs).find(
        (name) => name === `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`,
      );
      expect(file, `the tarball of ${pkg.name} in ${readdirSync(tarballs).join(', ')}`).toBeDefined();
      packed.set(pkg.name, join(tarballs, file!));
    }
    const packedMs = Date.now() - started;

    // 2. One npm install into an empty project. Our packages come from the tarballs only: each is a
    // dependency by file, and an override makes every dependent use that same file, so npm never asks
    // the registry for an @axnbot package (a name it might not have, or someone else's).
    const files = Object.fromEntries([...packed].map(([name, file]) => [name, `file:${file}`]));
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'axn-pack-trial', private: true, dependencies: files, overrides: files }, null, 2)}\n`,
    );
    const nodeDir = dirname(dirname(process.execPath));
    const hasHeaders = (() => {
      try {
        return statSync(join(nodeDir, 'include', 'node', 'node.h')).isFile();
      } catch {
        return false;
      }
    })();
    const install = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error'],
      {
        cwd: project,
        // A native addon is compiled here, not downloaded from a site other than the registry, with
        // this Node's own headers when it has them.
        env: userEnv({
          npm_config_build_from_source: 'true',
          ...(hasHeaders ? { npm_config_nodedir: nodeDir } : {}),
        }),
        limitMs: LIMITS.install,
      },
    );
    expect(install.code, `npm install\n${install.stderr.slice(-4000)}`).toBe(0);
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string; version?: string }>;
    };
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (!path.includes('node_modules/@axnbot/')) continue;
      // Installed from our tarballs (a file: link), never from the registry.
      expect(entry.resolved ?? '', `${path} in package-lock.json`).toMatch(/^file:|tarballs/);
    }
    const axn = join(project, 'node_modules', '.bin', 'axn');
    const env = userEnv();

    // 3. npx finds the package's one bin by the package name, as `npx @axnbot/cli` does.
    const cli = publishable.find((pkg) => pkg.name === '@axnbot/cli')!;
    const npx = await run('npx', ['--no', '@axnbot/cli', '--', '--version'], {
      cwd: project,
      env,
      limitMs: LIMITS.command,
    });
    expect(npx.stderr).toBe('');
    expect(npx.stdout).toBe(`axn ${cli.version}\n`);

    // 4. From an empty folder: --version, the emulator, one command, the console.
    const version = await run(axn, ['--version'], { cwd: empty, env, limitMs: LIMITS.command });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toBe(`axn ${cli.version}\n`);

    const emulator = spawn(axn, ['emulator', '--port', '0'], { cwd: empty, env });
    children.push(emulator);
    const exited = new Promise<number | null>((resolve) => emulator.once('exit', (code) => resolve(code)));
    let banner = '';
    let errors = '';
    emulator.stderr!.on('data', (chunk) => {
      errors += chunk;
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no banner within ${LIMITS.command} ms: ${banner}${errors}`)),
        LIMITS.command,
      );
      emulator.stdout!.on('data', (chunk) => {
        banner += chunk;
        const match = /axn emulator listening on (http:\/\/\S+)/.exec(banner);
        if (match && banner.includes('Try, in another terminal:')) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      emulator.once('exit', () => reject(new Error(`axn emulator exited: ${banner}${errors}`)));
    });
    const health = await fetch(`${url}/_emulator/health`, { signal: AbortSignal.timeout(10_000) });
    expect(health.status).toBe(200);
    expect(banner).toContain('FC-DEMO');
    emulator.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(banner).toContain('axn emulator stopped');
    expect(errors).toBe('');

    const help = await run(axn, ['run', 'help'], { cwd: empty, env, limitMs: LIMITS.command });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/bind/);
    expect(help.stdout).toMatch(/unbind/);

    const session = await run(axn, ['console'], {
      cwd: empty,
      env,
      limitMs: LIMITS.command,
      input: 'list\nexit\n',
    });
    expect(session.code, session.stderr).toBe(0);
    expect(session.stdout).toContain('axnbot console — embedded emulator');

    // The figures, for the report and for anyone wondering why the suite's last tier takes a while.
    const sizes = [...packed].map(([name, file]) => `${name} ${(statSync(file).size / 1024).toFixed(1)} KiB`);
    process.stdout.write(
      `pack test: packed in ${(packedMs / 1000).toFixed(1)} s (${sizes.join(', ')}); ` +
        `npm install ${(install.ms / 1000).toFixed(1)} s; total ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  });
});
