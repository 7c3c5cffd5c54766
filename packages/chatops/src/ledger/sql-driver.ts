/**
 * The little a ledger needs from a SQL database, so that one implementation serves SQLite and
 * PostgreSQL. Statements use `?` placeholders; the PostgreSQL driver numbers them.
 */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows of a query, with column names as written in the SQL. */
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a statement; answers how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs several statements as one transaction: all take effect, or none. Answers how many rows each
   * statement changed.
   */
  batch(statements: ReadonlyArray<readonly [sql: string, params: readonly unknown[]]>): Promise<number[]>;
  /**
   * One transaction: runs `first`; only if it changed a row, runs `rest` too. Answers whether `first`
   * changed a row. (How a delivery is claimed and its intended bindings recorded in one commit.)
   */
  batchIfFirst(
    first: readonly [sql: string, params: readonly unknown[]],
    rest: ReadonlyArray<readonly [sql: string, params: readonly unknown[]]>,
  ): Promise<boolean>;
  /**
   * Writes committed and the transactions that committed them, where the driver groups writes into
   * shared commits (SQLite); absent where each write is its own transaction (PostgreSQL's pool).
   */
  writeStats?(): { writes: number; transactions: number };
  /** Runs `work` holding the database-wide migration lock (a no-op for SQLite's single writer). */
  withMigrationLock<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
