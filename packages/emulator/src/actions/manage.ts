import { formatBeijingTime } from '@axnbot/core';
import { refuse } from '../api-failure.js';
import type { Params } from '../request-params.js';
import type { Binding, UpdatableColumn } from '../store.js';
import type { ActionContext, ActionResult } from './context.js';
import {
  CALL_RESTRICTIONS,
  checkBoolean,
  checkExpiration,
  checkOutId,
  checkPhone,
  checkSecretNo,
  checkSubsId,
  poolOf,
  required,
} from './rules.js';

/**
 * The binding a call names by SubsId and X. A SubsId that does not exist, belongs to another X or pool,
 * or was unbound is `isv.SUBS_NOT_EXIST`; an expired one is returned, for the caller to judge.
 */
export function namedBinding(
  params: Params,
  context: ActionContext,
  xParam: 'SecretNo' | 'PhoneNoX',
): Binding {
  const subsId = checkSubsId(required(params, 'SubsId'));
  const secretNo = checkSecretNo(required(params, xParam), xParam === 'SecretNo' ? 'secretNo' : 'phoneNoX');
  const pool = poolOf(params, context.store);
  const binding = context.store.binding(subsId);
  if (
    !binding ||
    binding.secretNo !== secretNo ||
    binding.poolKey !== pool.key ||
    binding.status === 'unbound'
  ) {
    throw refuse('isv.SUBS_NOT_EXIST', `subscription ${subsId} does not exist on ${secretNo}`);
  }
  return binding;
}

/** `UnbindSubscription`: ends a live binding now. An expired one no longer exists to unbind. */
export function unbindSubscription(params: Params, context: ActionContext): ActionResult {
  const { store, clock } = context;
  return store.transaction(() => {
    const binding = namedBinding(params, context, 'SecretNo');
    if (binding.expireAt <= clock.now())
      throw refuse('isv.SUBS_NOT_EXIST', `subscription ${binding.subsId} has expired`);
    store.unbind(binding.subsId);
    return { ChargeId: 'true' };
  });
}

const BLANK_MESSAGES: Record<string, [param: string, message: string]> = {
  updateNoA: ['PhoneNoA', 'phoneNoA can not be blank for updateNoA'],
  updateNoB: ['PhoneNoB', 'phoneNoB can not be blank for updateNoB'],
  updateExpire: ['Expiration', 'expireDate can not be blank for expireDate'],
  updateAxgGroup: ['GroupId', 'groupId can not be null'],
  updateCallRestrict: ['CallRestrict', 'callRestrict can not be blank for updateCallRestrict'],
  updateCallDisplayType: ['CallDisplayType', 'callDisplayType can not be blank for updateCallDisplayType'],
  updateOutId: ['OutId', 'outId can not be blank for updateOutId'],
  updateIsRecordingEnabled: [
    'IsRecordingEnabled',
    'isRecordingEnabled can not be blank for updateIsRecordingEnabled',
  ],
  updateAsr: ['ASRStatus', 'asrStatus can not be blank for updateAsr'],
};

/** `UpdateSubscription`: one change per call, named by `OperateType`. Expired bindings cannot change. */
export function updateSubscription(params: Params, context: ActionContext): ActionResult {
  const { store, clock } = context;
  return store.transaction(() => {
    required(params, 'SubsId');
    required(params, 'PhoneNoX');
    const operateType = params.OperateType;
    if (!operateType) throw refuse('isv.INVALID_PARAMETERS', 'operateType can not be blank');
    const blank = Object.hasOwn(BLANK_MESSAGES, operateType) ? BLANK_MESSAGES[operateType] : undefined;
    if (!blank)
      throw refuse('isv.INVALID_PARAMETERS', `operateType ${operateType.slice(0, 40)} is not supported`);
    const binding = namedBinding(params, context, 'PhoneNoX');
    const now = clock.now();
    if (binding.expireAt <= now)
      throw refuse('isv.FORBIDDEN_ACTION', `${operateType}: 绑定已过期，请更新绑定`);
    const value = params[blank[0]];
    if (value === undefined || value === '') throw refuse('isv.INVALID_PARAMETERS', blank[1]);
    const changes: Partial<Record<UpdatableColumn, string | number | null>> = {};
    switch (operateType) {
      case 'updateNoA':
        checkPhone(value, 'PhoneNoA');
        if (value !== binding.phoneA && store.isABoundOn(value, binding.secretNo, now))
          throw refuse('isv.BIND_CONFLICT');
        changes.phone_a = value;
        break;
      case 'updateNoB':
        changes.phone_b = checkPhone(value, 'PhoneNoB');
        break;
      case 'updateExpire':
        changes.expire_at = checkExpiration(value, now);
        break;
      case 'updateAxgGroup':
        if (!/^\d+$/.test(value)) throw refuse('isv.INVALID_PARAMETERS', 'groupId must be numeric');
        changes.group_id = value;
        break;
      case 'updateCallRestrict':
        if (value !== 'CONTROL_CLEAR_DISABLE' && !CALL_RESTRICTIONS.has(value)) {
          throw refuse(
            'isv.INVALID_PARAMETERS',
            'callRestrict must be CONTROL_AX_DISABLE, CONTROL_BX_DISABLE or CONTROL_CLEAR_DISABLE',
          );
        }
        changes.call_restrict = value === 'CONTROL_CLEAR_DISABLE' ? null : value;
        break;
      case 'updateCallDisplayType':
        if (value !== '1') throw refuse('isv.INVALID_PARAMETERS', 'callDisplayType only supports 1');
        break;
      case 'updateOutId':
        changes.out_id = checkOutId(value);
        break;
      case 'updateIsRecordingEnabled':
        changes.need_record = checkBoolean(value, 'isRecordingEnabled') ? 1 : 0;
        break;
      case 'updateAsr': {
        const on = checkBoolean(value, 'asrStatus');
        if (on && !params.ASRModelId)
          throw refuse('isv.INVALID_PARAMETERS', 'asrModelId can not be blank when asrStatus is true');
        changes.asr_status = on ? 1 : 0;
        changes.asr_model_id = params.ASRModelId ?? null;
        break;
      }
    }
    store.updateBinding(binding.subsId, changes);
    return {};
  });
}

/** `QuerySubscriptionDetail`: the binding's record; `Status` 1 while active, 0 once expired. */
export function querySubscriptionDetail(params: Params, context: ActionContext): ActionResult {
  const binding = namedBinding(params, context, 'PhoneNoX');
  const detail: Record<string, unknown> = {
    SubsId: binding.subsId,
    PhoneNoA: binding.phoneA,
    PhoneNoB: binding.phoneB ?? '',
    PhoneNoX: binding.secretNo,
    Extension: binding.extension ?? '',
    GroupId: Number(binding.groupId ?? 0),
    Status: binding.expireAt > context.clock.now() ? 1 : 0,
    NeedRecord: binding.needRecord,
    ASRStatus: binding.asrStatus,
    ASRModelId: binding.asrModelId ?? '',
    GmtCreate: formatBeijingTime(binding.createdAt),
    ExpireDate: formatBeijingTime(binding.expireAt),
  };
  // Absent, not empty, when the binding has no restriction — as the service does.
  if (binding.callRestrict) detail.CallRestrict = binding.callRestrict;
  return { SecretBindDetailDTO: detail };
}
