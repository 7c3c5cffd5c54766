import { parseBeijingTime } from '@axnbot/core';
import { missing, refuse } from '../api-failure.js';
import { type Params, truncate } from '../request-params.js';
import type { EmulatorStore, Pool } from '../store.js';

/** Mainland mobiles (11 digits, 1[3-9]…) and landlines with their area code (0 + 9–11 digits). */
const PHONE = /^(?:1[3-9]\d{9}|0\d{9,11})$/;

export function required(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw missing(name);
  return value;
}

export function checkPhone(value: string, name: string): string {
  if (!PHONE.test(value))
    throw refuse('isv.MOBILE_NUMBER_ILLEGAL', `${name} is not a valid phone number: ${truncate(value, 24)}`);
  return value;
}

/** `Expiration` must parse and lie more than a minute ahead. */
export function checkExpiration(text: string, now: number): number {
  const at = parseBeijingTime(text);
  if (at === undefined)
    throw refuse('isv.EXPIRE_DATE_ILLEGAL', 'expireDate format must be yyyy-MM-dd HH:mm:ss');
  if (at - now <= 60_000) throw refuse('isv.EXPIRE_DATE_ILLEGAL', 'expireDate less than 1 minutes from now');
  return at;
}

export function checkOutId(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (Buffer.byteLength(value, 'utf8') > 255)
    throw refuse('isv.INVALID_PARAMETERS', 'outId over length than 255 bytes');
  return value;
}

export function checkBoolean(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw refuse('isv.INVALID_PARAMETERS', `${name} must be true or false`);
}

export function checkSubsId(value: string): string {
  if (!/^\d{1,19}$/.test(value) || BigInt(value) > 9223372036854775807n) {
    throw refuse(
      'isv.INVALID_PARAMETERS',
      "subsId must be numeric and length cannot be greater than 'Long.MAX_VALUE",
    );
  }
  return value;
}

export function checkSecretNo(value: string, name = 'secretNo'): string {
  if (!/^\d{1,20}$/.test(value)) throw refuse('isv.INVALID_PARAMETERS', `${name} must be numeric`);
  return value;
}

export const CALL_RESTRICTIONS = new Set(['CONTROL_AX_DISABLE', 'CONTROL_BX_DISABLE']);

export function checkCallRestrict(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!CALL_RESTRICTIONS.has(value))
    throw refuse('isv.INVALID_PARAMETERS', 'callRestrict must be CONTROL_AX_DISABLE or CONTROL_BX_DISABLE');
  return value;
}

const RING_KEYS = new Set(['AXNRing_AB', 'AXNRing_A', 'AXNRing_N', 'AXNRing_A_PICKUP', 'AXNRing_N_PICKUP']);

export function checkRingConfig(value: string | undefined): string | null {
  if (value === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw refuse('isv.INVALID_PARAMETERS', 'ringConfig must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw refuse('isv.INVALID_PARAMETERS', 'ringConfig must be a JSON object');
  }
  for (const key of Object.keys(parsed)) {
    if (!RING_KEYS.has(key))
      throw refuse('isv.INVALID_PARAMETERS', `ringConfig key ${truncate(key, 32)} is not supported`);
  }
  return value;
}

/** The pool a call names; most calls need a PoolKey (or a legacy ProductType, which the emulator has no pools for). */
export function poolOf(params: Params, store: EmulatorStore): Pool {
  const key = params.PoolKey;
  if (!key) {
    if (params.ProductType)
      throw refuse('isv.POOLKEY_NOT_EXISTS', 'ProductType pools are not emulated; pass PoolKey');
    throw refuse('isv.INVALID_PARAMETERS', 'partnerInfo can not be null');
  }
  const pool = store.pool(key);
  if (!pool) throw refuse('isv.POOLKEY_NOT_EXISTS', `poolKey ${truncate(key, 32)} does not exist`);
  return pool;
}
