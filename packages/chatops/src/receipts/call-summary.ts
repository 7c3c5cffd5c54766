import { formatBeijingTime } from '@axnbot/core';
import type { Locale } from '../language/commands.js';
import { PHRASES, type PlainPhraseKey, phrase } from '../phrases.js';
import type { CallDirection, CallEvent } from './receipt-records.js';

/**
 * How a call went: answered (talk time above zero), missed (it reached the callee's phone, or tried to,
 * and nobody talked), not connected (the platform did not put it through: blacklist, no binding,
 * restriction…), or not over yet (no end record so far).
 */
export type CallOutcome = 'answered' | 'missed' | 'not-connected' | 'ringing' | 'talking';

/** One call, from all its receipts: what a chat line and the `calls` command show. No number in clear. */
export interface CallSummary {
  readonly callId: string;
  readonly subsId: string | null;
  readonly secretNo: string | null;
  readonly extension: string | null;
  readonly direction: CallDirection;
  /** A, masked. */
  readonly phoneMasked: string | null;
  /** The other party, masked. */
  readonly peerMasked: string | null;
  /** When the caller dialled (else when the first receipt came). */
  readonly callTime: number;
  readonly outcome: CallOutcome;
  /** Seconds talked; 0 for a call not answered. */
  readonly talkSeconds: number;
  readonly unconnectedCause: number | null;
  readonly releaseCause: number | null;
  readonly releaseDir: number | null;
  /** Whether a recording exists (or Aliyun said it will: the end record carried its URL). */
  readonly recorded: boolean;
  /** The call time a recording is fetched with (`QueryRecordFileDownloadUrl`'s `CallTime`, Beijing). */
  readonly recordingCallTime: string | null;
}

/** Calls counted for a reply: how many were answered, how many not, and the talk time in all. */
export interface CallTotals {
  readonly answered: number;
  readonly missed: number;
  readonly talkSeconds: number;
}

const first = <T>(events: readonly CallEvent[], pick: (event: CallEvent) => T | null): T | null => {
  for (const event of events) {
    const value = pick(event);
    if (value !== null) return value;
  }
  return null;
};

/**
 * Sums up one call's receipts (any order, any subset). The end record (`SecretReport`) decides the
 * outcome: talk time above zero is answered; none with `unconnected_cause` ≠ 0 is not connected; none
 * otherwise is missed. Without an end record the call is still ringing, or talking once answered.
 * Answers `undefined` for no receipts.
 */
export function summarizeCall(events: readonly CallEvent[]): CallSummary | undefined {
  if (events.length === 0) return undefined;
  const end = events.find((event) => event.type === 'SecretReport');
  // The end record first: it is the fullest account of the call.
  const ordered = end ? [end, ...events.filter((event) => event !== end)] : [...events];
  const talkSeconds = end?.talkSeconds ?? 0;
  const unconnectedCause = first(ordered, (event) => event.unconnectedCause);
  let outcome: CallOutcome;
  if (!end) outcome = events.some((event) => event.type === 'SecretPickUpReport') ? 'talking' : 'ringing';
  else if (talkSeconds > 0) outcome = 'answered';
  else if (unconnectedCause !== null && unconnectedCause !== 0) outcome = 'not-connected';
  else outcome = 'missed';
  const recording = events.find((event) => event.type === 'SecretRecording');
  const callTime =
    first(ordered, (event) => event.callTime) ?? Math.min(...events.map((event) => event.receivedAt));
  const dialled = recording?.callTime ?? first(ordered, (event) => event.callTime);
  return {
    callId: (events[0] as CallEvent).callId,
    subsId: first(ordered, (event) => event.subsId),
    secretNo: first(ordered, (event) => event.secretNo),
    extension: first(ordered, (event) => event.extension),
    direction:
      first(ordered, (event) => (event.direction === 'unknown' ? null : event.direction)) ?? 'unknown',
    phoneMasked: first(ordered, (event) => event.phoneMasked),
    peerMasked: first(ordered, (event) => event.peerMasked),
    callTime,
    outcome,
    talkSeconds,
    unconnectedCause,
    releaseCause: end?.releaseCause ?? null,
    releaseDir: end?.releaseDir ?? null,
    recorded: events.some((event) => event.recorded),
    recordingCallTime: dialled === null ? null : formatBeijingTime(dialled),
  };
}

