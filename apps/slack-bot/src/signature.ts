import { verifySlackRequest } from '@slack/bolt';

/** How far a request's timestamp may be from our clock, either way (Slack's documented 5 minutes). */
export const MAX_SKEW_SECONDS = 5 * 60;

/** A signature Slack would send: version `v0`, then a lower-case hex HMAC-SHA256. */
const SIGNATURE = /^v0=[0-9a-f]{64}$/;
/** Unix seconds: digits only; at most 12 of them (far beyond any real clock) so `Number` stays exact. */
const TIMESTAMP = /^\d{1,12}$/;

/** Why a request was refused, for the one log line; never contains the headers themselves. */
export type SignatureVerdict =
  | { readonly ok: true; readonly timestampSec: number; readonly signature: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks the signing headers' *shape* before any work: exactly one `x-slack-request-timestamp` in
 * canonical form (`String(Number(ts)) === ts`, so `0`+ts, ts+`.0` and `+`ts are refused) within five
 * minutes of now in either direction, and exactly one `x-slack-signature` of the form `v0=<64 hex>`.
 * Bolt's own check accepts all of those variants (it reads `Number(ts)` and `split('=')`), which let a
 * captured request be replayed under a different spelling; only canonical headers map one-to-one to a
 * signed request, so the replay guard can key on them.
 */
export function checkSigningHeaders(
  timestamp: string | string[] | undefined,
  signature: string | string[] | undefined,
  nowMs: number,
): SignatureVerdict {
  if (typeof timestamp !== 'string' || typeof signature !== 'string')
    return { ok: false, reason: 'missing or repeated signing headers' };
  if (!TIMESTAMP.test(timestamp) || String(Number(timestamp)) !== timestamp)
    return { ok: false, reason: 'timestamp is not canonical unix seconds' };
  if (!SIGNATURE.test(signature)) return { ok: false, reason: 'signature is not v0=<64 hex digits>' };
  const timestampSec = Number(timestamp);
  if (Math.abs(Math.floor(nowMs / 1000) - timestampSec) > MAX_SKEW_SECONDS)
    return { ok: false, reason: 'timestamp is more than 5 minutes from now' };
  return { ok: true, timestampSec, signature };
}

/**
 * Verifies the HMAC of a request whose headers passed {@link checkSigningHeaders}, with Bolt's own
 * `verifySlackRequest` (constant-time comparison). True only when the signature matches this body.
 */
export function signatureMatches(
  signingSecret: string,
  body: string,
  headers: { readonly timestampSec: number; readonly signature: string },
  nowMs: number,
): boolean {
  try {
    verifySlackRequest({
      signingSecret,
      body,
      headers: { 'x-slack-request-timestamp': headers.timestampSec, 'x-slack-signature': headers.signature },
      nowMilliseconds: nowMs,
    });
    return true;
  } catch {
    return false;
  }
}
