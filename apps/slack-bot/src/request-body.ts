import type { IncomingMessage } from 'node:http';

/** Slack's payloads are a few KiB; 1 MiB leaves room for any real one and bounds what a sender can make us hold. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads a request body as UTF-8, up to `limit` bytes. Past the limit the rest is discarded as it
 * arrives (nothing more is kept) and the answer is `undefined`; a connection that breaks mid-body
 * also answers `undefined` — either way there is no body to act on.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', () => resolve(undefined));
    req.on('close', () => resolve(undefined)); // a no-op when 'end' came first
  });
}

/** The media type of a Content-Type header, lower-cased, without parameters such as `charset`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Slack's `ssl_check=1` probe: a form post that asks only whether TLS works. */
export function isSslCheck(contentType: string | undefined, raw: string): boolean {
  return (
    mediaType(contentType) === 'application/x-www-form-urlencoded' &&
    new URLSearchParams(raw).get('ssl_check') === '1'
  );
}

export type ParsedBody =
  | { readonly ok: true; readonly body: Record<string, unknown> }
  | { readonly ok: false; readonly status: 400 | 415; readonly reason: string };

/**
 * Turns a verified body into the object Bolt dispatches: slash commands arrive as form fields,
 * interactivity as a form field `payload` holding JSON, events as JSON. Anything that is not a JSON
 * object (`null`, an array, a number — all of which crash Bolt 5.1's own receiver) is refused here,
 * as are repeated form fields, which Slack never sends and which would reach the handlers as arrays.
 */
export function parseSlackBody(contentType: string | undefined, raw: string): ParsedBody {
  const type = mediaType(contentType);
  if (type === 'application/json') return jsonObject(raw);
  if (type !== 'application/x-www-form-urlencoded')
    return { ok: false, status: 415, reason: `content type "${type.slice(0, 60)}" is not a Slack payload` };
  const form = new URLSearchParams(raw);
  const payload = form.get('payload');
  if (payload !== null) return jsonObject(payload);
  const names = new Set(form.keys());
  if (names.size !== [...form.keys()].length)
    return { ok: false, status: 400, reason: 'a form field is repeated' };
  // fromEntries defines own properties, so a field named __proto__ stays a plain field.
  return { ok: true, body: Object.fromEntries(form) };
}

function jsonObject(text: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, reason: 'the body is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, status: 400, reason: 'the body is not a JSON object' };
  return { ok: true, body: value as Record<string, unknown> };
}
