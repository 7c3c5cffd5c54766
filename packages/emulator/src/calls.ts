import { randomBytes } from 'node:crypto';
import { formatBeijingTime } from '@axnbot/core';
import type { EmulatorClock } from './clock.js';
import type { ReceiptPusher } from './receipts.js';
import type { Binding, EmulatorStore } from './store.js';

/** A simulated call: who dials which X, and the digits keyed after the prompt. */
export interface CallRequest {
  readonly caller: string;
  readonly secretNo: string;
  readonly digits?: string;
  /** Talk time of a connected call, in seconds (default 30). */
  readonly talkSeconds?: number;
}

/** `unconnected_cause` values of the receipts. */
export const UNCONNECTED = { normal: 0, blacklist: 1, noBinding: 2, restricted: 3, other: 4 } as const;

export interface CallOutcome {
  readonly callId: string;
  readonly connected: boolean;
  readonly callee: string | null;
  readonly subsId: string | null;
  readonly unconnectedCause: number;
  readonly controlMsg: string;
}

/**
 * Routes a call as the product does:
 * - N dials X and keys an extension → A, and N becomes A's latest peer on that binding;
 * - A dials X → the latest peer (pool mode `latest-peer`, the default) or the default B (`default-b`);
 * - no live binding for the extension, nobody to call back, or a restriction → not connected.
 * Each call records a `SecretStartReport` and a `SecretReport` and pushes them.
 */
export function routeCall(
  request: CallRequest,
  deps: { store: EmulatorStore; clock: EmulatorClock; receipts: ReceiptPusher; baseUrl: string },
): CallOutcome | { error: string } {
  const { store, clock } = deps;
  const number = store.number(request.secretNo);
  if (!number) return { error: `${request.secretNo} is not an X number of any pool` };
  const pool = store.pool(number.poolKey);
  if (!pool) return { error: `${request.secretNo} belongs to no pool` };
  const now = clock.now();
  const callId = randomBytes(8).toString('hex');

  let binding: Binding | undefined = store.activeBindingOfA(request.caller, request.secretNo, now);
  let callee: string | null = null;
  let callType = 1;
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
  const connected = cause === UNCONNECTED.normal;
  const recorded = connected && binding?.needRecord === true;
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

  const t = (offsetSeconds: number) => formatBeijingTime(now + offsetSeconds * 1000);
  const talk = connected ? Math.max(0, Math.floor(request.talkSeconds ?? 30)) : 0;
  const release = connected ? 5 + talk : 3;
  // A's number is phone_no; the other party is peer_no, whichever way the call went.
  const phoneNo = binding?.phoneA ?? '';
  const peerNo = callType === 0 ? (callee ?? '') : request.caller;
  const common = {
    pool_key: pool.key,
    sub_id: '@@SUB@@',
    call_id: callId,
    phone_no: phoneNo,
    secret_no: request.secretNo,
    peer_no: peerNo,
    called_display_no: request.secretNo,
    call_type: callType,
    call_time: t(0),
    out_id: binding?.outId ?? '',
    control_msg: controlMsg,
    city: number.city,
    partner_key: pool.key,
    unconnected_cause: cause,
  };
  const start = { ...common, control_type: connected ? 'CONTINUE' : 'IVR', id: Number(now % 1e12) };
  const report = {
    ...common,
    id: Number(now % 1e12) + 1,
    call_out_time: t(connected ? 1 : 0),
    ring_time: t(connected ? 2 : 0),
    free_ring_time: t(connected ? 2 : 0),
    start_time: t(connected ? 5 : release),
    release_time: t(release),
    release_dir: connected ? 1 : 0,
    release_cause: connected ? 16 : 1,
    control_type: connected ? 'CONTINUE' : 'IVR',
    record_url: recorded ? `${deps.baseUrl}/_emulator/recordings/${callId}.wav` : '',
    ring_record_url: '',
    extension: binding?.extension ?? request.digits ?? '',
  };
  const withSubsId = (receipt: object) =>
    JSON.stringify(receipt).replace('"@@SUB@@"', binding ? binding.subsId : '0');
  deps.receipts.publish([
    { type: 'SecretStartReport', callId, json: withSubsId(start) },
    { type: 'SecretReport', callId, json: withSubsId(report) },
  ]);
  return { callId, connected, callee, subsId: binding?.subsId ?? null, unconnectedCause: cause, controlMsg };
}
