import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type AxnError, BindAxnExtension, createDyplsClient, formatBeijingTime } from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import { openEmulatorDatabase } from '../src/index.js';
import { after, clientFor, credentials, DAY, emulator, operator, rawV2 } from './harness.js';

/** Sends bytes exactly as given (Node's fetch would refuse or fix some of them). */
function rawHttp(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('bad input gets a well-formed error, never a crash', () => {
  it('refuses a body over 64 KiB with 413', async () => {
    const emu = await emulator();
    const answer = await rawHttp(
      emu.url,
      'POST',
      '/',
      { 'content-type': 'application/x-www-form-urlencoded' },
      `a=${'x'.repeat(70 * 1024)}`,
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ Code: 'RequestEntityTooLarge' });
    expect((await operator(emu, 'GET', 'health')).status).toBe(200);
  });

  it('answers malformed bodies and wrong content types with a gateway error', async () => {
    const emu = await emulator();
    for (const [type, body] of [
      ['application/json', '{"Action":"BindAxnExtension"'],
      ['text/plain', '\u0000\u0001binary'],
      ['application/x-www-form-urlencoded', '%%%&&&==='],
    ] as const) {
      const answer = await rawHttp(emu.url, 'POST', '/', { 'content-type': type }, body);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).Code).toMatch(/^Missing/);
    }
  });

  it('answers invalid UTF-8 in parameters without crashing', async () => {
    const emu = await emulator();
    const answer = await rawHttp(emu.url, 'GET', '/?Action=%C3%28&Version=%FF%FE', {});
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).Code).toBe('InvalidVersion');
    const body = Buffer.concat([Buffer.from('Action='), Buffer.from([0xc3, 0x28, 0xff])]);
    const form = await rawHttp(
      emu.url,
      'POST',
      '/',
      { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    );
    expect(JSON.parse(form.body).Code).toBe('MissingVersion');
  });

  it('refuses a repeated parameter naming it', async () => {
    const emu = await emulator();
    const answer = await rawHttp(emu.url, 'GET', '/?Action=QuerySubsId&PhoneNoX=1&PhoneNoX=2', {});
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      Code: 'InvalidParameter',
      Message: 'The parameter PhoneNoX is given more than once.',
    });
  });

  it('answers 10,000-character values with business errors', async () => {
    const emu = await emulator();
    const long = '9'.repeat(10_000);
    const phone = await rawV2(emu, {
      Action: 'BindAxnExtension',
      PoolKey: 'FC-DEMO',
      PhoneNoA: long,
      Expiration: after(emu, DAY),
    });
    expect(phone.body.Code).toBe('isv.MOBILE_NUMBER_ILLEGAL');
    expect(String(phone.body.Message).length).toBeLessThan(200);
    const outId = await rawV2(
      emu,
      {
        Action: 'BindAxnExtension',
        PoolKey: 'FC-DEMO',
        PhoneNoA: '13800138000',
        Expiration: after(emu, DAY),
        OutId: 'x'.repeat(10_000),
      },
      { method: 'POST' },
    );
    expect(outId.body.Code).toBe('isv.INVALID_PARAMETERS');
    const pool = await rawV2(
      emu,
      {
        Action: 'BindAxnExtension',
        PoolKey: 'P'.repeat(10_000),
        PhoneNoA: '13800138000',
        Expiration: after(emu, DAY),
      },
      { method: 'POST' },
    );
    expect(pool.body.Code).toBe('isv.POOLKEY_NOT_EXISTS');
    expect(String(pool.body.Message).length).toBeLessThan(200);
  });

  it('refuses an over-long request target with 414 and unknown paths or methods with 404', async () => {
    const emu = await emulator();
    expect((await rawHttp(emu.url, 'GET', `/?a=${'x'.repeat(70 * 1024)}`, {})).status).toBe(414);
    const path = await rawHttp(emu.url, 'GET', '/somewhere', {});
    expect(path.status).toBe(404);
    expect(JSON.parse(path.body).Code).toBe('InvalidApi.NotFound');
    expect((await rawHttp(emu.url, 'DELETE', '/', {})).status).toBe(404);
  });
});

