import type { Logger } from '@axnbot/chatops';

/**
 * An error as one short log line: its message's first line, at most 200 characters, with any run of
 * seven or more digits (a phone number, say, echoed from a request) replaced — logs never carry a
 * stack, a request dump or a clear number.
 */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = (message.split('\n')[0] ?? '').trim().slice(0, 200);
  return line.replace(/\d{7,}/g, '<digits>') || (error instanceof Error ? error.name : 'unknown error');
}

/**
 * Logs refused requests without letting a flood of them flood the log: the first one at once, then at
 * most one summary line a minute with how many were refused and the latest reason.
 */
export class RefusalLog {
  private count = 0;
  private lastLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 60_000,
  ) {}

  /** Notes one refused request and why (the reason must hold no request data). */
  refused(reason: string): void {
    this.count += 1;
    const now = this.now();
    if (now - this.lastLoggedAt < this.everyMs) return;
    if (this.count === 1) this.logger.warn('refused a request', { reason });
    else this.logger.warn('refused requests since the last report', { count: this.count, latest: reason });
    this.count = 0;
    this.lastLoggedAt = now;
  }
}
