import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyAcs3, verifyRpcV2 } from '../src/index.js';

/** One request as the scripted server saw it, after checking its signature. */
export interface SeenRequest {
  readonly method: string;
  readonly params: Record<string, string>;
  readonly action: string;
  readonly nonce: string;
  readonly signature: 'v2' | 'v3';
}

/** What the script tells the server to do with a request. */
export type Answer =
  | { status?: number; body: unknown; delayMs?: number }
  | { raw: string; status: number }
  | 'drop';

/**
 * A real HTTP server on 127.0.0.1 that verifies every request with the core verifiers (a bad signature
 * fails the test loudly: it answers 599) and answers from a script.
 */
export async function startScriptedServer(
  script: (request: SeenRequest, index: number) => Answer,
  secret = 'testsecret',
): Promise<{ url: string; seen: SeenRequest[]; server: Server; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    readBody(req).then((body) => handle(req, res, body));
  });
  function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (body && req.headers['content-type']?.includes('application/x-www-form-urlencoded')) {
      Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const isV3 = typeof req.headers.authorization === 'string';
    const verdict = isV3
      ? verifyAcs3({ method: req.method ?? 'GET', query: params, headers, body }, secret)
      : verifyRpcV2(params, req.method ?? 'GET', secret);
    if (!verdict.ok) {
      res
        .writeHead(599)
        .end(JSON.stringify({ Code: 'TestSignatureRejected', Message: verdict.message, RequestId: 'T' }));
      return;
    }
    const request: SeenRequest = {
      method: req.method ?? 'GET',
      params,
      action: isV3 ? (headers['x-acs-action'] ?? '') : (params.Action ?? ''),
      nonce: isV3 ? (headers['x-acs-signature-nonce'] ?? '') : (params.SignatureNonce ?? ''),
      signature: isV3 ? 'v3' : 'v2',
    };
    seen.push(request);
    const answer = script(request, seen.length - 1);
    if (answer === 'drop') {
      req.socket.destroy();
      return;
    }
    if ('raw' in answer) {
      res.writeHead(answer.status, { 'content-type': 'text/html' }).end(answer.raw);
      return;
    }
    const send = () => {
      if (!res.destroyed) {
        res
          .writeHead(answer.status ?? 200, { 'content-type': 'application/json' })
          .end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      }
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs);
    else send();
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** A free port on 127.0.0.1 (listened on once, then released). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
