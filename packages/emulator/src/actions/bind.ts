import { refuse } from '../api-failure.js';
import type { Params } from '../request-params.js';
import type { Binding, Pool } from '../store.js';
import { extensionRange, freeExtension, fromRandomStart } from './allocation.js';
import type { ActionContext, ActionResult } from './context.js';
import {
  checkBoolean,
  checkCallRestrict,
  checkExpiration,
  checkOutId,
  checkPhone,
  checkRingConfig,
  checkSecretNo,
  poolOf,
  required,
} from './rules.js';

/** The parts of a bind request both BindAxnExtension and BindAxn share, checked in the service's order. */
function readBindRequest(params: Params, context: ActionContext) {
  const phoneA = required(params, 'PhoneNoA');
  const expiration = required(params, 'Expiration');
  const pool = poolOf(params, context.store);
  checkPhone(phoneA, 'PhoneNoA');
  const phoneB =
    params.PhoneNoB === undefined || params.PhoneNoB === '' ? null : checkPhone(params.PhoneNoB, 'PhoneNoB');
  const now = context.clock.now();
  const expireAt = checkExpiration(expiration, now);
  return {
    pool,
    now,
    fields: {
      poolKey: pool.key,
      phoneA,
      phoneB,
      expireAt,
      createdAt: now,
      outId: checkOutId(params.OutId),
      outOrderId: params.OutOrderId ?? null,
      needRecord: checkBoolean(params.IsRecordingEnabled, 'isRecordingEnabled') ?? false,
      asrStatus: checkBoolean(params.ASRStatus, 'asrStatus') ?? false,
      asrModelId: params.ASRModelId ?? null,
      callRestrict: checkCallRestrict(params.CallRestrict),
      ringConfig: checkRingConfig(params.RingConfig),
      groupId: null,
    },
  };
}

/** A number named by `PhoneNoX` must exist in this pool. */
function checkNumberInPool(context: ActionContext, pool: Pool, secretNo: string): void {
  checkSecretNo(secretNo, 'phoneNoX');
  const number = context.store.number(secretNo);
  if (!number || number.poolKey !== pool.key || number.status !== 'active') {
    throw refuse('isv.NO_NOT_EXIST', `secretNo ${secretNo} does not exist in pool ${pool.key}`);
  }
}

/**
 * The X numbers to try, in order: those in `ExpectCity` first (from a random start), then — unless the
 * pool matches cities strictly — every other city's.
 */
function* candidateNumbers(context: ActionContext, pool: Pool, city: string | undefined): Generator<string> {
  const { store, random } = context;
  if (city) {
    yield* fromRandomStart(store.candidateNumbers(pool.key, city), random);
    if (pool.cityMode === 'strict') return;
    const inCity = new Set(store.candidateNumbers(pool.key, city));
    for (const other of fromRandomStart(store.candidateNumbers(pool.key), random)) {
      if (!inCity.has(other)) yield other;
    }
  } else {
    yield* fromRandomStart(store.candidateNumbers(pool.key), random);
  }
}

function toBound(binding: Binding): ActionResult {
  return {
    SecretBindDTO: { Extension: binding.extension ?? '', SubsId: binding.subsId, SecretNo: binding.secretNo },
  };
}

/** `BindAxnExtension`: A behind X + extension. */
export function bindAxnExtension(params: Params, context: ActionContext): ActionResult {
  const { store } = context;
  return store.transaction(() => {
    const { pool, now, fields } = readBindRequest(params, context);
    const { PhoneNoX: chosenX, Extension: chosenExtension } = params;
    if (chosenExtension !== undefined && chosenExtension !== '') {
      if (!chosenX) throw refuse('isv.ILLEGAL_ARGUMENT', 'extension must be given together with phoneNoX');
      const { first, last } = extensionRange(pool.extensionLength);
      const asNumber = Number(chosenExtension);
      if (
        !/^\d{1,3}$/.test(chosenExtension) ||
        chosenExtension.length !== pool.extensionLength ||
        asNumber < first ||
        asNumber > last
      ) {
        throw refuse(
          'isv.ILLEGAL_ARGUMENT',
          `extension must be ${pool.extensionLength} digit(s) in ${first}-${last} for this pool`,
        );
      }
    }
    if (chosenX) {
      checkNumberInPool(context, pool, chosenX);
      if (store.isWholeNumberTaken(chosenX, now) || store.isABoundOn(fields.phoneA, chosenX, now)) {
        throw refuse('isv.BIND_CONFLICT');
      }
      let extension = chosenExtension || undefined;
      if (extension !== undefined && store.isSlotTaken(chosenX, extension, now))
        throw refuse('isv.BIND_CONFLICT');
      extension ??= freeExtension(store, pool, chosenX, now, context.random);
      if (extension === undefined) throw refuse('isv.NO_AVAILABLE_NUMBER', `no free extension on ${chosenX}`);
      return toBound(store.insertBinding({ ...fields, secretNo: chosenX, extension }));
    }
    for (const secretNo of candidateNumbers(context, pool, params.ExpectCity || undefined)) {
      if (store.isWholeNumberTaken(secretNo, now) || store.isABoundOn(fields.phoneA, secretNo, now)) continue;
      const extension = freeExtension(store, pool, secretNo, now, context.random);
      if (extension !== undefined) return toBound(store.insertBinding({ ...fields, secretNo, extension }));
    }
    throw refuse('isv.NO_AVAILABLE_NUMBER', 'no available number in the pool');
  });
}

/** `BindAxn`: A behind a whole X (no extension); X must carry no other binding. */
export function bindAxn(params: Params, context: ActionContext): ActionResult {
  const { store } = context;
  return store.transaction(() => {
    const { pool, now, fields } = readBindRequest(params, context);
    if (params.CallTimeout !== undefined) {
      const timeout = Number(params.CallTimeout);
      if (!Number.isInteger(timeout) || timeout < 5 || timeout > 20)
        throw refuse('isv.INVALID_PARAMETERS', 'callTimeout must be 5-20');
    }
    if (params.PhoneNoX) {
      checkNumberInPool(context, pool, params.PhoneNoX);
      if (store.hasAnyActive(params.PhoneNoX, now)) throw refuse('isv.BIND_CONFLICT');
      return toBound(store.insertBinding({ ...fields, secretNo: params.PhoneNoX, extension: null }));
    }
    for (const secretNo of candidateNumbers(context, pool, params.ExpectCity || undefined)) {
      if (!store.hasAnyActive(secretNo, now))
        return toBound(store.insertBinding({ ...fields, secretNo, extension: null }));
    }
    throw refuse('isv.NO_AVAILABLE_NUMBER', 'no available number in the pool');
  });
}
