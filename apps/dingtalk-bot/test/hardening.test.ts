import { type Emulator, startEmulator } from '@axnbot/emulator';
import {
  expectedReceiptStatus,
  inParallel,
  MALFORMED_REQUESTS,
  type RawRequest,
  rawClient,
  receiptPaths,
  sendBytes,
} from '@axnbot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { robotText, startFakeDingTalk } from './fake-dingtalk.js';
import {
  botEnv,
  expectCleanLog,
  freePort,
  hasLogged,
  type SpawnedBot,
  spawnBot,
  until,
} from './spawn-bot.js';

/**
 * Issue 9, item 1, for the DingTalk bot's status port (`/healthz`, `/metrics`, and the receipt endpoint
 * of issue 13): no request ends the process, every one gets the answer it should, and the bot still
 * serves and binds afterwards.
 */

const TOKEN = 'hardening-receipt-token-0123456789';

let emu: Emulator;
let fake: Awaited<ReturnType<typeof startFakeDingTalk>>;
let bot: SpawnedBot;
let port: number;
let client: ReturnType<typeof rawClient>;

beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo' });
  fake = await startFakeDingTalk();
  port = await freePort();
  bot = spawnBot(
    botEnv({
      gatewayBase: fake.base,
      emulatorUrl: emu.url,
      extra: { PORT: String(port), AXN_RECEIPT_TOKEN: TOKEN },
    }),
  );
  await until(() => hasLogged(bot, 'axnbot dingtalk-bot started'), 10_000);
  await fake.connected();
  await until(() => hasLogged(bot, 'connected'));
  client = rawClient(port, 16);
});

afterAll(async () => {
  client?.close();
  bot?.child.kill('SIGTERM');
  expect(await bot?.exited).toBe(0);
  await fake?.close();
  await emu?.close();
});

async function stillServing() {
  expect(bot.child.exitCode).toBeNull();
  const health = await client.send({ method: 'GET', path: '/healthz' });
  expect([health.status, JSON.parse(health.body)]).toEqual([200, { ok: true }]);
  const ready = await client.send({ method: 'GET', path: '/readyz' });
  expect([ready.status, JSON.parse(ready.body)]).toEqual([
    200,
    {
      ready: true,
      limits: { mode: 'local', detail: 'each process limits on its own (AXN_REDIS_URL is not set)' },
    },
  ]);
  const message = robotText(fake.base, ' 帮助');
  fake.pushRobotMessage(message);
  await until(() => fake.webhookCalls.some((call) => message.sessionWebhook.endsWith(call.path)));
}

describe('the status port answers anything and never ends the process', () => {
  it('answers a fuzz of methods × paths × bodies × headers with the status it should', async () => {
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
    const paths = [
      '/',
      '/favicon.ico',
      '/healthz',
      '/healthz?x=1',
      '/healthz/',
      '/HEALTHZ',
      '/metrics',
      '/metrics?format=json',
      '/slack/events',
      '/%ff',
      '/..%2f..%2fetc',
      '//healthz',
      `/${'m'.repeat(2000)}`,
      ...receiptPaths(TOKEN),
    ];
    const bodies = ['', 'null', '{}', '[]', '{"msgId":"x"}', 'a=1&a=2', '\u0000\u00ff', 'x'.repeat(100_000)];
    const headerSets: Array<Record<string, string>> = [
      {},
      { 'content-type': 'application/json' },
      { 'content-type': 'text/plain', 'x-forwarded-for': '1.2.3.4' },
      { 'content-type': 'application/x-www-form-urlencoded', 'x-junk': 'y'.repeat(8000) },
    ];
    const cases: Array<RawRequest & { expected: number }> = [];
    for (const method of methods)
      for (const path of paths)
        for (const body of bodies)
          for (const headers of headerSets) {
            const withLength = body
              ? { ...headers, 'content-length': String(Buffer.byteLength(body)) }
              : headers;
            cases.push({
              method,
              path,
              headers: withLength,
              body,
              expected: expectedStatus(method, path, body),
            });
          }
    const answers = await inParallel(cases, 16, (request) => client.send(request));
    const wrong = cases
      .map((request, index) => ({ request, answer: answers[index]! }))
      .filter(({ request, answer }) => answer.status !== request.expected)
      .map(
        ({ request, answer }) =>
          `${request.method} ${request.path.slice(0, 40)} ${String(request.body).slice(0, 20)} → ${answer.status} ${answer.error ?? ''}`,
      );
    expect(wrong.slice(0, 10)).toEqual([]);
    const wrongMethod = await client.send({ method: 'POST', path: '/healthz' });
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');

    const statusLines = await Promise.all(MALFORMED_REQUESTS.map((bytes) => sendBytes(port, bytes)));
    for (const line of statusLines) expect(line).toMatch(/^(HTTP\/1\.1 \d{3} .*)?$/);
    console.info(
      `dingtalk-bot status port: ${cases.length + 1} requests (methods × paths × bodies × headers) and ${MALFORMED_REQUESTS.length} malformed ones, 0 crashes`,
    );
    await stillServing();
    expectCleanLog(bot, ['ding-client-secret-value', 'testsecret', TOKEN]);
  });
});

function expectedStatus(method: string, path: string, body: string): number {
  const route = path.split('?')[0];
  const receipt = expectedReceiptStatus(method, path, body, TOKEN);
  if (receipt !== undefined) return receipt;
  if (route !== '/healthz' && route !== '/readyz' && route !== '/metrics') return 404;
  return method === 'GET' || method === 'HEAD' ? 200 : 405;
}
