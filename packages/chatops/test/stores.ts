import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Ledger, openLedger } from '../src/index.js';

/** PostgreSQL runs are opted into by this variable (CI sets it when 127.0.0.1:5432 answers). */
export const POSTGRES_URL = process.env.AXN_TEST_DATABASE_URL;

export interface StoreFactory {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh, empty ledger; `shared` names a schema that several ledgers may open together. */
  open(shared?: string): Promise<Ledger>;
}

export const sqliteStore: StoreFactory = {
  name: 'sqlite',
  open: (shared) => openLedger(join(shared ?? mkdtempSync(join(tmpdir(), 'axn-ledger-')), 'ledger.db')),
};

export const postgresStore: StoreFactory = {
  name: 'postgres',
  // Each test gets its own schema on the shared database, so runs never see each other's rows.
  open: (shared) => openLedger(POSTGRES_URL as string, { schema: shared ?? freshSchema() }),
};

export function freshSchema(): string {
  return `axn_test_${randomBytes(6).toString('hex')}`;
}

/** The stores this run tests: SQLite always, PostgreSQL when configured. */
export const STORES: StoreFactory[] = POSTGRES_URL ? [sqliteStore, postgresStore] : [sqliteStore];
