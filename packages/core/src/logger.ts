/** Fields that go with a log line; never a secret or a clear phone number. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where libraries report what an operator should know. The apps hand in a real one; libraries default
 * to {@link silentLogger}, so embedding axnbot never prints anything unasked.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ignore = () => {};

/** A logger that drops everything. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
