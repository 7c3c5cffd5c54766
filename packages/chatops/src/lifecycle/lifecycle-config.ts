import { z } from 'zod';
import { readEnvSection } from '../config.js';
import { parseDuration } from '../language/duration.js';

/** Where pool alerts are posted: a Slack channel (`C…`/`G…`) or a DingTalk group (`cid…`). */
export interface AlertChannel {
  readonly platform: 'slack' | 'dingtalk';
  /** The Slack channel id, or the DingTalk group's openConversationId. */
  readonly channelId: string;
}

/** The binding lifecycle's settings (`AXN_REMIND_BEFORE` and the rest; see .env.example). */
export interface LifecycleConfig {
  /** How long before its expiry a binding made from chat is reminded; 0 when reminders are off. */
  readonly remindBeforeMs: number;
  /** How often the scheduler looks in the ledger for due work. */
  readonly intervalMs: number;
  /** Binds in an hour, landed elsewhere or refused for one pool and city, that make an alert. */
  readonly poolAlertThreshold: number;
  /** The least time between two alerts for one pool and city. */
  readonly poolAlertCooldownMs: number;
  /** Where pool alerts go; none when unset (no alerts). */
  readonly alertChannel?: AlertChannel;
}

/** The defaults: remind 2 h before, tick every 30 s, alert at 3 in an hour, at most every 6 h. */
export const LIFECYCLE_DEFAULTS: LifecycleConfig = {
  remindBeforeMs: 2 * 3_600_000,
  intervalMs: 30_000,
  poolAlertThreshold: 3,
  poolAlertCooldownMs: 6 * 3_600_000,
};

const NAMES = new Set([
  'AXN_REMIND_BEFORE',
  'AXN_SCHEDULER_INTERVAL',
  'AXN_POOL_ALERT_THRESHOLD',
  'AXN_POOL_ALERT_COOLDOWN',
  'AXN_ALERT_CHANNEL',
]);

/** A duration between `min` and `max` ms, told as `example` when wrong. */
const duration = (name: string, min: number, max: number, example: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < min || ms > max) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be a duration such as ${example} (got "${text.slice(0, 40)}")`,
      });
      return z.NEVER;
    }
    return ms;
  });

const schema = z.object({
  AXN_REMIND_BEFORE: z
    .string()
    .transform((text, ctx) => {
      const trimmed = text.trim().toLowerCase();
      if (trimmed === '0' || trimmed === 'off') return 0;
      const ms = parseDuration(trimmed);
      if (ms === undefined || ms < 60_000 || ms > 30 * 86_400_000) {
        ctx.addIssue({
          code: 'custom',
          message: `AXN_REMIND_BEFORE must be a duration such as 2h or 30m, or 0 / off (got "${text.slice(0, 40)}")`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .optional(),
  AXN_SCHEDULER_INTERVAL: duration(
    'AXN_SCHEDULER_INTERVAL',
    1_000,
    3_600_000,
    '30s or 1m (1s to 1h)',
  ).optional(),
  AXN_POOL_ALERT_THRESHOLD: z
    .string()
    .transform((text, ctx) => {
      const value = Number(text);
      if (!/^\d+$/.test(text.trim()) || !Number.isInteger(value) || value < 1 || value > 10_000) {
        ctx.addIssue({
          code: 'custom',
          message: `AXN_POOL_ALERT_THRESHOLD must be a whole number from 1 to 10000 (got "${text.slice(0, 40)}")`,
        });
        return z.NEVER;
      }
      return value;
    })
    .optional(),
  AXN_POOL_ALERT_COOLDOWN: duration(
    'AXN_POOL_ALERT_COOLDOWN',
    60_000,
    30 * 86_400_000,
    '6h or 1d',
  ).optional(),
  AXN_ALERT_CHANNEL: z
    .string()
    .transform((text, ctx) => {
      const channel = parseAlertChannel(text.trim());
      if (!channel) {
        ctx.addIssue({
          code: 'custom',
          message: `AXN_ALERT_CHANNEL must be slack:<channel id> (slack:C0123ABCD) or dingtalk:<openConversationId> (dingtalk:cid…) (got "${text.slice(0, 40)}")`,
        });
        return z.NEVER;
      }
      return channel;
    })
    .optional(),
});

/**
 * Reads `slack:C0123ABCD` or `dingtalk:cidAbC…` (what `AXN_ALERT_CHANNEL` holds); `undefined` when it is
 * neither.
 */
export function parseAlertChannel(text: string): AlertChannel | undefined {
  const slack = /^slack:([CG][A-Z0-9]{2,30})$/.exec(text);
  if (slack) return { platform: 'slack', channelId: slack[1] as string };
  const dingtalk = /^dingtalk:(cid[A-Za-z0-9+/=_-]{4,120})$/.exec(text);
  if (dingtalk) return { platform: 'dingtalk', channelId: dingtalk[1] as string };
  return undefined;
}

/**
 * Reads and validates the lifecycle variables, with {@link LIFECYCLE_DEFAULTS} for those unset. Throws a
 * {@link ConfigError} whose message is one line naming the variable.
 */
export function loadLifecycleConfig(env: Readonly<Record<string, string | undefined>>): LifecycleConfig {
  const v = readEnvSection(schema, env, (name) => NAMES.has(name));
  return {
    remindBeforeMs: v.AXN_REMIND_BEFORE ?? LIFECYCLE_DEFAULTS.remindBeforeMs,
    intervalMs: v.AXN_SCHEDULER_INTERVAL ?? LIFECYCLE_DEFAULTS.intervalMs,
    poolAlertThreshold: v.AXN_POOL_ALERT_THRESHOLD ?? LIFECYCLE_DEFAULTS.poolAlertThreshold,
    poolAlertCooldownMs: v.AXN_POOL_ALERT_COOLDOWN ?? LIFECYCLE_DEFAULTS.poolAlertCooldownMs,
    ...(v.AXN_ALERT_CHANNEL ? { alertChannel: v.AXN_ALERT_CHANNEL } : {}),
  };
}
