/** When and how often a call is tried again. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly maxAttempts: number;
  /** Backoff before the second try; it doubles each time. */
  readonly baseDelayMs: number;
  /** No single backoff is longer than this. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000 };

/**
 * "Full jitter" exponential backoff: a uniformly random delay up to base·2^(attempt−1), capped, so that
 * many clients throttled together do not retry together. `random` is injected (0 ≤ r < 1).
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
