import { maskPhone, parseBeijingTime } from '@axnbot/core';
import { z } from 'zod';
import { normalizePhone } from '../language/phone.js';

/**
 * The call receipts axnbot accepts, by Aliyun's `MessageType`: a call started, rang, was answered, ended
 * (the call detail record), and its recording is ready. Other types (ASR text, SMS interception…) are
 * refused by the receipt endpoint.
 */
export const RECEIPT_TYPES = [
  'SecretStartReport',
  'SecretRingReport',
  'SecretPickUpReport',
  'SecretReport',
  'SecretRecording',
] as const;

/** One of the {@link RECEIPT_TYPES}. */
export type ReceiptType = (typeof RECEIPT_TYPES)[number];

/** Whether a `MessageType` is one axnbot accepts. */
export function isReceiptType(type: string): type is ReceiptType {
  return (RECEIPT_TYPES as readonly string[]).includes(type);
}

/**
 * Which way a call went: the peer (a customer, a courier: whoever dialled X and the extension) called A,
 * A called its peer back through X, the platform intercepted the call, or the receipt did not say.
 */
export type CallDirection = 'to-a' | 'from-a' | 'intercepted' | 'unknown';

/**
 * One receipt as axnbot keeps it: what the call was, never a number in clear. A and the peer are kept
 * masked (for people) and as A's ledger fingerprint ({@link PhoneHasher}, for look-ups); X is a shared
 * pool number and is kept as it is. Times are epoch milliseconds.
 */
export interface CallEvent {
  /** Aliyun's call id: the same on every receipt of one call, and what a recording is fetched by. */
  readonly callId: string;
  readonly type: ReceiptType;
  /** The binding's SubsId (`sub_id`, or `subs_id` on recordings); `null` when the call matched no binding. */
  readonly subsId: string | null;
  readonly poolKey: string | null;
  /** X, the privacy number dialled. */
  readonly secretNo: string | null;
  readonly extension: string | null;
  /** A (`phone_no`), masked. */
  readonly phoneMasked: string | null;
  /** A's fingerprint, as the ledger keeps A's. */
  readonly phoneHash: string | null;
  /** The other party (`peer_no`: N, B or the last caller), masked. */
  readonly peerMasked: string | null;
  readonly peerHash: string | null;
  /** Aliyun's `call_type`: 0 A called the peer, 1 the peer called A, 4 intercepted. */
  readonly callType: number | null;
  readonly direction: CallDirection;
  /** When the caller dialled. */
  readonly callTime: number | null;
  /** When the callee's phone rang. */
  readonly ringTime: number | null;
  /** When the call was answered (on an unanswered call's record: its release). */
  readonly startTime: number | null;
  readonly releaseTime: number | null;
  /** Seconds talked (`release_time − start_time`), on a call's end record; `null` on the others. */
  readonly talkSeconds: number | null;
  /** Q.850-style cause the call was released with (16 normal clearing, 17 busy, 19 no answer…). */
  readonly releaseCause: number | null;
  /** Why a call did not connect: 0 it did, 1 blacklist, 2 no binding, 3 call restriction, 4 other. */
  readonly unconnectedCause: number | null;
  /** Who hung up: 0 the platform, 1 the caller, 2 the callee. */
  readonly releaseDir: number | null;
  /** Whether the call has a recording (a recording receipt, or an end record with a recording URL). */
  readonly recorded: boolean;
  /** The OutId the binding was made with. */
  readonly outId: string | null;
  /** Aliyun's `control_msg` (`NO_SUBS_EXIST` when no binding matched). */
  readonly controlMsg: string | null;
  /** When axnbot stored the receipt. */
  readonly receivedAt: number;
  /** When a bot claimed the posting of this event ({@link Ledger.claimCallNotification}); `null` before. */
  readonly notifiedAt?: number | null;
}

/**
 * A receipt checked against its type's schema, before its numbers are masked and fingerprinted. It holds
 * A and the peer in clear: it lives in memory only, for the moment {@link toCallEvent} takes.
 */
export interface ReceiptRecord
  extends Omit<
    CallEvent,
    'phoneMasked' | 'phoneHash' | 'peerMasked' | 'peerHash' | 'receivedAt' | 'notifiedAt'
  > {
  readonly phoneNo: string | null;
  readonly peerNo: string | null;
}

// — field schemas: lenient about how Aliyun writes a value (a number or a string), strict about what it means —

const MAX_TEXT = 256;

/** Absent, `null` and `""` all mean "not given". */
const blank = (value: unknown) => value === undefined || value === null || value === '';

