import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  defaultSqliteImplementation,
  type NativeDatabase,
  type NativeStatement,
  openNative,
  type SqliteImplementation,
} from './implementations.js';
import { type ParameterShape, parameterShape } from './parameters.js';

/**
 * A value a parameter can take. `undefined` binds as NULL (as better-sqlite3 has always done); booleans
 * are refused on both implementations (node:sqlite on Node 24 would store 1/0, better-sqlite3 refuses).
 */
export type SqliteValue = null | undefined | number | bigint | string | Uint8Array;

/**
 * The arguments of a call: the statement's `?` values in order, or one object holding its named
 * parameters by name without the prefix (`{ id: 7 }` for `@id`). Keys the statement does not use are ignored;
 * a named parameter missing from the object is an error.
 */
export type SqliteParams = SqliteValue[] | [named: object];

/** What {@link SqliteStatement.run} answers. */
export interface SqliteRunResult {
  /** Rows the statement inserted, updated or deleted. */
  readonly changes: number;
  /** The rowid of the last row inserted through this connection. */
  readonly lastInsertRowid: number;
}

/** How many prepared statements one connection keeps; the oldest is dropped beyond this. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * A prepared statement. Rows are objects keyed by column name (under node:sqlite they have no prototype:
 * compare them with `toEqual`, read them with `Object.hasOwn`). Integers come back as numbers; one beyond
 * 2^53 is not supported (node:sqlite throws, better-sqlite3 rounds).
 */
export class SqliteStatement {
  /** @internal */
  constructor(
    private readonly native: NativeStatement,
    private readonly shape: ParameterShape,
    private readonly checked: boolean,
  ) {}

  /** Runs the statement; answers the rows it changed and the last rowid inserted. */
  run(...params: SqliteParams): SqliteRunResult {
    const result = this.native.run(...this.bind(params));
    return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
  }

  /** The first row, or `undefined` when there is none. */
  get<Row = Record<string, unknown>>(...params: SqliteParams): Row | undefined {
    return this.native.get(...this.bind(params)) as Row | undefined;
  }

  /** Every row. */
  all<Row = Record<string, unknown>>(...params: SqliteParams): Row[] {
    return this.native.all(...this.bind(params)) as Row[];
  }

  /**
   * The arguments as the implementation takes them. better-sqlite3 already checks what this checks, in the
   * same words; node:sqlite binds NULL for what it is not given, refuses `undefined` and (on Node 22)
   * booleans, and refuses keys the statement does not use, so its arguments are checked and rebuilt here.
   */
  private bind(params: readonly unknown[]): unknown[] {
    if (!this.checked) return params as unknown[];
    const { names, count } = this.shape;
    if (names.length > 0) {
      const given = params[0];
      if (params.length !== 1 || typeof given !== 'object' || given === null || given instanceof Uint8Array)
        throw new TypeError('this statement takes its named parameters in one object');
      const named: Record<string, unknown> = {};
      for (const name of names) {
        if (!(name in given)) throw new RangeError(`Missing named parameter "${name}"`);
        named[name] = value((given as Record<string, unknown>)[name]);
      }
      return [named];
    }
    if (params.length < count) throw new RangeError('Too few parameter values were provided');
    if (params.length > count) throw new RangeError('Too many parameter values were provided');
    return params.map(value);
  }
}

function value(given: unknown): unknown {
  if (given === undefined) return null;
  if (typeof given === 'boolean')
    throw new TypeError('SQLite3 can only bind numbers, strings, bigints, buffers, and null');
  return given;
}

/** Options of {@link openSqlite}. */
export interface SqliteOpenOptions {
  /** How long a statement waits for another connection's lock before failing with "database is locked" (5000 ms). */
  readonly busyTimeoutMs?: number;
  /** Which implementation to use; by default `node:sqlite` on Node.js 22.13 and later, better-sqlite3 before. */
  readonly implementation?: SqliteImplementation;
}

/**
 * One SQLite connection, synchronous like both libraries underneath: a statement runs to completion before
 * anything else in the process does. Statements are prepared once per SQL text and kept.
 */
export class SqliteDatabase {
  private readonly statements = new Map<string, SqliteStatement>();
  private depth = 0;
  private isOpen = true;

