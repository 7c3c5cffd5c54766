import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Agent, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { AxnError } from '../errors/axn-error.js';
import { errorCodeFrom } from '../errors/taxonomy.js';
import { type Logger, silentLogger } from '../logger.js';
import { parseJsonLossless } from '../lossless-json.js';
import type { AnyOperation, OperationInput, OperationOutput } from '../operations/operation.js';
import { scrubPhones } from '../privacy.js';
import { EMPTY_BODY_SHA256, signAcs3 } from '../signing/acs3.js';
import { canonicalQuery, percentEncode } from '../signing/percent-encode.js';
import { signRpcV2 } from '../signing/rpc-v2.js';
import { formatSigningTimestamp } from '../time.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.js';
import {
  type Credentials,
  type CredentialsProvider,
  isCredentialsProvider,
  resolveCredentials,
  staticCredentials,
} from './credentials.js';
import { TokenBucket } from './token-bucket.js';
import { exchange, type HttpRequest, type HttpResponse, TransportFailure } from './transport.js';

/** The API version every dyplsapi call names. */
export const API_VERSION = '2017-05-25';
/** Alibaba Cloud's single, central endpoint for the product. */
export const DEFAULT_ENDPOINT = 'https://dyplsapi.aliyuncs.com';

/** Options of {@link createDyplsClient}; everything but the credentials has a default. */
export interface DyplsClientOptions {
  /** Base URL (`https://dyplsapi.aliyuncs.com`, or an emulator's `http://127.0.0.1:8787`). */
  readonly endpoint?: string;
  /** Credentials; read from `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN` when absent. */
  readonly credentials?: Partial<Credentials> | CredentialsProvider;
  /** `v3` (ACS3-HMAC-SHA256, default) or `v2` (HMAC-SHA1). */
  readonly signature?: 'v3' | 'v2';
  /** HTTP method; POST by default (V2 POST sends a form body; V3 keeps parameters in the query). */
  readonly method?: 'GET' | 'POST';
  /**
   * Deadline for a whole call, retries included (default 10 000 ms, the product's own timeout), from its
   * first turn at the rate limit: waiting for that turn is not counted.
   */
  readonly timeoutMs?: number;
  /** Client-side rate limit in calls a second; unlimited when absent. */
  readonly maxQps?: number;
  /**
   * Waits for the right to make each try, in place of the `maxQps` bucket: how replicas share one rate
   * (chatops' Redis limiter). A {@link TokenBucket} is one; `maxQps` is ignored when this is given.
   */
  readonly limiter?: CallLimiter;
  readonly retry?: Partial<RetryPolicy>;
  /** The undici dispatcher; a keep-alive Agent by default (closed by {@link DyplsClient.close}). */
  readonly dispatcher?: Dispatcher;
  /** Milliseconds since the epoch; injected for exact tests. */
  readonly now?: () => number;
  /** A fresh signature nonce per try; a UUID by default. */
  readonly nonce?: () => string;
  /** Uniform random in [0, 1) for backoff jitter. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Environment to read credentials from; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Told of every call: one line per call (action, outcome code, RequestId, tries, duration) at `debug`
   * when it succeeded, `warn` when it failed; the gateway's string to sign (numbers masked) at `debug`.
   */
  readonly logger?: Logger;
  /** Told of every call when it ends (for metrics): its action, `OK` or the error code, and its duration. */
  readonly onCall?: (call: { action: string; code: string; durationMs: number }) => void;
}

/**
 * What the client waits on before each try it sends (the first and every retry): resolves when the try
 * may go. The client knows nothing of where the count is kept, so a limiter shared by several processes
 * (through Redis, say) plugs in here; core stays free of it.
 */
export interface CallLimiter {
  acquire(): Promise<void>;
}

