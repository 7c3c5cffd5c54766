import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/** One request exactly as written: any method, path, headers and body (fetch would refuse some). */
export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | string[]>>;
  readonly body?: string | Buffer;
}

export interface RawAnswer {
  /** 0 when no answer came (the connection failed or was dropped). */
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly error?: string;
}

/** A keep-alive client for one local port, so thousands of requests reuse a few connections. */
export function rawClient(port: number, maxSockets = 16) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    send(req: RawRequest): Promise<RawAnswer> {
      return new Promise((resolve) => {
        const outgoing = request(
          { host: '127.0.0.1', port, agent, method: req.method, path: req.path, headers: req.headers },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8'),
              }),
            );
            res.on('error', (error) => resolve({ status: 0, headers: {}, body: '', error: error.message }));
          },
        );
        outgoing.on('error', (error) => resolve({ status: 0, headers: {}, body: '', error: error.message }));
        outgoing.end(req.body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Runs `work` over `items`, `concurrency` at a time, in order of start; answers the results in order. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/**
 * Writes bytes that are not a well-formed request (or not HTTP at all) on a fresh connection and
 * answers the status line the server sent back ('' when it closed without one).
 */
export function sendBytes(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      socket.destroy();
      resolve(text.split('\r\n')[0] ?? '');
    };
    socket.setTimeout(2_000, done);
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\r\n\r\n')) done();
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.end(bytes);
  });
}

/** Malformed HTTP: garbage, broken framing, conflicting lengths, oversized headers, bad versions. */
export const MALFORMED_REQUESTS: readonly string[] = [
  'GARBAGE\r\n\r\n',
  '\u0000\u0001\u0002\r\n\r\n',
  'GET / HTTP/9.9\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n',
  'POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
  'GET /he\u0000lthz HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort',
  'GET /healthz HTTP/1.1\r\n',
];
