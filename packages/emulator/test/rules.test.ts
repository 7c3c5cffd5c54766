import {
  AxnError,
  BindAxn,
  BindAxnExtension,
  QuerySecretNoRemain,
  QuerySubscriptionDetail,
  QuerySubsId,
  UnbindSubscription,
  UpdateSubscription,
} from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import { after, clientFor, DAY, emulator, operator, rawV2 } from './harness.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof AxnError) return error.code;
    throw error;
  }
}

/** Raw business calls, for rules the typed client refuses to even send. */
const bindRaw = (emu: Awaited<ReturnType<typeof emulator>>, params: Record<string, string>) =>
  rawV2(emu, {
    Action: 'BindAxnExtension',
    PoolKey: 'FC-DEMO',
    PhoneNoA: '13800138000',
    Expiration: after(emu, DAY),
    ...params,
  });

async function smallPool(
  emu: Awaited<ReturnType<typeof emulator>>,
  key: string,
  options: Record<string, unknown>,
  numbers: Array<[string, string]>,
) {
  expect((await operator(emu, 'POST', 'pools', { key, ...options })).status).toBe(200);
  const added = await operator(emu, 'POST', `pools/${key}/numbers`, {
    numbers: numbers.map(([secretNo, city]) => ({ secretNo, city })),
  });
  expect(added.status).toBe(200);
}

