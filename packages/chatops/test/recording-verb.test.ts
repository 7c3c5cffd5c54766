import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDyplsClient } from '@axnbot/core';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Actor,
  BindingService,
  createReceiptEndpoint,
  type Ledger,
  type Locale,
  parseCommand,
  type Reply,
  renderText,
  silentLogger,
} from '../src/index.js';
import { sqliteStore } from './stores.js';

// `recording <call id>` (录音): "▶ Recording" as a command, for front ends whose buttons can only send
// text (DingTalk's quick links). The service answers it as `recordingLink` does: for the binder or an
// admin, a fresh link asked of Aliyun now; for anyone else, a refusal; audited either way.

const TOKEN = 'recording-verb-token-0123';
const A = '13800138000';
const PEER = '13900139001';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let delivery = 0;
function person(userId: string, channelId = 'C1'): Actor {
  return { platform: 'dingtalk', userId, userName: userId, channelId, idempotencyKey: `rv-${++delivery}` };
}

async function setup(options: { allowUsers?: string[] } = {}): Promise<{
  emu: Emulator;
  ledger: Ledger;
  service: BindingService;
  run(text: string, who: Actor, locale?: Locale): Promise<Reply>;
}> {
  let handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const emu = await startEmulator({
    seed: 'demo',
    receiptUrl: `http://127.0.0.1:${port}/aliyun/receipts/{type}?token=${TOKEN}`,
    receiptRetryScale: 0.001,
  });
  cleanups.push(() => emu.close());
  const ledger = await sqliteStore.open();
  cleanups.push(() => ledger.close());
  const client = createDyplsClient({
    endpoint: emu.url,
    credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    retry: { maxAttempts: 1 },
    timeoutMs: 5_000,
  });
  cleanups.push(() => client.close());
  const now = () => emu.clock.now();
  const service = new BindingService({
    client,
    ledger,
    now,
    logger: silentLogger,
    config: {
      poolKey: 'FC-DEMO',
      hashKey: 'recording-verb-hash-key',
      allowUsers: options.allowUsers ?? [],
      allowChannels: [],
      admins: ['dingtalk:ADMIN'],
      rateLimitPerMinute: 100,
      locale: 'zh',
    },
  });
  handle = createReceiptEndpoint({ token: TOKEN, store: service.receiptStore(), logger: silentLogger });
  const run = (text: string, who: Actor, locale: Locale = 'zh') =>
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
  return { emu, ledger, service, run };
}

/** Waits until the ledger holds a receipt of this type for the call. */
async function stored(ledger: Ledger, callId: string, type: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await ledger.callEvents(callId)).some((event) => event.type === type)) {
    if (Date.now() > deadline) throw new Error(`no ${type} stored for ${callId}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the recording verb', () => {
  it('answers the binder with a fresh link, refuses anyone else, and is audited', async () => {
    const s = await setup();
    const bound = await s.run(`绑定 ${A} 录音=是`, person('U1'));
    if (bound.kind !== 'bound') throw new Error(`bind failed: ${renderText(bound, { now: 0 })}`);
    const response = await fetch(`${s.emu.url}/_emulator/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        caller: PEER,
        secretNo: bound.binding.secretNo,
        digits: bound.binding.extension,
        talkSeconds: 42,
      }),
    });
    const { callId } = (await response.json()) as { callId: string };
    await stored(s.ledger, callId, 'SecretRecording');

    // 录音 answers in Chinese; `recording` in the context's language.
    const zh = await s.run(`录音 ${callId}`, person('U1'));
    expect(zh).toMatchObject({
      kind: 'recording',
      locale: 'zh',
      callId,
      call: { recorded: true, talkSeconds: 42 },
      link: { url: expect.any(String) },
    });
    if (zh.kind !== 'recording' || !zh.link) throw new Error('no link');
    expect((await fetch(zh.link.url)).status).toBe(200);
    expect(await s.run(`recording ${callId}`, person('U1'), 'en')).toMatchObject({
      kind: 'recording',
      locale: 'en',
      link: { url: expect.any(String) },
    });

    // Someone else in the same chat is refused; an admin anywhere is not.
    const other = await s.run(`录音 ${callId}`, person('U2'));
    expect(other).toMatchObject({ kind: 'denied', reason: 'not-binder', locale: 'zh' });
    expect(await s.run(`recording ${callId}`, person('ADMIN', 'C9'), 'en')).toMatchObject({
      kind: 'recording',
      link: { url: expect.any(String) },
    });

    // An unknown call, and a call without a recording, say so.
    expect(await s.run('录音 no-such-call', person('U1'))).toMatchObject({
      kind: 'recording',
      call: null,
      link: null,
    });

    const audit = await s.ledger.auditEvents(50);
    expect(
      audit
        .filter((event) => event.action === 'recording')
        .map((event) => `${event.userId} ${event.result}`)
        .sort(),
    ).toEqual(['ADMIN OK', 'U1 OK', 'U1 OK', 'U1 local.NOT_FOUND']);
    expect(audit.find((event) => event.action === 'deny' && event.target === 'recording')).toMatchObject({
      userId: 'U2',
      result: 'local.POLICY_DENIED:not-binder',
    });
    expect(JSON.stringify(audit)).not.toContain(A);
    expect(JSON.stringify(audit)).not.toContain(PEER);
  });

  it('is refused by the access policy like any verb, and a mistake answers its usage', async () => {
    const s = await setup({ allowUsers: ['dingtalk:U1'] });
    expect(await s.run('录音 9f86d081884c7d65', person('U9'))).toMatchObject({
      kind: 'denied',
      reason: 'user-not-allowed',
      locale: 'zh',
    });
    const audit = await s.ledger.auditEvents(10);
    expect(audit.find((event) => event.action === 'deny')).toMatchObject({
      userId: 'U9',
      target: 'recording',
      result: 'local.POLICY_DENIED:user-not-allowed',
    });
    expect(await s.run('录音', person('U1'))).toMatchObject({
      kind: 'error',
      code: 'local.VALIDATION',
      usage: '录音 <通话ID>',
    });
  });
});
