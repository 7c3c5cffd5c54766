import type { LogFields, Logger } from '@axnbot/chatops';
import type { App } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackHttpReceiver } from '../src/http-receiver.js';
import { ReplayGuard } from '../src/replay-guard.js';
import { parseSlackBody } from '../src/request-body.js';
import { checkSigningHeaders } from '../src/signature.js';
import { sign } from './fake-slack.js';

const SECRET = 'receiver-unit-test-secret';
const T0 = 1_800_000_000_000;

describe('checkSigningHeaders', () => {
  const sig = `v0=${'ab'.repeat(32)}`;
  const ts = String(T0 / 1000);
  it.each([
    ['a canonical pair', ts, sig, true],
    ['no timestamp', undefined, sig, false],
    ['a repeated timestamp header', [ts, ts], sig, false],
    ['a leading zero', `0${ts}`, sig, false],
    ['a decimal point', `${ts}.0`, sig, false],
    ['a plus sign', `+${ts}`, sig, false],
    ['an exponent', '18e8', sig, false],
    ['a hex timestamp', `0x${(T0 / 1000).toString(16)}`, sig, false],
    ['surrounding spaces', ` ${ts}`, sig, false],
    ['a huge number', '9'.repeat(30), sig, false],
    ['a trailing =x on the signature', ts, `${sig}=x`, false],
    ['upper-case hex', ts, `v0=${'AB'.repeat(32)}`, false],
    ['another version', ts, `v1=${'ab'.repeat(32)}`, false],
    ['a short hash', ts, 'v0=abcd', false],
    ['8 KB of noise', ts, 'f'.repeat(8192), false],
    ['5 minutes ahead', String(T0 / 1000 + 300), sig, true],
    ['5 minutes and a second ahead', String(T0 / 1000 + 301), sig, false],
    ['5 minutes and a second ago', String(T0 / 1000 - 301), sig, false],
  ])('%s → %s', (_name, timestamp, signature, ok) => {
    expect(checkSigningHeaders(timestamp, signature, T0).ok).toBe(ok);
  });
});

describe('parseSlackBody', () => {
  it.each([
    ['application/x-www-form-urlencoded', 'payload=null', 400],
    ['application/json', 'null', 400],
    ['application/json', '[1]', 400],
    ['application/json', '{', 400],
    ['application/x-www-form-urlencoded', 'a=1&a=2', 400],
    ['text/plain', '{}', 415],
    [undefined, '{}', 415],
  ])('%s %j → %s', (type, body, status) => {
    expect(parseSlackBody(type, body)).toMatchObject({ ok: false, status });
  });

  it('reads form fields, a JSON payload field, and JSON, whatever the charset parameter', () => {
    expect(
      parseSlackBody('application/x-www-form-urlencoded; charset=UTF-8', 'command=%2Fbind&text=a+b'),
    ).toEqual({
      ok: true,
      body: { command: '/bind', text: 'a b' },
    });
    expect(parseSlackBody('application/x-www-form-urlencoded', 'payload=%7B%22type%22%3A%22x%22%7D')).toEqual(
      {
        ok: true,
        body: { type: 'x' },
      },
    );
    expect(parseSlackBody('Application/JSON', '{"type":"y"}')).toEqual({ ok: true, body: { type: 'y' } });
  });
});

describe('ReplayGuard', () => {
  it('refuses a repeat until the entry expires, and holds no more than its cap', () => {
    let now = 0;
    const guard = new ReplayGuard(3, () => now);
    expect(guard.record('a', 1_000)).toBe('first');
    expect(guard.record('a', 1_000)).toBe('replay');
    expect(guard.record('b', 10_000)).toBe('first');
    expect(guard.record('c', 10_000)).toBe('first');
    expect(guard.record('d', 10_000)).toBe('full');
    expect(guard.size).toBe(3);
    now = 1_000; // 'a' has expired: its slot is free again
    expect(guard.record('d', 10_000)).toBe('first');
    expect(guard.size).toBe(3);
  });

  it('sweeps expired entries stuck behind a longer-lived one when full', () => {
    let now = 0;
    const guard = new ReplayGuard(3, () => now);
    guard.record('long', 100_000);
    guard.record('short-1', 1_000);
    guard.record('short-2', 1_000);
    now = 2_000;
    expect(guard.record('next', 10_000)).toBe('first');
    expect(guard.size).toBe(2);
  });
});

