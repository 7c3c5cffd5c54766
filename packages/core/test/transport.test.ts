import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  exchange,
  type HandlerInterface,
  INSTALLED_HANDLER_INTERFACE,
  TransportFailure,
} from '../src/client/transport.js';

/** A step of a scripted exchange, as undici reports it. */
type Step =
  | { start: true }
  | { sent: true }
  | { status: number }
  | { data: string }
  | { end: true }
  | { error: string }
  | { wait: 'abort' };

/**
 * A dispatcher that plays `steps` to a handler through either interface, the way undici 7 (legacy) or
 * undici 8 (controller) calls it: how the controller interface is tested before undici 8 can be installed
 * (it needs Node.js 22.19). `{ wait: 'abort' }` stops until the handler aborts, then reports the error.
 */
function scripted(api: HandlerInterface, steps: Step[]) {
  const seen: { aborted?: Error } = {};
  const dispatcher = {
    dispatch(_options: unknown, handler: Record<string, (...args: unknown[]) => unknown>) {
      const controller = {
        abort(reason: Error) {
          seen.aborted = reason;
          if (waiting) fail(reason.message);
        },
        pause() {},
        resume() {},
        aborted: false,
        paused: false,
        reason: null,
      };
      let waiting = false;
      const fail = (message: string) =>
        api === 'legacy'
          ? handler.onError?.(new Error(message))
          : handler.onResponseError?.(controller, new Error(message));
      const play = (index: number): void => {
        const step = steps[index];
        if (!step) return;
        if ('wait' in step) {
          waiting = true;
          return;
        }
        if ('start' in step) {
          if (api === 'legacy') handler.onConnect?.((reason: Error) => controller.abort(reason));
          else handler.onRequestStart?.(controller, {});
        } else if ('sent' in step) handler.onRequestSent?.();
        else if ('status' in step) {
          if (api === 'legacy') handler.onHeaders?.(step.status, [], () => {}, 'OK');
          else handler.onResponseStart?.(controller, step.status, {}, 'OK');
        } else if ('data' in step) {
          if (api === 'legacy') handler.onData?.(Buffer.from(step.data));
          else handler.onResponseData?.(controller, Buffer.from(step.data));
        } else if ('end' in step) {
          if (api === 'legacy') handler.onComplete?.([]);
          else handler.onResponseEnd?.(controller, {});
        } else fail(step.error);
        setImmediate(() => play(index + 1));
      };
      play(0);
      return true;
    },
  } as unknown as Dispatcher;
  return { dispatcher, seen };
}

const request = (timeoutMs = 5_000) =>
  ({ origin: 'http://127.0.0.1:1', path: '/', method: 'POST', headers: {}, body: 'x=1', timeoutMs }) as const;

async function failure(promise: Promise<unknown>): Promise<TransportFailure> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TransportFailure);
  return error as TransportFailure;
}

describe.each(['legacy', 'controller'] as const)('exchange through the %s handler interface', (api) => {
  it('collects the status and the body', async () => {
    const { dispatcher } = scripted(api, [
      { start: true },
      { sent: true },
      { status: 200 },
      { data: '{"Code":' },
      { data: '"OK"}' },
      { end: true },
    ]);
    expect(await exchange(dispatcher, request(), api)).toEqual({ status: 200, body: '{"Code":"OK"}' });
  });

  it('a failure before the request was sent: surely not acted on', async () => {
    const { dispatcher } = scripted(api, [{ start: true }, { error: 'ECONNRESET' }]);
    const error = await failure(exchange(dispatcher, request(), api));
    expect([error.sent, error.timedOut]).toEqual([false, false]);
  });

  it('a failure after the request was sent, or after an answer began: maybe acted on', async () => {
    const afterSent = scripted(api, [{ start: true }, { sent: true }, { error: 'socket hang up' }]);
    expect((await failure(exchange(afterSent.dispatcher, request(), api))).sent).toBe(true);
    const afterStatus = scripted(api, [{ start: true }, { status: 500 }, { error: 'socket hang up' }]);
    expect((await failure(exchange(afterStatus.dispatcher, request(), api))).sent).toBe(true);
  });

  it('the deadline aborts an exchange in flight, and says whether it was sent', async () => {
    const { dispatcher, seen } = scripted(api, [{ start: true }, { sent: true }, { wait: 'abort' }]);
    const error = await failure(exchange(dispatcher, request(30), api));
    expect(seen.aborted?.message).toBe('deadline exceeded');
    expect([error.sent, error.timedOut]).toEqual([true, true]);
  });

  it('the deadline gives up on a connection that never started: not sent', async () => {
    const { dispatcher } = scripted(api, [{ wait: 'abort' }]);
    const error = await failure(exchange(dispatcher, request(30), api));
    expect([error.sent, error.timedOut]).toEqual([false, true]);
  });
});

describe('exchange through the installed undici', () => {
  it('uses the interface the installed undici drives: legacy on 7, controller on 8', () => {
    const { version } = createRequire(import.meta.url)('undici/package.json') as { version: string };
    const major = Number.parseInt(version, 10);
    expect(INSTALLED_HANDLER_INTERFACE).toBe(major >= 8 ? 'controller' : 'legacy');
  });

  it('posts to a real server and reads its answer', async () => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => res.end(`${req.method} ${body}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent();
    try {
      const { port } = server.address() as AddressInfo;
      const response = await exchange(agent, { ...request(), origin: `http://127.0.0.1:${port}` });
      expect(response).toEqual({ status: 200, body: 'POST x=1' });
    } finally {
      await agent.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
