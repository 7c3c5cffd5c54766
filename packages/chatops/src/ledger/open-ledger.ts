import type { Logger } from '@axnbot/core';
import type { Ledger } from './ledger.js';
import { postgresDriver } from './postgres-driver.js';
import { SqlLedger } from './sql-ledger.js';
import { sqliteDriver } from './sqlite-driver.js';

/**
 * Opens the ledger `AXN_DATABASE_URL` names: `postgres://…` / `postgresql://…` for PostgreSQL, anything
 * else a SQLite path (`:memory:` allowed).
 */
export async function openLedger(
  url: string,
  options: { schema?: string; logger?: Logger } = {},
): Promise<Ledger> {
  if (/^postgres(ql)?:\/\//.test(url)) return SqlLedger.open(await postgresDriver(url, options));
  return SqlLedger.open(sqliteDriver(url));
}
