import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDyplsClient } from '@axnbot/core';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Actor,
  BindingService,
  type CallEvent,
  type CallNotice,
  createReceiptEndpoint,
  isRecordProblem,
  jsonLineLogger,
  type Ledger,
  type Locale,
  parseCommand,
  parseReceipt,
  type ReceiptRecord,
  type ReceiptType,
  type Reply,
  renderText,
} from '../src/index.js';
import { STORES, type StoreFactory, sqliteStore } from './stores.js';

// The call loop end to end: a bind from chat, a call simulated by the emulator, its receipts pushed by
// the emulator to the receipt endpoint (one URL per type, as Aliyun's console configures them), one line
// to post, `calls`, and "▶ Recording" asking the emulator for a fresh link.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TOKEN = 'calls-test-token-0123';
const A = '13800138000';
const PEER = '13900139001';
let delivery = 0;

function person(userId: string, extra: Partial<Actor> = {}): Actor {
  return {
    platform: 'slack',
    userId,
    userName: `user-${userId}`,
    channelId: 'C1',
    idempotencyKey: `calls-${++delivery}`,
    ...extra,
  };
}

interface Setup {
  emu: Emulator;
  ledger: Ledger;
  service: BindingService;
  notices: CallNotice[];
  logs: string[];
  run(text: string, who: Actor, locale?: Locale): Promise<Reply>;
  /** Binds A from chat and answers the binding's X, extension and ref. */
  bind(text: string, who: Actor): Promise<{ secretNo: string; extension: string; ref: string }>;
  /** Simulates a call through the emulator's operator API. */
  call(
    body: Record<string, unknown>,
  ): Promise<{ callId: string; receipts: Array<{ id: number; type: string }> }>;
  /** Resolves once the endpoint has stored (and handled) receipts of these types for the call. */
  stored(callId: string, types: readonly string[]): Promise<CallEvent[]>;
  operator(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

async function setup(
  store: StoreFactory,
  options: { rate?: number; platform?: string } = {},
): Promise<Setup> {
  // The endpoint's server first: the emulator is started with its URL.
  let handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    res.writeHead(503).end();
  };
  const pending: Promise<void>[] = [];
  const server = createServer((req, res) => {
    pending.push(handle(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const receiptUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/aliyun/receipts/{type}?token=${TOKEN}`;
  const emu = await startEmulator({ seed: 'demo', receiptUrl, receiptRetryScale: 0.001 });
  cleanups.push(() => emu.close());
  const ledger = await store.open();
  cleanups.push(() => ledger.close());
  const client = createDyplsClient({
    endpoint: emu.url,
    credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    retry: { maxAttempts: 1 },
    timeoutMs: 5_000,
  });
  cleanups.push(() => client.close());
  const logs: string[] = [];
  const logger = jsonLineLogger(
    (line) => logs.push(line),
    () => 0,
    'debug',
  );
  const now = () => emu.clock.now();
  const service = new BindingService({
    client,
    ledger,
    now,
    logger,
    config: {
      poolKey: 'FC-DEMO',
      hashKey: 'calls-hash-key',
      allowUsers: [],
      allowChannels: [],
      admins: ['slack:ADMIN'],
      rateLimitPerMinute: options.rate ?? 100,
      locale: 'en',
    },
  });
  const notices: CallNotice[] = [];
  const events: CallEvent[] = [];
  const waiters: Array<() => void> = [];
  handle = createReceiptEndpoint({
    token: TOKEN,
    store: service.receiptStore(),
    logger,
    onStored: async (fresh) => {
      for (const event of fresh) {
        const notice = await service.claimCallNotice(event, options.platform);
        if (notice) notices.push(notice);
      }
      events.push(...fresh);
      for (const wake of waiters.splice(0)) wake();
    },
  });
  const operator = async (path: string, body?: unknown) => {
    const response = await fetch(`${emu.url}/_emulator/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const run = (text: string, who: Actor, locale: Locale = 'en') =>
    service.execute(
      parseCommand(text, {
        now: now(),
        locale,
        defaultExpiresMs: 86_400_000,
        maxExpiresMs: 90 * 86_400_000,
        maxBulk: 20,
      }),
      who,
    );
  return {
    emu,
    ledger,
    service,
    notices,
    logs,
    run,
    async bind(text, who) {
      const reply = await run(text, who);
      if (reply.kind !== 'bound') throw new Error(`bind failed: ${renderText(reply, { now: now() })}`);
      return {
        secretNo: reply.binding.secretNo as string,
        extension: reply.binding.extension as string,
        ref: reply.binding.ref,
      };
    },
    async call(body) {
      const answer = await operator('calls', body);
      expect(answer.status).toBe(200);
      return answer.body as { callId: string; receipts: Array<{ id: number; type: string }> };
    },
    stored(callId, types) {
      const done = () => types.every((type) => events.some((e) => e.callId === callId && e.type === type));
      return new Promise((resolve) => {
        const check = () => {
          if (done())
            void Promise.all(pending).then(() => resolve(events.filter((e) => e.callId === callId)));
          else waiters.push(check);
        };
        check();
      });
    },
    operator,
  };
}

describe.each(STORES)('calls on the emulator, ledger on $name', (store) => {
  it('a call on a binding made from chat: stored once, one line in the binder’s language, listed, recording on tap', async () => {
    const s = await setup(store);
    const binder = person('U1');
    // Bound in Chinese, with recording on: the binding's calls are written in Chinese.
    const bound = await s.bind(`绑定 ${A} 录音=是`, binder);
    await s.service.setBindingMessageRef(bound.ref, 'C1:1715500000.000100');

    const call = await s.call({
      caller: PEER,
      secretNo: bound.secretNo,
      digits: bound.extension,
      talkSeconds: 72,
    });
    const types = call.receipts.map((receipt) => receipt.type);
    expect(types).toEqual(expect.arrayContaining(['SecretStartReport', 'SecretReport', 'SecretRecording']));
    const events = await s.stored(call.callId, types);
    expect(events).toHaveLength(types.length);

    // Exactly one line to post, where the binding was made, in Chinese, peer masked, with the recording.
    expect(s.notices).toHaveLength(1);
    const [notice] = s.notices as [CallNotice];
    expect(notice).toMatchObject({
      kind: 'call',
      callId: call.callId,
      locale: 'zh',
      recording: true,
      binding: {
        ref: bound.ref,
        platform: 'slack',
        channelId: 'C1',
        userId: 'U1',
        userName: 'user-U1',
        messageRef: 'C1:1715500000.000100',
      },
      call: { outcome: 'answered', talkSeconds: 72, direction: 'to-a', recorded: true },
    });
    expect(notice.line).toMatch(
      /^\d\d-\d\d \d\d:\d\d · 139\*\*\*\*9001 呼叫 138\*\*\*\*8000 · 通话 1分12秒 · 有录音$/,
    );

    // `info` shows the binding's last call, masked.
    const info = await s.run(`info ${A}`, binder);
    expect(info.kind).toBe('info');
    const last = info.kind === 'info' ? info.lastCalls?.[bound.ref] : undefined;
    expect(last).toMatchObject({ callId: call.callId, outcome: 'answered', talkSeconds: 72 });
    expect(renderText(info, { now: s.emu.clock.now() })).toContain('last call: ');

    // Aliyun re-pushes when unsure: accepted, nothing stored or posted again.
    const { body: listed } = await s.operator(`receipts?callId=${call.callId}`);
    const report = (listed.receipts as Array<{ id: number; type: string }>).find(
      (r) => r.type === 'SecretReport',
    );
    const repushed = await s.operator(`receipts/${report?.id}/repush`, {});
    expect(repushed.body).toMatchObject({ delivered: true });
    await s.stored(call.callId, types);
    expect(s.notices).toHaveLength(1);
    expect(await s.ledger.callEvents(call.callId)).toHaveLength(types.length);
    const received = s.logs
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === 'call receipts received');
    expect(received.at(-1)).toMatchObject({ type: 'SecretReport', count: 1, new: 0 });
    // The post is claimed: a second claim (another replica, a restart) posts nothing.
    expect(
      await s.service.claimCallNotice(events.find((e) => e.type === 'SecretReport') as CallEvent),
    ).toBeUndefined();

    // `calls` by A number, in English, and `通话` by X#ext, in Chinese.
    const byPhone = await s.run(`calls ${A}`, person('U1'));
    expect(byPhone).toMatchObject({
      kind: 'calls',
      locale: 'en',
      target: '138****8000',
      totals: { answered: 1, missed: 0, talkSeconds: 72 },
      truncated: false,
      binding: { ref: bound.ref },
      calls: [{ callId: call.callId, outcome: 'answered', peerMasked: '139****9001' }],
    });
    const text = renderText(byPhone, { now: s.emu.clock.now() });
    expect(text).toContain('139****9001 called 138****8000 · talked 1m 12s · recording');
    expect(text).toContain('1 answered, 0 not answered, talked 1m 12s');
    const bySlot = await s.run(`通话 ${bound.secretNo}#${bound.extension}`, person('U1'));
    expect(renderText(bySlot, { now: s.emu.clock.now() })).toContain('通话 1分12秒');

    // "▶ Recording": a fresh link for the binder, which the emulator serves.
    const asked = s.emu.clock.now();
    const link = await s.service.recordingLink(person('U1'), call.callId);
    const answered = s.emu.clock.now();
    expect(link).toMatchObject({
      kind: 'recording',
      locale: 'zh',
      callId: call.callId,
      call: { recorded: true },
    });
    if (link.kind !== 'recording' || !link.link) throw new Error('no link');
    // Good for two hours from when it was asked for.
    expect(link.link.expiresAt).toBeGreaterThanOrEqual(asked + 2 * 60 * 60 * 1000);
    expect(link.link.expiresAt).toBeLessThanOrEqual(answered + 2 * 60 * 60 * 1000);
    const audio = await fetch(link.link.url);
    expect(audio.status).toBe(200);
    expect(
      Buffer.from(await audio.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('RIFF');
    // Asked again, asked again of Aliyun (links are never cached).
    const again = await s.service.recordingLink(person('U1'), call.callId, 'en');
    expect(again).toMatchObject({ kind: 'recording', locale: 'en', link: { url: expect.any(String) } });

    // Someone else in the channel is refused; an admin is not.
    const other = await s.service.recordingLink(person('U2'), call.callId);
    expect(other).toMatchObject({ kind: 'denied', reason: 'not-binder', locale: 'zh' });
    expect(renderText(other, { now: 0 })).toContain('只有绑定人或管理员可以收听此号码的录音。');
    const admin = await s.service.recordingLink(person('ADMIN', { channelId: 'C9' }), call.callId, 'en');
    expect(admin).toMatchObject({ kind: 'recording', link: { url: expect.any(String) } });
    const audit = await s.ledger.auditEvents(50);
    const recordings = audit.filter((event) => event.action === 'recording');
    expect(recordings.map((event) => `${event.userId} ${event.result}`).sort()).toEqual([
      'ADMIN OK',
      'U1 OK',
      'U1 OK',
    ]);
    expect(audit.find((event) => event.action === 'deny' && event.target === 'recording')).toMatchObject({
      userId: 'U2',
      result: 'local.POLICY_DENIED:not-binder',
    });

    // Nothing a person or a log sees holds either number in clear.
    const seen = [
      JSON.stringify(s.notices),
      JSON.stringify(byPhone),
      JSON.stringify(bySlot),
      JSON.stringify(await s.ledger.callEvents(call.callId)),
      ...s.logs,
      JSON.stringify(audit),
    ].join('\n');
    expect(seen).not.toContain(A);
    expect(seen).not.toContain(PEER);
    expect(seen).not.toContain(TOKEN);
  });
});

describe('calls: who sees what, and what is posted', () => {
  it('a missed call is posted with why; a call with no recording has no link', async () => {
    const s = await setup(sqliteStore);
    const bound = await s.bind(`bind ${A}`, person('U1'));
    const call = await s.call({
      caller: PEER,
      secretNo: bound.secretNo,
      digits: bound.extension,
      answer: 'busy',
    });
    await s.stored(call.callId, ['SecretReport']);
    expect(s.notices).toHaveLength(1);
    expect(s.notices[0]).toMatchObject({ locale: 'en', recording: false, call: { outcome: 'missed' } });
    expect(s.notices[0]?.line).toMatch(/ · 139\*\*\*\*9001 called 138\*\*\*\*8000 · missed: busy$/);
    const link = await s.service.recordingLink(person('U1'), call.callId);
    expect(link).toMatchObject({
      kind: 'recording',
      locale: 'en',
      link: null,
      call: { callId: call.callId },
    });
    expect(renderText(link, { now: 0 })).toContain('This call has no recording.');
    const unknown = await s.service.recordingLink(person('U1'), 'no-such-call');
    expect(unknown).toMatchObject({ kind: 'recording', call: null, link: null });
    const answered = await s.run(`calls ${A}`, person('U1'));
    expect(answered).toMatchObject({ kind: 'calls', totals: { answered: 0, missed: 1, talkSeconds: 0 } });
  });

  it('a binding made outside a chat: its calls are stored and listed, never posted', async () => {
    const s = await setup(sqliteStore);
    const console: Actor = {
      platform: 'console',
      userId: 'ops',
      userName: 'ops',
      channelId: 'terminal',
      idempotencyKey: 'c-1',
    };
    const bound = await s.bind(`bind ${A}`, console);
    const call = await s.call({
      caller: PEER,
      secretNo: bound.secretNo,
      digits: bound.extension,
      talkSeconds: 5,
    });
    await s.stored(call.callId, ['SecretReport']);
    expect(s.notices).toEqual([]);
    const listed = await s.run(`calls ${A}`, { ...console, idempotencyKey: 'c-2' });
    expect(listed).toMatchObject({ kind: 'calls', calls: [{ callId: call.callId, talkSeconds: 5 }] });
    // And a call that matched no binding at all: stored, posted nowhere.
    const stray = await s.call({ caller: PEER, secretNo: bound.secretNo, digits: '999' });
    await s.stored(stray.callId, ['SecretReport']);
    expect(s.notices).toEqual([]);
  });

  it('is gated as info is: another channel sees nothing, look-ups by number are rate limited, an admin sees all', async () => {
    const s = await setup(sqliteStore, { rate: 3 });
    const bound = await s.bind(`bind ${A}`, person('U1'));
    const call = await s.call({ caller: PEER, secretNo: bound.secretNo, digits: bound.extension });
    await s.stored(call.callId, ['SecretReport']);
    const stranger = person('U3', { channelId: 'C9' });
    expect(await s.run(`calls ${A}`, stranger)).toMatchObject({ kind: 'error', code: 'local.NOT_FOUND' });
    expect(
      await s.run(`calls ${bound.secretNo}#${bound.extension}`, person('U3', { channelId: 'C9' })),
    ).toMatchObject({
      kind: 'error',
      code: 'local.NOT_FOUND',
    });
    // Someone in the channel where it was bound saw the reply already: they may see its calls.
    expect(await s.run(`calls ${A}`, person('U2'))).toMatchObject({
      kind: 'calls',
      calls: [{ callId: call.callId }],
    });
    // U1 bound once: two look-ups by number fill the limit of 3, the next is refused.
    expect(await s.run(`calls ${A}`, person('U1'))).toMatchObject({ kind: 'calls' });
    expect(await s.run(`calls ${A}`, person('U1'))).toMatchObject({ kind: 'calls' });
    expect(await s.run(`calls ${A}`, person('U1'))).toMatchObject({ kind: 'denied', reason: 'rate-limited' });
    // By SubsId no digits of A are guessed: not rate limited.
    const subsId = (await s.ledger.bindingByRef(bound.ref))?.subsId as string;
    expect(await s.run(`calls ${subsId}`, person('U1'))).toMatchObject({ kind: 'calls' });
    const audit = await s.ledger.auditEvents(50);
    expect(audit.filter((event) => event.action === 'look-up:calls').length).toBeGreaterThanOrEqual(3);
    // An admin may list the calls of a SubsId the ledger has no binding for (made outside axnbot).
    expect(await s.run('calls 1000000000000000999', person('ADMIN', { channelId: 'C9' }))).toMatchObject({
      kind: 'calls',
      binding: null,
      calls: [],
    });
    expect(await s.run('calls 1000000000000000999', person('U1'))).toMatchObject({
      kind: 'error',
      code: 'local.NOT_FOUND',
    });
  });

  it('two front ends on one ledger: each claims only the calls of its own bindings; one left unposted for a day is let go', async () => {
    // Aliyun pushes to the Slack bot; the binding was made in DingTalk.
    const s = await setup(sqliteStore, { platform: 'slack' });
    const dingtalk = person('staff1', { platform: 'dingtalk', channelId: 'cid1' });
    const bound = await s.bind(`bind ${A}`, dingtalk);
    const first = await s.call({ caller: PEER, secretNo: bound.secretNo, digits: bound.extension });
    await s.stored(first.callId, ['SecretReport']);
    expect(s.notices).toEqual([]);
    expect(await s.service.sweepCallNotices(0, 100, 'slack')).toEqual([]);
    // The DingTalk bot's sweep finds it, once.
    const swept = await s.service.sweepCallNotices(0, 100, 'dingtalk');
    expect(swept.map((notice) => [notice.callId, notice.binding.platform])).toEqual([
      [first.callId, 'dingtalk'],
    ]);
    expect(await s.service.sweepCallNotices(0, 100, 'dingtalk')).toEqual([]);

    // With no DingTalk bot sweeping, a call waits a day, then the Slack bot's sweep lets it go.
    const second = await s.call({ caller: PEER, secretNo: bound.secretNo, digits: bound.extension });
    await s.stored(second.callId, ['SecretReport']);
    expect(await s.service.sweepCallNotices(0, 100, 'slack')).toEqual([]);
    await s.operator('clock', { advance: '25h' });
    expect(await s.service.sweepCallNotices(0, 100, 'slack')).toEqual([]);
    expect(await s.service.sweepCallNotices(0, 100, 'dingtalk')).toEqual([]);
  });

  it('a recording that comes after its call was posted is posted as its own line; a sweep posts what a stopped process left', async () => {
    const s = await setup(sqliteStore);
    const bound = await s.bind(`bind ${A} record=yes`, person('U1'));
    const subsId = (await s.ledger.bindingByRef(bound.ref))?.subsId as string;
    const receiptStore = s.service.receiptStore();
    const receive = async (type: ReceiptType, fields: Record<string, unknown>) => {
      const record = parseReceipt(type, {
        sub_id: subsId,
        phone_no: A,
        peer_no: PEER,
        call_type: 1,
        ...fields,
      });
      if (isRecordProblem(record)) throw new Error(record.problem);
      const stored = await receiptStore.storeReceipts([record as ReceiptRecord]);
      return stored.complete();
    };
    const end = {
      call_id: 'late-recording',
      call_time: '2026-05-12 14:05:00',
      start_time: '2026-05-12 14:05:08',
      release_time: '2026-05-12 14:05:38',
      release_cause: 16,
    };
    const [report] = await receive('SecretReport', end);
    const first = await s.service.claimCallNotice(report as CallEvent);
    expect(first).toMatchObject({ kind: 'call', recording: false });
    expect(first?.line).toBe('05-12 14:05 · 139****9001 called 138****8000 · talked 30s');
    const [recording] = await receive('SecretRecording', {
      call_id: 'late-recording',
      call_time: 1_778_565_900_000,
    });
    const second = await s.service.claimCallNotice(recording as CallEvent);
    expect(second).toMatchObject({
      kind: 'recording',
      recording: true,
      call: { recordingCallTime: '2026-05-12 14:05:00' },
    });
    expect(second?.line).toBe(
      'Recording ready: 05-12 14:05 · 139****9001 called 138****8000 · talked 30s · recording',
    );
    expect(await s.service.claimCallNotice(recording as CallEvent)).toBeUndefined();

    // A process stored a call and stopped before posting it: a sweep posts it, once.
    await receive('SecretReport', { ...end, call_id: 'left-open' });
    // A recording whose call never ended waits for it, then is let go by the sweep.
    const [orphan] = await receive('SecretRecording', { call_id: 'no-end', call_time: 1_778_565_900_000 });
    expect(await s.service.claimCallNotice(orphan as CallEvent)).toBeUndefined();
    const swept = await s.service.sweepCallNotices(0);
    expect(swept.map((notice) => `${notice.kind} ${notice.callId}`)).toEqual(['call left-open']);
    expect(await s.service.sweepCallNotices(0)).toEqual([]);
    expect(await s.ledger.unclaimedCallEvents(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });

  it('parses calls and its Chinese names, with the usage on a mistake', () => {
    const context = { now: 0, locale: 'en' as const, defaultExpiresMs: 1, maxExpiresMs: 2, maxBulk: 1 };
    expect(parseCommand(`calls ${A}`, context)).toEqual({
      verb: 'calls',
      locale: 'en',
      target: { kind: 'phone', phone: A },
    });
    expect(parseCommand('通话 17000000001#123', context)).toEqual({
      verb: 'calls',
      locale: 'zh',
      target: { kind: 'slot', secretNo: '17000000001', extension: '123' },
    });
    expect(parseCommand('通话记录 1000000000000000123', context)).toMatchObject({
      verb: 'calls',
      locale: 'zh',
    });
    expect(parseCommand('calls', context)).toMatchObject({
      kind: 'parse-error',
      usage: 'calls <SubsId | A number | X#ext>',
    });
    expect(parseCommand('calsl 1', context)).toMatchObject({
      kind: 'parse-error',
      suggestion: 'did you mean calls?',
    });
    expect(parseCommand('help calls', context)).toEqual({ verb: 'help', locale: 'en', topic: 'calls' });
  });
});
