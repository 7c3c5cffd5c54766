import { randomBytes } from 'node:crypto';
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
import { sign, startFakeSlack } from './fake-slack.js';
import { freePort, httpBotEnv, type SpawnedBot, spawnBot, waitForReady } from './spawn-bot.js';

/**
 * Issue 9, items 1, 3 and 4, against the real bot process in HTTP mode: no request — any method, path,
 * header or body, signed or not — ends it; the replay guard cannot be sidestepped by re-encoding a
 * captured request's headers; and unsigned requests cost no lasting memory.
 */

const SECRET = 'slack-signing-secret-for-hardening';
const TOKEN = 'hardening-receipt-token-0123456789';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

let emu: Emulator;
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let bot: SpawnedBot;
let port: number;
let client: ReturnType<typeof rawClient>;
let trigger = 0;

beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo' });
  fake = await startFakeSlack();
  port = await freePort();
  // --expose-gc: SIGUSR2 then runs a full collection, for the memory test's readings.
  bot = spawnBot(
    httpBotEnv({
      secret: SECRET,
      slackBase: fake.base,
      emulatorUrl: emu.url,
      port,
      extra: { AXN_RECEIPT_TOKEN: TOKEN },
    }),
    ['--expose-gc'],
  );
  await waitForReady(bot);
  client = rawClient(port, 16);
});

afterAll(async () => {
  client?.close();
  bot?.child.kill('SIGTERM');
  expect(await bot?.exited).toBe(0);
  if (process.env.SHOW_BOT_LOG) console.info(bot.stdout());
  await fake?.close();
  await emu?.close();
});

const nowSec = () => Math.floor(Date.now() / 1000);

function commandBody(text: string, extra: Record<string, string> = {}) {
  const id = `${++trigger}`;
  return new URLSearchParams({
    team_id: 'T1',
    channel_id: 'C1',
    user_id: 'U1',
    user_name: 'alice',
    command: '/axn',
    text,
    response_url: `${fake.base}/hooks/h${id}`,
    trigger_id: `hardening-${id}`,
    ...extra,
  }).toString();
}

/** A signed POST to /slack/events, with the headers overridable after signing. */
function signed(body: string, contentType = FORM, headers: Record<string, string> = {}): RawRequest {
  return {
    method: 'POST',
    path: '/slack/events',
    headers: {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(body)),
      ...sign(SECRET, body),
      ...headers,
    },
    body,
  };
}

/** The process is alive, serves /healthz, and a legitimately signed command still runs. */
async function stillServing() {
  expect(bot.child.exitCode).toBeNull();
  const health = await client.send({ method: 'GET', path: '/healthz' });
  expect(health.status).toBe(200);
  expect(JSON.parse(health.body)).toEqual({ ok: true });
  const help = await client.send(signed(commandBody('help')));
  expect(help.status).toBe(200);
  expect(help.body).toContain('bind <A number>');
}

/** What went to the log is JSON lines holding no stack trace, request dump, secret or clear number. */
function logIsClean() {
  expect(bot.stderr()).toBe('');
  expect(bot.log().length).toBeGreaterThan(0);
  const log = bot.stdout();
  expect(log).not.toMatch(/\\n\s+at |\n\s+at /);
  expect(log).not.toContain('IncomingMessage');
  expect(log).not.toContain(SECRET);
  expect(log).not.toContain('xoxb-test-token');
  expect(log).not.toContain(TOKEN);
  expect(log).not.toContain('13800138000');
}

