import { createHmac, hash } from 'node:crypto';
import { hmacKey } from './hmac-key.js';
import { canonicalQuery, type SignableParams } from './percent-encode.js';
import { constantTimeEqual, type VerifyResult } from './rpc-v2.js';

/** The only algorithm name V3 uses here. */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** SHA-256 of the empty body, which every dyplsapi call sends (all parameters travel in the query). */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** What ACS3 signing needs: the request as it will travel. */
export interface Acs3Request {
  readonly method: string;
  /** Canonical URI; `/` for RPC APIs. */
  readonly path?: string;
  /** Query parameters (business parameters for RPC APIs). */
  readonly query: SignableParams;
  /** Request headers; those named `host`, `content-type` or `x-acs-*` are signed. */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body; defaults to the `x-acs-content-sha256` header, then the empty body's hash. */
  readonly payloadHash?: string;
}

/** What ACS3 signing produced, with the intermediate strings. */
export interface Acs3Signature {
  readonly canonicalRequest: string;
  readonly hashedCanonicalRequest: string;
  readonly stringToSign: string;
  readonly signedHeaders: string;
  readonly signature: string;
  /** The complete `Authorization` header value. */
  readonly authorization: string;
}

/**
 * Signs a request with ACS3-HMAC-SHA256 ("signature V3"). The key is the raw secret (no `&`), and the
 * signature is lower-case hex.
 */
export function signAcs3(request: Acs3Request, accessKeyId: string, accessKeySecret: string): Acs3Signature {
  const { names, values } = signedHeaderEntries(request.headers);
  let canonicalHeaders = '';
  for (const name of names) canonicalHeaders += `${name}:${values.get(name)}\n`;
  const signedHeaders = names.join(';');
  const payloadHash =
    request.payloadHash ?? headerValue(request.headers, 'x-acs-content-sha256') ?? EMPTY_BODY_SHA256;
  const canonicalRequest = `${request.method.toUpperCase()}\n${request.path ?? '/'}\n${canonicalQuery(request.query)}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
  const hashedCanonicalRequest = hash('sha256', canonicalRequest, 'hex');
  const stringToSign = `${ACS3_ALGORITHM}\n${hashedCanonicalRequest}`;
  const signature = createHmac('sha256', hmacKey(accessKeySecret)).update(stringToSign, 'utf8').digest('hex');
  return {
    canonicalRequest,
    hashedCanonicalRequest,
    stringToSign,
    signedHeaders,
    signature,
    authorization: `${ACS3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`,
  };
}

/** The parts of an `Authorization: ACS3-HMAC-SHA256 …` header. */
export interface Acs3Authorization {
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses an ACS3 `Authorization` header, or answers `undefined` when it is not one. */
export function parseAcs3Authorization(header: string | undefined): Acs3Authorization | undefined {
  if (!header?.startsWith(`${ACS3_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ACS3_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

/**
 * Verifies an ACS3 request as the gateway does: only the headers the client listed in `SignedHeaders`
 * are used, they must include the required `host` and `x-acs-*` set, and the body hash must match.
 */
export function verifyAcs3(
  request: Acs3Request & { readonly body?: Buffer | string },
  accessKeySecret: string,
): VerifyResult {
  const auth = parseAcs3Authorization(headerValue(request.headers, 'authorization'));
  if (!auth) {
    return {
      ok: false,
      reason: 'malformed',
      message: 'The request signature does not conform to Aliyun standards.',
    };
  }
  const required = [
    'host',
    'x-acs-action',
    'x-acs-version',
    'x-acs-date',
    'x-acs-signature-nonce',
    'x-acs-content-sha256',
  ];
  const missing = required.filter((name) => !auth.signedHeaders.includes(name));
  if (missing.length > 0) {
    return { ok: false, reason: 'malformed', message: `SignedHeaders must include ${missing.join(', ')}.` };
  }
  const bodyHash = hash('sha256', request.body ?? '', 'hex');
  if (headerValue(request.headers, 'x-acs-content-sha256') !== bodyHash) {
    return {
      ok: false,
      reason: 'mismatch',
      message: 'x-acs-content-sha256 does not match the request body.',
    };
  }
  const onlySigned: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value === undefined) {
      return {
        ok: false,
        reason: 'malformed',
        message: `Signed header ${name} is missing from the request.`,
      };
    }
    onlySigned[name] = value;
  }
  const expected = signAcs3(
    { ...request, headers: onlySigned, payloadHash: bodyHash },
    auth.accessKeyId,
    accessKeySecret,
  );
  if (
    expected.signedHeaders === auth.signedHeaders.join(';') &&
    constantTimeEqual(expected.signature, auth.signature)
  ) {
    return { ok: true };
  }
  return {
    ok: false,
    reason: 'mismatch',
    message: `Specified signature is not matched with our calculation. server string to sign is:${expected.stringToSign}`,
    stringToSign: expected.stringToSign,
  };
}

/** The headers V3 signs — `host`, `content-type` and `x-acs-*` — by lower-case name, names sorted. */
function signedHeaderEntries(headers: Readonly<Record<string, string>>): {
  names: string[];
  values: Map<string, string>;
} {
  const values = new Map<string, string>();
  for (const rawName in headers) {
    const name = LOWER_CASE.test(rawName) ? rawName : rawName.toLowerCase();
    if (name === 'host' || name === 'content-type' || name.startsWith('x-acs-')) {
      values.set(name, (headers[rawName] as string).trim());
    }
  }
  // The default sort compares code units, which is the order the specification asks for.
  return { names: [...values.keys()].sort(), values };
}

const LOWER_CASE = /^[^A-Z]*$/;

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  // Node hands headers over with lower-case names already; others are looked for case-insensitively.
  const direct = Object.hasOwn(headers, name) ? headers[name] : undefined;
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}
