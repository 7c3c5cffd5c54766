import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@axnbot/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadServiceConfig, openServiceRuntime, parseCommand, silentLogger } from '../src/index.js';

// A bot's runtime with no keys in its environment takes them from Alibaba Cloud's default chain: an
// aliyun CLI profile, or STS tokens from a credentials URI that it refreshes as they near expiry. All
// stand-ins are local; the ECS metadata service is switched off.

const CHAIN = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'ALIBABA_CLOUD_PROFILE',
  'ALIBABA_CLOUD_CREDENTIALS_URI',
  'ALIBABA_CLOUD_ECS_METADATA_DISABLED',
  'HOME',
];
let saved: Record<string, string | undefined> = {};
const cleanups: Array<() => Promise<void>> = [];
beforeEach(() => {
  saved = Object.fromEntries(CHAIN.map((name) => [name, process.env[name]]));
  for (const name of CHAIN) delete process.env[name];
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
  process.env.HOME = mkdtempSync(join(tmpdir(), 'axn-home-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function runtimeOn(keys: Record<string, string>) {
  const emu = await startEmulator({ seed: 'demo', keys });
  cleanups.push(() => emu.close());
  const dir = mkdtempSync(join(tmpdir(), 'axn-cred-'));
  const env = {
    ...process.env,
    AXN_ENDPOINT: emu.url,
    AXN_POOL_KEY: 'FC-DEMO',
    AXN_HASH_KEY: 'credentials-test-key',
    AXN_DATABASE_URL: join(dir, 'ledger.db'),
  };
  const runtime = await openServiceRuntime(loadServiceConfig(env), env, { logger: silentLogger });
  cleanups.push(() => runtime.close());
  let delivery = 0;
  const bind = (phone: string) =>
    runtime.service.execute(
      parseCommand(`bind ${phone}`, {
        now: Date.now(),
        locale: 'en',
        defaultExpiresMs: 86_400_000,
        maxExpiresMs: 90 * 86_400_000,
        maxBulk: 20,
      }),
      { platform: 'slack', userId: 'U1', userName: 'u1', channelId: 'C1', idempotencyKey: `c-${++delivery}` },
    );
  return { bind };
}

describe('credentials from the default chain', () => {
  it('binds with the keys of an aliyun CLI profile', async () => {
    mkdirSync(join(process.env.HOME as string, '.aliyun'));
    writeFileSync(
      join(process.env.HOME as string, '.aliyun', 'config.json'),
      JSON.stringify({
        current: 'ops',
        profiles: [{ name: 'ops', mode: 'AK', access_key_id: 'cli-id', access_key_secret: 'cli-secret' }],
      }),
    );
    const { bind } = await runtimeOn({ 'cli-id': 'cli-secret' });
    expect((await bind('13800138000')).kind).toBe('bound');
  });

  it('keeps binding across an STS refresh from a credentials URI', async () => {
    let issued = 0;
    const broker = createServer((_req, res) => {
      issued += 1;
      const expiration = new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          Code: 'Success',
          AccessKeyId: 'STS.ops',
          AccessKeySecret: 'sts-secret',
          SecurityToken: `t${issued}`,
          Expiration: expiration,
        }),
      );
    });
    await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => broker.close(() => resolve())));
    process.env.ALIBABA_CLOUD_CREDENTIALS_URI = `http://127.0.0.1:${(broker.address() as AddressInfo).port}/`;
    const { bind } = await runtimeOn({ 'STS.ops': 'sts-secret' });
    expect((await bind('13800138000')).kind).toBe('bound');
    const before = issued;
    expect((await bind('13900139000')).kind).toBe('bound');
    expect(issued).toBeGreaterThan(before);
  });

  it('with nothing to find, the runtime refuses to start with one line naming what to set', async () => {
    await expect(runtimeOn({})).rejects.toThrow(
      /No Alibaba Cloud credentials found\. Set one of: ALIBABA_CLOUD_ACCESS_KEY_ID/,
    );
  });
});