/** A text field, given as a string or a number (ids are sent both ways); blank → `null`. */
const text = (max = MAX_TEXT) =>
  z
    .union([z.string(), z.number().finite()], 'must be a string')
    .transform((value) => String(value).trim())
    .pipe(z.string().max(max, `must be at most ${max} characters`))
    .transform((value) => (value === '' ? null : value))
    .nullish()
    .transform((value) => value ?? null);

/** An id made of digits (SubsId): a JSON number, or a string of digits; `0` and blank mean none. */
const digitsId = z
  .union([z.string(), z.number().int().nonnegative()], 'must be a number or a string of digits')
  .transform((value) => String(value).trim())
  .pipe(z.string().regex(/^\d{0,32}$/, 'must be digits'))
  .transform((value) => (/^0*$/.test(value) ? null : value))
  .nullish()
  .transform((value) => value ?? null);

/** A small integer code, as a number or a string of digits; blank → `null`. */
const code = z
  .union(
    [
      z.number().int(),
      z
        .string()
        .trim()
        .regex(/^-?\d{1,9}$/, 'must be an integer'),
      z.literal(''),
    ],
    'must be an integer',
  )
  .transform((value) => (value === '' ? null : Number(value)))
  .nullish()
  .transform((value) => value ?? null);

/** A Beijing wall-clock time, `yyyy-MM-dd HH:mm:ss` (UTC+8), as epoch ms; blank → `null`. */
const beijingTime = z
  .string('must be a yyyy-MM-dd HH:mm:ss time')
  .transform((value, context) => {
    const trimmed = value.trim();
    if (trimmed === '') return null;
    const at = parseBeijingTime(trimmed);
    if (at === undefined) {
      context.addIssue({ code: 'custom', message: 'must be a yyyy-MM-dd HH:mm:ss time' });
      return z.NEVER;
    }
    return at;
  })
  .nullish()
  .transform((value) => value ?? null);

/** A recording's `call_time`: epoch ms as a number or a string of digits (or, leniently, a Beijing time). */
const epochOrBeijing = z
  .union([z.number().int().positive(), z.string()], 'must be epoch milliseconds')
  .transform((value, context) => {
    if (typeof value === 'number') return value;
    const trimmed = value.trim();
    if (/^\d{10,15}$/.test(trimmed)) return Number(trimmed);
    const at = parseBeijingTime(trimmed);
    if (at === undefined) {
      context.addIssue({ code: 'custom', message: 'must be epoch milliseconds' });
      return z.NEVER;
    }
    return at;
  });

const callId = z
  .union([z.string(), z.number().int().nonnegative()], 'must be a string')
  .transform((value) => String(value).trim())
  .pipe(z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'));

/** Fields every call receipt may carry. Unknown fields are allowed, and dropped. */
const common = {
  call_id: callId,
  pool_key: text(),
  partner_key: text(),
  sub_id: digitsId,
  subs_id: digitsId,
  secret_no: text(32),
  extension: text(8),
  phone_no: text(32),
  peer_no: text(32),
  call_type: code,
  out_id: text(),
  control_msg: text(),
  unconnected_cause: code,
};

const SCHEMAS = {
  SecretStartReport: z.looseObject({ ...common, call_time: beijingTime }),
  SecretRingReport: z.looseObject({
    ...common,
    call_time: beijingTime,
    ring_time: beijingTime,
    ring_Time: beijingTime,
  }),
  SecretPickUpReport: z.looseObject({
    ...common,
    call_time: beijingTime,
    ring_time: beijingTime,
    ring_Time: beijingTime,
    start_time: beijingTime,
  }),
  SecretReport: z.looseObject({
    ...common,
    call_time: beijingTime,
    ring_time: beijingTime,
    ring_Time: beijingTime,
    start_time: beijingTime,
    release_time: beijingTime,
    release_dir: code,
    release_cause: code,
    record_url: text(4096),
  }),
  SecretRecording: z.looseObject({ ...common, call_time: epochOrBeijing }),
} satisfies Record<ReceiptType, z.ZodType>;

type Parsed = z.output<(typeof SCHEMAS)[ReceiptType]> & {
  ring_time?: number | null;
  ring_Time?: number | null;
  start_time?: number | null;
  release_time?: number | null;
  release_dir?: number | null;
  release_cause?: number | null;
  record_url?: string | null;
};

/** Why a record was refused: the field at fault (when one is) and what is wrong, never its value. */
export interface RecordProblem {
  readonly field: string | undefined;
  readonly problem: string;
}

function directionOf(callType: number | null): CallDirection {
  if (callType === 0) return 'from-a';
  if (callType === 1) return 'to-a';
  if (callType === 4) return 'intercepted';
  return 'unknown';
}

/** A phone number as a receipt gives it, in the form the ledger fingerprints (bare mainland digits). */
function phoneDigits(value: string | null): string | null {
  if (value === null) return null;
  return normalizePhone(value) ?? value.replace(/[\s\-()]/g, '');
}

/**
 * Checks one receipt of a type against its schema and reads it: ids as strings (a 19-digit SubsId never
 * loses a digit), `sub_id` or `subs_id`, `ring_time` or `ring_Time`, Beijing times and a recording's
 * epoch `call_time` as epoch ms, talk time from answer to release. Answers the problem instead when the
 * receipt is not an object or a field is not what its type says.
 */
export function parseReceipt(type: ReceiptType, raw: unknown): ReceiptRecord | RecordProblem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { field: undefined, problem: 'is not an object' };
  const result = SCHEMAS[type].safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path[0] === undefined ? undefined : String(issue.path[0]);
    const given = field === undefined ? undefined : (raw as Record<string, unknown>)[field];
    const problem = field !== undefined && blank(given) ? 'is missing' : (issue?.message ?? 'is not valid');
    return { field, problem };
  }
  const r = result.data as Parsed;
  const startTime = r.start_time ?? null;
  const releaseTime = r.release_time ?? null;
  const callType = r.call_type;
  return {
    callId: r.call_id,
    type,
    subsId: r.sub_id ?? r.subs_id,
    poolKey: r.pool_key ?? r.partner_key,
    secretNo: r.secret_no,
    extension: r.extension,
    phoneNo: phoneDigits(r.phone_no),
    peerNo: phoneDigits(r.peer_no),
    callType,
    direction: directionOf(callType),
    callTime: r.call_time ?? null,
    ringTime: r.ring_time ?? r.ring_Time ?? null,
    startTime,
    releaseTime,
    talkSeconds:
      type !== 'SecretReport'
        ? null
        : startTime !== null && releaseTime !== null
          ? Math.max(0, Math.round((releaseTime - startTime) / 1000))
          : 0,
    releaseCause: r.release_cause ?? null,
    unconnectedCause: r.unconnected_cause,
    releaseDir: r.release_dir ?? null,
    recorded: type === 'SecretRecording' || (r.record_url ?? null) !== null,
    outId: r.out_id,
    controlMsg: r.control_msg,
  };
}