describe('races', () => {
  it('50 concurrent binds for the last free slot: exactly one succeeds', async () => {
    const emu = await emulator({ seed: 'none' });
    await operator(emu, 'POST', 'pools', { key: 'FC-ONE', extensionLength: 1 });
    await operator(emu, 'POST', 'pools/FC-ONE/numbers', {
      numbers: [{ secretNo: '17300000001', city: '北京' }],
    });
    const client = clientFor(emu);
    for (let i = 1; i <= 8; i++) {
      await client.call(BindAxnExtension, {
        poolKey: 'FC-ONE',
        phoneNoA: `1380013800${i}`,
        expiration: after(emu, DAY),
      });
    }
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client
          .call(BindAxnExtension, {
            poolKey: 'FC-ONE',
            phoneNoA: `139${String(i).padStart(8, '0')}`,
            expiration: after(emu, DAY),
          })
          .then(
            () => 'OK',
            (error: AxnError) => error.code,
          ),
      ),
    );
    expect(outcomes.filter((code) => code === 'OK')).toHaveLength(1);
    expect(
      outcomes
        .filter((code) => code !== 'OK')
        .every((code) => code === 'isv.NO_AVAILABLE_NUMBER' || code === 'isv.BIND_CONFLICT'),
    ).toBe(true);
    expect((await operator(emu, 'GET', 'bindings?status=active&limit=100')).body.bindings).toHaveLength(9);
  });

  it('50 concurrent binds of one chosen (X, extension): exactly one succeeds, the rest conflict', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client
          .call(BindAxnExtension, {
            poolKey: 'FC-DEMO',
            phoneNoA: `139${String(i).padStart(8, '0')}`,
            expiration: after(emu, DAY),
            phoneNoX: '17000000001',
            extension: '888',
          })
          .then(
            () => 'OK',
            (error: AxnError) => error.code,
          ),
      ),
    );
    expect(outcomes.filter((code) => code === 'OK')).toHaveLength(1);
    expect(outcomes.filter((code) => code === 'isv.BIND_CONFLICT')).toHaveLength(49);
  });
});

describe('durability', () => {
  it('every bind answered OK survives SIGKILL and a restart on the same file, none twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axn-emulator-'));
    const file = join(dir, 'emulator.db');
    const script = fileURLToPath(new URL('./fixtures/serve.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout }).once('line', resolve),
    );
    const client = createDyplsClient({
      endpoint: url,
      credentials,
      retry: { maxAttempts: 1 },
      timeoutMs: 2000,
    });
    const acknowledged: Array<{ subsId: string; phoneNoA: string }> = [];
    let attempted = 0;
    const expiration = formatBeijingTime(Date.now() + DAY);
    // Eight streams of binds; the process is killed while they are in flight.
    const streams = Array.from({ length: 8 }, async (_, stream) => {
      for (let i = 0; ; i++) {
        const phoneNoA = `13${stream}${String(i).padStart(8, '0')}`;
        attempted++;
        try {
          const out = await client.call(BindAxnExtension, { poolKey: 'FC-DEMO', phoneNoA, expiration });
          acknowledged.push({ subsId: out.subsId, phoneNoA });
        } catch {
          return;
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    child.kill('SIGKILL');
    await Promise.all(streams);
    await exited;
    await client.close();
    expect(acknowledged.length).toBeGreaterThan(20);

    const db = openEmulatorDatabase(file);
    const rows = db.prepare('SELECT id, phone_a FROM bindings').all() as Array<{
      id: number;
      phone_a: string;
    }>;
    db.close();
    const stored = new Map(
      rows.map((row) => [String(1_000_000_000_000_000_000n + BigInt(row.id)), row.phone_a]),
    );
    for (const { subsId, phoneNoA } of acknowledged) expect(stored.get(subsId)).toBe(phoneNoA);
    expect(new Set(rows.map((row) => row.phone_a)).size).toBe(rows.length);
    expect(rows.length).toBeLessThanOrEqual(attempted);

    // And the restarted emulator serves on from there.
    const again = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const againExited = new Promise((resolve) => again.once('exit', resolve));
    const url2 = await new Promise<string>((resolve) =>
      createInterface({ input: again.stdout }).once('line', resolve),
    );
    const client2 = createDyplsClient({ endpoint: url2, credentials });
    const more = await client2.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '19900000000',
      expiration,
    });
    expect(stored.has(more.subsId)).toBe(false);
    await client2.close();
    again.kill('SIGTERM');
    await againExited;
  });
});
