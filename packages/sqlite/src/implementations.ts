import { createRequire } from 'node:module';

/** Which library runs SQLite underneath a {@link SqliteDatabase}. */
export type SqliteImplementation = 'node:sqlite' | 'better-sqlite3';

/** What the driver needs of a prepared statement, in either implementation. */
export interface NativeStatement {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** What the driver needs of a connection, in either implementation. */
export interface NativeDatabase {
  prepare(sql: string): NativeStatement;
  exec(sql: string): void;
  close(): void;
}

/** The part of `node:sqlite` the driver uses (typed here: `@types/node` 20 does not know the module). */
interface NodeSqliteModule {
  DatabaseSync: new (
    path: string,
    options?: { enableForeignKeyConstraints?: boolean },
  ) => {
    prepare(sql: string): NativeStatement & {
      setReadBigInts(enabled: boolean): void;
      setAllowBareNamedParameters(enabled: boolean): void;
    };
    exec(sql: string): void;
    close(): void;
  };
}

type BetterSqlite3Constructor = new (path: string) => NativeDatabase;

/** The first Node.js release with `node:sqlite` usable without a flag. */
const NODE_SQLITE_SINCE = [22, 13] as const;

/** Whether this Node.js has `node:sqlite` without a flag (22.13 and later). */
export function nodeHasSqlite(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > NODE_SQLITE_SINCE[0] || (major === NODE_SQLITE_SINCE[0] && minor >= NODE_SQLITE_SINCE[1]);
}

let nodeSqlite: NodeSqliteModule | undefined;

/**
 * Loads `node:sqlite`. Node 22 warns on the first load that it is experimental, once per process, on
 * stderr: that line would land in every CLI run and bot log although the driver pins everything it
 * relies on with its own tests, so just that one warning is held back while the module loads.
 */
function loadNodeSqlite(): NodeSqliteModule {
  if (nodeSqlite) return nodeSqlite;
  if (!nodeHasSqlite())
    throw new Error(`node:sqlite needs Node.js 22.13 or later; this is Node.js ${process.versions.node}`);
  const emitWarning = process.emitWarning;
  process.emitWarning = function quieter(this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('SQLite is an experimental feature')) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    const loaded = process.getBuiltinModule('node:sqlite') as NodeSqliteModule | undefined;
    if (!loaded) throw new Error(`node:sqlite is not available in Node.js ${process.versions.node}`);
    nodeSqlite = loaded;
    return loaded;
  } finally {
    process.emitWarning = emitWarning;
  }
}

let betterSqlite3: BetterSqlite3Constructor | undefined;

/** Why better-sqlite3 cannot run here, in the user's terms. */
function betterSqlite3Unavailable(reason: string, cause: unknown): Error {
  if (nodeHasSqlite()) return new Error(`better-sqlite3 cannot be used: ${reason}`, { cause });
  return new Error(
    `SQLite on Node.js ${process.versions.node} needs better-sqlite3, and ${reason}. ` +
      'Node.js 22.13 and later need nothing: SQLite is built in.',
    { cause },
  );
}

/**
 * Loads better-sqlite3, the first time a database needs it: a native addon, so a user who never opens
 * SQLite on Node 20 (PostgreSQL only, or Node 22.13+) never needs it installed or built.
 */
function loadBetterSqlite3(): BetterSqlite3Constructor {
  if (betterSqlite3) return betterSqlite3;
  try {
    betterSqlite3 = createRequire(import.meta.url)('better-sqlite3') as BetterSqlite3Constructor;
    return betterSqlite3;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw betterSqlite3Unavailable('it is not installed (npm install better-sqlite3@^12.6.2)', error);
  }
}

/** A better-sqlite3 connection; its native part loads with the first one. */
function openBetterSqlite3(path: string): NativeDatabase {
  const Database = loadBetterSqlite3();
  try {
    return new Database(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_DLOPEN_FAILED') throw error;
    const detail = String((error as Error).message).replace(/\s+/g, ' ');
    throw betterSqlite3Unavailable(`its native build does not load in this Node.js (${detail})`, error);
  }
}

/** The implementation {@link openSqlite} uses by default: `node:sqlite` where Node.js has it, else better-sqlite3. */
export function defaultSqliteImplementation(): SqliteImplementation {
  return nodeHasSqlite() ? 'node:sqlite' : 'better-sqlite3';
}

/** Opens a connection with `implementation`, loading it first if this is the first. */
export function openNative(path: string, implementation: SqliteImplementation): NativeDatabase {
  if (implementation === 'better-sqlite3') return openBetterSqlite3(path);
  const { DatabaseSync } = loadNodeSqlite();
  // better-sqlite3 is built with foreign keys on; node:sqlite's default is the same, said here so that
  // a change of default upstream cannot make the two differ.
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
  return {
    prepare(sql) {
      const statement = db.prepare(sql);
      // Named parameters are passed without their prefix ({ id } for @id), as better-sqlite3 takes them;
      // integers come back as numbers, as better-sqlite3 gives them by default.
      statement.setAllowBareNamedParameters(true);
      statement.setReadBigInts(false);
      return statement;
    },
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
}
