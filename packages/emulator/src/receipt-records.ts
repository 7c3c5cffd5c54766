import { formatBeijingTime } from '@axnbot/core';
import type { CallTimeline } from './call-timeline.js';
import type { MessageType } from './receipt-types.js';

/** What a call's receipts are made of. */
export interface CallFacts {
  readonly callId: string;
  readonly poolKey: string;
  /** `null` when no binding matched (sent as 0). */
  readonly subsId: string | null;
  /** A, whichever way the call went ("" when no binding matched). */
  readonly phoneNo: string;
  readonly secretNo: string;
  /** The other party: the N who called, or whom A's call went to. */
  readonly peerNo: string;
  /** 0: A called the peer; 1: the peer called A. */
  readonly callType: 0 | 1;
  /** When the caller dialled, epoch ms. */
  readonly callTime: number;
  readonly outId: string;
  readonly controlMsg: string;
  readonly city: string;
  readonly unconnectedCause: number;
  readonly extension: string;
  readonly timeline: CallTimeline;
  /** The recording's download URL when the call was recorded, else `null`. */
  readonly recordUrl: string | null;
}

/** A receipt ready to store and push: its type, its call and its JSON text. */
export interface ReceiptDraft {
  readonly type: MessageType;
  readonly callId: string;
  readonly json: string;
}

const SUB_ID = '@@SUB_ID@@';

/**
 * The receipts a call produces, in emission order: `SecretStartReport` always; `SecretRingReport` when
 * the callee's phone rang; `SecretPickUpReport` when they answered; `SecretReport` (the CDR) always;
 * `SecretRecording` when the call was recorded. Field names and formats are those of Aliyun's HTTP
 * push: times `yyyy-MM-dd HH:mm:ss` in Beijing time, except `SecretRecording`'s `call_time`, which is
 * epoch milliseconds as a number; `sub_id` is a bare JSON number.
 */
export function callReceipts(call: CallFacts): ReceiptDraft[] {
  const { timeline } = call;
  const at = (seconds: number) => formatBeijingTime(call.callTime + seconds * 1000);
  const routed = call.unconnectedCause === 0;
  // One id space per call, as in the pushed `id` primary keys (start, then CDR).
  const id = Number(call.callTime % 1e12);
  const common = {
    pool_key: call.poolKey,
    sub_id: SUB_ID,
    call_id: call.callId,
    phone_no: call.phoneNo,
    secret_no: call.secretNo,
    peer_no: call.peerNo,
    called_display_no: call.secretNo,
    call_type: call.callType,
    call_time: at(0),
    out_id: call.outId,
    control_msg: call.controlMsg,
    city: call.city,
    partner_key: call.poolKey,
    unconnected_cause: call.unconnectedCause,
  };
  const leg = {
    phone_no: call.phoneNo,
    secret_no: call.secretNo,
    peer_no: call.peerNo,
    call_type: call.callType,
    call_id: call.callId,
    call_time: at(0),
    pool_key: call.poolKey,
    ring_time: at(timeline.ring),
  };
  const tail = { sub_id: SUB_ID, city: call.city, out_id: call.outId, extension: call.extension };
  const records: Array<[MessageType, object]> = [
    ['SecretStartReport', { ...common, control_type: routed ? 'CONTINUE' : 'IVR', id }],
  ];
  if (timeline.rang) records.push(['SecretRingReport', { ...leg, ...tail }]);
  if (timeline.answered)
    records.push(['SecretPickUpReport', { ...leg, start_time: at(timeline.start), ...tail }]);
  records.push([
    'SecretReport',
    {
      ...common,
      id: id + 1,
      call_out_time: at(timeline.callOut),
      ring_time: at(timeline.ring),
      free_ring_time: at(timeline.freeRing),
      start_time: at(timeline.start),
      release_time: at(timeline.release),
      release_dir: timeline.releaseDir,
      release_cause: timeline.releaseCause,
      control_type: routed ? 'CONTINUE' : 'IVR',
      record_url: call.recordUrl ?? '',
      ring_record_url: '',
      extension: call.extension,
    },
  ]);
  if (call.recordUrl !== null) {
    records.push([
      'SecretRecording',
      {
        pool_key: call.poolKey,
        sub_id: SUB_ID,
        call_id: call.callId,
        // Whole seconds, so that it names the same second as the CDR's call_time.
        call_time: Math.floor(call.callTime / 1000) * 1000,
        out_id: call.outId,
      },
    ]);
  }
  // SubsIds exceed 2^53: spliced into the text as digits, because a JS number would lose some.
  const subId = `"sub_id":${call.subsId ?? '0'}`;
  return records.map(([type, record]) => ({
    type,
    callId: call.callId,
    json: JSON.stringify(record).replace(`"sub_id":"${SUB_ID}"`, subId),
  }));
}
