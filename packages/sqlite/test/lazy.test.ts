import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { defaultSqliteImplementation, nodeHasSqlite } from '../src/index.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(dist)) throw new Error('build the package first (pnpm build; turbo runs it before test)');
});

/** Which native modules a fresh process has loaded after `script` (ESM, with the package as `sqlite`). */
function loadedAfter(script: string): { betterSqlite3: boolean } {
  const program = `
    import { createRequire } from 'node:module';
    const sqlite = await import(${JSON.stringify(dist)});
    ${script}
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('better-sqlite3'));
    process.stdout.write(JSON.stringify({ betterSqlite3: loaded }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', program], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out);
}

it('loads no SQLite library on import', () => {
  expect(loadedAfter('')).toEqual({ betterSqlite3: false });
});

it('loads better-sqlite3 only where it is the implementation, when a database is opened', () => {
  const { betterSqlite3 } = loadedAfter("sqlite.openSqlite(':memory:').close();");
  expect(betterSqlite3).toBe(defaultSqliteImplementation() === 'better-sqlite3');
});

it('prints nothing on stderr when it opens a database (no experimental warning from node:sqlite)', () => {
  const result = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { openSqlite } = await import(${JSON.stringify(dist)}); openSqlite(':memory:').close();`,
    ],
    { encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});

it('without better-sqlite3 installed: works on Node.js 22.13+, says what to install before', () => {
  // The built package alone, in a folder where no better-sqlite3 can be found.
  const alone = join(mkdtempSync(join(tmpdir(), 'axn-sqlite-alone-')), 'sqlite');
  cpSync(fileURLToPath(new URL('../dist', import.meta.url)), join(alone, 'dist'), { recursive: true });
  cpSync(fileURLToPath(new URL('../package.json', import.meta.url)), join(alone, 'package.json'));
  const result = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { openSqlite } = await import(${JSON.stringify(join(alone, 'dist', 'index.js'))});
       try { const db = openSqlite(':memory:'); console.log(db.implementation); db.close(); }
       catch (error) { console.log(error.message); }`,
    ],
    // pnpm's bin shims put the workspace's packages on NODE_PATH; a user's process has no such thing.
    { encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } },
  );
  expect(result.stdout.trim()).toBe(
    nodeHasSqlite()
      ? 'node:sqlite'
      : `SQLite on Node.js ${process.versions.node} needs better-sqlite3, and it is not installed ` +
          '(npm install better-sqlite3@^12.6.2). Node.js 22.13 and later need nothing: SQLite is built in.',
  );
});