/** A client for one endpoint and one set of credentials. */
export interface DyplsClient {
  /**
   * Validates `input`, signs and sends the call, and resolves with the operation's typed output.
   * Rejects with an {@link AxnError}: `local.VALIDATION` before any network traffic, an Aliyun code when
   * the service refused, or `local.TIMEOUT` / `local.NETWORK` / `local.DECODE` / `local.OUTCOME_UNKNOWN`.
   */
  call<Op extends AnyOperation>(operation: Op, input: OperationInput<Op>): Promise<OperationOutput<Op>>;
  /** Sends raw wire parameters (for `axn api`): signed and classified the same way, output undecoded. */
  callRaw(
    action: string,
    params: Record<string, string>,
    effect?: 'read' | 'write',
  ): Promise<Record<string, unknown>>;
  readonly endpoint: string;
  /** Releases pooled connections (only those of a dispatcher the client created). */
  close(): Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates a dyplsapi client. Fails at once with `local.CONFIG` when credentials are missing or the
 * endpoint is not an http(s) URL.
 */
export function createDyplsClient(options: DyplsClientOptions = {}): DyplsClient {
  // Plain keys (given, or from the environment) are checked now; a provider is asked before each try.
  const provider: CredentialsProvider = isCredentialsProvider(options.credentials)
    ? options.credentials
    : staticCredentials(resolveCredentials(options.credentials, options.env));
  const endpoint = parseEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
  const signature = options.signature ?? 'v3';
  const method = options.method ?? 'POST';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const now = options.now ?? Date.now;
  const nonce = options.nonce ?? randomUUID;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher =
    options.dispatcher ??
    new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000, connections: 64 });
  const limiter: CallLimiter | undefined =
    options.limiter ?? (options.maxQps ? new TokenBucket(options.maxQps, now, sleep) : undefined);
  const logger = options.logger ?? silentLogger;

  /** Builds one signed try; each try gets its own timestamp and nonce. */
  function buildRequest(
    action: string,
    params: Record<string, string>,
    tryTimeoutMs: number,
    credentials: Credentials,
  ) {
    const timestamp = formatSigningTimestamp(now());
    const signatureNonce = nonce();
    if (signature === 'v2') {
      const all: Record<string, string> = {
        ...params,
        Action: action,
        Version: API_VERSION,
        Format: 'JSON',
        AccessKeyId: credentials.accessKeyId,
        SignatureMethod: 'HMAC-SHA1',
        SignatureVersion: '1.0',
        SignatureNonce: signatureNonce,
        Timestamp: timestamp,
      };
      if (credentials.securityToken) all.SecurityToken = credentials.securityToken;
      const signed = signRpcV2(all, method, credentials.accessKeySecret);
      const encoded = `${signed.canonicalQuery}&Signature=${encodeURIComponent(signed.signature)}`;
      const request: HttpRequest =
        method === 'GET'
          ? {
              origin: endpoint.origin,
              path: `${endpoint.path}?${encoded}`,
              method,
              headers: {},
              timeoutMs: tryTimeoutMs,
            }
          : {
              origin: endpoint.origin,
              path: endpoint.path,
              method,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: encoded,
              timeoutMs: tryTimeoutMs,
            };
      return { request, signature: signed.signature };
    }
    const headers: Record<string, string> = {
      host: endpoint.host,
      'x-acs-action': action,
      'x-acs-version': API_VERSION,
      'x-acs-date': timestamp,
      'x-acs-signature-nonce': signatureNonce,
      'x-acs-content-sha256': EMPTY_BODY_SHA256,
      accept: 'application/json',
    };
    if (credentials.securityToken) headers['x-acs-security-token'] = credentials.securityToken;
    const query = { ...params, Format: 'JSON' };
    const signed = signAcs3({ method, query, headers }, credentials.accessKeyId, credentials.accessKeySecret);
    headers.authorization = signed.authorization;
    const request: HttpRequest = {
      origin: endpoint.origin,
      path: `${endpoint.path}?${canonicalQuery(query)}`,
      method,
      headers,
      timeoutMs: tryTimeoutMs,
    };
    return { request, signature: signed.signature };
  }

  /** {@link attempt}, with one log line for the call whatever its outcome. */
  async function send(action: string, params: Record<string, string>, effect: 'read' | 'write') {
    const started = now();
    const tries = { count: 0 };
    try {
      const body = await attempt(action, params, effect, tries);
      options.onCall?.({ action, code: 'OK', durationMs: now() - started });
      logger.info('aliyun call', {
        action,
        code: 'OK',
        requestId: body.RequestId,
        tries: tries.count,
        durationMs: now() - started,
      });
      return body;
    } catch (error) {
      if (error instanceof AxnError) {
        options.onCall?.({ action, code: error.code, durationMs: now() - started });
        logger.warn('aliyun call failed', {
          action,
          code: error.code,
          requestId: error.requestId,
          httpStatus: error.httpStatus,
          tries: tries.count,
          durationMs: now() - started,
          message: scrubPhones(error.message),
        });
        if (error.debugDetail)
          logger.debug('aliyun gateway detail', { action, detail: scrubPhones(error.debugDetail) });
      }
      throw error;
    }
  }

  async function attempt(
    action: string,
    params: Record<string, string>,
    effect: 'read' | 'write',
    tries: { count: number },
  ) {
    // The deadline is the call's own: a wait for the first turn at the rate limit (queued behind other
    // calls, perhaps other replicas') comes before it, as the call has not started yet.
    if (limiter) await limiter.acquire();
    const deadline = now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      tries.count = attempt;
      const remaining = deadline - now();
      if (remaining <= 0) throw timeoutError(action, effect, attempt > 1);
      let failure: AxnError;
      try {
        const credentials = await provider.getCredentials();
        const { request, signature: trySignature } = buildRequest(action, params, remaining, credentials);
        const response = await exchange(dispatcher, request);
        // A server may echo what it received; the signature is as private as the secret.
        const redact = redactor(credentials);
        const outcome = classifyResponse(action, response, (text) => redactValue(redact(text), trySignature));
        if (!(outcome instanceof AxnError)) return outcome;
        // A server-side failure after a write was received may follow the write itself: not repeated.
        if (effect === 'write' && outcome.mayHaveTakenEffect) throw unknownAfterAnswer(action, outcome);
        failure = outcome;
      } catch (error) {
        if (!(error instanceof TransportFailure)) throw error;
        // Sent but unanswered: a read can be asked again; a write may have happened, so it is not repeated.
        if (error.sent && effect === 'write') {
          throw new AxnError({
            code: 'local.OUTCOME_UNKNOWN',
            action,
            message: `${action} was sent but ${error.timedOut ? 'no answer came within the deadline' : 'the connection dropped before an answer'}; it may or may not have taken effect.`,
            cause: error.cause,
          });
        }
        if (error.timedOut) throw timeoutError(action, effect, error.sent);
        failure = new AxnError({
          code: 'local.NETWORK',
          action,
          message: `Could not reach ${endpoint.origin}: ${describeCause(error.cause)}.`,
          cause: error.cause,
        });
      }
      if (!failure.retryable || attempt >= retry.maxAttempts) throw failure;
      const delay = backoffDelay(retry, attempt, random);
      if (now() + delay >= deadline) throw failure;
      await sleep(delay);
      if (limiter) await limiter.acquire();
    }
  }

  const client: DyplsClient = {
    endpoint: endpoint.href,
    async call(operation, input) {
      const parsed = operation.input.safeParse(input);
      if (!parsed.success) {
        throw new AxnError({
          code: 'local.VALIDATION',
          action: operation.action,
          message: describeIssues(operation.action, parsed.error),
        });
      }
      const body = await send(operation.action, operation.toWire(parsed.data), operation.effect);
      const decoded = operation.output.safeParse(body);
      if (!decoded.success) {
        throw new AxnError({
          code: 'local.DECODE',
          action: operation.action,
          requestId: typeof body.RequestId === 'string' ? body.RequestId : undefined,
          message: `${operation.action} answered OK with an unexpected shape: ${describeIssues(operation.action, decoded.error)}`,
        });
      }
      return decoded.data;
    },
    callRaw(action, params, effect = 'write') {
      return send(action, params, effect);
    },
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
  Object.defineProperty(client, inspect.custom, {
    value: () => `DyplsClient { endpoint: '${endpoint.href}', signature: '${signature}' }`,
  });
  Object.defineProperty(client, 'toJSON', { value: () => ({ endpoint: endpoint.href, signature }) });
  return client;
}

