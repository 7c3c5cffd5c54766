import { createHmac, scrypt } from 'node:crypto';

/**
 * scrypt cost for A's fingerprint: about 3–4 ms a number on one core. A masked number (`138****9006`)
 * leaves 10,000 candidates, so whoever holds the ledger *and* the key needs about half a minute of CPU
 * per number instead of the 60 ms a plain HMAC costs; a bind pays it once, off the event loop.
 */
const SCRYPT = { N: 2048, r: 8, p: 1 } as const;
const CURRENT_PREFIX = 's1:';

/**
 * How the ledger finds an A number without storing it: a keyed, deliberately slow fingerprint
 * (`s1:` + scrypt of the digits, salted with `AXN_HASH_KEY`). The key must live apart from the ledger
 * (environment or secret store): a stolen database alone reveals nothing.
 *
 * Ledgers written before the slow fingerprint hold a plain HMAC-SHA256; look-ups match either, so old
 * bindings stay findable until they expire.
 */
export class PhoneHasher {
  constructor(private readonly key: string) {}

  /** The fingerprint a new binding of these digits is stored with. */
  current(digits: string): Promise<string> {
    return new Promise((resolve, reject) => {
      scrypt(digits, this.key, 32, SCRYPT, (error, derived) =>
        error ? reject(error) : resolve(CURRENT_PREFIX + derived.toString('hex')),
      );
    });
  }

  /**
   * A value that identifies the key without revealing it (an HMAC of a fixed label), so a ledger can
   * tell at start-up whether it is opened with the key its fingerprints were made with.
   */
  keyCheck(): string {
    return createHmac('sha256', this.key).update('axnbot fingerprint key check v1', 'utf8').digest('hex');
  }

  /** Every fingerprint a binding of these digits may carry: the current one and the legacy HMAC. */
  async all(digits: string): Promise<[current: string, legacy: string]> {
    return [await this.current(digits), createHmac('sha256', this.key).update(digits, 'utf8').digest('hex')];
  }
}
