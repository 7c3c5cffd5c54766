import {
  BindAxnExtension,
  formatBeijingTime,
  QueryRecordFileDownloadUrl,
  UpdateSubscription,
} from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index.js';
import { after, clientFor, DAY, emulator, operator } from './harness.js';
import { type Delivery, receiptReceiver } from './receipt-receiver.js';

// The emulator's clock stands still at a whole second plus 250 ms, so every time in a receipt is known.
const T0 = Math.floor(Date.now() / 1000) * 1000 + 250;
const at = (seconds: number) => formatBeijingTime(T0 + seconds * 1000);
const A = '13800138000';
const N = '13900139000';
const X = '17000000001';

const START_FIELDS = [
  'pool_key',
  'sub_id',
  'call_id',
  'phone_no',
  'secret_no',
  'peer_no',
  'called_display_no',
  'call_type',
  'call_time',
  'out_id',
  'control_msg',
  'city',
  'partner_key',
  'unconnected_cause',
  'control_type',
  'id',
];
const RING_FIELDS = [
  'phone_no',
  'secret_no',
  'peer_no',
  'call_type',
  'call_id',
  'call_time',
  'pool_key',
  'ring_time',
  'sub_id',
  'city',
  'out_id',
  'extension',
];
const PICKUP_FIELDS = [...RING_FIELDS, 'start_time'];
const REPORT_FIELDS = [
  ...START_FIELDS,
  'call_out_time',
  'ring_time',
  'free_ring_time',
  'start_time',
  'release_time',
  'release_dir',
  'release_cause',
  'record_url',
  'ring_record_url',
  'extension',
];
const RECORDING_FIELDS = ['pool_key', 'sub_id', 'call_id', 'call_time', 'out_id'];
const ALL_TYPES = [
  'SecretStartReport',
  'SecretRingReport',
  'SecretPickUpReport',
  'SecretReport',
  'SecretRecording',
];

type Json = Record<string, unknown>;

async function bind(emu: Emulator, options: { record?: boolean } = {}) {
  return clientFor(emu).call(BindAxnExtension, {
    poolKey: 'FC-DEMO',
    phoneNoA: A,
    expiration: after(emu, DAY),
    phoneNoX: X,
    extension: '130',
    outId: 'order-42',
    isRecordingEnabled: options.record ?? false,
  });
}

async function call(emu: Emulator, body: Json) {
  const answer = await operator(emu, 'POST', 'calls', { secretNo: X, ...body });
  expect(answer.status).toBe(200);
  return answer.body as Json & { callId: string; receipts: Array<{ id: number; type: string }> };
}

/** The deliveries of one call, each a single record. */
function ofCall(deliveries: readonly Delivery[], callId: string): Delivery[] {
  return deliveries.filter((delivery) => delivery.records[0]?.call_id === callId);
}

const receiptsOf = async (emu: Emulator, query = '') =>
  (await operator(emu, 'GET', `receipts${query}`)).body.receipts as Array<
    Json & { id: number; type: string; attempts: number; delivered: boolean }
  >;

