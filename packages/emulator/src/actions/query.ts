import { formatBeijingTime, parseBeijingTime } from '@axnbot/core';
import { ApiFailure, refuse } from '../api-failure.js';
import { recordingPath } from '../recording-link.js';
import type { Params } from '../request-params.js';
import type { ActionContext, ActionResult } from './context.js';
import { checkSecretNo, poolOf, required } from './rules.js';

/** `QuerySubsId`: every live binding on X, comma-separated ("" when none). */
export function querySubsId(params: Params, context: ActionContext): ActionResult {
  const secretNo = checkSecretNo(required(params, 'PhoneNoX'), 'phoneNoX');
  const key = params.PoolKey;
  // The one documented HTTP-400 business answer of this product.
  if (!key || !context.store.pool(key)) throw new ApiFailure('POOLKEY_NOT_EXIST', 'poolKey not exsit.', 400);
  const number = context.store.number(secretNo);
  if (!number || number.poolKey !== key) return { SubsId: '' };
  return { SubsId: context.store.activeSubsIdsOn(secretNo, context.clock.now()).join(',') };
}

/** `QuerySecretNoRemain`: numbers still for sale, from the emulator's inventory table. */
export function querySecretNoRemain(params: Params, context: ActionContext): ActionResult {
  const specText = required(params, 'SpecId');
  const city = required(params, 'City');
  const specId = Number(specText);
  if (![1, 2, 3].includes(specId)) throw refuse('isv.INVALID_PARAMETERS', 'specId invalid');
  if (specId === 3 && city !== '全国通用')
    throw refuse('isv.INVALID_PARAMETERS', 'city must be 全国通用 for specId 3');
  const prefix = params.SecretNo ?? '';
  if (prefix && !/^\d{1,18}$/.test(prefix))
    throw refuse('isv.INVALID_PARAMETERS', 'secretNo must be numeric');
  const rows = context.store.inventory(specId);
  const total = rows.reduce((sum, row) => sum + row.amount, 0);
  if (city === '全国列表') {
    return {
      SecretRemainDTO: {
        City: city,
        Amount: total,
        RemainDTOList: { remainDTO: rows.map((row) => ({ City: row.city, Amount: row.amount })) },
      },
    };
  }
  if (city === '全国' || city === '全国通用') return { SecretRemainDTO: { City: city, Amount: total } };
  return { SecretRemainDTO: { City: city, Amount: rows.find((row) => row.city === city)?.amount ?? 0 } };
}

/** How long a recording link stays valid. */
export const RECORDING_LINK_MS = 2 * 60 * 60 * 1000;

/** `QueryRecordFileDownloadUrl`: a signed link, served by the emulator, valid for two hours. */
export function queryRecordFileDownloadUrl(params: Params, context: ActionContext): ActionResult {
  const callId = params.CallId;
  if (!callId) throw refuse('isv.INVALID_PARAMETERS', 'callId can not be blank');
  const callTime = required(params, 'CallTime');
  poolOf(params, context.store);
  if (parseBeijingTime(callTime) === undefined) {
    throw refuse(
      'isv.INVALID_PARAMETERS',
      'callTime must be yyyy-MM-dd HH:mm:ss; timestamps are not supported',
    );
  }
  const call = context.store.db.get<{ call_time: number; recorded: number }>(
    'SELECT call_time, recorded FROM calls WHERE call_id = ?',
    callId,
  );
  if (call?.recorded !== 1 || formatBeijingTime(call.call_time) !== callTime) {
    throw refuse('isv.INVALID_PARAMETERS', `no recording for call ${callId.slice(0, 100)} at ${callTime}`);
  }
  const expiresAt = context.clock.now() + RECORDING_LINK_MS;
  return {
    DownloadUrl: context.signLink(recordingPath(callId), expiresAt),
  };
}
