/**
 * A client-side rate limit: at most `ratePerSecond` acquisitions a second on average, with bursts of up
 * to `burst`. Callers wait their turn in order. Clock and sleep are injected so the logic is exact in tests.
 */
export class TokenBucket {
  /** Tokens available now; negative while reservations wait for tokens still to come. */
  private tokens: number;
  private updatedAt: number;
  /** The most tokens that can accumulate: the largest burst. */
  private readonly capacity: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
    burst = Math.max(1, Math.ceil(ratePerSecond / 10)),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
    this.capacity = burst;
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** How long the caller must wait for a token; the token is reserved at once. */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) * this.ratePerSecond) / 1000);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.ratePerSecond;
  }

  /** Waits for a token. */
  async acquire(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.sleep(wait);
  }
}