describe('receipts pushed per message type', () => {
  it('posts each type to its own URL, in order, with the fields and formats of Aliyun HTTP push', async () => {
    const hook = await receiptReceiver();
    const emu = await emulator({
      now: () => T0,
      receiptUrl: `${hook.base}/aliyun/receipts/{type}?token=abc`,
    });
    const { subsId } = await bind(emu, { record: true });
    const { callId, receipts } = await call(emu, { caller: N, digits: '130', talkSeconds: 42 });
    expect(receipts.map((receipt) => receipt.type)).toEqual(ALL_TYPES);
    await expect.poll(() => hook.deliveries.length).toBe(5);

    expect(hook.deliveries.map((delivery) => delivery.url)).toEqual(
      ALL_TYPES.map((type) => `/aliyun/receipts/${type}?token=abc`),
    );
    for (const delivery of hook.deliveries) {
      expect(delivery.text.startsWith('[{')).toBe(true);
      expect(delivery.records).toHaveLength(1);
      // SubsIds are above 2^53: a bare JSON number, never a string.
      expect(delivery.text).toContain(`"sub_id":${subsId}`);
    }
    const [start, ring, pickUp, report, recording] = hook.deliveries.map(
      (delivery) => delivery.records[0] as Json,
    ) as [Json, Json, Json, Json, Json];
    const keys = (record: Json) => Object.keys(record).sort();
    expect(keys(start)).toEqual([...START_FIELDS].sort());
    expect(keys(ring)).toEqual([...RING_FIELDS].sort());
    expect(keys(pickUp)).toEqual([...PICKUP_FIELDS].sort());
    expect(keys(report)).toEqual([...REPORT_FIELDS].sort());
    expect(keys(recording)).toEqual([...RECORDING_FIELDS].sort());

    const identity = { pool_key: 'FC-DEMO', sub_id: subsId, call_id: callId, out_id: 'order-42' };
    const parties = { phone_no: A, secret_no: X, peer_no: N, call_type: 1, call_time: at(0), city: '北京' };
    expect(start).toEqual({
      ...identity,
      ...parties,
      called_display_no: X,
      control_msg: 'OK',
      partner_key: 'FC-DEMO',
      unconnected_cause: 0,
      control_type: 'CONTINUE',
      id: T0 % 1e12,
    });
    expect(ring).toEqual({ ...identity, ...parties, ring_time: at(2), extension: '130' });
    expect(pickUp).toEqual({
      ...identity,
      ...parties,
      ring_time: at(2),
      start_time: at(5),
      extension: '130',
    });
    expect(report).toEqual({
      ...identity,
      ...parties,
      called_display_no: X,
      control_msg: 'OK',
      partner_key: 'FC-DEMO',
      unconnected_cause: 0,
      control_type: 'CONTINUE',
      id: (T0 % 1e12) + 1,
      call_out_time: at(1),
      ring_time: at(2),
      free_ring_time: at(2),
      start_time: at(5),
      release_time: at(47),
      release_dir: 1,
      release_cause: 16,
      record_url: expect.stringMatching(
        new RegExp(`^${emu.url}/_emulator/recordings/${callId}\\.wav\\?expires=\\d+&signature=[0-9a-f]+$`),
      ),
      ring_record_url: '',
      extension: '130',
    });
    // Epoch milliseconds as a number, of the same second as the CDR's call_time.
    expect(recording).toEqual({ ...identity, call_time: T0 - 250 });

    // What a consumer does next: fetch a link with the pushed call_id and call_time, converted.
    const { downloadUrl } = await clientFor(emu).call(QueryRecordFileDownloadUrl, {
      poolKey: 'FC-DEMO',
      callId: String(recording.call_id),
      callTime: formatBeijingTime(recording.call_time as number),
    });
    const audio = await fetch(downloadUrl);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    expect((await fetch(String(report.record_url))).status).toBe(200);
  });

  it('pushes SecretRecording only for calls on a binding that records, and call_type 0 when A calls', async () => {
    const hook = await receiptReceiver();
    const emu = await emulator({ now: () => T0, receiptUrl: `${hook.base}/r/{type}` });
    const { subsId } = await bind(emu);
    const quiet = await call(emu, { caller: N, digits: '130' });
    expect(quiet.receipts.map((receipt) => receipt.type)).toEqual(ALL_TYPES.slice(0, 4));
    await expect.poll(() => hook.deliveries.length).toBe(4);
    expect(hook.deliveries.map((delivery) => delivery.type)).toEqual(ALL_TYPES.slice(0, 4));
    expect(hook.deliveries[3]?.records[0]).toMatchObject({ record_url: '' });

    await clientFor(emu).call(UpdateSubscription, {
      poolKey: 'FC-DEMO',
      subsId,
      phoneNoX: X,
      operateType: 'updateIsRecordingEnabled',
      isRecordingEnabled: true,
    });
    // A calls X back: the latest peer, N, is reached.
    const back = await call(emu, { caller: A });
    expect(back.receipts.map((receipt) => receipt.type)).toEqual(ALL_TYPES);
    await expect.poll(() => hook.deliveries.length).toBe(9);
    const records = ofCall(hook.deliveries, back.callId).map((delivery) => delivery.records[0] as Json);
    for (const record of records.slice(0, 4))
      expect(record).toMatchObject({ phone_no: A, peer_no: N, call_type: 0 });
    expect(records[4]).toEqual({
      pool_key: 'FC-DEMO',
      sub_id: subsId,
      call_id: back.callId,
      call_time: T0 - 250,
      out_id: 'order-42',
    });
  });

  it('reports unanswered and unrouted calls with their causes, and no pick-up or recording', async () => {
    const hook = await receiptReceiver();
    const emu = await emulator({ now: () => T0, receiptUrl: `${hook.base}/r/{type}` });
    await bind(emu, { record: true });
    const noAnswer = await call(emu, { caller: N, digits: '130', answer: 'no-answer' });
    const busy = await call(emu, { caller: N, digits: '130', answer: 'busy' });
    const rejected = await call(emu, { caller: N, digits: '130', answer: 'rejected' });
    const unrouted = await call(emu, { caller: '13700137000', digits: '999' });
    expect(noAnswer).toMatchObject({ connected: false, callee: A, unconnectedCause: 0, releaseCause: 19 });
    expect(busy).toMatchObject({ connected: false, unconnectedCause: 0, releaseCause: 17 });
    expect(rejected).toMatchObject({ connected: false, unconnectedCause: 0, releaseCause: 21 });
    expect(unrouted).toMatchObject({ connected: false, callee: null, unconnectedCause: 2, releaseCause: 1 });
    expect(
      (await operator(emu, 'POST', 'calls', { caller: N, secretNo: X, answer: 'maybe' })).body.error,
    ).toBe('answer must be one of answered, no-answer, busy, rejected');
    await expect.poll(() => hook.deliveries.length).toBe(3 + 2 + 3 + 2);

    const types = (callId: string) => ofCall(hook.deliveries, callId).map((delivery) => delivery.type);
    const cdr = (callId: string) =>
      ofCall(hook.deliveries, callId).find((delivery) => delivery.type === 'SecretReport')?.records[0];
    expect(types(noAnswer.callId)).toEqual(['SecretStartReport', 'SecretRingReport', 'SecretReport']);
    expect(cdr(noAnswer.callId)).toMatchObject({
      unconnected_cause: 0,
      release_cause: 19,
      release_dir: 0,
      call_out_time: at(1),
      free_ring_time: at(2),
      start_time: at(32),
      release_time: at(32),
      record_url: '',
    });
    // Busy: the callee leg was started but never rang, so ring and idle-ring times equal call_out_time.
    expect(types(busy.callId)).toEqual(['SecretStartReport', 'SecretReport']);
    expect(cdr(busy.callId)).toMatchObject({
      release_cause: 17,
      release_dir: 2,
      call_out_time: at(1),
      ring_time: at(1),
      free_ring_time: at(1),
      start_time: at(2),
      release_time: at(2),
    });
    expect(types(rejected.callId)).toEqual(['SecretStartReport', 'SecretRingReport', 'SecretReport']);
    expect(cdr(rejected.callId)).toMatchObject({ release_cause: 21, release_dir: 2 });
    expect(types(unrouted.callId)).toEqual(['SecretStartReport', 'SecretReport']);
    const unroutedStart = ofCall(hook.deliveries, unrouted.callId)[0];
    expect(unroutedStart?.text).toContain('"sub_id":0');
    expect(unroutedStart?.records[0]).toMatchObject({
      unconnected_cause: 2,
      control_msg: 'NO_SUBS_EXIST',
      control_type: 'IVR',
      phone_no: '',
      peer_no: '13700137000',
    });
    expect(cdr(unrouted.callId)).toMatchObject({
      unconnected_cause: 2,
      release_cause: 1,
      release_dir: 0,
      call_out_time: at(0),
      ring_time: at(0),
      free_ring_time: at(0),
      start_time: at(3),
      release_time: at(3),
      extension: '999',
    });
  });

  it('keeps a call’s order on the wire while the receiver is slow to answer the first POST', async () => {
    const hook = await receiptReceiver((index) => (index === 0 ? { delayMs: 200 } : {}));
    const emu = await emulator({ now: () => T0, receiptUrl: `${hook.base}/r/{type}` });
    await bind(emu, { record: true });
    await call(emu, { caller: N, digits: '130' });
    await expect.poll(() => hook.deliveries.length).toBe(5);
    expect(hook.deliveries.map((delivery) => delivery.type)).toEqual(ALL_TYPES);
    expect(hook.deliveries.map((delivery) => delivery.overlapping)).toEqual([0, 0, 0, 0, 0]);
  });

  it('holds later types back while the first POST goes unanswered and waits for its retry', async () => {
    // The first POST is never answered: the emulator gives up on it after 700 ms and retries in a minute.
    const hook = await receiptReceiver((index) => (index === 0 ? 'hang' : {}));
    const emu = await emulator({ now: () => T0, receiptUrl: `${hook.base}/r/{type}` });
    await bind(emu, { record: true });
    const { callId, receipts } = await call(emu, { caller: N, digits: '130' });
    await expect
      .poll(async () => (await receiptsOf(emu, `?callId=${callId}`)).map((receipt) => receipt.attempts))
      .toEqual([1, 0, 0, 0, 0]);
    expect(hook.deliveries).toHaveLength(1);
    expect((await receiptsOf(emu, `?callId=${callId}`))[0]).toMatchObject({
      delivered: false,
      lastError: 'TimeoutError',
    });
    // A duplicate must not jump the queue either.
    expect((await operator(emu, 'POST', `receipts/${receipts[3]?.id}/repush`, {})).status).toBe(409);

    // A minute of emulator time: the retry goes at once, and the rest follow it.
    await operator(emu, 'POST', 'clock', { advance: '1m' });
    await expect.poll(() => hook.deliveries.length).toBe(6);
    expect(hook.deliveries.map((delivery) => delivery.type)).toEqual(['SecretStartReport', ...ALL_TYPES]);
    expect(hook.deliveries.slice(1).every((delivery) => delivery.overlapping === 0)).toBe(true);
    expect(hook.deliveries[1]?.text).toBe(hook.deliveries[0]?.text);
  });

  it('gives up on a type after three retries, then pushes the next one', async () => {
    const hook = await receiptReceiver((index) => (index < 4 ? { status: 500, body: 'down' } : {}));
    const emu = await emulator({ now: () => T0, receiptUrl: `${hook.base}/r/{type}` });
    await bind(emu);
    const { callId } = await call(emu, { caller: N, digits: '130' });
    for (const [step, advance] of [
      [1, '1m'],
      [2, '5m'],
      [3, '10m'],
    ] as const) {
      await expect.poll(() => hook.deliveries.length).toBe(step);
      await expect.poll(async () => (await receiptsOf(emu, `?callId=${callId}`))[0]?.attempts).toBe(step);
      await operator(emu, 'POST', 'clock', { advance });
    }
    await expect.poll(() => hook.deliveries.length).toBe(4 + 3);
    expect(hook.deliveries.map((delivery) => delivery.type)).toEqual([
      ...Array(4).fill('SecretStartReport'),
      ...ALL_TYPES.slice(1, 4),
    ]);
    await expect
      .poll(async () => (await receiptsOf(emu, `?callId=${callId}`)).map((receipt) => receipt.delivered))
      .toEqual([false, true, true, true]);
    expect((await receiptsOf(emu, `?callId=${callId}`))[0]).toMatchObject({
      attempts: 4,
      lastError: 'HTTP 500',
    });
  });
});

