import { createHmac } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ANSWER_MODES, type AnswerMode } from './call-timeline.js';
import { routeCall } from './calls.js';
import type { EmulatorClock } from './clock.js';
import { parseDurationMs } from './duration.js';
import type { FaultInjector, FaultSpec } from './faults.js';
import type { ReceiptPusher, RepushResult } from './receipts.js';
import { RECORD_URL_MS, recordingPath } from './recording-link.js';
import type { Binding, CallbackMode, CityMode, EmulatorStore } from './store.js';

/** What the operator API works on. */
export interface OperatorDeps {
  readonly store: EmulatorStore;
  readonly clock: EmulatorClock;
  readonly faults: FaultInjector;
  readonly receipts: ReceiptPusher;
  readonly baseUrl: () => string;
  readonly linkKey: Buffer;
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Signs a link path with its expiry, so recordings cannot be fetched with a forged or stale link. */
export function signLink(key: Buffer, path: string, expiresAt: number): string {
  const signature = createHmac('sha256', key).update(`${path}\n${expiresAt}`).digest('hex').slice(0, 32);
  return `${path}?expires=${expiresAt}&signature=${signature}`;
}

/** A WAV header over half a second of silence: what every emulated recording sounds like. */
const SILENT_WAV = (() => {
  const samples = 4000;
  const wav = Buffer.alloc(44 + samples);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(8000, 28);
  wav.writeUInt16LE(1, 32);
  wav.writeUInt16LE(8, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples, 40);
  wav.fill(128, 44);
  return wav;
})();

/**
 * The operator API under `/_emulator/`: pools, numbers, bindings, faults, the clock, simulated calls,
 * receipts and recordings. JSON in and out; a bad request gets 400 with `{ error }` naming the problem.
 */
export function handleOperator(
  method: string,
  url: URL,
  body: string,
  res: ServerResponse,
  deps: OperatorDeps,
): void {
  const answer = (result: unknown) => {
    if (result !== undefined) sendJson(res, 200, result);
  };
  const fail = (error: unknown) => {
    if (error instanceof BadRequest) sendJson(res, error.status, { error: error.message });
    else if (error instanceof Error && /UNIQUE|constraint/i.test(error.message))
      sendJson(res, 409, { error: 'already exists' });
    else sendJson(res, 500, { error: 'internal error' });
  };
  try {
    const route = url.pathname.slice('/_emulator/'.length).split('/').map(decodePart);
    const result = dispatch(method, route, url.searchParams, body, deps, res);
    // A re-push answers once its POST has been answered, so the caller can look at the receiver next.
    if (result instanceof Promise) result.then(answer, fail);
    else answer(result);
  } catch (error) {
    fail(error);
  }
}

function dispatch(
  method: string,
  route: string[],
  query: URLSearchParams,
  body: string,
  deps: OperatorDeps,
  res: ServerResponse,
): unknown {
  const { store, clock, faults } = deps;
  const [head, id, sub] = route;
  const key = `${method} ${head}${id !== undefined ? '/:id' : ''}${sub !== undefined ? `/${sub}` : ''}`;
  switch (key) {
    case 'GET health':
      return { ok: true, now: clock.now(), pools: store.pools().length };
    case 'GET pools':
      return { pools: store.pools() };
    case 'POST pools': {
      const input = json(body);
      const poolKey = text(input, 'key');
      const cityMode = oneOf<CityMode>(input, 'cityMode', ['fallback', 'strict'], 'fallback');
      const callbackMode = oneOf<CallbackMode>(
        input,
        'callbackMode',
        ['latest-peer', 'default-b'],
        'latest-peer',
      );
      const extensionLength = input.extensionLength ?? 3;
      if (extensionLength !== 1 && extensionLength !== 2 && extensionLength !== 3)
        throw new BadRequest('extensionLength must be 1, 2 or 3');
      const pool = {
        key: poolKey,
        name: typeof input.name === 'string' ? input.name : poolKey,
        cityMode,
        extensionLength,
        callbackMode,
      };
      store.createPool(pool);
      return { pool };
    }
    case 'DELETE pools/:id':
      if (!store.deletePool(id as string)) throw new BadRequest(`no pool ${id}`, 404);
      return { deleted: id };
    case 'GET pools/:id/numbers':
      requirePool(store, id as string);
      return { numbers: store.numbersOf(id as string) };
    case 'POST pools/:id/numbers': {
      requirePool(store, id as string);
      const input = json(body);
      if (!Array.isArray(input.numbers) || input.numbers.length === 0)
        throw new BadRequest('numbers must be a non-empty array of { secretNo, city }');
      const numbers = input.numbers.map((entry: unknown, index: number) => {
        const row = entry as Record<string, unknown>;
        if (typeof row?.secretNo !== 'string' || !/^\d{5,20}$/.test(row.secretNo))
          throw new BadRequest(`numbers[${index}].secretNo must be 5-20 digits`);
        if (typeof row.city !== 'string' || row.city.length === 0)
          throw new BadRequest(`numbers[${index}].city must be a city name`);
        return { secretNo: row.secretNo, city: row.city };
      });
      store.addNumbers(id as string, numbers);
      return { added: numbers.length };
    }
    case 'DELETE numbers/:id':
      if (!store.deleteNumber(id as string)) throw new BadRequest(`no number ${id}`, 404);
      return { deleted: id };
    case 'GET bindings': {
      const status = query.get('status') ?? undefined;
      if (status !== undefined && !['active', 'expired', 'unbound'].includes(status))
        throw new BadRequest('status must be active, expired or unbound');
      const limit = Number(query.get('limit') ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new BadRequest('limit must be 1-1000');
      const cursor = query.get('cursor');
      if (cursor !== null && !/^\d+$/.test(cursor))
        throw new BadRequest('cursor must come from a previous page');
      const page = store.listBindings(
        {
          poolKey: query.get('pool') ?? undefined,
          secretNo: query.get('secretNo') ?? undefined,
          status: status as 'active' | 'expired' | 'unbound' | undefined,
          after: cursor === null ? undefined : Number(cursor),
          limit,
        },
        clock.now(),
      );
      return {
        bindings: page.bindings.map((binding) => describeBinding(binding, clock.now())),
        next: page.next === undefined ? null : String(page.next),
      };
    }
    case 'GET faults':
      return faults.list();
    case 'POST faults': {
      const input = json(body) as FaultSpec & Record<string, unknown>;
      if (typeof input.action !== 'string' || !input.action)
        throw new BadRequest('action must name an API action or *');
      if (input.count !== undefined && !(Number.isInteger(input.count) && input.count > 0))
        throw new BadRequest('count must be a positive integer');
      if (input.drop !== undefined && input.drop !== 'before' && input.drop !== 'after')
        throw new BadRequest('drop must be before or after');
      if (
        input.delayMs !== undefined &&
        !(typeof input.delayMs === 'number' && input.delayMs >= 0 && input.delayMs <= 600_000)
      ) {
        throw new BadRequest('delayMs must be 0-600000');
      }
      if (input.code === undefined && input.drop === undefined && input.delayMs === undefined)
        throw new BadRequest('give code, drop or delayMs');
      faults.add({
        action: input.action,
        count: input.count,
        code: typeof input.code === 'string' ? input.code : undefined,
        message: typeof input.message === 'string' ? input.message : undefined,
        httpStatus: typeof input.httpStatus === 'number' ? input.httpStatus : undefined,
        delayMs: input.delayMs,
        drop: input.drop,
      });
      return faults.list();
    }
    case 'POST faults/:id':
      if (id !== 'qps') throw new BadRequest('unknown route', 404);
      {
        const input = json(body);
        if (typeof input.action !== 'string' || !(typeof input.qps === 'number' && input.qps > 0)) {
          throw new BadRequest('give { action, qps } with qps > 0');
        }
        faults.cap(input.action, input.qps);
        return faults.list();
      }
    case 'DELETE faults':
      faults.clear();
      return faults.list();
    case 'GET clock':
      return { now: clock.now(), offsetMs: clock.offset };
    case 'POST clock': {
      const input = json(body);
      const ms =
        typeof input.advanceMs === 'number'
          ? input.advanceMs
          : typeof input.advance === 'string'
            ? parseDurationMs(input.advance)
            : undefined;
      if (ms === undefined || !(ms >= 0))
        throw new BadRequest('give { advanceMs: number ≥ 0 } or { advance: "2d" }');
      clock.advance(ms);
      return { now: clock.now(), offsetMs: clock.offset };
    }
    case 'POST calls': {
      const input = json(body);
      const caller = text(input, 'caller');
      const secretNo = text(input, 'secretNo');
      if (
        input.digits !== undefined &&
        (typeof input.digits !== 'string' || !/^\d{0,3}$/.test(input.digits))
      ) {
        throw new BadRequest('digits must be 0-3 digits');
      }
      const outcome = routeCall(
        {
          caller,
          secretNo,
          digits: input.digits as string | undefined,
          talkSeconds: typeof input.talkSeconds === 'number' ? input.talkSeconds : undefined,
          answer: oneOf<AnswerMode>(input, 'answer', ANSWER_MODES, 'answered'),
        },
        {
          store,
          clock,
          receipts: deps.receipts,
          recordUrl: (callId) =>
            `${deps.baseUrl()}${signLink(deps.linkKey, recordingPath(callId), clock.now() + RECORD_URL_MS)}`,
        },
      );
      if ('error' in outcome) throw new BadRequest(outcome.error, 404);
      return outcome;
    }
    case 'GET receipts':
      return {
        receipts: deps.receipts.list({
          type: query.get('type') ?? undefined,
          callId: query.get('callId') ?? undefined,
        }),
      };
    case 'POST receipts/:id/repush':
      return repush(deps.receipts, id as string);
    case 'POST inventory': {
      const input = json(body);
      if (
        ![1, 2, 3].includes(input.specId) ||
        typeof input.city !== 'string' ||
        !Number.isInteger(input.amount) ||
        input.amount < 0
      ) {
        throw new BadRequest('give { specId: 1|2|3, city, amount ≥ 0 }');
      }
      store.setInventory(input.specId, input.city, input.amount);
      return { ok: true };
    }
    case 'GET recordings/:id': {
      const expires = Number(query.get('expires'));
      const path = `/_emulator/recordings/${encodeURIComponent(id as string)}`;
      if (signLink(deps.linkKey, path, expires) !== `${path}?${query.toString()}`)
        throw new BadRequest('link signature is not valid', 403);
      if (!(expires > clock.now())) throw new BadRequest('link has expired', 403);
      res
        .writeHead(200, { 'content-type': 'audio/wav', 'content-length': SILENT_WAV.length })
        .end(SILENT_WAV);
      return undefined;
    }
    default:
      throw new BadRequest(`no operator route ${method} /_emulator/${route.join('/')}`, 404);
  }
}

/**
 * `POST receipts/:id/repush`: the receipt's original POST, sent once more. Answers when the receiver
 * has answered, with whether it accepted.
 */
async function repush(receipts: ReceiptPusher, id: string) {
  const result: RepushResult = /^[1-9]\d{0,15}$/.test(id)
    ? await receipts.repush(Number(id))
    : { status: 'unknown' };
  switch (result.status) {
    case 'pushed':
      return {
        repushed: { id: result.receipt.id, type: result.receipt.type, callId: result.receipt.callId },
        delivered: result.outcome === true,
        error: result.outcome === true ? null : result.outcome,
      };
    case 'unknown':
      throw new BadRequest(`no receipt ${id}`, 404);
    case 'no-target':
      throw new BadRequest('receipts are not pushed: the emulator was started without a receipt URL', 409);
    case 'busy':
      throw new BadRequest(
        "this call's receipts are still being pushed; repush once they are delivered or given up (moving the clock forward sends a waiting retry at once)",
        409,
      );
  }
}

/** One path segment, percent-decoded; a malformed escape (`%ZZ`) is the caller's mistake, not ours. */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BadRequest('the path has a malformed %-escape');
  }
}

function describeBinding(binding: Binding, now: number) {
  return {
    ...binding,
    state: binding.status === 'unbound' ? 'unbound' : binding.expireAt > now ? 'active' : 'expired',
  };
}

function requirePool(store: EmulatorStore, key: string): void {
  if (!store.pool(key)) throw new BadRequest(`no pool ${key}`, 404);
}

// biome-ignore lint/suspicious/noExplicitAny: operator bodies are checked field by field below.
function json(body: string): Record<string, any> {
  try {
    const value = JSON.parse(body || '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {
    // fall through
  }
  throw new BadRequest('the body must be a JSON object');
}

function text(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value.length === 0)
    throw new BadRequest(`${name} must be a non-empty string`);
  return value;
}

function oneOf<T extends string>(
  input: Record<string, unknown>,
  name: string,
  values: readonly T[],
  fallback: T,
): T {
  const value = input[name] ?? fallback;
  if (!values.includes(value as T)) throw new BadRequest(`${name} must be one of ${values.join(', ')}`);
  return value as T;
}

/** Answers a JSON body with this status (and any extra headers). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}