/** A logger that keeps each entry as `level: message {fields}`, for exact comparisons. */
function collectingLogger(): { logger: Logger; log: string[] } {
  const log: string[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) =>
    log.push(`${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, log };
}

describe('SlackHttpReceiver with a hand-run clock', () => {
  let receiver: SlackHttpReceiver | undefined;
  afterEach(async () => {
    await receiver?.stop();
  });

  async function start(now: () => number) {
    const processed: unknown[] = [];
    const { logger, log } = collectingLogger();
    receiver = new SlackHttpReceiver({ signingSecret: SECRET, port: 0, now, logger });
    receiver.init({
      processEvent: async ({ body, ack }: { body: unknown; ack: (r?: unknown) => Promise<void> }) => {
        processed.push(body);
        await ack({ text: 'ok' });
      },
    } as unknown as App);
    await receiver.start();
    const post = async (body: string, headers: Record<string, string>) =>
      (
        await fetch(`http://127.0.0.1:${receiver?.port}/slack/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body,
        })
      ).status;
    return { processed, log, post };
  }

  it('a request dated 4 minutes ahead runs once: its replay 305 s later is still refused, then it is stale', async () => {
    let now = T0;
    const { processed, post } = await start(() => now);
    const body = 'command=%2Faxn&text=list';
    const headers = sign(SECRET, body, T0 / 1000 + 240);
    expect(await post(body, headers)).toBe(200);
    now = T0 + 305_000;
    expect(await post(body, headers)).toBe(401);
    now = T0 + 541_000; // past its timestamp's five minutes: refused as stale
    expect(await post(body, headers)).toBe(401);
    expect(processed).toHaveLength(1);
    // The next verified request finds it expired and drops it: the guard holds only the new one.
    expect(await post(body, sign(SECRET, body, now / 1000))).toBe(200);
    expect(receiver?.replays.size).toBe(1);
  });

  it('records only verified requests: 500 badly signed ones leave the guard empty', async () => {
    const { post, processed, log } = await start(() => T0);
    const body = 'command=%2Faxn&text=list';
    for (let i = 0; i < 500; i++) {
      const headers = sign('not-the-secret', `${body}&n=${i}`, T0 / 1000);
      expect(await post(`${body}&n=${i}`, headers)).toBe(401);
    }
    expect(receiver?.replays.size).toBe(0);
    expect(processed).toHaveLength(0);
    expect(log).toEqual(['warn: refused a request {"reason":"signature does not match"}']);
  });

  it('answers 500 with one log line when the app throws, and 404 when nothing acknowledges', async () => {
    const { logger, log } = collectingLogger();
    let mode: 'throw' | 'silent' = 'throw';
    receiver = new SlackHttpReceiver({ signingSecret: SECRET, port: 0, now: () => T0, logger });
    receiver.init({
      processEvent: async () => {
        if (mode === 'throw')
          throw new TypeError("Cannot read properties of null (reading 'ssl_check')\n    at x");
      },
    } as unknown as App);
    await receiver.start();
    const send = async (body: string) =>
      (
        await fetch(`http://127.0.0.1:${receiver?.port}/slack/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...sign(SECRET, body, T0 / 1000) },
          body,
        })
      ).status;
    expect(await send('{"n":1}')).toBe(500);
    mode = 'silent';
    expect(await send('{"n":2}')).toBe(404);
    expect(log).toEqual([
      `error: could not process a request {"error":"Cannot read properties of null (reading 'ssl_check')"}`,
      'warn: no handler for a signed request {"type":"unknown type"}',
    ]);
  });
});
