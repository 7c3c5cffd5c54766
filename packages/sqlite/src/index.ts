/**
 * @axnbot/sqlite — one small synchronous SQLite driver for the ledger and the emulator. On Node.js 22.13 and
 * later it runs on the built-in `node:sqlite` (no native build); on Node.js 20 on better-sqlite3 12, loaded
 * only when a database is opened. Both behave the same: {@link openSqlite} opens a private file in WAL mode
 * with a busy timeout; statements are prepared once and kept; {@link SqliteDatabase.transaction} runs
 * synchronously from BEGIN to COMMIT; {@link GroupCommit} commits the writes of many callers in one.
 * @packageDocumentation
 */
export {
  openSqlite,
  SqliteDatabase,
  type SqliteOpenOptions,
  type SqliteParams,
  type SqliteRunResult,
  SqliteStatement,
  type SqliteValue,
} from './database.js';
export { GroupCommit, type GroupCommitStats } from './group-commit.js';
export { defaultSqliteImplementation, nodeHasSqlite, type SqliteImplementation } from './implementations.js';
