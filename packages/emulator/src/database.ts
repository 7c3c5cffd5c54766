import { openSqlite, type SqliteDatabase } from '@axnbot/sqlite';

/**
 * The emulator's SQLite connection (`@axnbot/sqlite`: `node:sqlite` on Node.js 22.13 and later,
 * better-sqlite3 on Node.js 20).
 */
export type EmulatorDatabase = SqliteDatabase;

/**
 * Schema migrations, applied in order and recorded in `user_version`. Append; never edit a shipped one.
 *
 * Active means `status = 'active' AND expire_at > now`: expiry is decided at read time, so no sweeper
 * lag can ever be seen by a caller, and a slot is free the instant its binding expires.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE pools (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    city_mode TEXT NOT NULL CHECK (city_mode IN ('fallback', 'strict')),
    extension_length INTEGER NOT NULL CHECK (extension_length BETWEEN 1 AND 3),
    callback_mode TEXT NOT NULL CHECK (callback_mode IN ('latest-peer', 'default-b'))
  );
  CREATE TABLE numbers (
    secret_no TEXT PRIMARY KEY,
    pool_key TEXT NOT NULL REFERENCES pools(key) ON DELETE CASCADE,
    city TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled'))
  );
  CREATE INDEX numbers_by_pool_city ON numbers(pool_key, city);
  CREATE TABLE bindings (
    -- SubsId = 10^18 + id: derived, not stored, so no second unique index grows with the table.
    id INTEGER PRIMARY KEY,
    pool_key TEXT NOT NULL,
    secret_no TEXT NOT NULL,
    extension TEXT,
    phone_a TEXT NOT NULL,
    phone_b TEXT,
    expire_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'unbound')),
    need_record INTEGER NOT NULL DEFAULT 0,
    asr_status INTEGER NOT NULL DEFAULT 0,
    asr_model_id TEXT,
    call_restrict TEXT,
    out_id TEXT,
    out_order_id TEXT,
    ring_config TEXT,
    group_id TEXT,
    latest_peer TEXT
  );
  CREATE INDEX bindings_by_slot ON bindings(secret_no, extension, status, expire_at);
  CREATE INDEX bindings_by_a ON bindings(phone_a, secret_no, status, expire_at);
  CREATE TABLE calls (
    call_id TEXT PRIMARY KEY,
    subs_id TEXT,
    pool_key TEXT,
    secret_no TEXT NOT NULL,
    caller TEXT NOT NULL,
    callee TEXT,
    call_time INTEGER NOT NULL,
    recorded INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    call_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at INTEGER,
    last_error TEXT
  );
  CREATE TABLE inventory (
    spec_id INTEGER NOT NULL,
    city TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (spec_id, city)
  );
  `,
];

/**
 * Opens (creating if needed) the emulator database at `path` — a file, or `:memory:` — in WAL mode and
 * brings its schema up to date. A file is created 0600 (in a folder created 0700): it holds A and B numbers
 * in clear.
 */
export function openEmulatorDatabase(path: string): EmulatorDatabase {
  const db = openSqlite(path);
  // Every commit reaches the operating system before the answer is sent, so a killed emulator loses
  // nothing it acknowledged; no fsync is made, so a power cut could. Right for a test double: it is
  // what lets a bind cost microseconds instead of a disk flush at each checkpoint.
  db.exec('PRAGMA synchronous = OFF');
  // The emulator is its database's only user: an exclusive lock spares every transaction the file-lock
  // and shared-memory round trips (released when the process ends, however it ends).
  db.exec('PRAGMA locking_mode = EXCLUSIVE');
  const version = (db.get('PRAGMA user_version') as { user_version: number }).user_version;
  for (let index = version; index < MIGRATIONS.length; index++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[index] as string);
      db.exec(`PRAGMA user_version = ${index + 1}`);
    });
  }
  return db;
}
