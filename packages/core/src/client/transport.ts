import type { Dispatcher } from 'undici';
import * as undici from 'undici';

/** One HTTP exchange as the client needs it. */
export interface HttpRequest {
  readonly origin: string;
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Abort after this long, whatever stage the exchange is at. */
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * Why an exchange produced no response. `sent` says whether the whole request had been handed to the
 * socket: if not, the server cannot have acted on it, and any call may safely be tried again.
 */
export class TransportFailure extends Error {
  constructor(
    readonly sent: boolean,
    readonly timedOut: boolean,
    options: { cause: unknown },
  ) {
    super(timedOut ? 'deadline exceeded' : 'connection failed', options);
  }
}

/**
 * The dispatcher handler interface the installed undici drives. undici 7 takes the original one
 * (`onConnect`, `onHeaders`, `onData`, `onComplete`, `onError`) and, given a handler of the newer
 * controller interface (`onRequestStart`, `onResponseStart`, …), wraps it in a shim that drops
 * `onRequestSent`; undici 8 (Node.js 22.19+) removed the original interface and calls `onRequestSent` on
 * controller handlers directly. `Dispatcher1Wrapper` arrived with undici 8.
 */
export type HandlerInterface = 'legacy' | 'controller';

/** The interface of the undici this package resolves (see {@link HandlerInterface}). */
export const INSTALLED_HANDLER_INTERFACE: HandlerInterface =
  'Dispatcher1Wrapper' in undici ? 'controller' : 'legacy';

/**
 * Sends one request through an undici dispatcher and collects the body as text. Uses the dispatcher's
 * handler interface directly because it reports `onRequestSent` — the line between "surely not acted
 * on" and "maybe acted on" that the retry policy depends on. `handlers` picks the handler interface;
 * by default that of the installed undici, so the same code runs on undici 7 and 8.
 */
export function exchange(
  dispatcher: Dispatcher,
  request: HttpRequest,
  handlers: HandlerInterface = INSTALLED_HANDLER_INTERFACE,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let sent = false;
    let timedOut = false;
    let abort: ((reason: Error) => void) | undefined;
    let status = 0;
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      timedOut = true;
      if (abort) abort(new Error('deadline exceeded'));
      // Still connecting: nothing was written, so the call can be given up on here and now.
      else reject(new TransportFailure(false, true, { cause: new Error('connect deadline exceeded') }));
    }, request.timeoutMs);
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      outcome();
    };
    // One exchange, whichever interface reports it.
    const started = (abortFn: (reason: Error) => void) => {
      abort = abortFn;
      if (timedOut) abortFn(new Error('deadline exceeded'));
    };
    const requestSent = () => {
      sent = true;
    };
    const responseStarted = (statusCode: number) => {
      status = statusCode;
    };
    const data = (chunk: Buffer) => {
      chunks.push(chunk);
    };
    const completed = () => settle(() => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
    // A response that started arriving proves the request was sent.
    const failed = (error: Error) =>
      settle(() => reject(new TransportFailure(sent || status !== 0, timedOut, { cause: error })));

    const handler =
      handlers === 'legacy'
        ? ({
            onConnect: (abortFn: (reason?: Error) => void) => started(abortFn),
            onRequestSent: requestSent,
            onHeaders(statusCode: number) {
              responseStarted(statusCode);
              return true;
            },
            onData(chunk: Buffer) {
              data(chunk);
              return true;
            },
            onComplete: completed,
            onError: failed,
          } as Dispatcher.DispatchHandler)
        : ({
            onRequestStart: (controller: Dispatcher.DispatchController) =>
              started((reason) => controller.abort(reason)),
            onRequestSent: requestSent,
            onResponseStart: (_controller: Dispatcher.DispatchController, statusCode: number) =>
              responseStarted(statusCode),
            onResponseData: (_controller: Dispatcher.DispatchController, chunk: Buffer) => data(chunk),
            onResponseEnd: completed,
            onResponseError: (_controller: Dispatcher.DispatchController, error: Error) => failed(error),
          } as Dispatcher.DispatchHandler);
    dispatcher.dispatch(
      {
        origin: request.origin,
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        // The deadline above governs; undici's own timers are disabled so they cannot disagree with it.
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      handler,
    );
  });
}
