import type { Dispatcher } from 'undici';

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
 * Sends one request through an undici dispatcher and collects the body as text. Uses the dispatcher's
 * handler interface directly because it reports `onRequestSent` — the line between "surely not acted
 * on" and "maybe acted on" that the retry policy depends on.
 */
export function exchange(dispatcher: Dispatcher, request: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let sent = false;
    let timedOut = false;
    let abort: ((reason?: Error) => void) | undefined;
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
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortFn: (reason?: Error) => void) {
        abort = abortFn;
        if (timedOut) abortFn(new Error('deadline exceeded'));
      },
      onRequestSent() {
        sent = true;
      },
      onHeaders(statusCode: number, _headers: Buffer[], _resume: () => void) {
        status = statusCode;
        return true;
      },
      onData(chunk: Buffer) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        settle(() => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
      },
      onError(error: Error) {
        // A response that started arriving proves the request was sent.
        settle(() => reject(new TransportFailure(sent || status !== 0, timedOut, { cause: error })));
      },
    } as Dispatcher.DispatchHandler;
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