/** Whether {@link parseReceipt} answered a problem. */
export function isRecordProblem(value: ReceiptRecord | RecordProblem): value is RecordProblem {
  return 'problem' in value;
}

/** Why a pushed body was refused, for the pusher: what is wrong, and where (record index, field). */
export interface BatchProblem {
  readonly reason: string;
  readonly index?: number;
  readonly field?: string;
}

/**
 * Reads a pushed body (already parsed JSON) as a batch of one type: a JSON array of receipts, each valid.
 * The whole batch is refused at the first bad record, naming its index and field.
 */
export function parseReceiptBatch(type: ReceiptType, body: unknown): ReceiptRecord[] | BatchProblem {
  if (!Array.isArray(body)) return { reason: 'the body must be a JSON array of receipts' };
  const records: ReceiptRecord[] = [];
  for (const [index, raw] of body.entries()) {
    const record = parseReceipt(type, raw);
    if (isRecordProblem(record)) {
      const where = record.field === undefined ? `record ${index}` : `record ${index}: ${record.field}`;
      return { reason: `${where} ${record.problem}`, index, field: record.field };
    }
    records.push(record);
  }
  return records;
}

/**
 * Masks anything that is not a plain number, keeping its shape: each run of five or more digits shows only
 * its last two (an already masked `171****3225` stays as it is).
 */
function maskLoose(value: string): string {
  return value.replace(/\d{5,}/g, (digits) => maskPhone(digits));
}

/**
 * The stored form of a receipt: A and the peer masked and fingerprinted with `fingerprint` (A's ledger
 * fingerprint, so the same number matches the same way everywhere; `null` for one not computed yet); no
 * digit of either kept in clear. A number that is not one (already masked by the sender, or empty) is kept
 * masked, without a fingerprint.
 */
export async function toCallEvent(
  record: ReceiptRecord,
  fingerprint: (digits: string) => Promise<string | null>,
  receivedAt: number,
): Promise<CallEvent> {
  const { phoneNo, peerNo, ...rest } = record;
  const protect = async (digits: string | null) => {
    if (digits === null) return { masked: null, hash: null };
    if (!/^\d{3,}$/.test(digits)) return { masked: maskLoose(digits), hash: null };
    return { masked: maskPhone(digits), hash: await fingerprint(digits) };
  };
  const [phone, peer] = await Promise.all([protect(phoneNo), protect(peerNo)]);
  return {
    ...rest,
    phoneMasked: phone.masked,
    phoneHash: phone.hash,
    peerMasked: peer.masked,
    peerHash: peer.hash,
    receivedAt,
    notifiedAt: null,
  };
}