describe('BindAxnExtension rules', () => {
  it('chooses X in ExpectCity and assigns a 3-digit extension', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    for (const city of ['北京', '上海', '广州', '深圳', '杭州']) {
      const out = await client.call(BindAxnExtension, {
        poolKey: 'FC-DEMO',
        phoneNoA: '13800138000',
        expiration: after(emu, DAY),
        expectCity: city,
      });
      expect(emu.store.number(out.secretNo)?.city).toBe(city);
      expect(out.extension).toMatch(/^[1-9]\d{2}$/);
      expect(BigInt(out.subsId) > 2n ** 53n).toBe(true);
    }
  });

  it('falls back to another city, or refuses in strict mode', async () => {
    const emu = await emulator();
    await smallPool(emu, 'FC-LOOSE', { cityMode: 'fallback' }, [['17100000001', '上海']]);
    await smallPool(emu, 'FC-STRICT', { cityMode: 'strict' }, [['17200000001', '上海']]);
    const client = clientFor(emu);
    const loose = await client.call(BindAxnExtension, {
      poolKey: 'FC-LOOSE',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
      expectCity: '北京',
    });
    expect(loose.secretNo).toBe('17100000001');
    expect(
      await codeOf(
        client.call(BindAxnExtension, {
          poolKey: 'FC-STRICT',
          phoneNoA: '13800138000',
          expiration: after(emu, DAY),
          expectCity: '北京',
        }),
      ),
    ).toBe('isv.NO_AVAILABLE_NUMBER');
  });

  it('honours a pool extension length of 1 and runs out after 9 bindings', async () => {
    const emu = await emulator();
    await smallPool(emu, 'FC-ONE', { extensionLength: 1 }, [['17300000001', '北京']]);
    const client = clientFor(emu);
    const extensions = new Set<string>();
    for (let i = 0; i < 9; i++) {
      const out = await client.call(BindAxnExtension, {
        poolKey: 'FC-ONE',
        phoneNoA: `1380013800${i}`,
        expiration: after(emu, DAY),
      });
      extensions.add(out.extension);
    }
    expect([...extensions].sort()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(
      await codeOf(
        client.call(BindAxnExtension, {
          poolKey: 'FC-ONE',
          phoneNoA: '13900139000',
          expiration: after(emu, DAY),
        }),
      ),
    ).toBe('isv.NO_AVAILABLE_NUMBER');
  });

  it.each([
    ['Extension without PhoneNoX', { Extension: '130' }, 'isv.ILLEGAL_ARGUMENT'],
    ['Extension of the wrong length', { PhoneNoX: '17000000001', Extension: '13' }, 'isv.ILLEGAL_ARGUMENT'],
    ['malformed Expiration', { Expiration: '2030/01/01 00:00:00' }, 'isv.EXPIRE_DATE_ILLEGAL'],
    ['Expiration 60 s ahead', { Expiration: 'NOW+60' }, 'isv.EXPIRE_DATE_ILLEGAL'],
    ['Expiration in the past', { Expiration: 'NOW-3600' }, 'isv.EXPIRE_DATE_ILLEGAL'],
    ['malformed A', { PhoneNoA: '1380013800' }, 'isv.MOBILE_NUMBER_ILLEGAL'],
    ['A with letters', { PhoneNoA: '1380013800a' }, 'isv.MOBILE_NUMBER_ILLEGAL'],
    ['malformed B', { PhoneNoB: '12345' }, 'isv.MOBILE_NUMBER_ILLEGAL'],
    ['unknown pool', { PoolKey: 'FC-NOPE' }, 'isv.POOLKEY_NOT_EXISTS'],
    ['X outside the pool', { PhoneNoX: '17999999999' }, 'isv.NO_NOT_EXIST'],
    ['OutId over 255 bytes', { OutId: '号'.repeat(86) }, 'isv.INVALID_PARAMETERS'],
    ['missing PhoneNoA', { PhoneNoA: '' }, 'MissingPhoneNoA'],
  ])('%s → %s', async (_name, override, code) => {
    const emu = await emulator();
    const params = { ...override } as Record<string, string>;
    if (params.Expiration?.startsWith('NOW'))
      params.Expiration = after(emu, Number(params.Expiration.slice(3)) * 1000);
    const answer = await bindRaw(emu, params);
    expect(answer.body.Code).toBe(code);
    expect(answer.status).toBe(code.startsWith('Missing') ? 400 : 200);
    expect(typeof answer.body.RequestId).toBe('string');
  });

  it('accepts an Expiration 61 s ahead and an OutId of exactly 255 bytes', async () => {
    const emu = await emulator();
    const answer = await bindRaw(emu, { Expiration: after(emu, 62_000), OutId: '号'.repeat(85) });
    expect(answer.body.Code).toBe('OK');
  });

  it('refuses a taken (X, extension) and A already bound on that X with isv.BIND_CONFLICT', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    const first = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
      phoneNoX: '17000000001',
      extension: '130',
    });
    expect(first.extension).toBe('130');
    expect(
      await codeOf(
        client.call(BindAxnExtension, {
          poolKey: 'FC-DEMO',
          phoneNoA: '13900139000',
          expiration: after(emu, DAY),
          phoneNoX: '17000000001',
          extension: '130',
        }),
      ),
    ).toBe('isv.BIND_CONFLICT');
    expect(
      await codeOf(
        client.call(BindAxnExtension, {
          poolKey: 'FC-DEMO',
          phoneNoA: '13800138000',
          expiration: after(emu, DAY),
          phoneNoX: '17000000001',
        }),
      ),
    ).toBe('isv.BIND_CONFLICT');
    // The same A elsewhere is fine: another X.
    const other = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
      phoneNoX: '17000000002',
    });
    expect(other.secretNo).toBe('17000000002');
  });

  it('frees a slot at the instant its binding expires (clock shift), with no sweeper lag', async () => {
    // A clock that stands still on a whole second: expiries are written to the second, so on a running
    // clock the 120 s asked for could be 119.1 s, and a slow machine saw the binding expire a step early.
    const start = Math.floor(Date.now() / 1000) * 1000;
    const emu = await emulator({ now: () => start });
    const client = clientFor(emu);
    const first = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, 120_000),
      phoneNoX: '17000000001',
      extension: '130',
    });
    await operator(emu, 'POST', 'clock', { advanceMs: 119_000 });
    const stillActive = await client.call(QuerySubscriptionDetail, {
      poolKey: 'FC-DEMO',
      subsId: first.subsId,
      phoneNoX: '17000000001',
    });
    expect(stillActive.status).toBe('active');
    await operator(emu, 'POST', 'clock', { advanceMs: 1_000 });
    const expired = await client.call(QuerySubscriptionDetail, {
      poolKey: 'FC-DEMO',
      subsId: first.subsId,
      phoneNoX: '17000000001',
    });
    expect(expired.status).toBe('expired');
    expect((await client.call(QuerySubsId, { poolKey: 'FC-DEMO', phoneNoX: '17000000001' })).subsIds).toEqual(
      [],
    );
    const again = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13900139000',
      expiration: after(emu, DAY),
      phoneNoX: '17000000001',
      extension: '130',
    });
    expect(again.extension).toBe('130');
    const update = client.call(UpdateSubscription, {
      poolKey: 'FC-DEMO',
      subsId: first.subsId,
      phoneNoX: '17000000001',
      operateType: 'updateExpire',
      expiration: after(emu, DAY),
    });
    expect(await codeOf(update)).toBe('isv.FORBIDDEN_ACTION');
  });
});

