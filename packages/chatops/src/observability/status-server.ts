import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ConfigError } from '../config.js';
import type { Logger } from '../logger.js';
import type { BotMetrics } from './metrics.js';

/** What a bot's status port answers besides liveness. */
export interface StatusServerOptions {
  readonly port: number;
  readonly host?: string;
  /** Why the bot cannot serve right now (the ledger unreachable, the platform connection down), or nothing. */
  readonly notReady: () => Promise<string | undefined>;
  readonly metrics: BotMetrics;
  readonly logger: Logger;
  /**
   * Other routes (e.g. Slack's events endpoint in HTTP mode): answers whether it handled the request.
   * It owns the response when it does, and must not throw.
   */
  /** Whether PORT may be left unset (the bot then serves no status port): said when the port is taken. */
  readonly portOptional?: boolean;
  readonly fallback?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /**
   * What `/readyz` says besides ready or not, for an operator (e.g. `{ limits: runtime.limitsStatus() }`:
   * whether the rate limits are shared through Redis or kept per process while it is away).
   */
  readonly readyDetail?: () => Readonly<Record<string, unknown>>;
}

const ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Why a bot is not ready, as `/readyz` says it to an operator's probe. */
export const NOT_READY = {
  starting: 'starting',
  ledger: 'the ledger is not reachable',
  slack: 'not connected to Slack',
  dingtalk: 'not connected to the DingTalk stream',
} as const;

/** Whether the ledger answers (a cheap count): nothing when it does, the reason when it does not. */
export async function ledgerReadiness(ledger: {
  countActiveBindings(now: number): Promise<number>;
}): Promise<string | undefined> {
  return ledger.countActiveBindings(Date.now()).then(
    () => undefined,
    () => NOT_READY.ledger,
  );
}

/**
 * The one HTTP server of a bot, in every mode: `GET /healthz` (the process runs), `GET /readyz` (it can
 * serve: 503 with the reason otherwise), `GET /metrics` (Prometheus). It answers anything else without
 * dying: unknown paths 404, other methods 405 with `Allow`, a failure inside a route 500 and one log
 * line. A port in use is a setting to fix ({@link ConfigError}).
 */
export async function startStatusServer(options: StatusServerOptions): Promise<Server> {
  const { logger } = options;
  const server = createServer((req, res) => {
    answer(req, res, options).catch((error: unknown) => {
      logger.error('could not answer a status request', {
        path: (req.url ?? '').split('?')[0]?.slice(0, 100),
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  // A request Node cannot parse (an unknown method, a broken header) is answered 400 here; it must never
  // reach the process as an error.
  server.on('clientError', (_error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError(
              `PORT ${options.port} is already in use: set PORT to a free port${options.portOptional ? ', or leave it unset' : ''}`,
            )
          : error,
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  options: StatusServerOptions,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (!ROUTES.has(path)) {
    if (options.fallback?.(req, res)) return;
    res.writeHead(404).end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const send = (status: number, contentType: string, body: string): void => {
    res.writeHead(status, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : body);
  };
  if (path === '/healthz') return send(200, 'application/json', '{"ok":true}');
  if (path === '/readyz') {
    const reason = await options.notReady();
    const detail = options.readyDetail?.() ?? {};
    return reason
      ? send(503, 'application/json', JSON.stringify({ ready: false, reason, ...detail }))
      : send(200, 'application/json', JSON.stringify({ ready: true, ...detail }));
  }
  const { contentType, body } = await options.metrics.render();
  return send(200, contentType, body);
}
