import { AxnError, expectCity, poolKey } from '@axnbot/core';
import { z } from 'zod';
import type { Locale } from './language/commands.js';
import { parseDuration } from './language/duration.js';

/** Everything the binding service is configured with; see the table in ARCHITECTURE.md. */
export interface ServiceConfig {
  readonly endpoint: string;
  readonly signature: 'v2' | 'v3';
  readonly poolKey: string;
  readonly defaultCity?: string;
  readonly defaultExpiresMs: number;
  readonly maxExpiresMs: number;
  readonly timeoutMs: number;
  readonly maxQps: number;
  readonly databaseUrl: string;
  readonly hashKey: string;
  readonly allowUsers: readonly string[];
  readonly allowChannels: readonly string[];
  readonly admins: readonly string[];
  readonly locale: Locale;
  /** Binds a user may make per minute (each number of a bulk bind counts). */
  readonly rateLimitPerMinute: number;
  readonly maxBulk: number;
  /** Where replicas share the Aliyun call rate and the per-user limit (`AXN_REDIS_URL`); each process limits alone without it. */
  readonly redisUrl?: string;
  /** How many replicas run (`AXN_REPLICAS`, 1): each keeps limit / replicas while Redis is unreachable. */
  readonly replicas?: number;
}

/**
 * Thrown when configuration is wrong; its message is one line naming the variable. It is the
 * `local.CONFIG` {@link AxnError}, so one check (`isConfigError`) covers it and the SDK's own.
 */
export class ConfigError extends AxnError {
  constructor(message: string) {
    super({ code: 'local.CONFIG', message });
  }
}

/** Whether an error is a configuration problem: the user's to fix, told in one line. */
export function isConfigError(error: unknown): error is AxnError {
  return error instanceof AxnError && error.code === 'local.CONFIG';
}

/**
 * Validates the variables a schema describes, taken from `env` when their names match `selects` and
 * they are not empty. Throws a {@link ConfigError} whose message names the first bad variable — the
 * one-line answer every axnbot process gives to bad configuration.
 */
export function readEnvSection<Schema extends z.ZodType>(
  schema: Schema,
  env: Readonly<Record<string, string | undefined>>,
  selects: (name: string) => boolean,
): z.output<Schema> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => selects(name) && value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue?.path[0] ?? 'configuration');
  const message = issue?.message ?? 'is not valid';
  throw new ConfigError(message.includes(name) ? message : `${name}: ${message}`);
}

const duration = (name: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be a duration such as 1d, 12h or 90m (got "${text.slice(0, 40)}")`,
      });
      return z.NEVER;
    }
    return ms;
  });

const list = z.string().transform((text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const positiveInt = (name: string) =>
  z.string().transform((text, ctx) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be a positive whole number (got "${text.slice(0, 40)}")`,
      });
      return z.NEVER;
    }
    return value;
  });

const schema = z.object({
  AXN_ENDPOINT: z
    .string()
    .default('https://dyplsapi.aliyuncs.com')
    .refine(
      (value) => value === 'embedded' || /^https?:\/\/[^\s]+$/.test(value),
      'AXN_ENDPOINT must be an http(s) URL or "embedded"',
    ),
  AXN_SIGNATURE: z.enum(['v2', 'v3'], { message: 'AXN_SIGNATURE must be v2 or v3' }).default('v3'),
  // The same rules the API calls are checked by (core's field schemas), with the variable's name.
  AXN_POOL_KEY: z
    .string()
    .refine((value) => poolKey.safeParse(value).success, 'AXN_POOL_KEY must be your pool key (FC…)')
    .optional(),
  AXN_DEFAULT_CITY: z
    .string()
    .refine(
      (value) => expectCity.safeParse(value).success,
      'AXN_DEFAULT_CITY must be a city name (1–32 characters)',
    )
    .optional(),
  AXN_DEFAULT_EXPIRES: duration('AXN_DEFAULT_EXPIRES').default(86_400_000),
  AXN_MAX_EXPIRES: duration('AXN_MAX_EXPIRES').default(90 * 86_400_000),
  AXN_TIMEOUT_MS: positiveInt('AXN_TIMEOUT_MS').default(10_000),
  AXN_MAX_QPS: positiveInt('AXN_MAX_QPS').default(50),
  AXN_DATABASE_URL: z.string().min(1).default('./.axnbot/axnbot.db'),
  AXN_HASH_KEY: z
    .string()
    .min(16, 'AXN_HASH_KEY must be at least 16 characters (a random secret)')
    .optional(),
  AXN_ALLOW_USERS: list.default([]),
  AXN_ALLOW_CHANNELS: list.default([]),
  AXN_ADMINS: list.default([]),
  AXN_LOCALE: z.enum(['en', 'zh'], { message: 'AXN_LOCALE must be en or zh' }).optional(),
  AXN_RATE_LIMIT: positiveInt('AXN_RATE_LIMIT').default(30),
  AXN_BULK_MAX: positiveInt('AXN_BULK_MAX').default(20),
  AXN_REDIS_URL: z
    .string()
    .refine(
      (value) => /^rediss?:\/\/[^\s]+$/.test(value),
      'AXN_REDIS_URL must be a redis:// or rediss:// URL',
    )
    .optional(),
  AXN_REPLICAS: positiveInt('AXN_REPLICAS').default(1),
});