/** Turns a received response into its decoded body, or the AxnError it stands for. */
function classifyResponse(
  action: string,
  response: HttpResponse,
  redact: (text: string) => string,
): Record<string, unknown> | AxnError {
  let body: unknown;
  try {
    body = parseJsonLossless(response.body);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return new AxnError({
      code: 'local.DECODE',
      action,
      httpStatus: response.status,
      message: `${action} answered HTTP ${response.status} with a body that is not a JSON object: ${JSON.stringify(
        redact(response.body.slice(0, 200)),
      )}`,
    });
  }
  const record = body as Record<string, unknown>;
  const code = typeof record.Code === 'string' ? record.Code : undefined;
  if (response.status === 200 && code === 'OK') return record;
  const text = (value: unknown) => (typeof value === 'string' && value ? redact(value) : undefined);
  // The gateway appends its string to sign to a signature mismatch: useful to an operator debugging the
  // signer, but it carries every parameter (phone numbers included), so it never goes into `message`.
  const [message, stringToSign] = splitStringToSign(text(record.Message));
  return new AxnError({
    code:
      code !== undefined ? errorCodeFrom(code) : response.status >= 500 ? 'InternalError' : 'local.DECODE',
    action,
    httpStatus: response.status,
    requestId: text(record.RequestId),
    recommend: text(record.Recommend),
    hostId: text(record.HostId),
    message: message ?? `${action} answered HTTP ${response.status} without a Code.`,
    debugDetail: stringToSign && `server string to sign: ${stringToSign}`,
  });
}

