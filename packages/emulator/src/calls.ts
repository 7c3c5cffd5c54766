import { randomBytes } from 'node:crypto';
import { type AnswerMode, callTimeline } from './call-timeline.js';
import type { EmulatorClock } from './clock.js';
import { callReceipts } from './receipt-records.js';
import type { MessageType } from './receipt-types.js';
import type { ReceiptPusher } from './receipts.js';
import type { Binding, EmulatorStore } from './store.js';
import { UNCONNECTED } from './unconnected.js';

export { UNCONNECTED } from './unconnected.js';

/** A simulated call: who dials which X, the digits keyed after the prompt, and how the callee answers. */
export interface CallRequest {
  readonly caller: string;
  readonly secretNo: string;
  readonly digits?: string;
  /** Talk time of an answered call, in seconds (default 30). */
  readonly talkSeconds?: number;
  /** What the callee does when the call reaches them (default `answered`). */
  readonly answer?: AnswerMode;
}

export interface CallOutcome {
  readonly callId: string;
  /** True when the callee answered. */
  readonly connected: boolean;
  /** Whom the call was put through to, answered or not; `null` when it was not routed. */
  readonly callee: string | null;
  readonly subsId: string | null;
  readonly unconnectedCause: number;
  readonly releaseCause: number;
  readonly controlMsg: string;
  /** The receipts stored for the call, in emission order. */
  readonly receipts: ReadonlyArray<{ readonly id: number; readonly type: MessageType }>;
}

/** What routing a call needs. */
export interface CallDeps {
  readonly store: EmulatorStore;
  readonly clock: EmulatorClock;
  readonly receipts: ReceiptPusher;
  /** A download URL for a recorded call's recording, as the CDR's `record_url` carries it. */
  readonly recordUrl: (callId: string) => string;
}

/**
 * Routes a call as the product does:
 * - N dials X and keys an extension → A, and N becomes A's latest peer on that binding;
 * - A dials X → the latest peer (pool mode `latest-peer`, the default) or the default B (`default-b`);
 * - no live binding for the extension, nobody to call back, or a restriction → not connected.
 * Then records the call (recorded when answered on a binding with recording on) and publishes its
 * receipts.
 */
export function routeCall(request: CallRequest, deps: CallDeps): CallOutcome | { error: string } {
  const { store, clock } = deps;
  const number = store.number(request.secretNo);
  if (!number) return { error: `${request.secretNo} is not an X number of any pool` };
  const pool = store.pool(number.poolKey);
  if (!pool) return { error: `${request.secretNo} belongs to no pool` };
  const now = clock.now();
  const callId = randomBytes(8).toString('hex');

  let binding: Binding | undefined = store.activeBindingOfA(request.caller, request.secretNo, now);
  let callee: string | null = null;
  let callType: 0 | 1 = 1;
  let cause: number = UNCONNECTED.normal;
  let controlMsg = 'OK';
  if (binding) {
    // A calls X.
    callType = 0;
    if (binding.callRestrict === 'CONTROL_AX_DISABLE') cause = UNCONNECTED.restricted;
    else callee = pool.callbackMode === 'latest-peer' ? binding.latestPeer : binding.phoneB;
    if (cause === UNCONNECTED.normal && !callee) {
      cause = UNCONNECTED.other;
      controlMsg = 'NO_CALLBACK_PEER';
    }
  } else {
    binding =
      store.activeBindingAt(request.secretNo, null, now) ??
      (request.digits ? store.activeBindingAt(request.secretNo, request.digits, now) : undefined);
    if (!binding) {
      cause = UNCONNECTED.noBinding;
      controlMsg = 'NO_SUBS_EXIST';
    } else if (binding.callRestrict === 'CONTROL_BX_DISABLE' && binding.phoneB === request.caller) {
      cause = UNCONNECTED.restricted;
    } else {
      callee = binding.phoneA;
      store.setLatestPeer(binding.subsId, request.caller);
    }
  }
  const timeline = callTimeline({
    unconnectedCause: cause,
    answer: request.answer ?? 'answered',
    talkSeconds: request.talkSeconds ?? 30,
  });
  const recorded = timeline.answered && binding?.needRecord === true;
  store.db.run(
    'INSERT INTO calls (call_id, subs_id, pool_key, secret_no, caller, callee, call_time, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    callId,
    binding?.subsId ?? null,
    pool.key,
    request.secretNo,
    request.caller,
    callee,
    now,
    recorded ? 1 : 0,
  );

  const stored = deps.receipts.publish(
    callReceipts({
      callId,
      poolKey: pool.key,
      subsId: binding?.subsId ?? null,
      // A's number is phone_no; the other party is peer_no, whichever way the call went.
      phoneNo: binding?.phoneA ?? '',
      secretNo: request.secretNo,
      peerNo: callType === 0 ? (callee ?? '') : request.caller,
      callType,
      callTime: now,
      outId: binding?.outId ?? '',
      controlMsg,
      city: number.city,
      unconnectedCause: cause,
      extension: binding?.extension ?? request.digits ?? '',
      timeline,
      recordUrl: recorded ? deps.recordUrl(callId) : null,
    }),
  );
  return {
    callId,
    connected: timeline.answered,
    callee,
    subsId: binding?.subsId ?? null,
    unconnectedCause: cause,
    releaseCause: timeline.releaseCause,
    controlMsg,
    receipts: stored.map(({ id, type }) => ({ id, type })),
  };
}
