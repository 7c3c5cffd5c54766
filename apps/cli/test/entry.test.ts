import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'apps/cli/dist/bin.js');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'apps/cli/package.json'), 'utf8')).version as string;
const ROOT_SCRIPTS = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<
  string,
  string
>;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env });
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

describe('axn --version and axn help', () => {
  it.each([['--version'], ['-v'], ['version']])('axn %s prints the version', async (flag) => {
    const { code, stdout, stderr } = await run(process.execPath, [BIN, flag], ROOT);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`axn ${VERSION}\n`);
  });

  it('axn help prints the overview with exit 0', async () => {
    const { code, stdout } = await run(process.execPath, [BIN, 'help'], ROOT);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: axn <command>');
    expect(stdout).toContain('--version');
  });

  it.each(['console', 'run', 'emulator', 'api'])(
    'axn help %s prints that command’s usage',
    async (command) => {
      const { code, stdout } = await run(process.execPath, [BIN, 'help', command], ROOT);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: axn ${command}`);
    },
  );

  it('axn help <nonsense> is a usage error', async () => {
    const { code, stderr } = await run(process.execPath, [BIN, 'help', 'nonsense'], ROOT);
    expect(code).toBe(2);
    expect(stderr).toContain('axn: no help for "nonsense"');
    expect(stderr).toContain('Usage: axn <command>');
  });
});

describe('the root `axn` script', () => {
  it('builds the CLI and what it depends on, then runs dist/bin.js with the arguments given', () => {
    const script = ROOT_SCRIPTS.axn;
    expect(script).toBeDefined();
    expect(script).toMatch(/turbo run build --filter=@axnbot\/cli\.\.\. /);
    expect(script).toMatch(/&& node apps\/cli\/dist\/bin\.js$/);
  });

  it('runs as `pnpm axn --version` and `pnpm axn help` would, from the repository root', async () => {
    // pnpm appends the user's arguments to the script; run the part after the build the same way.
    const tail = ROOT_SCRIPTS.axn!.split(' && ').pop()!;
    const [node, ...args] = tail.split(' ');
    expect(node).toBe('node');
    const version = await run(process.execPath, [...args, '--version'], ROOT);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`axn ${VERSION}\n`);
    const help = await run(process.execPath, [...args, 'help'], ROOT);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: axn <command>');
  });
});

/** Every README in the repository (not in dependencies or build output). */
function readmes(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', 'dist', '.git', '.turbo', '.axnbot'].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'README.md') found.push(path);
    }
  };
  walk(ROOT);
  return found;
}

describe('READMEs', () => {
  it('finds the READMEs it checks', () => {
    const names = readmes().map((path) => path.slice(ROOT.length));
    expect(names).toEqual(
      expect.arrayContaining([
        'README.md',
        'apps/cli/README.md',
        'apps/slack-bot/README.md',
        'apps/dingtalk-bot/README.md',
        'packages/emulator/README.md',
      ]),
    );
  });

  it('gives every npx command -y, so it runs on a fresh npm cache', () => {
    const offenders: string[] = [];
    for (const path of readmes()) {
      readFileSync(path, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          for (const match of line.matchAll(/\bnpx\s+(\S+)/g)) {
            if (match[1] !== '-y' && match[1] !== '--yes')
              offenders.push(`${path.slice(ROOT.length)}:${index + 1}: ${line.trim()}`);
          }
        });
    }
    expect(offenders).toEqual([]);
  });

  it('never tells anyone to run a bare `axn …` without saying how to start it', () => {
    // A sentence telling the reader to run `axn <command>` must use the root script that works.
    const offenders: string[] = [];
    for (const path of readmes()) {
      readFileSync(path, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (/\brun `axn /.test(line)) offenders.push(`${path.slice(ROOT.length)}:${index + 1}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});

describe('tool configuration', () => {
  it('runs Biome without a deprecation notice about its configuration', () => {
    const biome = join(ROOT, 'node_modules/.bin/biome');
    const result = spawnSync(biome, ['check', 'biome.json'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/deprecated/i);
  });

  it('turns turbo telemetry off in every root script that runs turbo', () => {
    const turboScripts = Object.entries(ROOT_SCRIPTS).filter(([, command]) => /\bturbo\b/.test(command));
    expect(turboScripts.length).toBeGreaterThan(0);
    for (const [name, command] of turboScripts) {
      for (const part of command.split('&&').filter((piece) => /\bturbo\b/.test(piece)))
        expect(part.trim(), name).toMatch(/^TURBO_TELEMETRY_DISABLED=1 turbo /);
    }
  });

  it('keeps turbo quiet about telemetry on a first run with that setting', async () => {
    // A fresh HOME is a first run: without the setting turbo prints its telemetry notice there.
    const home = mkdtempSync(join(tmpdir(), 'axn-turbo-home-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    delete env.TURBO_TELEMETRY_DISABLED;
    delete env.DO_NOT_TRACK;
    const turbo = join(ROOT, 'node_modules/.bin/turbo');
    const args = ['run', 'typecheck', '--filter=@axnbot/core', '--dry-run=json'];
    const noisy = await run(turbo, args, ROOT, env);
    expect(noisy.stdout + noisy.stderr).toMatch(/telemetry/i);
    const home2 = mkdtempSync(join(tmpdir(), 'axn-turbo-home-'));
    const quiet = await run(turbo, args, ROOT, {
      ...env,
      HOME: home2,
      XDG_CONFIG_HOME: join(home2, '.config'),
      TURBO_TELEMETRY_DISABLED: '1',
    });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout + quiet.stderr).not.toMatch(/telemetry/i);
  });
});
