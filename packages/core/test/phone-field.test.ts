import { describe, expect, it } from 'vitest';
import {
  BindAxnExtension,
  isMainlandPhone,
  MAINLAND_LANDLINE,
  MAINLAND_MOBILE,
  UpdateSubscription,
} from '../src/index.js';

const bind = { poolKey: 'FC100000000000000', phoneNoA: '13800138000', expiration: '2030-01-01 12:00:00' };

/** Numbers Aliyun takes as A or B: mainland mobiles, and landlines with their area code. */
const VALID = [
  ['13800138000', 'mobile 138'],
  ['19912345678', 'mobile 199'],
  ['13000000000', 'mobile 130'],
  ['01012345678', 'Beijing 010 + 8 digits'],
  ['02188888888', 'Shanghai 021 + 8 digits'],
  ['02912345678', "Xi'an 029 + 8 digits"],
  ['057188992688', 'Hangzhou 0571 + 8 digits (the reference example)'],
  ['07552345678', 'Shenzhen 0755 + 7 digits'],
  ['09912345678', 'Urumqi 0991 + 7 digits'],
] as const;

/** Numbers that look like phones but are not ones Aliyun accepts. */
const INVALID = [
  ['00000000000', 'all zeros'],
  ['013800138006', 'a mobile with a leading 0'],
  ['12345678901', 'mobile prefix 12'],
  ['10012345678', 'mobile prefix 10'],
  ['1380013800', '10-digit mobile'],
  ['138001380000', '12-digit mobile'],
  ['0101234567', '010 with a 7-digit local number'],
  ['010123456789', '010 with a 9-digit local number'],
  ['01112345678', 'area code 011'],
  ['01912345678', 'area code 019'],
  ['00112345678', 'area code 001'],
  ['01001234567', 'local number starting with 0'],
  ['0571012345678', '0571 with a 9-digit local number'],
  ['057112345', '0571 with a 5-digit local number'],
  ['0571', 'area code alone'],
  ['12345', 'five digits'],
  ['', 'empty'],
  ['+8613800138000', 'with +86'],
  ['138-0013-8000', 'with dashes'],
  ['１３８００１３８０００', 'full-width digits'],
] as const;

describe('the phone field rule', () => {
  it.each(VALID)('accepts %s (%s)', (digits) => {
    expect(isMainlandPhone(digits)).toBe(true);
    expect(BindAxnExtension.input.safeParse({ ...bind, phoneNoA: digits }).success).toBe(true);
    expect(BindAxnExtension.input.safeParse({ ...bind, phoneNoB: digits }).success).toBe(true);
  });

  it.each(INVALID)('refuses %j (%s)', (digits) => {
    expect(isMainlandPhone(digits)).toBe(false);
    const result = BindAxnExtension.input.safeParse({ ...bind, phoneNoA: digits });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['phoneNoA']);
    expect(result.error?.issues[0]?.message).toMatch(/^must be a mainland mobile/);
  });

  it('applies to UpdateSubscription updateNoA too', () => {
    const update = { poolKey: 'FC1', subsId: '1', phoneNoX: '17000000001', operateType: 'updateNoA' };
    expect(UpdateSubscription.input.safeParse({ ...update, phoneNoA: '13800138000' }).success).toBe(true);
    const result = UpdateSubscription.input.safeParse({ ...update, phoneNoA: '00000000000' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['phoneNoA']);
  });

  it('splits mobiles from landlines', () => {
    expect(MAINLAND_MOBILE.test('13800138000')).toBe(true);
    expect(MAINLAND_LANDLINE.test('13800138000')).toBe(false);
    expect(MAINLAND_LANDLINE.test('057188992688')).toBe(true);
    expect(MAINLAND_MOBILE.test('057188992688')).toBe(false);
  });
});
