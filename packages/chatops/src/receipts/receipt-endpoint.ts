import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJsonLossless, scrubPhones } from '@axnbot/core';
import { type Logger, silentLogger } from '../logger.js';
import { RefusalLog } from '../observability/refusal-log.js';
import { type CallEvent, isReceiptType, parseReceiptBatch } from './receipt-records.js';
import type { ReceiptStore, StoredReceipts } from './receipt-store.js';

/** The path receipts are pushed to, followed by the `MessageType`: `/aliyun/receipts/SecretReport`. */
export const RECEIPT_PATH_PREFIX = '/aliyun/receipts/';

/** The largest body the endpoint reads by default (1 MiB). */
export const RECEIPT_MAX_BYTES = 1024 * 1024;

/** What Aliyun's HTTP push expects back when a batch is accepted. */
export const RECEIPT_ACCEPTED = { code: 0, msg: '接收成功' } as const;

/** Options of {@link createReceiptEndpoint}. */
export interface ReceiptEndpointOptions {
  /** The secret the push URL carries as `?token=` (`AXN_RECEIPT_TOKEN`); required, not empty. */
  readonly token: string;
  /** Where checked batches are stored. */
  readonly store: ReceiptStore;
  /**
   * Called after the answer went out (and the new events' numbers were fingerprinted), with the events
   * stored by this push that were not seen before (never called with none). Its failures are logged,
   * never thrown.
   */
  readonly onStored?: (events: readonly CallEvent[]) => unknown;
  readonly logger?: Logger;
  /** The largest body read, in bytes (default {@link RECEIPT_MAX_BYTES}). */
  readonly maxBytes?: number;
}

