import { createRequire } from 'node:module';
import { AxnError, BindAxnExtension, QuerySecretNoDetail, UnbindSubscription } from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import { after, clientFor, DAY, emulator, operator, rawV2 } from './harness.js';

const require = createRequire(import.meta.url);
const DyplsClient = require('@alicloud/dyplsapi-2017-05-25');

async function failureOf(promise: Promise<unknown>): Promise<AxnError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AxnError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

describe('QuerySecretNoDetail', () => {
  it('answers the city, province and carrier of a demo X, and whether it is bound', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    const idle = await client.call(QuerySecretNoDetail, { poolKey: 'FC-DEMO', secretNo: '17000000021' });
    expect(idle).toMatchObject({
      city: '杭州',
      province: '浙江',
      vendor: 'china-telecom',
      secretStatus: 'unbound',
      certified: undefined,
      purchaseTime: undefined,
    });
    expect(idle.requestId).toMatch(/\S/);

    const bound = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
      expectCity: '深圳',
    });
    const detail = await client.call(QuerySecretNoDetail, { poolKey: 'FC-DEMO', secretNo: bound.secretNo });
    expect(detail).toMatchObject({ city: '深圳', province: '广东', secretStatus: 'bound' });

    await client.call(UnbindSubscription, {
      poolKey: 'FC-DEMO',
      subsId: bound.subsId,
      secretNo: bound.secretNo,
    });
    const freed = await client.call(QuerySecretNoDetail, { poolKey: 'FC-DEMO', secretNo: bound.secretNo });
    expect(freed.secretStatus).toBe('unbound');
  });

  it('answers the city X is really in when the bind fell back from a city the pool lacks', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    const bound = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
      expectCity: '火星',
    });
    const detail = await client.call(QuerySecretNoDetail, { poolKey: 'FC-DEMO', secretNo: bound.secretNo });
    expect(detail.city).not.toBe('火星');
    expect(detail.city).toBe(emu.store.number(bound.secretNo)?.city);
  });

  it('answers a city outside its province table without a province, and a non-170 X without a carrier', async () => {
    const emu = await emulator({ seed: 'none' });
    expect((await operator(emu, 'POST', 'pools', { key: 'FC-T' })).status).toBe(200);
    const added = await operator(emu, 'POST', 'pools/FC-T/numbers', {
      numbers: [{ secretNo: '13900000001', city: '拉萨' }],
    });
    expect(added.status).toBe(200);
    const detail = await clientFor(emu).call(QuerySecretNoDetail, {
      poolKey: 'FC-T',
      secretNo: '13900000001',
    });
    expect(detail).toMatchObject({
      city: '拉萨',
      province: undefined,
      vendor: undefined,
      secretStatus: 'unbound',
    });
  });

  it('refuses a number not in the pool, an unknown pool, and missing parameters', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    expect((await operator(emu, 'POST', 'pools', { key: 'FC-OTHER' })).status).toBe(200);

    const unknown = await failureOf(
      client.call(QuerySecretNoDetail, { poolKey: 'FC-DEMO', secretNo: '17099999999' }),
    );
    expect(unknown.code).toBe('isv.NO_NOT_EXIST');
    expect(unknown.httpStatus).toBe(200);
    // A demo number asked for through another pool of the account is not that pool's.
    const elsewhere = await failureOf(
      client.call(QuerySecretNoDetail, { poolKey: 'FC-OTHER', secretNo: '17000000001' }),
    );
    expect(elsewhere.code).toBe('isv.NO_NOT_EXIST');
    const noPool = await failureOf(
      client.call(QuerySecretNoDetail, { poolKey: 'FC-NONE', secretNo: '17000000001' }),
    );
    expect(noPool.code).toBe('isv.POOLKEY_NOT_EXISTS');

    const withoutPool = await rawV2(emu, { Action: 'QuerySecretNoDetail', SecretNo: '17000000001' });
    expect([withoutPool.status, withoutPool.body.Code]).toEqual([400, 'MissingPoolKey']);
    const withoutNumber = await rawV2(emu, { Action: 'QuerySecretNoDetail', PoolKey: 'FC-DEMO' });
    expect([withoutNumber.status, withoutNumber.body.Code]).toEqual([400, 'MissingSecretNo']);
    const notDigits = await rawV2(emu, {
      Action: 'QuerySecretNoDetail',
      PoolKey: 'FC-DEMO',
      SecretNo: '170-1',
    });
    expect([notDigits.status, notDigits.body.Code, notDigits.body.Message]).toEqual([
      200,
      'isv.INVALID_PARAMETERS',
      'secretNo must be numeric',
    ]);
  });

  it('answers the official pop-core SDK in JSON and XML', async () => {
    const emu = await emulator();
    const client = new DyplsClient({
      endpoint: emu.url,
      accessKeyId: 'testid',
      accessKeySecret: 'testsecret',
    });
    // @alicloud/dyplsapi-2017-05-25 1.1.0 predates this action; its generic request() is how users call it.
    const body = await client.request(
      'QuerySecretNoDetail',
      { PoolKey: 'FC-DEMO', SecretNo: '17000000006' },
      { method: 'POST', timeout: 5000 },
    );
    expect(body).toMatchObject({
      Code: 'OK',
      SecretNoInfoDTO: { City: '上海', Province: '上海', Vendor: 3, SecretStatus: 0 },
    });
    const xml = await rawV2(emu, {
      Action: 'QuerySecretNoDetail',
      PoolKey: 'FC-DEMO',
      SecretNo: '17000000006',
      Format: 'XML',
    });
    expect(xml.text).toContain(
      '<SecretNoInfoDTO><City>上海</City><Province>上海</Province><Vendor>3</Vendor><SecretStatus>0</SecretStatus></SecretNoInfoDTO>',
    );
  });
});
