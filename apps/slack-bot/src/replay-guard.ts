/**
 * Remembers signed requests for as long as their signature is valid, so the same request cannot be
 * played twice. Memory follows the request rate: expired entries are dropped as time passes.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time a key is seen within the window; false for a replay. */
  firstTime(key: string): boolean {
    const now = this.now();
    for (const [seenKey, until] of this.seen) {
      if (until > now) break; // insertion order is expiry order
      this.seen.delete(seenKey);
    }
    if (this.seen.has(key)) return false;
    this.seen.set(key, now + this.windowMs);
    return true;
  }
}
