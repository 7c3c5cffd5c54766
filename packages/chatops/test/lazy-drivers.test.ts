import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeHasSqlite } from '@axnbot/sqlite';
import { expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/**
 * Which database libraries a fresh process has loaded after `script` ran with chatops as `chatops`:
 * `pg` and better-sqlite3 are optional peers, loaded only when a ledger that needs them is opened.
 */
function loadedAfter(script: string): { pg: boolean; betterSqlite3: boolean } {
  if (!existsSync(dist)) throw new Error('build chatops first (turbo builds it before test)');
  const program = `
    import { createRequire } from 'node:module';
    const chatops = await import(${JSON.stringify(dist)});
    ${script}
    const files = Object.keys(createRequire(import.meta.url).cache);
    const loaded = (name) => files.some((file) => file.includes(\`/node_modules/\${name}/\`));
    process.stdout.write(JSON.stringify({ pg: loaded('pg'), betterSqlite3: loaded('better-sqlite3') }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

it('loads neither pg nor better-sqlite3 on import', () => {
  expect(loadedAfter('')).toEqual({ pg: false, betterSqlite3: false });
});

it('a SQLite ledger loads no pg, and better-sqlite3 only on Node.js before 22.13', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'axn-lazy-')), 'ledger.db');
  expect(loadedAfter(`await (await chatops.openLedger(${JSON.stringify(path)})).close();`)).toEqual({
    pg: false,
    betterSqlite3: !nodeHasSqlite(),
  });
});

it('a PostgreSQL ledger loads pg (the pool connects on first use, so no server is needed here)', () => {
  expect(loadedAfter("await (await chatops.postgresDriver('postgres://127.0.0.1:9/none')).close();")).toEqual(
    {
      pg: true,
      betterSqlite3: false,
    },
  );
});
