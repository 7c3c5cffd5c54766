/**
 * Field rules shared by the operation models. Each rule's message names the rule, so that a
 * `local.VALIDATION` error reads "phoneNoA: must be a mainland mobile (11 digits, 1[3-9]…) or a landline…".
 */
import { z } from 'zod';
import { parseBeijingTime } from '../time.js';

/** A mainland mobile number: 11 digits, `1` then `3`–`9`. */
export const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/**
 * A mainland landline with its area code and no separators, the form `PhoneNoA` documents
 * (`057188992688`): `0`, then either a two-digit area code (`10` Beijing, `2x` the other large cities)
 * and an 8-digit local number, or a three-digit area code (`3xx`–`9xx`) and a 7- or 8-digit local
 * number — 11 or 12 digits in all. A local number never starts with `0` (that is the trunk prefix), so
 * `00000000000` and `013800138006` (a mobile with a stray leading zero) are not landlines.
 */
export const MAINLAND_LANDLINE = /^0(?:(?:10|2\d)[1-9]\d{7}|[3-9]\d{2}[1-9]\d{6,7})$/;

/**
 * Whether bare ASCII digits are a number Aliyun accepts as A or B: a {@link MAINLAND_MOBILE} or a
 * {@link MAINLAND_LANDLINE}. The chat parser and the `phoneNumber` field rule both use it, so a number the
 * bot accepts is never refused by the SDK, and the other way round.
 */
export function isMainlandPhone(digits: string): boolean {
  return MAINLAND_MOBILE.test(digits) || MAINLAND_LANDLINE.test(digits);
}

/** Phone numbers travel as bare digits: an 11-digit mobile, or a landline with its area code. */
export const phoneNumber = z
  .string()
  .refine(
    isMainlandPhone,
    'must be a mainland mobile (11 digits, 1[3-9]…) or a landline with its area code (010…, 02x…, 0[3-9]xx…), digits only',
  );

/** The X number (`PhoneNoX` / `SecretNo`). */
export const secretNumber = z.string().regex(/^\d{5,20}$/, 'must be 5–20 digits');

/** `Long.MAX_VALUE`, the largest SubsId the service accepts. */
const LONG_MAX = 9223372036854775807n;

/** A binding id: a decimal 64-bit number, always carried as a string so no digit is lost. */
export const subsId = z
  .string()
  .regex(/^\d{1,19}$/, 'must be a decimal number of 1–19 digits, as a string')
  // Checks run even after the regex fails, so guard the BigInt conversion.
  .refine(
    (value) => !/^\d{1,19}$/.test(value) || BigInt(value) <= LONG_MAX,
    'must not exceed 9223372036854775807',
  );

/** The pool key (`FC…`). */
export const poolKey = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** 1–3 digits keyed after dialling X. */
export const extension = z.string().regex(/^\d{1,3}$/, 'must be 1–3 digits');

/** Beijing wall-clock time `yyyy-MM-dd HH:mm:ss`, a real calendar instant. */
export const beijingDateTime = z
  .string()
  .refine(
    (value) => parseBeijingTime(value) !== undefined,
    'must be a real time formatted yyyy-MM-dd HH:mm:ss (Beijing time)',
  );

/**
 * `ExpectCity`: the city to pick X from, 1–32 characters. Characters are code points (what a person
 * counts), not UTF-16 units.
 */
export const expectCity = z
  .string()
  .min(1, 'must not be empty')
  .refine((value) => [...value].length <= 32, 'must be at most 32 characters');

/** `OutId`: free text echoed in receipts, at most 255 bytes of UTF-8. */
export const outId = z
  .string()
  .refine((value) => Buffer.byteLength(value, 'utf8') <= 255, 'must be at most 255 bytes of UTF-8');

/** Call restrictions a binding can carry. */
export const CALL_RESTRICTIONS = ['CONTROL_AX_DISABLE', 'CONTROL_BX_DISABLE'] as const;
export const callRestrict = z.enum(CALL_RESTRICTIONS, {
  message: `must be one of ${CALL_RESTRICTIONS.join(', ')}`,
});

/** Ring-back tone slots of an AXN-extension binding. */
export const RING_KEYS = [
  'AXNRing_AB',
  'AXNRing_A',
  'AXNRing_N',
  'AXNRing_A_PICKUP',
  'AXNRing_N_PICKUP',
] as const;
export const ringConfig = z
  .record(z.string(), z.string().min(1, 'ring codes must not be empty'))
  .superRefine((value, ctx) => {
    const keys = Object.keys(value);
    if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'must name at least one ring slot' });
    for (const key of keys) {
      if (!(RING_KEYS as readonly string[]).includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `keys must be among ${RING_KEYS.join(', ')}` });
      }
    }
  });

/** The pool and product-type pair: at least one of them is required by most calls. */
export const poolOrProduct = {
  poolKey: poolKey.optional(),
  productType: z.enum(['AXB_170', 'AXN_170', 'AXN_95', 'AXN_EXTENSION_REUSE']).optional(),
};

/** Values the response schemas accept for ids that may arrive as numbers or strings. */
export const idString = z.union([z.string(), z.number()]).transform((value) => String(value));

/** Common envelope fields of every successful response. */
export const envelope = {
  Code: z.literal('OK'),
  Message: z.string().optional(),
  RequestId: z.string(),
};

/** Adds a wire parameter when the value is present; booleans and numbers become their decimal text. */
export function put(
  wire: Record<string, string>,
  name: string,
  value: string | number | boolean | undefined,
): void {
  if (value !== undefined) wire[name] = String(value);
}