  /** @internal */
  constructor(
    private readonly native: NativeDatabase,
    /** The file (or `:memory:`) this connection opened. */
    readonly path: string,
    /** The library underneath. */
    readonly implementation: SqliteImplementation,
  ) {}

  /** Whether the connection is open (not yet {@link close}d). */
  get open(): boolean {
    return this.isOpen;
  }

  /** Whether a {@link transaction} is running. */
  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** Runs SQL text that may hold several statements and takes no parameters (a migration, a PRAGMA). */
  exec(sql: string): void {
    this.native.exec(sql);
  }

  /** The prepared statement for `sql`, prepared on first use and kept. */
  prepare(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (statement) return statement;
    const shape = parameterShape(sql);
    statement = new SqliteStatement(this.native.prepare(sql), shape, this.implementation === 'node:sqlite');
    if (this.statements.size >= STATEMENT_CACHE_SIZE) {
      // Dynamic SQL (a filter's combinations) could otherwise grow the cache without end.
      const oldest = this.statements.keys().next().value as string;
      this.statements.delete(oldest);
    }
    this.statements.set(sql, statement);
    return statement;
  }

  /** Runs `sql` with `params` (see {@link SqliteStatement.run}). */
  run(sql: string, ...params: SqliteParams): SqliteRunResult {
    return this.prepare(sql).run(...params);
  }

  /** The first row of `sql`, or `undefined`. */
  get<Row = Record<string, unknown>>(sql: string, ...params: SqliteParams): Row | undefined {
    return this.prepare(sql).get<Row>(...params);
  }

  /** Every row of `sql`. */
  all<Row = Record<string, unknown>>(sql: string, ...params: SqliteParams): Row[] {
    return this.prepare(sql).all<Row>(...params);
  }

  /**
   * Runs `work` in one transaction and answers what it returns: committed when it returns, rolled back
   * (and the error rethrown) when it throws. `work` must be synchronous — it returning a promise is an
   * error, and rolls back — so nothing else in the process can run between BEGIN and COMMIT. A
   * transaction inside another is a savepoint: its failure undoes only its own work, if caught.
   */
  transaction<T>(work: () => T): T {
    const level = this.depth;
    const savepoint = `axn_savepoint_${level}`;
    this.run(level === 0 ? 'BEGIN' : `SAVEPOINT ${savepoint}`);
    this.depth = level + 1;
    try {
      const result = work();
      if (typeof (result as { then?: unknown } | null)?.then === 'function')
        throw new TypeError('transaction work must be synchronous, but it returned a promise');
      this.run(level === 0 ? 'COMMIT' : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      try {
        if (level === 0) this.run('ROLLBACK');
        else {
          this.run(`ROLLBACK TO ${savepoint}`);
          this.run(`RELEASE ${savepoint}`);
        }
      } catch {
        // SQLite has already rolled the transaction back itself (some I/O and full-disk errors do):
        // there is nothing left to undo, and the error that matters is the one rethrown below.
      }
      throw error;
    } finally {
      this.depth = level;
    }
  }

  /** Closes the connection; further use throws. Closing twice does nothing. */
  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.statements.clear();
    this.native.close();
  }
}

/**
 * Creates the database file readable by this user only: its folder 0700 when this creates it, the file
 * 0600 (also when an older one was created with the umask's 0644). SQLite creates the `-wal` and `-shm`
 * files with the database file's permissions, so setting the file's is enough.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

/**
 * Opens (creating if needed, privately) the SQLite database at `path` — a file, or `:memory:` — in WAL
 * mode, with a busy timeout and foreign keys on. The implementation is loaded on the first open, not on
 * import, so a process that never opens SQLite never loads it.
 */
export function openSqlite(path: string, options: SqliteOpenOptions = {}): SqliteDatabase {
  const implementation = options.implementation ?? defaultSqliteImplementation();
  if (path !== ':memory:') createPrivately(path);
  const native = openNative(path, implementation);
  const db = new SqliteDatabase(native, path, implementation);
  try {
    // The timeout first: switching to WAL takes a lock that another connection may hold for a moment.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