const STRING_TO_SIGN_MARKER = /\s*server string to sign is:?/i;

/** Splits a gateway message into what people may read and the string to sign it may carry. */
function splitStringToSign(message: string | undefined): [string | undefined, string | undefined] {
  if (message === undefined) return [undefined, undefined];
  const match = STRING_TO_SIGN_MARKER.exec(message);
  if (!match) return [message, undefined];
  return [message.slice(0, match.index).trim(), message.slice(match.index + match[0].length)];
}

/** A write the service answered with a server-side failure: it may or may not have taken effect. */
function unknownAfterAnswer(action: string, answer: AxnError): AxnError {
  return new AxnError({
    code: 'local.OUTCOME_UNKNOWN',
    action,
    httpStatus: answer.httpStatus,
    requestId: answer.requestId,
    message: `${action} was received but answered ${answer.code} (HTTP ${answer.httpStatus}); it may or may not have taken effect.`,
    cause: answer,
  });
}

function timeoutError(action: string, effect: 'read' | 'write', maybeSent: boolean): AxnError {
  if (effect === 'write' && maybeSent) {
    return new AxnError({
      code: 'local.OUTCOME_UNKNOWN',
      action,
      message: `${action} was sent but no answer came within the deadline; it may or may not have taken effect.`,
    });
  }
  return new AxnError({
    code: 'local.TIMEOUT',
    action,
    message: `${action} did not finish within the deadline.`,
  });
}

/** Renders zod issues as `field: rule; field: rule`, naming the action. */
function describeIssues(action: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'input';
    if (issue.code === 'unrecognized_keys') return `${issue.keys.join(', ')}: not a parameter of ${action}`;
    if (issue.code === 'invalid_type' && issue.input === undefined) return `${field}: is required`;
    return `${field}: ${issue.message}`;
  });
  return `${action}: ${lines.join('; ')}`;
}

/** What a socket-level failure means, in words an operator can act on (the raw code in brackets). */
const NETWORK_CAUSES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    ECONNREFUSED: 'the connection was refused (nothing is listening there)',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name could not be resolved right now',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ETIMEDOUT: 'the connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
    UND_ERR_SOCKET: 'the connection closed unexpectedly',
  }),
);

function describeCause(cause: unknown): string {
  if (cause && typeof cause === 'object') {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      const meaning = NETWORK_CAUSES.get(code);
      if (meaning) return `${meaning} [${code}]`;
      if (/CERT|SSL|TLS/.test(code)) return `its TLS certificate was not accepted [${code}]`;
    }
    const message = (cause as { message?: unknown }).message;
    return [code, message].filter((part) => typeof part === 'string' && part).join(' ') || 'unknown error';
  }
  return String(cause);
}

function parseEndpoint(text: string): { origin: string; host: string; path: string; href: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AxnError({
      code: 'local.CONFIG',
      message: `Endpoint ${JSON.stringify(text)} is not a URL; use e.g. https://dyplsapi.aliyuncs.com.`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AxnError({
      code: 'local.CONFIG',
      message: `Endpoint ${JSON.stringify(text)} must be an http:// or https:// URL.`,
    });
  }
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return { origin: url.origin, host: url.host, path, href: `${url.origin}${path}` };
}

/** Removes the secret and the security token (raw and percent-encoded) from text shown to people. */
function redactor(credentials: Credentials): (text: string) => string {
  const secrets = [credentials.accessKeySecret, credentials.securityToken].filter(
    (value): value is string => typeof value === 'string' && value.length >= 4,
  );
  return (text) => secrets.reduce(redactValue, text);
}

/** Replaces a value, raw or percent-encoded once or twice, with `***`. */
function redactValue(text: string, value: string): string {
  let out = text;
  for (const form of [
    value,
    percentEncode(value),
    percentEncode(percentEncode(value)),
    encodeURIComponent(value),
  ]) {
    out = out.split(form).join('***');
  }
  return out;
}
