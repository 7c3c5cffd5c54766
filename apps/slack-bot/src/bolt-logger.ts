import type { Logger as AxnLogger } from '@axnbot/chatops';
import { type Logger, LogLevel } from '@slack/bolt';
import { describeError } from './log-line.js';

const RANK: Readonly<Record<LogLevel, number>> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
};

/** Bolt's logger interface, writing through the bot's logger, plus a switch to hold its errors back. */
export interface BotLogger extends Logger {
  /**
   * While set, error entries are not written: during start-up a failure is reported once, by the error
   * it raises, and Bolt's own line about it would only repeat it with an error class and no remedy.
   * Warnings (retries, reconnects) still show what the bot is waiting for.
   */
  holdErrors: boolean;
}

/**
 * An adapter that makes Bolt, the Web API client and the Socket Mode client log through the bot's own
 * logger (one JSON line each, `source` naming the Bolt logger), at `level` and above. Each entry is reduced to
 * its parts' first lines with digit runs masked: Bolt logs whole objects and errors, which could carry
 * a request body, a token or a stack.
 */
export function boltLogger(target: AxnLogger, level: LogLevel = LogLevel.WARN): BotLogger {
  let current = level;
  let name = 'bolt';
  const write: Record<LogLevel, (message: string, fields: { source: string }) => void> = {
    [LogLevel.DEBUG]: (message, fields) => target.debug(message, fields),
    [LogLevel.INFO]: (message, fields) => target.info(message, fields),
    [LogLevel.WARN]: (message, fields) => target.warn(message, fields),
    [LogLevel.ERROR]: (message, fields) => target.error(message, fields),
  };
  const at =
    (entryLevel: LogLevel) =>
    (...parts: unknown[]) => {
      if (RANK[entryLevel] < RANK[current]) return;
      if (logger.holdErrors && entryLevel === LogLevel.ERROR) return;
      write[entryLevel](parts.map((part) => describeError(part)).join(' '), { source: name });
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
    setName: (next) => {
      name = next;
    },
  };
  return logger;
}
