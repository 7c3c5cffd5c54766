import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ConfigError } from '@axnbot/chatops';

/** What the status port serves. */
export interface StatusRoutes {
  /** `GET /healthz`: a status (200 connected, 503 not) and a JSON body. */
  readonly health: () => { status: number; body: unknown };
  /** `GET /metrics`: Prometheus text. */
  readonly metrics: () => string;
  readonly log: (line: string) => void;
}

const CONTENT_TYPES = { json: 'application/json', prometheus: 'text/plain; version=0.0.4' } as const;

/**
 * Serves `/healthz` and `/metrics` on `port`, and answers everything else so that no request can end
 * the process: unknown paths 404, methods other than GET and HEAD 405 with `Allow`, and a failure
 * inside a route 500 with one log line. A port in use is a setting to fix ({@link ConfigError}).
 */
export async function serveStatus(port: number, routes: StatusRoutes): Promise<Server> {
  const server = createServer((req, res) => {
    try {
      route(req, res, routes);
    } catch (error) {
      routes.log(
        `dingtalk-bot: could not answer a status request: ${error instanceof Error ? error.message : 'error'}`,
      );
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError(`PORT ${port} is already in use: set PORT to a free port, or leave it unset`)
          : error,
      ),
    );
    server.listen(port, () => resolve());
  });
  return server;
}

function route(req: IncomingMessage, res: ServerResponse, routes: StatusRoutes): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/healthz' && path !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/healthz') {
    const { status, body } = routes.health();
    res.writeHead(status, { 'content-type': CONTENT_TYPES.json }).end(JSON.stringify(body));
  } else {
    res.writeHead(200, { 'content-type': CONTENT_TYPES.prometheus }).end(routes.metrics());
  }
}
