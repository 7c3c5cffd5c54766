import type { LogFields, Logger } from '@axnbot/core';

export { type LogFields, type Logger, silentLogger } from '@axnbot/core';

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