describe('BindAxn', () => {
  it('takes a whole X, which then serves no extension binding', async () => {
    const emu = await emulator();
    await smallPool(emu, 'FC-AXN', {}, [['17400000001', '北京']]);
    const client = clientFor(emu);
    const out = await client.call(BindAxn, {
      poolKey: 'FC-AXN',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
    });
    expect(out.secretNo).toBe('17400000001');
    expect(
      await codeOf(
        client.call(BindAxnExtension, {
          poolKey: 'FC-AXN',
          phoneNoA: '13900139000',
          expiration: after(emu, DAY),
        }),
      ),
    ).toBe('isv.NO_AVAILABLE_NUMBER');
    expect(
      await codeOf(
        client.call(BindAxn, { poolKey: 'FC-AXN', phoneNoA: '13900139000', expiration: after(emu, DAY) }),
      ),
    ).toBe('isv.NO_AVAILABLE_NUMBER');
  });
});

describe('UpdateSubscription, UnbindSubscription and queries', () => {
  it('applies every OperateType and shows the result in the detail', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    const b = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
    });
    const target = { poolKey: 'FC-DEMO', subsId: b.subsId, phoneNoX: b.secretNo };
    const expiration = after(emu, 3 * DAY);
    await client.call(UpdateSubscription, { ...target, operateType: 'updateNoA', phoneNoA: '13600136000' });
    await client.call(UpdateSubscription, { ...target, operateType: 'updateNoB', phoneNoB: '13700137000' });
    await client.call(UpdateSubscription, { ...target, operateType: 'updateExpire', expiration });
    await client.call(UpdateSubscription, {
      ...target,
      operateType: 'updateCallRestrict',
      callRestrict: 'CONTROL_BX_DISABLE',
    });
    await client.call(UpdateSubscription, {
      ...target,
      operateType: 'updateIsRecordingEnabled',
      isRecordingEnabled: true,
    });
    await client.call(UpdateSubscription, { ...target, operateType: 'updateOutId', outId: 'order 42' });
    await client.call(UpdateSubscription, {
      ...target,
      operateType: 'updateAsr',
      asrStatus: true,
      asrModelId: 'm1',
    });
    await client.call(UpdateSubscription, { ...target, operateType: 'updateAxgGroup', groupId: '7' });
    await client.call(UpdateSubscription, {
      ...target,
      operateType: 'updateCallDisplayType',
      callDisplayType: 1,
    });
    const detail = await client.call(QuerySubscriptionDetail, target);
    expect(detail).toMatchObject({
      phoneNoA: '13600136000',
      phoneNoB: '13700137000',
      expireDate: expiration,
      callRestrict: 'CONTROL_BX_DISABLE',
      needRecord: true,
      asrStatus: true,
      asrModelId: 'm1',
      groupId: '7',
    });
    await client.call(UpdateSubscription, {
      ...target,
      operateType: 'updateCallRestrict',
      callRestrict: 'CONTROL_CLEAR_DISABLE',
    });
    expect((await client.call(QuerySubscriptionDetail, target)).callRestrict).toBeUndefined();
  });

  it('answers isv.SUBS_NOT_EXIST for a SubsId that does not match X, and after unbinding', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    const b = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
      phoneNoX: '17000000001',
    });
    const wrongX = client.call(UpdateSubscription, {
      poolKey: 'FC-DEMO',
      subsId: b.subsId,
      phoneNoX: '17000000002',
      operateType: 'updateNoB',
      phoneNoB: '13700137000',
    });
    expect(await codeOf(wrongX)).toBe('isv.SUBS_NOT_EXIST');
    await client.call(UnbindSubscription, { poolKey: 'FC-DEMO', subsId: b.subsId, secretNo: b.secretNo });
    expect(
      await codeOf(
        client.call(UnbindSubscription, { poolKey: 'FC-DEMO', subsId: b.subsId, secretNo: b.secretNo }),
      ),
    ).toBe('isv.SUBS_NOT_EXIST');
    expect(
      await codeOf(
        client.call(QuerySubscriptionDetail, { poolKey: 'FC-DEMO', subsId: b.subsId, phoneNoX: b.secretNo }),
      ),
    ).toBe('isv.SUBS_NOT_EXIST');
  });

  it('answers the documented isv.INVALID_PARAMETERS messages for blank OperateType parameters', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    const b = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
    });
    const blank = await rawV2(emu, {
      Action: 'UpdateSubscription',
      PoolKey: 'FC-DEMO',
      SubsId: b.subsId,
      PhoneNoX: b.secretNo,
      OperateType: 'updateNoA',
    });
    expect(blank.body).toMatchObject({
      Code: 'isv.INVALID_PARAMETERS',
      Message: 'phoneNoA can not be blank for updateNoA',
    });
    const noType = await rawV2(emu, {
      Action: 'UpdateSubscription',
      PoolKey: 'FC-DEMO',
      SubsId: b.subsId,
      PhoneNoX: b.secretNo,
      OperateType: '',
    });
    expect(noType.body).toMatchObject({
      Code: 'isv.INVALID_PARAMETERS',
      Message: 'operateType can not be blank',
    });
  });

  it('QuerySubsId lists every binding on a shared X, comma-separated, and 400 POOLKEY_NOT_EXIST for a bad pool', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    const ids = [];
    for (const a of ['13800138000', '13900139000', '13700137000']) {
      ids.push(
        (
          await client.call(BindAxnExtension, {
            poolKey: 'FC-DEMO',
            phoneNoA: a,
            expiration: after(emu, DAY),
            phoneNoX: '17000000003',
          })
        ).subsId,
      );
    }
    const raw = await rawV2(emu, { Action: 'QuerySubsId', PoolKey: 'FC-DEMO', PhoneNoX: '17000000003' });
    expect(raw.body.SubsId).toBe(ids.join(','));
    const bad = await rawV2(emu, { Action: 'QuerySubsId', PoolKey: 'FC-NOPE', PhoneNoX: '17000000003' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ Code: 'POOLKEY_NOT_EXIST', Message: 'poolKey not exsit.' });
  });

  it('QuerySecretNoRemain answers per city, national total and the city list', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    expect((await client.call(QuerySecretNoRemain, { specId: 1, city: '北京' })).amount).toBe(100);
    expect((await client.call(QuerySecretNoRemain, { specId: 1, city: '全国' })).amount).toBe(1500);
    const list = await client.call(QuerySecretNoRemain, { specId: 1, city: '全国列表' });
    expect(list.cities).toHaveLength(5);
  });
});