describe('re-pushing a receipt (operator API)', () => {
  it('sends the stored record again, in an identical body, to its type’s URL', async () => {
    const hook = await receiptReceiver();
    const emu = await emulator({
      now: () => T0,
      receiptUrl: `${hook.base}/aliyun/receipts/{type}?token=abc`,
    });
    await bind(emu);
    const { callId } = await call(emu, { caller: N, digits: '130' });
    await expect.poll(() => hook.deliveries.length).toBe(4);
    await expect
      .poll(async () => (await receiptsOf(emu, `?callId=${callId}`)).every((receipt) => receipt.delivered))
      .toBe(true);

    const [cdr] = await receiptsOf(emu, '?type=SecretReport');
    expect(cdr).toMatchObject({ id: expect.any(Number), type: 'SecretReport', callId, attempts: 1 });
    const again = await operator(emu, 'POST', `receipts/${cdr?.id}/repush`, {});
    expect(again).toEqual({
      status: 200,
      body: { repushed: { id: cdr?.id, type: 'SecretReport', callId }, delivered: true, error: null },
    });
    expect(hook.deliveries).toHaveLength(5);
    const first = hook.deliveries.find((delivery) => delivery.type === 'SecretReport');
    expect(hook.deliveries[4]?.url).toBe('/aliyun/receipts/SecretReport?token=abc');
    expect(hook.deliveries[4]?.text).toBe(first?.text);
    expect((await receiptsOf(emu, '?type=SecretReport'))[0]).toMatchObject({ attempts: 2, delivered: true });

    expect((await operator(emu, 'POST', 'receipts/999/repush', {})).status).toBe(404);
    expect((await operator(emu, 'POST', 'receipts/abc/repush', {})).body.error).toBe('no receipt abc');
  });

  it('is refused when the emulator pushes no receipts', async () => {
    const emu = await emulator();
    await bind(emu);
    const { receipts } = await call(emu, { caller: N, digits: '130' });
    // Without a URL every type is still recorded, for the operator API to show.
    expect((await receiptsOf(emu)).map((receipt) => receipt.type)).toEqual(ALL_TYPES.slice(0, 4));
    const refused = await operator(emu, 'POST', `receipts/${receipts[0]?.id}/repush`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/without a receipt URL/);
  });
});

