import { type Logger, LogLevel } from '@slack/bolt';
import { describeError } from './log-line.js';

const RANK: Readonly<Record<LogLevel, number>> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
};

/** Bolt's logger, made to print as the bot does, plus a switch to hold its errors back. */
export interface BotLogger extends Logger {
  /**
   * While set, error entries are not printed: during start-up a failure is reported once, by the error
   * it raises, and Bolt's own line about it would only repeat it with an error class and no remedy.
   * Warnings (retries, reconnects) still show what the bot is waiting for.
   */
  holdErrors: boolean;
}

/**
 * A Bolt/Web API logger that writes each entry as one `slack-bot:` line (first line of the message,
 * no stack, no object dumps, digit runs masked), at `level` and above.
 */
export function boltLogger(log: (line: string) => void, level: LogLevel = LogLevel.WARN): BotLogger {
  let current = level;
  const at =
    (entryLevel: LogLevel) =>
    (...parts: unknown[]) => {
      if (RANK[entryLevel] < RANK[current]) return;
      if (logger.holdErrors && entryLevel === LogLevel.ERROR) return;
      log(`slack-bot: ${parts.map((part) => describeError(part)).join(' ')}`);
    };
  const logger: BotLogger = {
    holdErrors: false,
    debug: at(LogLevel.DEBUG),
    info: at(LogLevel.INFO),
    warn: at(LogLevel.WARN),
    error: at(LogLevel.ERROR),
    setLevel: (next) => {
      current = next;
    },
    getLevel: () => current,
    setName: () => {},
  };
  return logger;
}