/** Whether a request is for the receipt endpoint (by its path), so a server can route it there. */
export function isReceiptRequest(req: IncomingMessage): boolean {
  return (req.url ?? '').startsWith(RECEIPT_PATH_PREFIX);
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** A refusal: its HTTP status and the short reason sent back (never a value from the body). */
class Refusal {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly extra: { index?: number; field?: string } = {},
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * The receipt endpoint, framework-free: a `node:http` handler serving `POST /aliyun/receipts/{MessageType}
 * ?token=…` as Aliyun's HTTP batch push calls it. A JSON array of receipts of that type (any number, none
 * included) is checked whole, stored in one ledger transaction, and answered `200 {"code":0,"msg":"接收成功"}`
 * at once; `onStored` then gets the events not seen before (Aliyun re-pushes after 1, 5 and 10 minutes
 * when an answer is late, so duplicates are normal and recognised by call id and type).
 *
 * Refusals store nothing and answer JSON `{ code, msg }` naming the problem (a bad record's index and
 * field too): 401 a missing or wrong token (compared in constant time), 404 another path or a type axnbot
 * does not take, 405 another method, 413 a body over `maxBytes` (read no further), 400 a body that is not a
 * JSON array of valid receipts; 503 when the ledger cannot store the batch, so Aliyun pushes it again.
 * Neither the token nor a number in clear reaches a log line or an answer.
 *
 * The returned promise settles once `onStored` has finished (the answer went out before it ran).
 */
export function createReceiptEndpoint(
  options: ReceiptEndpointOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  if (!options.token) throw new Error('the receipt endpoint needs a token');
  const expected = digest(options.token);
  const maxBytes = options.maxBytes ?? RECEIPT_MAX_BYTES;
  const logger = options.logger ?? silentLogger;
  // Pushes without the right token are anyone's to send: their refusals are summarised, not logged each.
  const refusals = new RefusalLog(logger, 'refused a receipt push');

  const answer = (
    res: ServerResponse,
    status: number,
    body: object,
    headers: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(text);
  };

  return async (req, res) => {
    let type: string | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://receipts.invalid');
      if (!url.pathname.startsWith(RECEIPT_PATH_PREFIX))
        throw new Refusal(404, 'not a receipt path: use /aliyun/receipts/{MessageType}');
      const given = url.searchParams.get('token') ?? '';
      if (!timingSafeEqual(digest(given), expected)) throw new Refusal(401, 'missing or wrong token');
      if (req.method !== 'POST')
        throw new Refusal(405, 'receipts are pushed with POST', {}, { allow: 'POST' });
      const name = url.pathname.slice(RECEIPT_PATH_PREFIX.length);
      if (!isReceiptType(name)) throw new Refusal(404, 'not a message type axnbot accepts');
      type = name;
      const text = await readBody(req, maxBytes);
      let body: unknown;
      try {
        body = parseJsonLossless(text);
      } catch {
        throw new Refusal(400, 'the body is not valid JSON');
      }
      const records = parseReceiptBatch(name, body);
      if (!Array.isArray(records))
        throw new Refusal(400, records.reason, { index: records.index, field: records.field });
      let stored: StoredReceipts;
      try {
        stored = await options.store.storeReceipts(records);
      } catch (error) {
        logger.error('could not store call receipts; answered 503 so that Aliyun pushes them again', {
          type,
          count: records.length,
          error: scrubPhones(error instanceof Error ? error.message : String(error)),
        });
        answer(res, 503, { code: 503, msg: 'receipts could not be stored now; push them again' });
        return;
      }
      answer(res, 200, RECEIPT_ACCEPTED);
      logger.info('call receipts received', { type, count: records.length, new: stored.events.length });
      if (stored.events.length === 0) return;
      // The slow part, after the answer: fingerprints, then whatever the bot does with the new events.
      let fresh: readonly CallEvent[] = stored.events;
      try {
        fresh = await stored.complete();
      } catch (error) {
        logger.error('could not fingerprint the numbers of stored call receipts (they stay masked)', {
          type,
          count: fresh.length,
          error: scrubPhones(error instanceof Error ? error.message : String(error)),
        });
      }
      if (!options.onStored) return;
      try {
        await options.onStored(fresh);
      } catch (error) {
        logger.error('handling stored call receipts failed', {
          type,
          count: fresh.length,
          error: scrubPhones(error instanceof Error ? error.message : String(error)),
        });
      }
    } catch (error) {
      if (!(error instanceof Refusal)) {
        // A socket torn down mid-body, or a bug: nothing was stored.
        logger.warn('a receipt push failed before it was stored', {
          type,
          error: scrubPhones(error instanceof Error ? error.message : String(error)),
        });
        if (!res.headersSent && !res.destroyed) answer(res, 500, { code: 500, msg: 'internal error' });
        return;
      }
      refusals.refused({ status: error.status, type: type?.slice(0, 40), reason: error.reason });
      answer(res, error.status, { code: error.status, msg: error.reason, ...error.extra }, error.headers);
      // What the sender still writes is read and dropped (so that it reads the answer), within a bound.
      if (!req.complete) discardRest(req, maxBytes);
    }
  };
}

/**
 * Reads a request body as UTF-8, up to `maxBytes`: a declared or actual length beyond it is refused with
 * 413 before more is read (nothing beyond the limit is kept).
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => new Refusal(413, `the body is over ${maxBytes} bytes`);
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        chunks.length = 0;
        settle(() => reject(tooLarge()));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks, length).toString('utf8')));
    const onError = (error: Error) => settle(() => reject(error));
    const onAborted = () => settle(() => reject(new Error('the request was aborted')));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/**
 * After a refusal: lets the sender finish writing so that it reads the answer, keeping nothing, and cuts
 * the connection if it goes on past four times `maxBytes`.
 */
function discardRest(req: IncomingMessage, maxBytes: number): void {
  let more = 0;
  req.on('data', (chunk: Buffer) => {
    more += chunk.length;
    if (more > 4 * maxBytes) req.socket.destroy();
  });
  req.on('error', () => {});
  req.resume();
}
