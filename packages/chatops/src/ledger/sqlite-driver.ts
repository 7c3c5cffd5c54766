import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver } from './sql-driver.js';

/**
 * Makes the ledger's folder (0700, when this creates it) and file (0600) readable by this user only.
 * The ledger holds masked numbers and HMACs, but also who bound what, where. SQLite creates the `-wal`
 * and `-shm` files with the database file's permissions, so setting the file's is enough.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  // An older ledger may have been created with the umask's 0644.
  chmodSync(path, 0o600);
}

/** A {@link SqlDriver} over a SQLite file (WAL) through better-sqlite3. */
export function sqliteDriver(path: string): SqlDriver {
  if (path !== ':memory:') createPrivately(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const cache = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let prepared = cache.get(sql);
    if (!prepared) {
      prepared = db.prepare(sql);
      cache.set(sql, prepared);
    }
    return prepared;
  };
  // Synchronous from BEGIN to COMMIT, so nothing else can slip into the transaction.
  const runBatch = db.transaction((statements: ReadonlyArray<readonly [string, readonly unknown[]]>) => {
    for (const [sql, params] of statements) statement(sql).run(...params);
  });
  const runIfFirst = db.transaction(
    (
      first: readonly [string, readonly unknown[]],
      rest: ReadonlyArray<readonly [string, readonly unknown[]]>,
    ) => {
      if (statement(first[0]).run(...first[1]).changes !== 1) return false;
      for (const [sql, params] of rest) statement(sql).run(...params);
      return true;
    },
  );
  return {
    dialect: 'sqlite',
    async batch(statements) {
      runBatch(statements);
    },
    async batchIfFirst(first, rest) {
      return runIfFirst(first, rest);
    },
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return statement(sql).all(...params) as Row[];
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return statement(sql).run(...params).changes;
    },
    async withMigrationLock(work) {
      return work();
    },
    async close() {
      db.close();
    },
  };
}
