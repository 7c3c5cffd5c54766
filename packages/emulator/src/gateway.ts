import { parseAcs3Authorization, parseSigningTimestamp, verifyAcs3, verifyRpcV2 } from '@axnbot/core';
import { ApiFailure, missing } from './api-failure.js';
import type { Params } from './request-params.js';

/** What the gateway learned from a request it let through. */
export interface Authenticated {
  readonly action: string;
  readonly accessKeyId: string;
  readonly signature: 'v2' | 'v3';
}

export interface IncomingCall {
  readonly method: string;
  /** Query-string parameters only (what V3 signs). */
  readonly query: Params;
  /** Query and form body merged (what V2 signs and the product reads). */
  readonly params: Params;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The skew the gateway tolerates between a request's timestamp and its own clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** Nonces are remembered twice as long as a timestamp stays acceptable, so a replay can never slip through. */
const NONCE_MEMORY_MS = 2 * MAX_SKEW_MS;
export const API_VERSION = '2017-05-25';

/**
 * The POP gateway in front of the product: checks the version, the access key, the timestamp, the
 * signature (V2 or V3) and the nonce, in that order, answering the gateway's codes and statuses.
 */
export class Gateway {
  private readonly seenNonces = new Map<string, number>();
  private lastPrune = 0;

  constructor(
    private readonly keys: ReadonlyMap<string, string>,
    private readonly now: () => number,
  ) {}

  authenticate(call: IncomingCall): Authenticated {
    const auth = call.headers.authorization;
    return auth !== undefined ? this.authenticateV3(call, auth) : this.authenticateV2(call);
  }

  private authenticateV2({ method, params }: IncomingCall): Authenticated {
    const action = params.Action;
    if (!action) throw missing('Action');
    this.checkVersion(params.Version);
    const accessKeyId = params.AccessKeyId;
    if (!accessKeyId) throw missing('AccessKeyId');
    const secret = this.secretOf(accessKeyId);
    if (!params.Timestamp) throw missing('Timestamp');
    this.checkTimestamp(params.Timestamp);
    if (!params.SignatureNonce) throw missing('SignatureNonce');
    if (!params.Signature) throw missing('Signature');
    const verdict = verifyRpcV2(params, method, secret);
    if (!verdict.ok) throw signatureFailure(verdict.reason, verdict.message);
    this.useNonce(accessKeyId, params.SignatureNonce);
    return { action, accessKeyId, signature: 'v2' };
  }

  private authenticateV3(call: IncomingCall, authorization: string): Authenticated {
    const { headers } = call;
    const parsed = parseAcs3Authorization(authorization);
    if (!parsed)
      throw new ApiFailure(
        'IncompleteSignature',
        'The request signature does not conform to Aliyun standards.',
        400,
      );
    const action = headers['x-acs-action'];
    if (!action) throw missing('Action');
    this.checkVersion(headers['x-acs-version']);
    const secret = this.secretOf(parsed.accessKeyId);
    const date = headers['x-acs-date'];
    if (!date) throw new ApiFailure('MissingParameter', 'x-acs-date is mandatory for this action.', 400);
    this.checkTimestamp(date);
    const nonce = headers['x-acs-signature-nonce'];
    if (!nonce)
      throw new ApiFailure('MissingParameter', 'x-acs-signature-nonce is mandatory for this action.', 400);
    const verdict = verifyAcs3({ method: call.method, query: call.query, headers, body: call.body }, secret);
    if (!verdict.ok) throw signatureFailure(verdict.reason, verdict.message);
    this.useNonce(parsed.accessKeyId, nonce);
    // pop-core sends the action un-capitalised in the header; the product answers to the canonical name.
    return {
      action: action.charAt(0).toUpperCase() + action.slice(1),
      accessKeyId: parsed.accessKeyId,
      signature: 'v3',
    };
  }

  private checkVersion(version: string | undefined): void {
    if (!version) throw missing('Version');
    if (version !== API_VERSION)
      throw new ApiFailure('InvalidVersion', 'Specified parameter Version is not valid.', 400);
  }

  private secretOf(accessKeyId: string): string {
    const secret = this.keys.get(accessKeyId);
    if (secret === undefined)
      throw new ApiFailure('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 400);
    return secret;
  }

  private checkTimestamp(text: string): void {
    const at = parseSigningTimestamp(text);
    if (at === undefined) {
      throw new ApiFailure(
        'InvalidTimeStamp.Format',
        'Specified time stamp or date value is not well formatted.',
        400,
      );
    }
    if (Math.abs(this.now() - at) > MAX_SKEW_MS) {
      throw new ApiFailure('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', 400);
    }
  }

  private useNonce(accessKeyId: string, nonce: string): void {
    const now = this.now();
    this.prune(now);
    const key = `${accessKeyId}\n${nonce}`;
    const until = this.seenNonces.get(key);
    if (until !== undefined && until > now) {
      throw new ApiFailure('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
    }
    this.seenNonces.set(key, now + NONCE_MEMORY_MS);
  }

  /** Drops forgotten nonces at most once a minute, so memory follows the request rate, not uptime. */
  private prune(now: number): void {
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    for (const [key, until] of this.seenNonces) if (until <= now) this.seenNonces.delete(key);
  }
}

function signatureFailure(reason: string, message: string): ApiFailure {
  if (reason === 'malformed' || reason === 'missing')
    return new ApiFailure('IncompleteSignature', message, 400);
  return new ApiFailure('SignatureDoesNotMatch', message, 400);
}
