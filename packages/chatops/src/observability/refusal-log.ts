import type { LogFields, Logger } from '../logger.js';

/**
 * Logs refused requests without letting a flood of them flood the log: the first one at once, then at
 * most one summary line per `everyMs` (a minute) with how many were refused and the latest reason. An
 * unauthenticated sender decides how often a refusal happens; it must not decide how much is logged.
 */
export class RefusalLog {
  private count = 0;
  private lastLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly logger: Logger,
    /** The line's message for one refusal, e.g. `refused a request`. */
    private readonly message: string,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 60_000,
  ) {}

  /** Notes one refused request and why (the fields must hold no request data beyond a short reason). */
  refused(fields: LogFields): void {
    this.count += 1;
    const now = this.now();
    if (now - this.lastLoggedAt < this.everyMs) return;
    if (this.count === 1) this.logger.warn(this.message, fields);
    else this.logger.warn(`${this.message} (${this.count} since the last report; the latest:)`, fields);
    this.count = 0;
    this.lastLoggedAt = now;
  }
}
