import { createHmac, timingSafeEqual } from 'node:crypto';
import { hmacKey } from './hmac-key.js';
import { canonicalQuery, encodeCanonicalQuery, type SignableParams } from './percent-encode.js';

/** What V2 (HMAC-SHA1) signing produced, with the intermediate strings for diagnosis and tests. */
export interface RpcV2Signature {
  /** `enc(k)=enc(v)&…`, sorted, without `Signature`. */
  readonly canonicalQuery: string;
  /** `METHOD&%2F&enc(canonicalQuery)`. */
  readonly stringToSign: string;
  /** Base64 HMAC-SHA1 of the string to sign, keyed with `secret + "&"`. */
  readonly signature: string;
}

/** The HTTP methods RPC-style calls use. */
export type RpcMethod = 'GET' | 'POST';

/**
 * Signs an RPC request with Alibaba Cloud's signature method V2 (`HMAC-SHA1`, `SignatureVersion=1.0`).
 *
 * `params` is the whole parameter set — common parameters (`AccessKeyId`, `Timestamp`,
 * `SignatureNonce`, …) and business parameters together, query and form body alike. A `Signature`
 * entry, if present, is ignored.
 */
export function signRpcV2(
  params: SignableParams,
  method: RpcMethod,
  accessKeySecret: string,
): RpcV2Signature {
  const query = canonicalQuery(params, 'Signature');
  const stringToSign = `${method}&%2F&${encodeCanonicalQuery(query)}`;
  const signature = createHmac('sha1', hmacKey(`${accessKeySecret}&`))
    .update(stringToSign, 'utf8')
    .digest('base64');
  return { canonicalQuery: query, stringToSign, signature };
}

/** A verifier's answer: ok, or why not — with what the server signed, as Aliyun reports it. */
export type VerifyResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: VerifyFailure;
      readonly message: string;
      readonly stringToSign?: string;
    };

/** Why a signature was refused; the emulator maps each to a gateway error code. */
export type VerifyFailure = 'missing' | 'unsupported-method' | 'mismatch' | 'malformed';

/**
 * Verifies a V2 signature the way the gateway does: recomputes it over every received parameter but
 * `Signature`, and compares in constant time. On a mismatch the result carries the server's string to
 * sign, so the caller can show it as Aliyun's `SignatureDoesNotMatch` message does.
 */
export function verifyRpcV2(params: SignableParams, method: string, accessKeySecret: string): VerifyResult {
  const given = params.Signature;
  if (given === undefined || given === '') {
    return { ok: false, reason: 'missing', message: 'Signature is mandatory for this action.' };
  }
  if (params.SignatureMethod !== undefined && params.SignatureMethod !== 'HMAC-SHA1') {
    return {
      ok: false,
      reason: 'unsupported-method',
      message: `SignatureMethod ${params.SignatureMethod} is not supported; use HMAC-SHA1.`,
    };
  }
  const upper = method.toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') {
    return {
      ok: false,
      reason: 'malformed',
      message: `HTTP method ${method} is not supported; use GET or POST.`,
    };
  }
  const expected = signRpcV2(params, upper, accessKeySecret);
  if (constantTimeEqual(expected.signature, given)) return { ok: true };
  return {
    ok: false,
    reason: 'mismatch',
    message: `Specified signature is not matched with our calculation. server string to sign is:${expected.stringToSign}`,
    stringToSign: expected.stringToSign,
  };
}

/** Compares two strings without leaking, through timing, how long a prefix matched. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
