/**
 * Remembers verified requests for as long as they could still be accepted, so the same signed request
 * cannot run twice. Only requests whose signature has already been verified are recorded (callers see
 * to that), so what an unauthenticated sender sends costs no memory; and the memory is capped, so even
 * a flood of genuine requests cannot grow it without bound.
 */
export class ReplayGuard {
  /** key → the instant (ms) after which the request is refused as stale anyway, in insertion order. */
  private readonly seen = new Map<string, number>();

  /**
   * @param maxEntries the most requests remembered at once; beyond it new requests are refused
   *   (answering "try again" is safe, running a replay is not).
   */
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many requests are remembered now (exported as a metric). */
  get size(): number {
    return this.seen.size;
  }

  /**
   * Records a verified request. `expiresAt` is when its timestamp stops being acceptable; until then a
   * second request with the same key is a replay.
   * @returns `first` the first time, `replay` for a repeat, `full` when the guard holds `maxEntries`.
   */
  record(key: string, expiresAt: number): 'first' | 'replay' | 'full' {
    const now = this.now();
    this.dropExpiredHead(now);
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return 'replay';
    if (this.seen.size >= this.maxEntries) {
      this.dropAllExpired(now);
      if (this.seen.size >= this.maxEntries) return 'full';
    }
    this.seen.delete(key);
    this.seen.set(key, expiresAt);
    return 'first';
  }

  /**
   * Cheap, every call: drops expired entries from the front. Entries arrive roughly in expiry order
   * (timestamps are within minutes of each other), so this keeps up with the request rate.
   */
  private dropExpiredHead(now: number): void {
    for (const [key, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(key);
    }
  }

  /** Only when full: a whole sweep, for the expired entries stuck behind a longer-lived one. */
  private dropAllExpired(now: number): void {
    for (const [key, until] of this.seen) if (until <= now) this.seen.delete(key);
  }
}