/** Groups events by call and sums each up, newest call first. */
export function summarizeCalls(events: readonly CallEvent[]): CallSummary[] {
  const byCall = new Map<string, CallEvent[]>();
  for (const event of events) {
    const list = byCall.get(event.callId);
    if (list) list.push(event);
    else byCall.set(event.callId, [event]);
  }
  return [...byCall.values()]
    .map((list) => summarizeCall(list) as CallSummary)
    .sort((a, b) => b.callTime - a.callTime || a.callId.localeCompare(b.callId));
}

/** The totals of some calls: answered, not answered (missed or not connected), talk time. */
export function callTotals(calls: readonly CallSummary[]): CallTotals {
  let answered = 0;
  let missed = 0;
  let talkSeconds = 0;
  for (const call of calls) {
    if (call.outcome === 'answered') answered++;
    else if (call.outcome === 'missed' || call.outcome === 'not-connected') missed++;
    talkSeconds += call.talkSeconds;
  }
  return { answered, missed, talkSeconds };
}

/** A talk time for people: `45s`, `1m 12s`, `1h 2m 3s` (`45秒`, `1分12秒`, `1小时2分3秒`). */
export function formatTalkTime(seconds: number, locale: Locale): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return phrase('talk.hours', locale, { h, m, s });
  if (m > 0) return phrase('talk.minutes', locale, { m, s });
  return phrase('talk.seconds', locale, { s });
}

/** A cause code's words, from the catalogue (`release.17`, `unconnected.1`), or its number. */
function causeWords(kind: 'release' | 'unconnected', code: number, locale: Locale): string {
  const key = `${kind}.${code}`;
  if (Object.hasOwn(PHRASES, key)) return phrase(key as PlainPhraseKey, locale);
  return phrase(`${kind}.other`, locale, { code });
}

/** Why a call did not connect, or was not answered, in the reader's language. */
export function whyNotAnswered(call: CallSummary, locale: Locale): string {
  if (call.unconnectedCause !== null && call.unconnectedCause !== 0)
    return causeWords('unconnected', call.unconnectedCause, locale);
  const cause = call.releaseCause;
  // A normal release with no talk: someone hung up before it was answered.
  if ((cause === null || cause === 16 || cause === 31) && call.releaseDir === 1)
    return phrase('call.callerHungUp', locale);
  if (cause === null || cause === 16 || cause === 31) return phrase('release.19', locale);
  return causeWords('release', cause, locale);
}

/** Who called whom: the peer → A, or A → its peer; masked. */
export function callDirectionText(call: CallSummary, locale: Locale): string {
  const someone = phrase('call.someone', locale);
  const values = { phone: call.phoneMasked ?? someone, peer: call.peerMasked ?? someone };
  switch (call.direction) {
    case 'to-a':
      return phrase('call.toA', locale, values);
    case 'from-a':
      return phrase('call.fromA', locale, values);
    case 'intercepted':
      return phrase('call.intercepted', locale, values);
    case 'unknown':
      return phrase('call.between', locale, values);
  }
}

/** How a call went, in words: talked 1m 12s / missed: busy / not connected: blacklist / ringing. */
export function callOutcomeText(call: CallSummary, locale: Locale): string {
  switch (call.outcome) {
    case 'answered':
      return phrase('call.talked', locale, { duration: formatTalkTime(call.talkSeconds, locale) });
    case 'missed':
      return phrase('call.missed', locale, { why: whyNotAnswered(call, locale) });
    case 'not-connected':
      return phrase('call.notConnected', locale, { why: whyNotAnswered(call, locale) });
    case 'ringing':
      return phrase('call.ringing', locale);
    case 'talking':
      return phrase('call.talking', locale);
  }
}

/**
 * One call as one line, in the reader's language: when (Beijing, `MM-dd HH:mm`), who called whom (masked),
 * how it went (talk time, or why it did not connect), and whether there is a recording:
 * `05-12 14:05 · 139****0001 called 138****8000 · talked 1m 12s · recording`.
 */
export function formatCallLine(call: CallSummary, locale: Locale): string {
  const parts = [
    formatBeijingTime(call.callTime).slice(5, 16),
    callDirectionText(call, locale),
    callOutcomeText(call, locale),
  ];
  if (call.recorded) parts.push(phrase('call.recording', locale));
  return parts.join(' · ');
}
