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

/**
 * One JSON object a line on a stream (stderr by default), at `minLevel` and above: what the apps use
 * until they bring their own logger.
 */
export function jsonLineLogger(
  write: (line: string) => void = (line) => process.stderr.write(line),
  now: () => number = Date.now,
  minLevel: keyof Logger = 'info',
): Logger {
  const order: Array<keyof Logger> = ['debug', 'info', 'warn', 'error'];
  const at = (level: keyof Logger) => (message: string, fields?: LogFields) => {
    if (order.indexOf(level) < order.indexOf(minLevel)) return;
    write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, msg: message, ...fields })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
