import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with the next calls of one action. */
export interface ProxyFault {
  readonly action: string;
  /** How many calls it applies to. */
  readonly count: number;
  /**
   * `after`: the call reaches the upstream server (its effect happens) and the client gets the fault
   * instead of the real answer. `instead`: the upstream never sees the call.
   */
  readonly when: 'after' | 'instead';
  readonly status: number;
  /** A JSON body, or raw text. */
  readonly body: unknown;
}

/**
 * A real HTTP proxy on 127.0.0.1 in front of an Aliyun-compatible server, which fails chosen calls:
 * the failure a network or gateway in between can produce, after or instead of the real effect.
 * Requests pass through byte for byte (the Host header too, so V3 signatures still verify).
 */
export async function startFaultyProxy(upstream: string) {
  const target = new URL(upstream);
  const faults: Array<ProxyFault & { left: number }> = [];
  const seen: string[] = [];
  const hooks: { beforeForward?: (action: string, index: number) => Promise<void> } = {};
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    const action = actionOf(req, body);
    seen.push(action);
    await hooks.beforeForward?.(action, seen.length - 1);
    const fault = faults.find((candidate) => candidate.action === action && candidate.left > 0);
    if (fault) fault.left -= 1;
    const answer = (status: number, text: string, type = 'application/json') =>
      res.writeHead(status, { 'content-type': type }).end(text);
    const faultAnswer = (f: ProxyFault) =>
      typeof f.body === 'string'
        ? answer(f.status, f.body, 'text/html')
        : answer(f.status, JSON.stringify(f.body));
    if (fault?.when === 'instead') return faultAnswer(fault);
    const upstreamReq = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      async (upstreamRes) => {
        const upstreamBody = await readAll(upstreamRes);
        if (fault) return faultAnswer(fault);
        answer(
          upstreamRes.statusCode ?? 502,
          upstreamBody,
          upstreamRes.headers['content-type'] ?? 'text/plain',
        );
      },
    );
    upstreamReq.on('error', () => answer(502, '{"Code":"ProxyError"}'));
    upstreamReq.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Actions in the order they arrived. */
    seen,
    /** Runs before a request is forwarded (or failed): what else happens meanwhile. */
    hooks,
    fail(fault: ProxyFault) {
      faults.push({ ...fault, left: fault.count });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readAll(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

/** The API action of a V3 (header) or V2 (query or form body) request. */
function actionOf(req: IncomingMessage, body: string): string {
  const header = req.headers['x-acs-action'];
  if (typeof header === 'string') return header;
  const query = new URL(req.url ?? '/', 'http://proxy').searchParams.get('Action');
  return query ?? new URLSearchParams(body).get('Action') ?? '';
}
