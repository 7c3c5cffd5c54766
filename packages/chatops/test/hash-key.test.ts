import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { isConfigError, loadServiceConfig, openServiceRuntime, silentLogger } from '../src/index.js';
import { STORES } from './stores.js';

// Changing AXN_HASH_KEY would make every binding unfindable by its A number, silently. The ledger keeps a
// check value of the key (never the key) and a runtime opened with another key refuses to start.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(STORES)('the fingerprint key, ledger on $name', (store) => {
  it('a different AXN_HASH_KEY stops the runtime with one line; the original opens again', async () => {
    const emu = await startEmulator({ seed: 'demo' });
    cleanups.push(() => emu.close());
    const dir = mkdtempSync(join(tmpdir(), 'axn-key-'));
    const databaseUrl =
      store.name === 'sqlite'
        ? join(dir, 'ledger.db')
        : `${process.env.AXN_TEST_DATABASE_URL}?options=-c%20search_path%3D${await freshSchema()}`;
    const open = async (key: string) => {
      const env = {
        AXN_ENDPOINT: emu.url,
        AXN_POOL_KEY: 'FC-DEMO',
        AXN_HASH_KEY: key,
        AXN_DATABASE_URL: databaseUrl,
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'testsecret',
      };
      return openServiceRuntime(loadServiceConfig(env), env, { logger: silentLogger });
    };
    const first = await open('the-original-key-0001');
    await first.close();
    const error = await open('a-new-key-00000002').then(
      (runtime) => runtime.close().then(() => undefined),
      (failure: unknown) => failure,
    );
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^AXN_HASH_KEY is not the key this ledger was created with/);
    expect((error as Error).message).not.toContain('\n');
    const again = await open('the-original-key-0001');
    await again.close();
    if (store.name === 'sqlite') {
      const files = readdirSync(dir)
        .map((name) => readFileSync(join(dir, name)).toString('latin1'))
        .join('');
      expect(files).not.toContain('the-original-key-0001');
    }
  });
});

async function freshSchema(): Promise<string> {
  const { freshSchema: make } = await import('./stores.js');
  const schema = make();
  // The schema is created by the driver when named through `options`; create it here for the URL form.
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: process.env.AXN_TEST_DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await client.end();
  cleanups.push(async () => {
    const drop = new pg.Client({ connectionString: process.env.AXN_TEST_DATABASE_URL });
    await drop.connect();
    await drop.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await drop.end();
  });
  return schema;
}
