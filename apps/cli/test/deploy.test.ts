import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The container image's build step without a Docker engine (issue 12): each app is deployed with the
 * exact `pnpm deploy` lines of the Dockerfile into a temporary /out, and what the runtime stage would
 * run is checked there — the bots can load PostgreSQL's driver, the deployed tree holds no sources or
 * tests, `axn --version` runs, and on a Node with built-in SQLite (the image's Node 24) the deployed
 * emulator answers the image's health check. Part of the last tier (`test:pack`).
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'axn-deploy-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(out, { recursive: true, force: true });
});

/** The Dockerfile's `pnpm --filter … deploy …` commands, run with /out replaced by a temporary folder. */
const deploys = [
  ...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/pnpm (--filter \S+ deploy [^\\&\n]+)/g),
].map((match) =>
  match[1]!
    .trim()
    .replace(/ \/out\//, ` ${out}/`)
    .split(/\s+/),
);

/** Whether this Node has the built-in SQLite the image's Node 24 uses. */
const builtinSqlite = (() => {
  try {
    return typeof createRequire(import.meta.url)('node:sqlite').DatabaseSync === 'function';
  } catch {
    return false;
  }
})();

describe('the image’s deploy step, without Docker', () => {
  // On a Node with no prebuilt better-sqlite3 (Node 24 here: its prebuilds come from GitHub, which this
  // machine cannot reach) each bot's deploy compiles the optional peer from source: minutes, not seconds.
  it('deploys the three apps as the Dockerfile does', { timeout: 900_000 }, () => {
    expect(deploys.map((args) => args[1])).toEqual([
      '@axnbot/slack-bot',
      '@axnbot/dingtalk-bot',
      '@axnbot/cli',
    ]);
    for (const args of deploys) {
      const result = spawnSync('npx', ['-y', 'pnpm@12.21.0', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 300_000,
      });
      expect(result.status, `pnpm ${args.join(' ')}\n${result.stderr}${result.stdout}`).toBe(0);
    }
    expect(readdirSync(out).sort()).toEqual(['cli', 'dingtalk-bot', 'slack-bot']);
  });

  it('gives both bots the PostgreSQL driver their ledger loads, and ships no sources or tests', () => {
    for (const app of ['slack-bot', 'dingtalk-bot']) {
      const chatops = realpathSync(join(out, app, 'node_modules/@axnbot/chatops'));
      // Resolved as chatops's postgres driver resolves `pg` at run time.
      expect(
        () => createRequire(join(chatops, 'dist/ledger/postgres-driver.js')).resolve('pg'),
        app,
      ).not.toThrow();
      expect(existsSync(join(out, app, 'dist/bin.js'))).toBe(true);
      for (const stray of ['src', 'test', 'bench', '.turbo'])
        expect(existsSync(join(out, app, stray)), stray).toBe(false);
    }
  });

  it('runs the deployed axn', () => {
    const version = spawnSync(process.execPath, [join(out, 'cli/dist/bin.js'), '--version'], {
      encoding: 'utf8',
    });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^axn \d+\.\d+\.\d+/);
  });

  it.skipIf(!builtinSqlite)(
    'the deployed emulator answers the image’s health check (Node with built-in SQLite, as in the image)',
    { timeout: 60_000 },
    async () => {
      const emulator = spawn(
        process.execPath,
        [join(out, 'cli/dist/bin.js'), 'emulator', '--host', '0.0.0.0', '--port', '0', '--db', ':memory:'],
        { cwd: out },
      );
      children.push(emulator);
      const port = await new Promise<number>((resolve, reject) => {
        let banner = '';
        emulator.stdout!.on('data', (chunk) => {
          banner += chunk;
          const match = /listening on http:\/\/[^:]+:(\d+)/.exec(banner);
          if (match) resolve(Number(match[1]));
        });
        emulator.once('exit', () => reject(new Error(`the deployed emulator exited: ${banner}`)));
      });
      const check = spawnSync(process.execPath, [join(ROOT, 'docker/healthcheck.mjs')], {
        env: { ...process.env, PORT: String(port) },
        timeout: 15_000,
      });
      expect(check.status).toBe(0);
    },
  );
});