/**
 * Reads and validates the `AXN_*` variables. `overrides` fill what a front end decides (the console's
 * default pool and hash key for the embedded emulator; a platform's default locale). Throws a
 * {@link ConfigError} whose message is one line naming the variable.
 */
export function loadServiceConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: { poolKey?: string; hashKey?: string; locale?: Locale } = {},
): ServiceConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([key, value]) => key.startsWith('AXN_') && value !== undefined && value !== '',
    ),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'AXN_*');
    const message = issue?.message ?? 'is not valid';
    throw new ConfigError(message.startsWith(name) ? message : `${name}: ${message}`);
  }
  const v = parsed.data;
  const poolKey = v.AXN_POOL_KEY ?? overrides.poolKey;
  if (!poolKey)
    throw new ConfigError('AXN_POOL_KEY is required: your number pool key (FC…) from the console');
  const hashKey = v.AXN_HASH_KEY ?? overrides.hashKey;
  if (!hashKey)
    throw new ConfigError(
      'AXN_HASH_KEY is required: a random secret of at least 16 characters (e.g. openssl rand -hex 32)',
    );
  if (v.AXN_DEFAULT_EXPIRES > v.AXN_MAX_EXPIRES)
    throw new ConfigError('AXN_DEFAULT_EXPIRES must not exceed AXN_MAX_EXPIRES');
  return {
    endpoint: v.AXN_ENDPOINT,
    signature: v.AXN_SIGNATURE,
    poolKey,
    defaultCity: v.AXN_DEFAULT_CITY,
    defaultExpiresMs: v.AXN_DEFAULT_EXPIRES,
    maxExpiresMs: v.AXN_MAX_EXPIRES,
    timeoutMs: v.AXN_TIMEOUT_MS,
    maxQps: v.AXN_MAX_QPS,
    databaseUrl: v.AXN_DATABASE_URL,
    hashKey,
    allowUsers: v.AXN_ALLOW_USERS,
    allowChannels: v.AXN_ALLOW_CHANNELS,
    admins: v.AXN_ADMINS,
    locale: v.AXN_LOCALE ?? overrides.locale ?? 'en',
    rateLimitPerMinute: v.AXN_RATE_LIMIT,
    maxBulk: v.AXN_BULK_MAX,
    redisUrl: v.AXN_REDIS_URL,
    replicas: v.AXN_REPLICAS,
  };
}

/**
 * A bot process's service config: as {@link loadServiceConfig}, refusing `AXN_ENDPOINT=embedded` (an
 * emulator inside the process is for the console only).
 */
export function loadBotServiceConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: { locale?: Locale } = {},
): ServiceConfig {
  if (env.AXN_ENDPOINT === 'embedded') {
    throw new ConfigError(
      'AXN_ENDPOINT=embedded is for `axn console`; point the bot at Alibaba Cloud or an emulator URL',
    );
  }
  return loadServiceConfig(env, overrides);
}
