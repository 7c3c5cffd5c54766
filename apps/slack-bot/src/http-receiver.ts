import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, RefusalLog, silentLogger } from '@axnbot/chatops';
import { type App, HTTPModuleFunctions, type Receiver, ReceiverMultipleAckError } from '@slack/bolt';
import { describeError } from './log-line.js';
import { ReplayGuard } from './replay-guard.js';
import { isSslCheck, parseSlackBody, readBody } from './request-body.js';
import { checkSigningHeaders, MAX_SKEW_SECONDS, signatureMatches } from './signature.js';

/** Where Slack posts slash commands, interactivity and events. */
export const EVENTS_PATH = '/slack/events';
/** Slack gives up after 3 s; like Bolt, a request nobody acknowledged by then is answered 404. */
const ACK_TIMEOUT_MS = 3_001;
/** Verified requests remembered at once: about 170 a second for five minutes, far above this bot's load. */
export const MAX_REMEMBERED_REQUESTS = 50_000;

export interface SlackHttpReceiverOptions {
  readonly signingSecret: string;
  readonly port: number;
  /** Read-only routes served beside the events endpoint (GET and HEAD), e.g. `/healthz`. */
  readonly routes?: Readonly<Record<string, (res: ServerResponse) => void | Promise<void>>>;
  /**
   * Handlers that own every request under a path prefix, any method (e.g. Aliyun's receipt push at
   * `/aliyun/receipts/`): each answers for itself.
   */
  readonly prefixes?: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>>;
  /** Where the receiver's few lines go (a refused request, a failed handler); silent by default. */
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * Bolt's receiver for HTTP mode, written for this bot instead of Bolt's `HTTPReceiver`, which throws
 * out of its request listener for unknown paths and crashes on a signed `null` body. Every request ends
 * here with an answer — 404 for unknown paths, 405 for wrong methods, 413/415/400 for unusable bodies,
 * 401 for bad or replayed signatures, 500 for whatever Bolt or a handler throws — and at most one log
 * line; nothing a sender does can end the process.
 *
 * For `POST /slack/events` it owns what Bolt's receiver did: the size-limited body, `ssl_check`, the
 * signature (canonical headers only, see {@link checkSigningHeaders}), the replay guard (recorded only
 * after the signature verified), `url_verification`, and the ack that becomes the HTTP response.
 */
export class SlackHttpReceiver implements Receiver {
  /** Public for metrics: how many verified requests are remembered against replays. */
  readonly replays: ReplayGuard;
  private app: App | undefined;
  private server: Server | undefined;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly refusals: RefusalLog;

  constructor(private readonly options: SlackHttpReceiverOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.replays = new ReplayGuard(MAX_REMEMBERED_REQUESTS, this.now);
    this.refusals = new RefusalLog(this.logger, 'refused a request', this.now);
  }

  /** Called by Bolt's App constructor. */
  init(app: App): void {
    this.app = app;
  }

  /** Listens on the configured port (0 picks one); resolves with the server once it is listening. */
  async start(): Promise<Server> {
    const server = createServer((req, res) => this.listen(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, () => resolve());
    });
    this.server = server;
    return server;
  }

