import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bindAxn, bindAxnExtension } from './actions/bind.js';
import type { ActionContext, ActionHandler } from './actions/context.js';
import { querySubscriptionDetail, unbindSubscription, updateSubscription } from './actions/manage.js';
import { queryRecordFileDownloadUrl, querySecretNoRemain, querySubsId } from './actions/query.js';
import { querySecretNoDetail } from './actions/secret-no-detail.js';
import { ApiFailure } from './api-failure.js';
import { EmulatorClock } from './clock.js';
import { openEmulatorDatabase } from './database.js';
import { FaultInjector } from './faults.js';
import { Gateway } from './gateway.js';
import { handleOperator, sendJson, signLink } from './operator.js';
import { checkOperatorRequest, hostsFor, type OperatorAccess } from './operator-access.js';
import { receiptTarget } from './receipt-target.js';
import { ReceiptPusher } from './receipts.js';
import { responseFormat, toXml } from './render.js';
import { readParams } from './request-params.js';
import { seedDemo } from './seed.js';
import { EmulatorStore } from './store.js';

/** The product's actions the emulator implements. */
const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  BindAxnExtension: bindAxnExtension,
  BindAxn: bindAxn,
  UnbindSubscription: unbindSubscription,
  UpdateSubscription: updateSubscription,
  QuerySubscriptionDetail: querySubscriptionDetail,
  QuerySubsId: querySubsId,
  QuerySecretNoRemain: querySecretNoRemain,
  QuerySecretNoDetail: querySecretNoDetail,
  QueryRecordFileDownloadUrl: queryRecordFileDownloadUrl,
};

/** Largest request body accepted; larger ones get 413. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Largest request target (path and query) accepted; longer ones get 414. */
export const MAX_URL_BYTES = 64 * 1024;
const HOST_ID = 'dyplsapi.aliyuncs.com';

export interface EmulatorOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** SQLite file, or `:memory:` (the default). */
  readonly db?: string;
  readonly seed?: 'demo' | 'none';
  /** Access keys the gateway accepts, id → secret; `testid` / `testsecret` by default. */
  readonly keys?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /**
   * Where call receipts are pushed as JSON arrays. With a `{type}` placeholder
   * (`http://127.0.0.1:3000/aliyun/receipts/{type}?token=…`) each message type goes to its own URL, one
   * POST per type per call, as Aliyun's console configures them; without one, each call's
   * `SecretStartReport` and `SecretReport` go together in one POST to this URL. An http(s) URL, or the
   * emulator does not start.
   */
  readonly receiptUrl?: string;
  /**
   * Multiplies the 1/5/10-minute receipt retry delays (tests use a tiny factor). Moving the emulator's
   * clock past a waiting retry sends it at once.
   */
  readonly receiptRetryScale?: number;
  /**
   * Required as `Authorization: Bearer <token>` on every operator request when set, which then may come
   * under any Host name. Unset (the default), the operator API answers only requests addressed to the
   * emulator's own loopback address. Either way operator writes must be `application/json`.
   */
  readonly operatorToken?: string;
  /** Base clock; the operator API can move the emulator's clock forward from it. */
  readonly now?: () => number;
  readonly random?: () => number;
}

/** A running emulator. */
export interface Emulator {
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly store: EmulatorStore;
  readonly clock: EmulatorClock;
  readonly faults: FaultInjector;
  readonly server: Server;
  /** Stops listening, drops connections, cancels receipt retries and closes the database. */
  close(): Promise<void>;
}