describe('a receipt URL without {type}', () => {
  it('still gets one array per call, SecretStartReport then SecretReport, and a repush resends it whole', async () => {
    const hook = await receiptReceiver();
    const emu = await emulator({ now: () => T0, receiptUrl: `${hook.base}/receipts` });
    await bind(emu, { record: true });
    const { callId, receipts } = await call(emu, { caller: N, digits: '130' });
    expect(receipts.map((receipt) => receipt.type)).toEqual(['SecretStartReport', 'SecretReport']);
    await expect.poll(() => hook.deliveries.length).toBe(1);
    const [batch] = hook.deliveries;
    expect(batch?.url).toBe('/receipts');
    expect(batch?.records.map((record) => Object.keys(record).sort())).toEqual([
      [...START_FIELDS].sort(),
      [...REPORT_FIELDS].sort(),
    ]);
    expect(batch?.records.every((record) => record.call_id === callId)).toBe(true);
    await expect.poll(async () => (await receiptsOf(emu)).every((receipt) => receipt.delivered)).toBe(true);

    const again = await operator(emu, 'POST', `receipts/${receipts[1]?.id}/repush`, {});
    expect(again.body).toMatchObject({ delivered: true });
    // Had anything else been queued for the call, it would have been sent before the repush.
    expect(hook.deliveries).toHaveLength(2);
    expect(hook.deliveries[1]?.url).toBe('/receipts');
    expect(hook.deliveries[1]?.text).toBe(batch?.text);
  });

  it('refuses to start with a receipt URL that is not http(s)', async () => {
    await expect(emulator({ receiptUrl: 'ftp://127.0.0.1/{type}' })).rejects.toThrow(
      'the receipt URL must be an http(s) URL',
    );
    await expect(emulator({ receiptUrl: 'not a url' })).rejects.toThrow(TypeError);
  });
});