describe('gateway rules', () => {
  it.each([
    ['a wrong secret', { secret: 'nope' }, {}, 400, 'SignatureDoesNotMatch'],
    ['an unknown access key', {}, { AccessKeyId: 'ghost' }, 400, 'InvalidAccessKeyId.NotFound'],
    ['a timestamp 16 minutes old', { timestamp: 'OLD' }, {}, 400, 'InvalidTimeStamp.Expired'],
    ['a malformed timestamp', {}, { Timestamp: '2026-11-28 12:00:00' }, 400, 'InvalidTimeStamp.Format'],
    ['no Version', {}, { Version: '' }, 400, 'MissingVersion'],
    ['a wrong Version', {}, { Version: '2014-05-26' }, 400, 'InvalidVersion'],
    ['an unknown Action', {}, { Action: 'DescribeRegions' }, 404, 'InvalidAction.NotFound'],
    ['an Action named like an object property', {}, { Action: 'Constructor' }, 404, 'InvalidAction.NotFound'],
    ['an Action named __proto__', {}, { Action: '__proto__' }, 404, 'InvalidAction.NotFound'],
  ])('%s → %s %s', async (_name, options, params, status, code) => {
    const emu = await emulator();
    const opts = { ...options } as { secret?: string; timestamp?: Date };
    if ((options as { timestamp?: string }).timestamp === 'OLD')
      opts.timestamp = new Date(emu.clock.now() - 16 * 60_000);
    const answer = await rawV2(
      emu,
      { Action: 'QuerySubsId', PoolKey: 'FC-DEMO', PhoneNoX: '17000000001', ...params },
      opts,
    );
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ Code: code, HostId: 'dyplsapi.aliyuncs.com' });
    expect(String(answer.body.Recommend)).toContain(`q=${encodeURIComponent(code)}`);
    expect(answer.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('puts the server string to sign in SignatureDoesNotMatch', async () => {
    const emu = await emulator();
    const answer = await rawV2(
      emu,
      { Action: 'QuerySubsId', PoolKey: 'FC-DEMO', PhoneNoX: '17000000001' },
      { secret: 'nope' },
    );
    expect(String(answer.body.Message)).toMatch(
      /^Specified signature is not matched with our calculation\. server string to sign is:GET&%2F&AccessKeyId%3Dtestid%26Action%3DQuerySubsId/,
    );
  });

  it('refuses a reused nonce with SignatureNonceUsed', async () => {
    const emu = await emulator();
    const params = {
      Action: 'QuerySubsId',
      PoolKey: 'FC-DEMO',
      PhoneNoX: '17000000001',
      SignatureNonce: 'same-nonce',
    };
    expect((await rawV2(emu, params)).body.Code).toBe('OK');
    const again = await rawV2(emu, params);
    expect(again.status).toBe(400);
    expect(again.body.Code).toBe('SignatureNonceUsed');
  });

  it('answers in XML when Format=XML', async () => {
    const emu = await emulator();
    const ok = await rawV2(emu, {
      Action: 'QuerySubsId',
      PoolKey: 'FC-DEMO',
      PhoneNoX: '17000000001',
      Format: 'XML',
    });
    expect(ok.text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><QuerySubsIdResponse><RequestId>[0-9A-F-]{36}<\/RequestId><Code>OK<\/Code><Message>OK<\/Message><SubsId><\/SubsId><\/QuerySubsIdResponse>$/,
    );
    const error = await rawV2(
      emu,
      { Action: 'QuerySubsId', PoolKey: 'FC-DEMO', PhoneNoX: '17000000001', Format: 'XML' },
      { secret: 'bad' },
    );
    expect(error.text).toContain('<Error><RequestId>');
    expect(error.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('caps an action at a QPS with isv.FLOW_LIMIT', async () => {
    // A frozen clock keeps all calls in one one-second window.
    const frozen = Date.now();
    const emu = await emulator({ now: () => frozen });
    await operator(emu, 'POST', 'faults/qps', { action: 'QuerySubsId', qps: 2 });
    const codes = [];
    for (let i = 0; i < 4; i++)
      codes.push(
        (await rawV2(emu, { Action: 'QuerySubsId', PoolKey: 'FC-DEMO', PhoneNoX: '17000000001' })).body.Code,
      );
    expect(codes).toEqual(['OK', 'OK', 'isv.FLOW_LIMIT', 'isv.FLOW_LIMIT']);
    const other = await rawV2(emu, {
      Action: 'QuerySubscriptionDetail',
      PoolKey: 'FC-DEMO',
      PhoneNoX: '17000000001',
      SubsId: '1',
    });
    expect(other.body.Code).toBe('isv.SUBS_NOT_EXIST');
    await operator(emu, 'POST', 'clock', { advanceMs: 1000 });
    expect(
      (await rawV2(emu, { Action: 'QuerySubsId', PoolKey: 'FC-DEMO', PhoneNoX: '17000000001' })).body.Code,
    ).toBe('OK');
  });
});