  /** Stops listening and closes idle keep-alive connections; resolves once the server has closed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  /** The request listener. It never throws: whatever goes wrong is answered 500 and logged once. */
  private listen(req: IncomingMessage, res: ServerResponse): void {
    Promise.resolve()
      .then(() => this.route(req, res))
      .catch((error: unknown) => {
        this.logger.error('could not answer a request', { error: describeError(error) });
        answer(res, 500);
      });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === EVENTS_PATH) {
      if (req.method === 'POST') return this.handleEvent(req, res);
      return answer(res, 405, { allow: 'POST' });
    }
    for (const [prefix, handle] of Object.entries(this.options.prefixes ?? {}))
      if (path?.startsWith(prefix)) return handle(req, res);
    const routes = this.options.routes ?? {};
    if (path !== undefined && Object.hasOwn(routes, path)) {
      if (req.method === 'GET' || req.method === 'HEAD') return routes[path]!(res);
      return answer(res, 405, { allow: 'GET, HEAD' });
    }
    answer(res, 404);
  }

  private async handleEvent(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (raw === undefined) return answer(res, 413, { connection: 'close' });
    const contentType = req.headers['content-type'];
    // Slack's TLS probe is unsigned and carries nothing to act on (Bolt answers it the same way).
    if (isSslCheck(contentType, raw)) return answer(res, 200);

    const now = this.now();
    const headers = checkSigningHeaders(
      req.headers['x-slack-request-timestamp'],
      req.headers['x-slack-signature'],
      now,
    );
    if (!headers.ok) return this.refuse(res, headers.reason);
    if (!signatureMatches(this.options.signingSecret, raw, headers, now))
      return this.refuse(res, 'signature does not match');
    // Recorded only now that it verified, keyed on the canonical pair, until its timestamp goes stale.
    const expiresAt = (headers.timestampSec + MAX_SKEW_SECONDS + 1) * 1000;
    const seen = this.replays.record(`${headers.timestampSec}:${headers.signature}`, expiresAt);
    if (seen === 'replay') {
      this.logger.warn('refused a replayed request', { timestamp: headers.timestampSec });
      return answer(res, 401);
    }
    if (seen === 'full') {
      this.logger.warn('too many requests in five minutes to guard against replays; asked Slack to retry');
      return answer(res, 503, { 'retry-after': '60' });
    }

    const parsed = parseSlackBody(contentType, raw);
    if (!parsed.ok) {
      this.logger.warn('refused a signed request', { reason: parsed.reason });
      return answer(res, parsed.status);
    }
    const { body } = parsed;
    if (body.type === 'url_verification') {
      if (typeof body.challenge !== 'string') return answer(res, 400);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ challenge: body.challenge }));
      return;
    }
    await this.dispatch(req, res, body);
  }

  /** Hands a verified payload to Bolt; the listener's `ack()` becomes the HTTP response. */
  private async dispatch(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) {
    if (!this.app) throw new Error('the receiver was not initialised by an App');
    // `ackCalled`: the listener acknowledged (twice is a bug Bolt reports); `answered`: a response went out.
    let ackCalled = false;
    let answered = false;
    const timer = setTimeout(() => {
      if (answered) return;
      answered = true;
      this.logger.warn('a request was not acknowledged within 3 seconds');
      answer(res, 404);
    }, ACK_TIMEOUT_MS);
    const ack = async (response?: unknown): Promise<void> => {
      if (ackCalled) throw new ReceiverMultipleAckError();
      ackCalled = true;
      if (answered) return; // the 3-second timer answered already
      answered = true;
      clearTimeout(timer);
      HTTPModuleFunctions.buildContentResponse(res, response);
    };
    try {
      await this.app.processEvent({ body, ack, ...retryOf(req) });
      if (!answered) {
        answered = true;
        this.logger.warn('no handler for a signed request', { type: describeBodyType(body) });
        answer(res, 404);
      }
    } catch (error) {
      answered = true;
      this.logger.error('could not process a request', { error: describeError(error) });
      answer(res, 500);
    } finally {
      clearTimeout(timer);
    }
  }

  private refuse(res: ServerResponse, reason: string): void {
    this.refusals.refused({ reason });
    answer(res, 401);
  }
}

/** Answers with a status and no body, unless an answer has gone out already. */
function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, headers).end();
}

/** Slack's retry headers, as Bolt reads them, ignoring anything that is not a small number. */
function retryOf(req: IncomingMessage): { retryNum?: number; retryReason?: string } {
  const num = req.headers['x-slack-retry-num'];
  const reason = req.headers['x-slack-retry-reason'];
  return {
    ...(typeof num === 'string' && /^\d{1,4}$/.test(num) ? { retryNum: Number(num) } : {}),
    ...(typeof reason === 'string' ? { retryReason: reason.slice(0, 100) } : {}),
  };
}

/** What kind of payload came, for a log line: its `type` or `command`, never its content. */
function describeBodyType(body: Record<string, unknown>): string {
  const kind = typeof body.command === 'string' ? body.command : body.type;
  return typeof kind === 'string' && /^[\w/.-]{1,40}$/.test(kind) ? kind : 'unknown type';
}
