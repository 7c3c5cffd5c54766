import { isConfigError } from './config.js';

/** A started front end: something that can be stopped. */
export interface StoppableBot {
  stop(): Promise<void>;
}

/**
 * Runs a bot as a process: starts it, prints `readyLine`, and on SIGINT/SIGTERM stops it and lets the
 * process end by itself (a 5-second guard only covers a stuck socket). A configuration problem ends it
 * with exit 1 and one line naming the variable — never a stack trace or a secret. Started with
 * --expose-gc, SIGUSR2 runs a full collection (for memory measurements).
 */
export async function runBotProcess(
  name: string,
  start: () => Promise<StoppableBot & { readyLine: string }>,
): Promise<void> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) process.on('SIGUSR2', () => collect());
  try {
    const bot = await start();
    process.stdout.write(`${bot.readyLine}\n`);
    const stop = () => {
      bot.stop().then(
        () => setTimeout(() => process.exit(0), 5_000).unref(),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    const known = isConfigError(error);
    process.stderr.write(
      `${name}: ${known ? '' : 'could not start: '}${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
