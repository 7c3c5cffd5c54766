import { parseJsonLossless } from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import {
  type CallEvent,
  isRecordProblem,
  parseReceipt,
  parseReceiptBatch,
  type ReceiptRecord,
  type RecordProblem,
  toCallEvent,
} from '../src/index.js';

const A = '13800138000';
const PEER = '13900139001';

/** An end-of-call record as Aliyun's HTTP push writes one (numbers in clear, SubsId a bare number). */
const SECRET_REPORT = `{"phone_no":"${A}","city":"北京","call_out_time":"2026-05-12 14:05:01",
  "ring_time":"2026-05-12 14:05:03","record_url":"https://example.invalid/r.wav","ring_record_url":"",
  "free_ring_time":"2026-05-12 14:05:03","control_msg":"OK","id":1014568512345,"secret_no":"17000000001",
  "call_type":1,"control_type":"CONTINUE","release_time":"2026-05-12 14:06:20","pool_key":"FC-DEMO",
  "sub_id":1000000000000000123,"unconnected_cause":0,"call_time":"2026-05-12 14:05:00","peer_no":"${PEER}",
  "called_display_no":"17000000001","release_dir":1,"call_id":"4361263371200001","start_time":"2026-05-12 14:05:08",
  "partner_key":"FC-DEMO","out_id":"axn-k3v9q2mtdx","release_cause":16,"extension":"123"}`;

/** Beijing wall-clock time → epoch ms, worked out by hand (UTC+8). */
const beijing = (y: number, mo: number, d: number, h: number, mi: number, s: number) =>
  Date.UTC(y, mo - 1, d, h - 8, mi, s);

function record(type: Parameters<typeof parseReceipt>[0], raw: unknown): ReceiptRecord {
  const parsed = parseReceipt(type, raw);
  if (isRecordProblem(parsed)) throw new Error(`refused: ${parsed.field} ${parsed.problem}`);
  return parsed;
}

function problem(type: Parameters<typeof parseReceipt>[0], raw: unknown): RecordProblem {
  const parsed = parseReceipt(type, raw);
  if (!isRecordProblem(parsed)) throw new Error('accepted');
  return parsed;
}

