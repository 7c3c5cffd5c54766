import { ConfigError, loadBotServiceConfig, readEnvSection, type ServiceConfig } from '@axnbot/chatops';
import { z } from 'zod';

/** Everything the Slack bot is configured with. */
export interface SlackBotConfig {
  readonly botToken: string;
  /** Verifies HTTP requests; Socket Mode does not use it. */
  readonly signingSecret?: string;
  /** Set: Socket Mode. Unset: HTTP on `port` at /slack/events. */
  readonly appToken?: string;
  /** Where the Web API lives (tests and proxies point it elsewhere); Slack's own when unset. */
  readonly apiUrl?: string;
  /** The bot's ids; with both set, no `auth.test` call is needed to start. */
  readonly botId?: string;
  readonly botUserId?: string;
  readonly port: number;
  /** Who sees results: the channel (default) or only the invoker. Errors and help are always ephemeral. */
  readonly resultVisibility: 'in_channel' | 'ephemeral';
  readonly service: ServiceConfig;
}

const schema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ message: 'SLACK_BOT_TOKEN is required: the bot token (xoxb-…) from OAuth & Permissions' })
    .min(1)
    .regex(/^xoxb-/, 'SLACK_BOT_TOKEN must be a bot token starting with xoxb-'),
  SLACK_SIGNING_SECRET: z.string().min(8, 'SLACK_SIGNING_SECRET looks too short').optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'SLACK_APP_TOKEN must be an app-level token starting with xapp-')
    .optional(),
  SLACK_API_URL: z
    .string()
    .regex(
      /^https?:\/\/\S+\/$/,
      'SLACK_API_URL must be an http(s) URL ending in /, e.g. https://slack.com/api/',
    )
    .optional(),
  SLACK_BOT_ID: z
    .string()
    .regex(/^B[A-Z0-9]+$/, 'SLACK_BOT_ID must look like B0123ABCD')
    .optional(),
  SLACK_BOT_USER_ID: z
    .string()
    .regex(/^[UW][A-Z0-9]+$/, 'SLACK_BOT_USER_ID must look like U0123ABCD')
    .optional(),
  SLACK_RESULT_VISIBILITY: z
    .enum(['in_channel', 'ephemeral'], { message: 'SLACK_RESULT_VISIBILITY must be in_channel or ephemeral' })
    .default('in_channel'),
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'PORT must be a port number')
    .transform(Number)
    .refine((port) => port <= 65535, 'PORT must be at most 65535')
    .default(3000),
});

/** Reads and validates the bot's environment; throws a {@link ConfigError} naming the variable. */
export function loadSlackConfig(env: Readonly<Record<string, string | undefined>>): SlackBotConfig {
  const v = readEnvSection(schema, env, (name) => name.startsWith('SLACK_') || name === 'PORT');
  if (!v.SLACK_APP_TOKEN && !v.SLACK_SIGNING_SECRET) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET is required in HTTP mode (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode',
    );
  }
  return {
    botToken: v.SLACK_BOT_TOKEN,
    signingSecret: v.SLACK_SIGNING_SECRET,
    appToken: v.SLACK_APP_TOKEN,
    apiUrl: v.SLACK_API_URL,
    botId: v.SLACK_BOT_ID,
    botUserId: v.SLACK_BOT_USER_ID,
    port: v.PORT,
    resultVisibility: v.SLACK_RESULT_VISIBILITY,
    service: loadBotServiceConfig(env, { locale: 'en' }),
  };
}
