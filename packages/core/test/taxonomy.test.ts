import { describe, expect, it } from 'vitest';
import { AxnError, describeError, errorCodeFrom, isKnownErrorCode, KNOWN_ERROR_CODES } from '../src/index.js';

const PRODUCT_DOCUMENT_CODES = [
  'OK',
  'isp.RAM_PERMISSION_DENY',
  'isv.OUT_OF_SERVICE',
  'isv.PRODUCT_UN_SUBSCRIPT',
  'isv.PRODUCT_UNSUBSCRIBE',
  'isv.ACCOUNT_NOT_EXISTS',
  'isv.ACCOUNT_ABNORMAL',
  'isp.SYSTEM_ERROR',
  'isp.UNKNOWN_ERR_CODE',
  'isv.PARTNER_NOT_EXIST',
  'isv.NO_NOT_EXIST',
  'isv.ILLEGAL_ARGUMENT',
  'isp.DAO_EXCEPTION',
  'isv.NO_AVAILABLE_NUMBER',
  'isp.VENDOR_UNAVAILABLE',
  'isv.FLOW_LIMIT',
  'isv.PARTNER_IS_CLOSED',
  'isv.FORBIDDEN_ACTION',
  'isv.NO_USED_BY_OTHERS',
  'isv.VENDOR_BIND_FAILED',
  'isv.EXPIRE_DATE_ILLEGAL',
  'isv.MOBILE_NUMBER_ILLEGAL',
  'isv.BIND_CONFLICT',
];
const REFERENCE_3_1 = [
  'isv.SUBS_NOT_EXIST',
  'isv.BUY_NUM_OVER_LIMIT',
  'isv.POOLKEY_NOT_EXISTS',
  'isp.GATEWAY_ERROR',
  'isv.INVALID_PARAMETERS',
  'isv.UPDATE_CONFLICT',
  'POOLKEY_NOT_EXIST',
  'FlowLimited',
  'RamPermissionDenied',
];
const REFERENCE_3_2 = [
  'InvalidProduct.NotFound',
  'InvalidApi.NotFound',
  'InvalidAction.NotFound',
  'InvalidProtocol.NeedSsl',
  'MissingParameter',
  'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId.Inactive',
  'InvalidTimeStamp.Format',
  'InvalidTimeStamp.Expired',
  'SignatureNonceUsed',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidVersion',
  'Throttling.User',
  'Throttling.Api',
  'Throttling',
  'InvalidSecurityToken.Expired',
  'Forbidden.RAM',
  'Forbidden.AccessKeyDisabled',
  'InternalError',
  'ServiceUnavailable',
];
const LOCAL = [
  'local.VALIDATION',
  'local.TIMEOUT',
  'local.NETWORK',
  'local.DECODE',
  'local.OUTCOME_UNKNOWN',
  'local.POLICY_DENIED',
  'local.CONFIG',
];

describe('error taxonomy', () => {
  it.each([...PRODUCT_DOCUMENT_CODES, ...REFERENCE_3_1, ...REFERENCE_3_2, ...LOCAL])(
    '%s is in the table with text in both languages',
    (code) => {
      expect(isKnownErrorCode(code)).toBe(true);
      const d = describeError(code);
      expect(d.category).not.toBe('unknown');
      for (const text of [d.en.message, d.en.remedy, d.zh.message, d.zh.remedy])
        expect(text.trim().length).toBeGreaterThan(1);
      expect(d.zh.message).toMatch(/[\u4e00-\u9fff]/);
    },
  );

  it('has no entry that is not listed above (the lists stay complete)', () => {
    const listed = new Set([
      ...PRODUCT_DOCUMENT_CODES,
      ...REFERENCE_3_1,
      ...REFERENCE_3_2,
      ...LOCAL,
      'local.RATE_LIMITED',
      'local.NOT_FOUND',
      'local.INTERNAL',
    ]);
    expect(KNOWN_ERROR_CODES.filter((code) => !listed.has(code))).toEqual([]);
  });

  it.each([
    ['isv.FLOW_LIMIT', 'throttle', true],
    ['Throttling.User', 'throttle', true],
    ['isp.SYSTEM_ERROR', 'upstream', true],
    ['isv.BIND_CONFLICT', 'conflict', false],
    ['isv.NO_AVAILABLE_NUMBER', 'capacity', false],
    ['SignatureDoesNotMatch', 'auth', false],
    ['isv.OUT_OF_SERVICE', 'account', false],
    ['isv.MOBILE_NUMBER_ILLEGAL', 'input', false],
    ['local.OUTCOME_UNKNOWN', 'local', false],
  ])('%s is %s, retryable %s', (code, category, retryable) => {
    expect(describeError(code)).toMatchObject({ category, retryable });
  });

  it('maps Missing{Name} to MissingParameter and unknown codes to a well-formed unknown', () => {
    expect(describeError('MissingPhoneNoA')).toMatchObject({
      code: 'MissingPhoneNoA',
      category: 'input',
      retryable: false,
    });
    const unknown = new AxnError({
      code: errorCodeFrom('isv.SOMETHING_NEW'),
      message: 'server says so',
      requestId: 'R9',
      httpStatus: 200,
    });
    expect(unknown).toMatchObject({
      code: 'isv.SOMETHING_NEW',
      category: 'unknown',
      retryable: false,
      message: 'server says so',
      requestId: 'R9',
    });
    expect(unknown.describe('zh').message).toContain('isv.SOMETHING_NEW');
  });
});

describe('error codes are checked by the compiler', () => {
  it('a typo in a code is a type error; a server code goes through errorCodeFrom', () => {
    // `tsc` (part of the test command) fails if this line compiles: the typo is caught at build time.
    // @ts-expect-error — 'local.NOT_FOUDN' is not a code of the table
    const typo = new AxnError({ code: 'local.NOT_FOUDN', message: 'x' });
    expect(typo.category).toBe('unknown');
    const fromServer = new AxnError({ code: errorCodeFrom('isv.BRAND_NEW'), message: 'x' });
    expect(fromServer.code).toBe('isv.BRAND_NEW');
  });
});