/** Starts an emulator: opens (and migrates) its database, seeds it if asked, and listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  // Checked before anything is opened, so a bad URL leaves nothing to close.
  const target = options.receiptUrl === undefined ? undefined : receiptTarget(options.receiptUrl);
  const db = openEmulatorDatabase(options.db ?? ':memory:');
  const store = new EmulatorStore(db);
  if (options.seed === 'demo') seedDemo(store);
  const clock = new EmulatorClock(options.now);
  const keys =
    options.keys instanceof Map
      ? options.keys
      : new Map(Object.entries(options.keys ?? { testid: 'testsecret' }));
  const gateway = new Gateway(keys, () => clock.now());
  const faults = new FaultInjector();
  const receipts = new ReceiptPusher(store, target, options.receiptRetryScale ?? 1, clock);
  const linkKey = randomBytes(32);
  let baseUrl = '';
  const context: ActionContext = {
    store,
    clock,
    get baseUrl() {
      return baseUrl;
    },
    signLink: (path, expiresAt) => `${baseUrl}${signLink(linkKey, path, expiresAt)}`,
    random: options.random ?? Math.random,
  };

  const server = createServer(
    { maxHeaderSize: MAX_URL_BYTES + 16 * 1024, keepAliveTimeout: 5_000 },
    (req, res) => {
      handleRequest(req, res).catch(() => {
        if (!res.headersSent)
          sendJson(res, 500, {
            Code: 'InternalError',
            Message: 'The request processing has failed due to some unknown error.',
          });
        else res.destroy();
      });
    },
  );

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    if ((req.url ?? '').length > MAX_URL_BYTES) {
      return answerFailure(
        res,
        requestId,
        'JSON',
        new ApiFailure('RequestURITooLong', `The request URI is longer than ${MAX_URL_BYTES} bytes.`, 414),
        true,
      );
    }
    const body = await readBody(req);
    if (body === undefined) {
      return answerFailure(
        res,
        requestId,
        'JSON',
        new ApiFailure(
          'RequestEntityTooLarge',
          `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
          413,
        ),
        true,
      );
    }
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.startsWith('/_emulator/')) {
      const method = req.method ?? 'GET';
      // Recording links carry their own signature and expiry: whoever was handed one may fetch it.
      const signedLink = method === 'GET' && url.pathname.startsWith('/_emulator/recordings/');
      const refusal = signedLink ? undefined : checkOperatorRequest(method, req.headers, body, access);
      if (refusal) return sendJson(res, refusal.status, { error: refusal.error }, refusal.headers);
      return handleOperator(method, url, body, res, operatorDeps);
    }
    if (url.pathname !== '/' || (req.method !== 'GET' && req.method !== 'POST')) {
      return answerFailure(
        res,
        requestId,
        'JSON',
        new ApiFailure(
          'InvalidApi.NotFound',
          'Specified api is not found,please check your url and method.',
          404,
        ),
        true,
      );
    }
    let format: 'JSON' | 'XML' = 'JSON';
    let action = '';
    try {
      const query = readParams(url.search.slice(1), undefined, '');
      const contentType = req.headers['content-type'];
      const hasForm =
        body !== '' && contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') === true;
      const params = hasForm ? readParams(url.search.slice(1), contentType, body) : query;
      format = responseFormat(params);
      const headers = lowerCaseHeaders(req);
      action = gateway.authenticate({ method: req.method, query, params, headers, body }).action;
      const handler = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
      if (!handler)
        throw new ApiFailure(
          'InvalidAction.NotFound',
          'Specified api is not found, please check your url and method.',
          404,
        );
      if (faults.overCap(action, clock.now()))
        throw new ApiFailure('isv.FLOW_LIMIT', 'Triggering the flow control.', 200);
      const fault = faults.take(action);
      if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault?.drop === 'before') return void req.socket.destroy();
      if (fault?.code) {
        const status = fault.httpStatus ?? (/^is[pv]\./.test(fault.code) ? 200 : 400);
        throw new ApiFailure(fault.code, fault.message ?? fault.code, status);
      }
      const result = handler(params, context);
      if (fault?.drop === 'after') return void req.socket.destroy();
      send(res, 200, format, `${action}Response`, {
        RequestId: requestId,
        Code: 'OK',
        Message: 'OK',
        ...result,
      });
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      answerFailure(res, requestId, format, error, error.httpStatus !== 200, action);
    }
  }

  const operatorDeps = { store, clock, faults, receipts, baseUrl: () => baseUrl, linkKey };
  // Known once listening (the port may be picked by the system); no request arrives before that.
  let access: OperatorAccess = { token: options.operatorToken, hosts: new Set() };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  }).catch((error: unknown) => {
    // Not listening (a busy port, say): release what was opened, so the caller can try another port.
    receipts.close();
    db.close();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  access = { token: options.operatorToken, hosts: hostsFor(options.host ?? '127.0.0.1', address.port) };
  let closed = false;
  return {
    url: baseUrl,
    port: address.port,
    store,
    clock,
    faults,
    server,
    async close() {
      if (closed) return;
      closed = true;
      receipts.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}

/** Gateway errors carry HostId and Recommend; business errors only Code, Message and RequestId. */
function answerFailure(
  res: ServerResponse,
  requestId: string,
  format: 'JSON' | 'XML',
  failure: ApiFailure,
  gatewayStyle: boolean,
  action = '',
): void {
  const body: Record<string, unknown> = {
    RequestId: requestId,
    Code: failure.code,
    Message: failure.message,
  };
  if (gatewayStyle) {
    body.HostId = HOST_ID;
    body.Recommend = `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(failure.code)}&product=Dyplsapi&requestId=${requestId}`;
  }
  send(res, failure.httpStatus, format, gatewayStyle || !action ? 'Error' : `${action}Response`, body);
}

function send(
  res: ServerResponse,
  status: number,
  format: 'JSON' | 'XML',
  xmlRoot: string,
  body: Record<string, unknown>,
): void {
  const text = format === 'XML' ? toXml(xmlRoot, body) : JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': format === 'XML' ? 'text/xml; charset=utf-8' : 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}

/** Reads the body up to the limit; `undefined` (and the rest discarded) when it is larger. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}
