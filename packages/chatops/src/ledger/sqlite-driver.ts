import { openSqlite, type SqliteValue } from '@axnbot/sqlite';
import type { SqlDriver } from './sql-driver.js';

/** The ledger's parameters are strings, numbers and null: what SQLite binds. */
const values = (params: readonly unknown[]) => params as SqliteValue[];

/**
 * A {@link SqlDriver} over a SQLite file (WAL) through `@axnbot/sqlite`: `node:sqlite` on Node.js 22.13 and
 * later, better-sqlite3 on Node.js 20. The ledger holds masked numbers and HMACs, but also who bound what,
 * where, so the file is created 0600 in a folder created 0700 (the driver's default).
 */
export function sqliteDriver(path: string): SqlDriver {
  const db = openSqlite(path);
  // Each commit reaches the operating system before the ledger answers; with WAL, NORMAL syncs at
  // checkpoints only, so a power cut may lose the last commits but never corrupts the file.
  db.exec('PRAGMA synchronous = NORMAL');
  return {
    dialect: 'sqlite',
    async batch(statements) {
      // Synchronous from BEGIN to COMMIT, so nothing else can slip into the transaction.
      return db.transaction(() => statements.map(([sql, params]) => db.run(sql, ...values(params)).changes));
    },
    async batchIfFirst(first, rest) {
      return db.transaction(() => {
        if (db.run(first[0], ...values(first[1])).changes !== 1) return false;
        for (const [sql, params] of rest) db.run(sql, ...values(params));
        return true;
      });
    },
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return db.all<Row>(sql, ...values(params));
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return db.run(sql, ...values(params)).changes;
    },
    async withMigrationLock(work) {
      return work();
    },
    async close() {
      db.close();
    },
  };
}
