import { isConfigError } from './config.js';
import type { Logger } from './logger.js';

/** A started front end: something that can be stopped. */
export interface StoppableBot {
  stop(): Promise<void>;
}

/**
 * Runs a bot as a process: starts it, logs `readyLine`, and on SIGINT/SIGTERM stops it and lets the
 * process end by itself (a 5-second guard only covers a stuck socket). A configuration problem ends it
 * with exit 1 and one error line naming the variable — never a stack trace or a secret. Every line goes
 * through `logger`, so an operator's log collector sees one JSON object a line. Started with
 * --expose-gc, SIGUSR2 runs a full collection (for memory measurements).
 */
export async function runBotProcess(
  logger: Logger,
  start: () => Promise<StoppableBot & { readyLine: string }>,
): Promise<void> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) process.on('SIGUSR2', () => collect());
  try {
    const bot = await start();
    logger.info(bot.readyLine);
    const stop = (signal: NodeJS.Signals) => {
      logger.info('stopping', { signal });
      bot.stop().then(
        () => setTimeout(() => process.exit(0), 5_000).unref(),
        (error: unknown) => {
          logger.error('could not stop cleanly', { error: describe(error) });
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    // A configuration problem's message is written for the operator (and may list what was tried);
    // anything else is cut to its first line.
    logger.error(isConfigError(error) ? (error as Error).message : `could not start: ${describe(error)}`);
    process.exit(1);
  }
}

/** An error's message (first line only: no stack reaches the log). */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').trim() || (error instanceof Error ? error.name : 'unknown error');
}
