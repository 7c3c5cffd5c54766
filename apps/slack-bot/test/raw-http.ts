import { Agent, request } from 'node:http';

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
