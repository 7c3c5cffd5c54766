import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What the container, the local trial and the release are promised to be (issue 12, "Containers and
 * deployment"). No Docker engine is needed: the linters (scripts/lint-deploy.mjs, run by the test
 * command) check the files' form; this checks what they say, and runs the parts that run without one —
 * the entry point's dispatch and the health check against a real emulator.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const dockerfile = read('Dockerfile');
const entrypoint = read('docker/entrypoint.sh');
const compose = read('compose.yaml');
const release = read('.github/workflows/release.yml');

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

describe('the Dockerfile', () => {
  it('builds in one stage and runs on Node 24 in another', () => {
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM node:24-[a-z0-9-]+ AS \w+$/);
  });

  it('deploys each app with its production dependencies only', () => {
    for (const app of ['@axnbot/slack-bot', '@axnbot/dingtalk-bot', '@axnbot/cli'])
      expect(dockerfile).toMatch(new RegExp(`pnpm --filter ${app} deploy --prod (--no-optional )?/out/`));
  });

  it('runs as a user other than root, checks /healthz, keeps the ledger on the /data volume', () => {
    const users = instructions.filter((line) => line.startsWith('USER '));
    expect(users.at(-1)).toBe('USER node');
    expect(
      instructions.some((line) => /^HEALTHCHECK .*CMD \["node", "\/app\/healthcheck\.mjs"\]$/.test(line)),
    ).toBe(true);
    expect(read('docker/healthcheck.mjs')).toContain("'/healthz'");
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(dockerfile).toMatch(/AXN_DATABASE_URL=\/data\/axnbot\.db/);
    expect(dockerfile).toMatch(/chown node:node \/data/);
  });

  it('sends no secret, dependency folder or build output into the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const pattern of ['.env', '.env.*', '**/node_modules', '**/dist', '.git'])
      expect(ignored).toContain(pattern);
  });
});

describe('the entry point', () => {
  it('starts each app from where the image puts its build', () => {
    for (const [command, bin] of [
      ['slack-bot', 'slack-bot/dist/bin.js'],
      ['dingtalk-bot', 'dingtalk-bot/dist/bin.js'],
      ['emulator', 'cli/dist/bin.js emulator'],
    ] as const) {
      expect(entrypoint).toMatch(new RegExp(`^ {2}${command}\\) exec node /app/${bin}`, 'm'));
      // The deployed app has that bin: the image copies /out/<app> to /app/<app>.
      expect(existsSync(join(ROOT, 'apps', bin.split('/')[0]!, 'src/bin.ts'))).toBe(true);
    }
    expect(entrypoint).toMatch(
      /emulator --host 0\.0\.0\.0 --port "\$\{PORT:-8787\}" --db \/data\/emulator\.db/,
    );
  });

  it('prints its usage for help, and refuses an unknown command with exit 2', () => {
    const help = spawnSync('sh', [join(ROOT, 'docker/entrypoint.sh'), 'help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/slack-bot[\s\S]*dingtalk-bot[\s\S]*emulator/);
    const unknown = spawnSync('sh', [join(ROOT, 'docker/entrypoint.sh'), 'nonsense'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('axnbot: unknown command "nonsense"');
  });
});

describe('the health check', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGTERM');
  });

  const check = (port: number) =>
    spawnSync(process.execPath, [join(ROOT, 'docker/healthcheck.mjs')], {
      env: { ...process.env, PORT: String(port) },
      timeout: 15_000,
    }).status;

  it('passes while the emulator answers on PORT, and fails when nothing does', async () => {
    const emulator = spawn(
      process.execPath,
      [join(ROOT, 'apps/cli/dist/bin.js'), 'emulator', '--port', '0', '--db', ':memory:'],
      { cwd: mkdtempSync(join(tmpdir(), 'axn-health-')) },
    );
    children.push(emulator);
    const port = await new Promise<number>((resolve, reject) => {
      let banner = '';
      emulator.stdout!.on('data', (chunk) => {
        banner += chunk;
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(banner);
        if (match) resolve(Number(match[1]));
      });
      emulator.once('exit', () => reject(new Error(`axn emulator exited: ${banner}`)));
    });
    expect(check(port)).toBe(0);

    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    expect(check(closed)).toBe(1);
  });
});

describe('compose.yaml', () => {
  it('runs a bot with PostgreSQL and the emulator, each waiting for the others to be healthy', () => {
    for (const service of ['postgres:', 'emulator:', 'slack-bot:', 'dingtalk-bot:'])
      expect(compose).toMatch(new RegExp(`^ {2}${service}$`, 'm'));
    expect(compose).toMatch(/AXN_DATABASE_URL: postgres:\/\/\S+@postgres:5432\/\S+/);
    expect(compose).toMatch(/AXN_ENDPOINT: http:\/\/emulator:8787/);
    expect(compose).toMatch(/condition: service_healthy/);
    // The key comes from .env and must be set: never a default, never generated at start.
    expect(compose).toMatch(/AXN_HASH_KEY: \$\{AXN_HASH_KEY:\?/);
  });
});

describe('the release workflow', () => {
  it('opens the version pull request, then publishes with provenance', () => {
    expect(release).toMatch(/uses: changesets\/action@v\d/);
    expect(release).toMatch(/id-token: write/);
    expect(release).toMatch(/NPM_CONFIG_PROVENANCE: "true"/);
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(release).toContain('publish: npx -y pnpm@12.21.0 run release');
    expect(scripts.release).toMatch(/publish -r .*--provenance/);
    expect(scripts.release).toMatch(/changeset tag$/);
  });

  it('the test command lints the Dockerfile, compose.yaml and the workflows, and ends with the pack test', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.test).toMatch(/node scripts\/lint-deploy\.mjs/);
    expect(scripts.test).toMatch(/turbo run test:pack$/);
  });
});
