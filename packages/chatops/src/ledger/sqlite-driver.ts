import { GroupCommit, openSqlite, type SqliteValue } from '@axnbot/sqlite';
import type { SqlDriver } from './sql-driver.js';

/** The ledger's parameters are strings, numbers and null: what SQLite binds. */
const values = (params: readonly unknown[]) => params as SqliteValue[];

/**
 * A {@link SqlDriver} over a SQLite file (WAL) through `@axnbot/sqlite`: `node:sqlite` on Node.js 22.13 and
 * later, better-sqlite3 on Node.js 20. The ledger holds masked numbers and HMACs, but also who bound what,
 * where, so the file is created 0600 in a folder created 0700 (the driver's default).
 *
 * Writes are committed in groups ({@link GroupCommit}): those asked for while the process is busy share
 * the next transaction, each in its own savepoint, and each caller resumes once that transaction has
 * committed — the guarantee of a commit per write at the cost of one commit per group. A write that
 * fails is undone alone; a group whose commit fails is tried again write by write. Reads run at once.
 */
export function sqliteDriver(path: string): SqlDriver {
  const db = openSqlite(path);
  // Each commit reaches the operating system before the ledger answers; with WAL, NORMAL syncs at
  // checkpoints only, so a power cut may lose the last commits but never corrupts the file.
  db.exec('PRAGMA synchronous = NORMAL');
  const group = new GroupCommit(db);
  return {
    dialect: 'sqlite',
    batch(statements) {
      // Synchronous within its savepoint, so nothing else can slip between its statements.
      return group.write(() => statements.map(([sql, params]) => db.run(sql, ...values(params)).changes));
    },
    batchIfFirst(first, rest) {
      return group.write(() => {
        if (db.run(first[0], ...values(first[1])).changes !== 1) return false;
        for (const [sql, params] of rest) db.run(sql, ...values(params));
        return true;
      });
    },
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return db.all<Row>(sql, ...values(params));
    },
    run(sql: string, params: readonly unknown[] = []) {
      return group.write(() => db.run(sql, ...values(params)).changes);
    },
    writeStats() {
      const { writes, transactions } = group.stats();
      return { writes, transactions };
    },
    async withMigrationLock(work) {
      return work();
    },
    async close() {
      // What is waiting commits first: a write asked for before close is not lost.
      group.close();
      db.close();
    },
  };
}
