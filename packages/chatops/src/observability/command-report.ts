import type { Logger } from '../logger.js';
import type { BotMetrics } from './metrics.js';

/** How one chat command ended, as a front end reports it. */
export interface CommandOutcome {
  /** The verb (`bind`, `unbind`, …), or `invalid` for text that did not parse. */
  readonly verb: string;
  /** `ok`, or the reply's kind (`refused`, `error`, …). */
  readonly outcome: string;
  /** From the command's arrival to its final reply. */
  readonly seconds: number;
}

/**
 * Counts a handled command in the metrics and writes its one info line (`command handled`, with the
 * verb, outcome and duration; inside {@link withCorrelation} the line carries the command's id too).
 * Never the command's text: it holds phone numbers.
 */
export function reportCommand(deps: { logger: Logger; metrics: BotMetrics }, done: CommandOutcome): void {
  deps.metrics.record(done.verb, done.outcome, done.seconds);
  deps.logger.info('command handled', {
    verb: done.verb,
    outcome: done.outcome,
    durationMs: Math.round(done.seconds * 1000),
  });
}
