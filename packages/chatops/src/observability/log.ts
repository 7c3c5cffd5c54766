import { scrubPhones } from '@axnbot/core';
import pino from 'pino';
import type { LogFields, Logger } from '../logger.js';
import { correlationFields } from './correlation.js';

/** How a process's log is written: JSON lines (the default) or pretty lines for a terminal. */
export interface LogOptions {
  /** `AXN_LOG_LEVEL`: debug, info (default), warn, error or silent. */
  readonly level?: string;
  /** `AXN_LOG_FORMAT`: json (default) or pretty. */
  readonly format?: string;
  /** Names the part of the system each line comes from. */
  readonly component: string;
  /** Where lines go (stdout by default); tests pass a stream to read them. */
  readonly destination?: NodeJS.WritableStream;
}

/** Field names whose values are secrets wherever they appear: replaced, never written. */
const SECRET_KEYS = [
  'accessKeySecret',
  'securityToken',
  'secret',
  'token',
  'authorization',
  'password',
  'signingSecret',
  'appToken',
  'botToken',
  'clientSecret',
];

/**
 * A {@link Logger} writing through pino: one JSON object a line with `level`, `time`, `msg`,
 * `component`, the command's `correlationId` (inside {@link withCorrelation}) and the fields. No line carries a secret (fields named like one are redacted) or a
 * phone number in clear (every string is scrubbed, the message too).
 */
export function createLogger(options: LogOptions): Logger & { child(component: string): Logger } {
  const level = options.level ?? 'info';
  const transport =
    options.format === 'pretty' && !options.destination
      ? pino.transport({ target: 'pino-pretty', options: { colorize: true, destination: 1 } })
      : undefined;
  const base = pino(
    {
      level,
      base: { component: options.component },
      // The id of the command being handled, when there is one (see withCorrelation).
      mixin: () => correlationFields(),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubDeep(object) as Record<string, unknown>,
      },
      redact: { paths: SECRET_KEYS.flatMap((key) => [key, `*.${key}`]), censor: '***' },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubPhones(arg) : arg));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    transport ?? options.destination ?? pino.destination(1),
  );
  const wrap = (logger: pino.Logger): Logger & { child(component: string): Logger } => ({
    debug: (message: string, fields?: LogFields) => logger.debug(fields ?? {}, message),
    info: (message: string, fields?: LogFields) => logger.info(fields ?? {}, message),
    warn: (message: string, fields?: LogFields) => logger.warn(fields ?? {}, message),
    error: (message: string, fields?: LogFields) => logger.error(fields ?? {}, message),
    child: (component: string) => wrap(logger.child({ component })),
  });
  return wrap(base);
}

/** The levels `AXN_LOG_LEVEL` accepts, quietest last. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/**
 * The process's logger as the environment configures it (`AXN_LOG_LEVEL`, `AXN_LOG_FORMAT`). A value
 * it does not know is not a reason to stop a bot: the default is used and the first line says so.
 */
export function loggerFromEnv(
  env: NodeJS.ProcessEnv,
  component: string,
  destination?: NodeJS.WritableStream,
): Logger & { child(component: string): Logger } {
  const level = env.AXN_LOG_LEVEL?.trim().toLowerCase() || 'info';
  const format = env.AXN_LOG_FORMAT?.trim().toLowerCase() || 'json';
  const levelKnown = (LOG_LEVELS as readonly string[]).includes(level);
  const formatKnown = format === 'json' || format === 'pretty';
  const logger = createLogger({
    component,
    level: levelKnown ? level : 'info',
    format: formatKnown ? format : 'json',
    ...(destination ? { destination } : {}),
  });
  if (!levelKnown)
    logger.warn(`AXN_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; logging at info`, {
      got: level.slice(0, 20),
    });
  if (!formatKnown)
    logger.warn('AXN_LOG_FORMAT must be json or pretty; writing JSON lines', { got: format.slice(0, 20) });
  return logger;
}

/** Masks phone numbers in every string of a log object, however deep (bounded, for safety). */
function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubPhones(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubDeep(item, depth + 1)]));
}