describe('receipt records', () => {
  it('reads an end-of-call record: ids as strings (no digit lost), Beijing times, talk time, direction', () => {
    const r = record('SecretReport', parseJsonLossless(SECRET_REPORT));
    expect(r).toMatchObject({
      callId: '4361263371200001',
      type: 'SecretReport',
      subsId: '1000000000000000123',
      poolKey: 'FC-DEMO',
      secretNo: '17000000001',
      extension: '123',
      phoneNo: A,
      peerNo: PEER,
      callType: 1,
      direction: 'to-a',
      callTime: beijing(2026, 5, 12, 14, 5, 0),
      ringTime: beijing(2026, 5, 12, 14, 5, 3),
      startTime: beijing(2026, 5, 12, 14, 5, 8),
      releaseTime: beijing(2026, 5, 12, 14, 6, 20),
      talkSeconds: 72,
      releaseCause: 16,
      unconnectedCause: 0,
      releaseDir: 1,
      recorded: true,
      outId: 'axn-k3v9q2mtdx',
      controlMsg: 'OK',
    });
  });

  it('reads an unanswered record: talk time 0, no recording, A calling out', () => {
    const r = record('SecretReport', {
      call_id: 'c2',
      call_type: '0',
      sub_id: '42',
      start_time: '2026-05-12 14:05:10',
      release_time: '2026-05-12 14:05:10',
      release_cause: '17',
      unconnected_cause: '',
      record_url: '',
    });
    expect(r).toMatchObject({
      direction: 'from-a',
      callType: 0,
      talkSeconds: 0,
      releaseCause: 17,
      unconnectedCause: null,
      recorded: false,
    });
  });

  it.each([
    ['sub_id as a number', { sub_id: 1000000000000000 }, '1000000000000000'],
    ['sub_id as a string', { sub_id: '1000000000000000123' }, '1000000000000000123'],
    ['subs_id (older documents)', { subs_id: 77 }, '77'],
    ['0 (no binding matched)', { sub_id: 0 }, null],
    ['absent', {}, null],
  ])('takes the SubsId given as %s', (_name, fields, subsId) => {
    const r = record('SecretRecording', { call_id: 'c', call_time: 1_778_565_900_000, ...fields });
    expect(r.subsId).toBe(subsId);
  });

  it.each([
    ['epoch ms as a number', 1_778_565_900_000, 1_778_565_900_000],
    ['epoch ms as a string', '1778565900000', 1_778_565_900_000],
    ['a Beijing time', '2026-05-12 14:05:00', beijing(2026, 5, 12, 14, 5, 0)],
  ])("takes a recording's call_time as %s", (_name, callTime, at) => {
    const r = record('SecretRecording', {
      call_id: 'c',
      subs_id: '9',
      call_time: callTime,
      pool_key: 'FC-DEMO',
    });
    expect(r).toMatchObject({ callTime: at, recorded: true, type: 'SecretRecording' });
  });

  it('takes ring_Time (capital T) or ring_time, numeric ids and extensions, and ignores unknown fields', () => {
    const capital = record('SecretPickUpReport', {
      call_id: 12345,
      ring_Time: '2026-05-12 14:05:03',
      start_time: '2026-05-12 14:05:08',
      extension: 7,
      something_new: { nested: true },
    });
    expect(capital).toMatchObject({
      callId: '12345',
      ringTime: beijing(2026, 5, 12, 14, 5, 3),
      extension: '7',
    });
    expect(capital).not.toHaveProperty('something_new');
    const lower = record('SecretRingReport', { call_id: 'r', ring_time: '2026-05-12 14:05:04' });
    expect(lower.ringTime).toBe(beijing(2026, 5, 12, 14, 5, 4));
    expect(lower.talkSeconds).toBeNull();
  });

  it.each([
    ['no call_id', 'SecretReport', {}, 'call_id', 'is missing'],
    ['an empty call_id', 'SecretStartReport', { call_id: '' }, 'call_id', 'is missing'],
    [
      'a call_id over 100 characters',
      'SecretReport',
      { call_id: 'x'.repeat(101) },
      'call_id',
      'must be at most 100 characters',
    ],
    [
      'a time in another format',
      'SecretReport',
      { call_id: 'c', call_time: '2026/05/12 14:05' },
      'call_time',
      'must be a yyyy-MM-dd HH:mm:ss time',
    ],
    [
      'an impossible time',
      'SecretReport',
      { call_id: 'c', start_time: '2026-02-30 10:00:00' },
      'start_time',
      'must be a yyyy-MM-dd HH:mm:ss time',
    ],
    [
      'a call_type that is not a number',
      'SecretReport',
      { call_id: 'c', call_type: 'in' },
      'call_type',
      'must be an integer',
    ],
    [
      'a SubsId that is not digits',
      'SecretReport',
      { call_id: 'c', sub_id: '12a' },
      'sub_id',
      'must be digits',
    ],
    ['a recording with no call_time', 'SecretRecording', { call_id: 'c' }, 'call_time', 'is missing'],
    [
      'an object as a number',
      'SecretReport',
      { call_id: 'c', peer_no: { n: 1 } },
      'peer_no',
      'must be a string',
    ],
  ] as const)('refuses %s, naming the field', (_name, type, raw, field, why) => {
    expect(problem(type, raw)).toEqual({ field, problem: why });
  });

  it('refuses a record that is not an object', () => {
    for (const raw of [null, 7, 'text', [1]])
      expect(problem('SecretReport', raw)).toEqual({ field: undefined, problem: 'is not an object' });
  });

  it('reads a batch whole, or names the first bad record by index and field', () => {
    expect(parseReceiptBatch('SecretStartReport', [{ call_id: 'a' }, { call_id: 'b' }])).toHaveLength(2);
    expect(parseReceiptBatch('SecretStartReport', [])).toEqual([]);
    expect(parseReceiptBatch('SecretStartReport', { call_id: 'a' })).toEqual({
      reason: 'the body must be a JSON array of receipts',
    });
    expect(
      parseReceiptBatch('SecretStartReport', [{ call_id: 'a' }, { call_id: 'b', call_type: 'x' }]),
    ).toEqual({
      reason: 'record 1: call_type must be an integer',
      index: 1,
      field: 'call_type',
    });
  });

  it('keeps numbers only masked and fingerprinted: no clear digit in the stored event', async () => {
    const r = record('SecretReport', parseJsonLossless(SECRET_REPORT));
    const seen: string[] = [];
    const event: CallEvent = await toCallEvent(
      r,
      async (digits) => {
        seen.push(digits);
        return `fp(${digits.length})`;
      },
      5,
    );
    expect(seen.sort()).toEqual([A, PEER]);
    expect(event).toMatchObject({
      phoneMasked: '138****8000',
      phoneHash: 'fp(11)',
      peerMasked: '139****9001',
      peerHash: 'fp(11)',
      receivedAt: 5,
      notifiedAt: null,
    });
    const stored = JSON.stringify(event);
    expect(stored).not.toContain(A);
    expect(stored).not.toContain(PEER);
    expect(event).not.toHaveProperty('phoneNo');
  });

  it('normalises +86 numbers before fingerprinting, and keeps a number masked by the sender as it is', async () => {
    const r = record('SecretStartReport', { call_id: 'c', phone_no: `+86 ${A}`, peer_no: '171****3225' });
    const event = await toCallEvent(r, async (digits) => `fp:${digits === A}`, 1);
    expect(event).toMatchObject({
      phoneMasked: '138****8000',
      phoneHash: 'fp:true',
      peerMasked: '171****3225',
      peerHash: null,
    });
  });
});
