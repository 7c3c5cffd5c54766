import { type Logger, silentLogger } from '@axnbot/core';
import type pg from 'pg';
import type { SqlDriver } from './sql-driver.js';

/** An arbitrary constant naming axnbot's migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK_ID = 0x61786e;

/** Numbers `?` placeholders as `$1, $2, …` (the ledger's SQL has no `?` inside string literals). */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

/**
 * Loads `pg` the first time a PostgreSQL ledger is opened: an optional peer dependency, so that a ledger on
 * SQLite never needs it installed.
 */
async function loadPg(): Promise<typeof pg> {
  try {
    return (await import('pg')).default;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error('a PostgreSQL ledger needs the pg package: npm install pg@^8.23.1', { cause: error });
  }
}

/**
 * A {@link SqlDriver} over a PostgreSQL pool. `schema`, when given, is created if needed and used as the
 * search path — how tests keep runs apart on one database.
 */
export async function postgresDriver(
  connectionString: string,
  options: { schema?: string; max?: number; logger?: Logger } = {},
): Promise<SqlDriver> {
  const { schema } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error('schema must be a lower-case SQL identifier');
  const pg = await loadPg();
  if (schema) {
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's error (the server restarting) must not crash the process; the pool replaces it,
  // and the operator hears of it.
  const logger = options.logger ?? silentLogger;
  pool.on('error', (error) =>
    logger.warn('a PostgreSQL connection failed; the pool replaces it', { error: error.message }),
  );
  return {
    dialect: 'postgres',
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return (await pool.query(numbered(sql), params as unknown[])).rows as Row[];
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return (await pool.query(numbered(sql), params as unknown[])).rowCount ?? 0;
    },
    async batch(statements) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const changed: number[] = [];
        for (const [sql, params] of statements)
          changed.push((await client.query(numbered(sql), params as unknown[])).rowCount ?? 0);
        await client.query('COMMIT');
        return changed;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async batchIfFirst(first, rest) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const changed = (await client.query(numbered(first[0]), first[1] as unknown[])).rowCount === 1;
        if (changed) for (const [sql, params] of rest) await client.query(numbered(sql), params as unknown[]);
        await client.query('COMMIT');
        return changed;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async withMigrationLock(work) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
