import { describe, expect, it } from 'vitest';
import {
  BindAxn,
  BindAxnExtension,
  QueryRecordFileDownloadUrl,
  QuerySecretNoRemain,
  QuerySubscriptionDetail,
  QuerySubsId,
  UnbindSubscription,
  UpdateSubscription,
} from '../src/index.js';

const bind = { poolKey: 'FC100000000000000', phoneNoA: '13800138000', expiration: '2030-01-01 12:00:00' };

function issuesOf(result: {
  success: boolean;
  error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
}) {
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('BindAxnExtension input', () => {
  it.each([
    ['minimal', bind],
    ['extension with X', { ...bind, phoneNoX: '17000000001', extension: '130' }],
    ['one-digit extension', { ...bind, phoneNoX: '17000000001', extension: '7' }],
    ['landline A', { ...bind, phoneNoA: '057188992688' }],
    [
      'every option',
      {
        ...bind,
        phoneNoB: '13900139000',
        expectCity: '北京',
        isRecordingEnabled: true,
        outId: 'x'.repeat(255),
        outOrderId: 'o-1',
        callDisplayType: 1,
        ringConfig: { AXNRing_N: '1000001', AXNRing_A: '1000002' },
        asrStatus: true,
        asrModelId: '7ee372834d2f4cc7ac0d0ab2d0ae1aac',
        callRestrict: 'CONTROL_AX_DISABLE',
      },
    ],
    ['255-byte Chinese OutId (85 chars × 3 bytes)', { ...bind, outId: '号'.repeat(85) }],
  ])('accepts %s', (_name, input) => {
    expect(BindAxnExtension.input.safeParse(input).success).toBe(true);
  });

  it.each([
    [
      'extension without X',
      { ...bind, extension: '130' },
      'extension: an extension can only be given together with phoneNoX',
    ],
    [
      'four-digit extension',
      { ...bind, phoneNoX: '17000000001', extension: '1300' },
      'extension: must be 1–3 digits',
    ],
    [
      'non-digit extension',
      { ...bind, phoneNoX: '17000000001', extension: '1a' },
      'extension: must be 1–3 digits',
    ],
    [
      'A with a dash',
      { ...bind, phoneNoA: '138-0013-8000' },
      'phoneNoA: must be a mainland mobile (11 digits, 1[3-9]…) or a landline with its area code (010…, 02x…, 0[3-9]xx…), digits only',
    ],
    [
      'A with +86',
      { ...bind, phoneNoA: '+8613800138000' },
      'phoneNoA: must be a mainland mobile (11 digits, 1[3-9]…) or a landline with its area code (010…, 02x…, 0[3-9]xx…), digits only',
    ],
    [
      'ISO expiration',
      { ...bind, expiration: '2030-01-01T12:00:00' },
      'expiration: must be a real time formatted yyyy-MM-dd HH:mm:ss (Beijing time)',
    ],
    [
      'impossible date',
      { ...bind, expiration: '2030-02-30 12:00:00' },
      'expiration: must be a real time formatted yyyy-MM-dd HH:mm:ss (Beijing time)',
    ],
    ['256-byte OutId', { ...bind, outId: 'x'.repeat(256) }, 'outId: must be at most 255 bytes of UTF-8'],
    [
      '256-byte Chinese OutId',
      { ...bind, outId: `${'号'.repeat(85)}x` },
      'outId: must be at most 255 bytes of UTF-8',
    ],
    [
      'unknown CallRestrict',
      { ...bind, callRestrict: 'CONTROL_CLEAR_DISABLE' },
      'callRestrict: must be one of CONTROL_AX_DISABLE, CONTROL_BX_DISABLE',
    ],
    [
      'unknown RingConfig key',
      { ...bind, ringConfig: { AXNRing_X: '1' } },
      'ringConfig.AXNRing_X: keys must be among AXNRing_AB, AXNRing_A, AXNRing_N, AXNRing_A_PICKUP, AXNRing_N_PICKUP',
    ],
    ['CallDisplayType 2', { ...bind, callDisplayType: 2 }, 'callDisplayType: must be 1 (both parties see X)'],
  ])('rejects %s', (_name, input, expected) => {
    const result = BindAxnExtension.input.safeParse(input);
    expect(result.success).toBe(false);
    expect(issuesOf(result)).toContain(expected);
  });

  it('rejects unknown fields and missing required ones', () => {
    expect(issuesOf(BindAxnExtension.input.safeParse({ ...bind, PhoneNoA: '1' }))[0]).toMatch(/PhoneNoA/);
    const missing = BindAxnExtension.input.safeParse({ poolKey: 'FC1' });
    expect(missing.success).toBe(false);
    expect(issuesOf(missing).map((line) => line.split(':')[0])).toEqual(['phoneNoA', 'expiration']);
  });

  it('maps to wire names with booleans and JSON RingConfig as text', () => {
    const parsed = BindAxnExtension.input.parse({
      ...bind,
      isRecordingEnabled: false,
      ringConfig: { AXNRing_N: '1' },
      expectCity: '北京',
    });
    expect(BindAxnExtension.toWire(parsed)).toEqual({
      PoolKey: 'FC100000000000000',
      PhoneNoA: '13800138000',
      Expiration: '2030-01-01 12:00:00',
      ExpectCity: '北京',
      IsRecordingEnabled: 'false',
      RingConfig: '{"AXNRing_N":"1"}',
    });
  });

  it('decodes the documented response, keeping SubsId a string', () => {
    const out = BindAxnExtension.output.parse({
      Code: 'OK',
      Message: 'OK',
      RequestId: 'R1',
      SecretBindDTO: { Extension: '130', SubsId: '12345678901234567890', SecretNo: '17000000001' },
    });
    expect(out).toEqual({
      requestId: 'R1',
      subsId: '12345678901234567890',
      secretNo: '17000000001',
      extension: '130',
    });
  });
});

describe('BindAxn input', () => {
  it('accepts CallTimeout 5–20 and rejects outside it', () => {
    expect(BindAxn.input.safeParse({ ...bind, callTimeout: 5 }).success).toBe(true);
    expect(BindAxn.input.safeParse({ ...bind, callTimeout: 20 }).success).toBe(true);
    expect(issuesOf(BindAxn.input.safeParse({ ...bind, callTimeout: 21 }))).toEqual([
      'callTimeout: must be 5–20 seconds',
    ]);
  });

  it('has no extension parameter', () => {
    expect(BindAxn.input.safeParse({ ...bind, extension: '1' }).success).toBe(false);
  });
});

describe('UnbindSubscription input', () => {
  it('needs a pool key or product type, a SubsId and the X number', () => {
    expect(
      UnbindSubscription.input.safeParse({
        poolKey: 'FC1',
        subsId: '1000000000000003',
        secretNo: '17000000001',
      }).success,
    ).toBe(true);
    expect(
      UnbindSubscription.input.safeParse({
        productType: 'AXN_EXTENSION_REUSE',
        subsId: '1',
        secretNo: '17000000001',
      }).success,
    ).toBe(true);
    expect(issuesOf(UnbindSubscription.input.safeParse({ subsId: '1', secretNo: '17000000001' }))).toEqual([
      'poolKey: is required (or give productType)',
    ]);
  });

  it.each([
    ['a number', 1000000000000003],
    ['non-digits', '10a'],
    ['20 digits', '12345678901234567890'],
    ['above Long.MAX_VALUE', '9223372036854775808'],
  ])('rejects a SubsId that is %s', (_name, subsId) => {
    expect(
      UnbindSubscription.input.safeParse({ poolKey: 'FC1', subsId, secretNo: '17000000001' }).success,
    ).toBe(false);
  });

  it('accepts Long.MAX_VALUE', () => {
    expect(
      UnbindSubscription.input.safeParse({
        poolKey: 'FC1',
        subsId: '9223372036854775807',
        secretNo: '17000000001',
      }).success,
    ).toBe(true);
  });
});

describe('UpdateSubscription input', () => {
  const target = { poolKey: 'FC1', subsId: '1000000000000003', phoneNoX: '17000000001' };
  it.each([
    [
      { operateType: 'updateNoA', phoneNoA: '13800138000' },
      { OperateType: 'updateNoA', PhoneNoA: '13800138000' },
    ],
    [
      { operateType: 'updateNoB', phoneNoB: '13900139000' },
      { OperateType: 'updateNoB', PhoneNoB: '13900139000' },
    ],
    [
      { operateType: 'updateExpire', expiration: '2030-01-01 00:00:00' },
      { OperateType: 'updateExpire', Expiration: '2030-01-01 00:00:00' },
    ],
    [
      { operateType: 'updateAxgGroup', groupId: '42' },
      { OperateType: 'updateAxgGroup', GroupId: '42' },
    ],
    [
      { operateType: 'updateCallRestrict', callRestrict: 'CONTROL_CLEAR_DISABLE' },
      { OperateType: 'updateCallRestrict', CallRestrict: 'CONTROL_CLEAR_DISABLE' },
    ],
    [
      { operateType: 'updateCallDisplayType', callDisplayType: 1 },
      { OperateType: 'updateCallDisplayType', CallDisplayType: '1' },
    ],
    [
      { operateType: 'updateOutId', outId: 'order 42' },
      { OperateType: 'updateOutId', OutId: 'order 42' },
    ],
    [
      { operateType: 'updateIsRecordingEnabled', isRecordingEnabled: true },
      { OperateType: 'updateIsRecordingEnabled', IsRecordingEnabled: 'true' },
    ],
    [
      { operateType: 'updateAsr', asrStatus: false },
      { OperateType: 'updateAsr', ASRStatus: 'false' },
    ],
  ])('%j', (change, wire) => {
    const parsed = UpdateSubscription.input.parse({ ...target, ...change });
    expect(UpdateSubscription.toWire(parsed)).toEqual({
      PoolKey: 'FC1',
      SubsId: '1000000000000003',
      PhoneNoX: '17000000001',
      ...wire,
    });
  });

  it.each([
    [{ operateType: 'updateNoA' }, 'phoneNoA'],
    [{ operateType: 'updateExpire' }, 'expiration'],
    [{ operateType: 'updateAsr', asrStatus: true }, 'asrModelId'],
    [{ operateType: 'updateExpire', expiration: '2030-01-01 00:00:00', phoneNoA: '13800138000' }, 'phoneNoA'],
  ])('rejects %j for lack or excess of %s', (change, field) => {
    const result = UpdateSubscription.input.safeParse({ ...target, ...change });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(field);
  });

  it('rejects an unknown OperateType naming the valid ones', () => {
    const result = UpdateSubscription.input.safeParse({ ...target, operateType: 'updateEndDate' });
    expect(result.success).toBe(false);
    expect(issuesOf(result).join()).toContain('updateExpire');
  });
});

describe('query operations', () => {
  it('QuerySubscriptionDetail maps status and trims CallRestrict', () => {
    const out = QuerySubscriptionDetail.output.parse({
      Code: 'OK',
      RequestId: 'R',
      SecretBindDetailDTO: {
        SubsId: '12345678901234567890',
        PhoneNoA: '13800138000',
        PhoneNoX: '17000000001',
        Extension: '130',
        Status: 0,
        ExpireDate: '2030-01-01 00:00:00',
        GmtCreate: '2029-01-01 00:00:00',
        NeedRecord: true,
        CallRestrict: 'CONTROL_BX_DISABLE ',
        GroupId: 0,
      },
    });
    expect(out).toMatchObject({
      status: 'expired',
      callRestrict: 'CONTROL_BX_DISABLE',
      subsId: '12345678901234567890',
      needRecord: true,
      groupId: '0',
    });
  });

  it('QuerySubsId splits a comma-separated list and answers [] for none', () => {
    expect(QuerySubsId.output.parse({ Code: 'OK', RequestId: 'R', SubsId: '1,2, 3' }).subsIds).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(QuerySubsId.output.parse({ Code: 'OK', RequestId: 'R', SubsId: '' }).subsIds).toEqual([]);
    expect(QuerySubsId.input.safeParse({ phoneNoX: '17000000001' }).success).toBe(false);
  });

  it('QuerySecretNoRemain checks SpecId 3 needs 全国通用', () => {
    expect(QuerySecretNoRemain.input.safeParse({ specId: 1, city: '全国' }).success).toBe(true);
    expect(issuesOf(QuerySecretNoRemain.input.safeParse({ specId: 3, city: '北京' }))).toEqual([
      'city: must be 全国通用 when specId is 3',
    ]);
    expect(issuesOf(QuerySecretNoRemain.input.safeParse({ specId: 4, city: '北京' }))).toEqual([
      'specId: must be 1, 2 or 3',
    ]);
    const out = QuerySecretNoRemain.output.parse({
      Code: 'OK',
      RequestId: 'R',
      SecretRemainDTO: {
        Amount: 5,
        City: '全国列表',
        RemainDTOList: { remainDTO: [{ Amount: 3, City: '北京' }] },
      },
    });
    expect(out.cities).toEqual([{ city: '北京', amount: 3 }]);
  });

  it('QueryRecordFileDownloadUrl needs a call id and a formatted time', () => {
    expect(
      QueryRecordFileDownloadUrl.input.safeParse({
        poolKey: 'FC1',
        callId: 'c1',
        callTime: '2030-01-01 00:00:00',
      }).success,
    ).toBe(true);
    expect(
      QueryRecordFileDownloadUrl.input.safeParse({ poolKey: 'FC1', callId: 'c1', callTime: '1629893489000' })
        .success,
    ).toBe(false);
    expect(
      QueryRecordFileDownloadUrl.input.safeParse({
        poolKey: 'FC1',
        callId: '',
        callTime: '2030-01-01 00:00:00',
      }).success,
    ).toBe(false);
  });
});