describe('every request is answered and none ends the process', () => {
  it('answers a fuzz of methods × paths × bodies × headers with the status it should', async () => {
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
    const paths = [
      '/',
      '/favicon.ico',
      '/slack/events',
      '/slack/events/',
      '/slack/events?x=1',
      '/Slack/Events',
      '/healthz',
      '/healthz?probe=1',
      '/metrics',
      '/%ff%fe',
      '/..%2f..%2fetc%2fpasswd',
      '//slack/events',
      '/slack/events%00',
      `/${'a'.repeat(2000)}`,
      ...receiptPaths(TOKEN),
    ];
    const bodies = [
      '',
      'null',
      '{}',
      '[]',
      '1',
      '"x"',
      'payload=null',
      'payload=%7B',
      'payload=%5B%5D',
      'ssl_check=1',
      'ssl_check=1&command=%2Fbind&text=13800138000',
      '{"type":"url_verification","challenge":"c"}',
      'command=%2Fbind&text=13800138000&team_id=T1',
      '\u0000\u00ff\ufffd{',
    ];
    const ts = String(nowSec());
    const headerSets: Array<Record<string, string>> = [
      {},
      { 'content-type': FORM },
      { 'content-type': `${JSON_TYPE}; charset=utf-8` },
      { 'content-type': 'text/plain' },
      { 'content-type': FORM, 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${'0'.repeat(64)}` },
      { 'content-type': JSON_TYPE, 'x-slack-request-timestamp': 'soon', 'x-slack-signature': 'garbage' },
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
              expected: expectedStatus(method, path, body, headers),
            });
          }
    const answers = await inParallel(cases, 16, (request) => client.send(request));
    const wrong = cases
      .map((request, index) => ({ request, answer: answers[index]! }))
      .filter(({ request, answer }) => answer.status !== request.expected)
      .map(
        ({ request, answer }) =>
          `${request.method} ${request.path.slice(0, 40)} ${JSON.stringify(request.headers)} ${JSON.stringify(request.body)} → ${answer.status} ${answer.error ?? ''}`,
      );
    expect(wrong.slice(0, 10)).toEqual([]);
    const statusLines = await Promise.all(MALFORMED_REQUESTS.map((bytes) => sendBytes(port, bytes)));
    for (const line of statusLines) expect(line).toMatch(/^(HTTP\/1\.1 \d{3} .*)?$/);
    console.info(
      `slack-bot fuzz: ${cases.length} requests (methods × paths × bodies × headers) and ${MALFORMED_REQUESTS.length} malformed ones, all answered as they should be`,
    );
    await stillServing();
  });

  it('answers the unsupported and oversized with 405, 413 and 415', async () => {
    const allow = await client.send({ method: 'GET', path: '/slack/events' });
    expect(allow.status).toBe(405);
    expect(allow.headers.allow).toBe('POST');
    expect((await client.send({ method: 'POST', path: '/healthz' })).headers.allow).toBe('GET, HEAD');
    const big = 'x'.repeat(2 * 1024 * 1024);
    const tooLarge = await rawClient(port, 1).send(signed(big));
    expect(tooLarge.status).toBe(413);
    expect((await client.send(signed('{"unsupported":true}', 'text/plain'))).status).toBe(415);
    await stillServing();
  });

  it('answers signed bodies that Bolt cannot take (payload=null, JSON null, …) instead of crashing', async () => {
    // Each body differs: the same body signed in the same second would be (rightly) refused as a replay.
    const exact: Array<[string, string, number]> = [
      ['payload=null', FORM, 400],
      ['null', JSON_TYPE, 400],
      ['[]', JSON_TYPE, 400],
      ['1', JSON_TYPE, 400],
      ['"text"', JSON_TYPE, 400],
      ['{not json', JSON_TYPE, 400],
      ['payload=%5B%5D', FORM, 400],
      ['payload=%7Bbroken', FORM, 400],
      ['payload=null&', JSON_TYPE, 400],
      ['command=%2Fbind&command=%2Funbind&text=1', FORM, 400],
      ['{ }', 'text/plain', 415],
      ['{"type":"url_verification"}', JSON_TYPE, 400],
      ['{"type":"url_verification","challenge":{"x":1}}', JSON_TYPE, 400],
      ['{"type":"url_verification","challenge":"abc"}', JSON_TYPE, 200],
      ['payload=%7B%7D', FORM, 404],
      ['{}', JSON_TYPE, 404],
      [commandBody('help', { command: '/nope' }), FORM, 404],
    ];
    for (const [body, type, status] of exact) {
      const answer = await client.send(signed(body, type));
      expect([body, type, answer.status]).toEqual([body, type, status]);
    }
    const challenge = await client.send(signed('{"type":"url_verification","challenge":"xyz"}', JSON_TYPE));
    expect(JSON.parse(challenge.body)).toEqual({ challenge: 'xyz' });

    // Shapes no handler expects: each is answered (the status depends on how far Bolt gets).
    const odd = [
      '{"event":null}',
      '{"event":{}}',
      '{"type":"event_callback","event":{"type":"message","channel":null}}',
      '{"__proto__":{"polluted":1},"command":"/axn","text":"help"}',
      'command=%2Fbind',
      'command=%2Faxn&team_id=T1',
      `payload=${encodeURIComponent('{"type":"block_actions"}')}`,
      `payload=${encodeURIComponent('{"type":"block_actions","actions":null}')}`,
      `payload=${encodeURIComponent('{"type":"block_actions","actions":[{"action_id":"axn_unbind"}]}')}`,
      `payload=${encodeURIComponent('{"type":"view_submission","view":null}')}`,
      `payload=${encodeURIComponent('{"type":"shortcut"}')}`,
      `payload=${encodeURIComponent('{"type":"block_suggestion","value":null}')}`,
    ];
    for (const body of odd) {
      const answer = await client.send(signed(body, body.startsWith('{') ? JSON_TYPE : FORM));
      expect([body, [200, 400, 404, 500].includes(answer.status)]).toEqual([body, true]);
    }
    console.info(`slack-bot signed odd bodies: ${exact.length + odd.length + 1} requests, 0 crashes`);
    // A charset parameter is a form post all the same (Bolt's receiver answered it 400).
    expect((await client.send(signed(commandBody('help'), `${FORM}; charset=utf-8`))).status).toBe(200);
    await stillServing();
    logIsClean();
  });
});

describe('the replay guard cannot be sidestepped', () => {
  it('refuses a replay and every re-encoding of a captured request’s headers', async () => {
    const body = commandBody('list');
    const captured = signed(body);
    const headers = captured.headers as Record<string, string>;
    const ts = headers['x-slack-request-timestamp']!;
    const sig = headers['x-slack-signature']!;
    expect((await client.send(captured)).status).toBe(200);
    const variants: Array<Record<string, string>> = [
      {},
      { 'x-slack-request-timestamp': `0${ts}` },
      { 'x-slack-request-timestamp': `${ts}.0` },
      { 'x-slack-request-timestamp': `+${ts}` },
      { 'x-slack-request-timestamp': `${ts}e0` },
      { 'x-slack-request-timestamp': `0x${Number(ts).toString(16)}` },
      { 'x-slack-signature': `${sig}=x` },
      { 'x-slack-signature': `v0=${sig.slice(3).toUpperCase()}` },
      { 'x-slack-signature': `${sig},${sig}` },
    ];
    for (const variant of variants) {
      const answer = await client.send({ ...captured, headers: { ...headers, ...variant } });
      expect([variant, answer.status]).toEqual([variant, 401]);
    }
    console.info(
      `slack-bot replay guard: ${variants.length} re-encodings of a captured request, all refused`,
    );
  });

  it('refuses timestamps more than five minutes away in either direction, and replays of near-future ones', async () => {
    const at = (offsetSec: number, text: string) => {
      const body = commandBody(text);
      return signed(body, FORM, sign(SECRET, body, nowSec() + offsetSec));
    };
    expect((await client.send(at(365 * 86_400, 'help'))).status).toBe(401);
    expect((await client.send(at(3_600, 'help'))).status).toBe(401);
    expect((await client.send(at(-301 - 5, 'help'))).status).toBe(401);
    const nearFuture = at(240, 'help');
    expect((await client.send(nearFuture)).status).toBe(200);
    expect((await client.send(nearFuture)).status).toBe(401);
    await stillServing();
  });
});

describe('unsigned requests cost no lasting memory', () => {
  it('60,000 unsigned requests with 8 KB random signatures: RSS within 10% of its start, nothing remembered', async () => {
    const flood = (count: number) =>
      inParallel(Array.from({ length: count }), 32, async () => {
        const body = 'command=%2Fbind&text=x';
        const answer = await client.send({
          method: 'POST',
          path: '/slack/events',
          headers: {
            'content-type': FORM,
            'content-length': String(body.length),
            'x-slack-request-timestamp': String(nowSec()),
            'x-slack-signature': randomBytes(4096).toString('hex'),
          },
          body,
        });
        return answer.status;
      });
    // Warm up first, so the start figure is the process at work, not the process idle.
    expect(new Set(await flood(5_000))).toEqual(new Set([401]));
    const before = await memoryAfterGc();
    const statuses = await flood(60_000);
    expect(new Set(statuses)).toEqual(new Set([401]));
    const after = await memoryAfterGc();
    console.info(
      `slack-bot flood: 60000 unsigned requests; RSS ${mib(before.rss)} → ${mib(after.rss)} MiB; replay guard ${before.guard} → ${after.guard} entries`,
    );
    expect(after.guard).toBe(before.guard);
    expect(after.rss).toBeLessThanOrEqual(before.rss * 1.1);
    await stillServing();
    logIsClean();
    // Refusals are summarised, not logged one by one.
    expect(bot.log().filter((line) => line.msg.startsWith('refused')).length).toBeLessThan(20);
  }, 180_000);
});

/** Runs a full GC in the bot (SIGUSR2 with --expose-gc), then reads its memory from /metrics. */
async function memoryAfterGc() {
  bot.child.kill('SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 500));
  bot.child.kill('SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const metrics = (await client.send({ method: 'GET', path: '/metrics' })).body;
  const read = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1]);
  return { rss: read('process_resident_memory_bytes'), guard: read('axnbot_slack_replay_guard_entries') };
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** What the bot must answer to an unsigned request, by route. */
function expectedStatus(method: string, path: string, body: string, headers: Record<string, string>): number {
  const route = path.split('?')[0];
  const receipt = expectedReceiptStatus(method, path, body, TOKEN);
  if (receipt !== undefined) return receipt;
  if (route === '/slack/events') {
    if (method !== 'POST') return 405;
    const form = (headers['content-type'] ?? '').startsWith(FORM);
    return form && new URLSearchParams(body).get('ssl_check') === '1' ? 200 : 401;
  }
  if (route === '/healthz' || route === '/readyz' || route === '/metrics')
    return method === 'GET' || method === 'HEAD' ? 200 : 405;
  return 404;
}
