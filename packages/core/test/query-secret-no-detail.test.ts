import { describe, expect, it } from 'vitest';
import { OPERATIONS, QuerySecretNoDetail } from '../src/index.js';

function issuesOf(result: {
  success: boolean;
  error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
}) {
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('QuerySecretNoDetail input', () => {
  it('sends PoolKey and SecretNo, and is a read (retried freely)', () => {
    const input = QuerySecretNoDetail.input.parse({ poolKey: 'FC100000000000000', secretNo: '17000000016' });
    expect(QuerySecretNoDetail.toWire(input)).toEqual({
      PoolKey: 'FC100000000000000',
      SecretNo: '17000000016',
    });
    expect(QuerySecretNoDetail.action).toBe('QuerySecretNoDetail');
    expect(QuerySecretNoDetail.effect).toBe('read');
    expect(OPERATIONS.QuerySecretNoDetail).toBe(QuerySecretNoDetail);
  });

  it.each([
    [
      'no pool key',
      { secretNo: '17000000016' },
      ['poolKey: Invalid input: expected string, received undefined'],
    ],
    ['no number', { poolKey: 'FC1' }, ['secretNo: Invalid input: expected string, received undefined']],
    [
      'a number with a dash',
      { poolKey: 'FC1', secretNo: '170-0000-0016' },
      ['secretNo: must be 5–20 digits'],
    ],
    [
      'an unknown field',
      { poolKey: 'FC1', secretNo: '17000000016', phoneNoX: '17000000016' },
      [': Unrecognized key: "phoneNoX"'],
    ],
  ])('refuses %s', (_name, input, issues) => {
    expect(issuesOf(QuerySecretNoDetail.input.safeParse(input))).toEqual(issues);
  });
});

describe('QuerySecretNoDetail output', () => {
  it('decodes the documented answer to camelCase, codes to names', () => {
    const out = QuerySecretNoDetail.output.parse({
      Code: 'OK',
      Message: 'OK',
      RequestId: '066E6E47-04CB-4774-A976-4F73CB76D4A3',
      SecretNoInfoDTO: {
        PurchaseTime: '2021-12-03 15:19:27',
        Vendor: 1,
        Province: '陕西',
        City: '西安',
        SecretStatus: 1,
        CertifyStatus: 0,
      },
    });
    expect(out).toEqual({
      requestId: '066E6E47-04CB-4774-A976-4F73CB76D4A3',
      city: '西安',
      province: '陕西',
      vendor: 'china-mobile',
      secretStatus: 'bound',
      certified: false,
      purchaseTime: '2021-12-03 15:19:27',
    });
  });

  it.each([
    [2, 'china-unicom'],
    [3, 'china-telecom'],
    ['3', 'china-telecom'],
    [9, undefined],
  ])('maps Vendor %j to %j', (code, vendor) => {
    const out = QuerySecretNoDetail.output.parse({
      Code: 'OK',
      RequestId: 'R',
      SecretNoInfoDTO: { Vendor: code },
    });
    expect(out.vendor).toBe(vendor);
  });

  it.each([
    [0, 'unbound'],
    [2, 'locked'],
    ['3', 'frozen'],
    [7, undefined],
  ])('maps SecretStatus %j to %j', (code, status) => {
    const out = QuerySecretNoDetail.output.parse({
      Code: 'OK',
      RequestId: 'R',
      SecretNoInfoDTO: { SecretStatus: code, CertifyStatus: 1 },
    });
    expect(out.secretStatus).toBe(status);
    expect(out.certified).toBe(true);
  });

  it('keeps the city when every other field is missing, empty or null', () => {
    const out = QuerySecretNoDetail.output.parse({
      Code: 'OK',
      RequestId: 'R',
      SecretNoInfoDTO: { City: '杭州', Province: '', PurchaseTime: null, Vendor: null, SecretStatus: '' },
    });
    expect(out).toEqual({
      requestId: 'R',
      city: '杭州',
      province: undefined,
      vendor: undefined,
      secretStatus: undefined,
      certified: undefined,
      purchaseTime: undefined,
    });
  });

  it('refuses an answer without SecretNoInfoDTO, which no successful call lacks', () => {
    expect(QuerySecretNoDetail.output.safeParse({ Code: 'OK', RequestId: 'R' }).success).toBe(false);
  });
});
