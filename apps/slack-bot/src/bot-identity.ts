import { ConfigError, type Logger } from '@axnbot/chatops';
import { LogLevel, webApi } from '@slack/bolt';
import { boltLogger } from './bolt-logger.js';
import { describeError } from './log-line.js';

/** The bot's own ids, which Bolt needs before it can route anything. */
export interface BotIdentity {
  readonly botId: string;
  readonly botUserId: string;
}

/** Platform answers that mean the token itself is wrong: waiting will not help, the variable must change. */
const TOKEN_REFUSED = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'no_permission',
  'team_access_not_granted',
  'org_login_required',
  'ekm_access_denied',
]);

export interface IdentityOptions {
  readonly token: string;
  /** Slack's Web API base, ending in `/`; Slack's own when unset. */
  readonly apiUrl?: string;
  readonly logger: Logger;
  /** Waits between attempts (tests shorten it); doubles from `firstDelayMs` up to 30 s. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly firstDelayMs?: number;
}

/**
 * Asks Slack who the bot is (`auth.test`) before starting, so a bad token is found at once and
 * reported in one line rather than as a stack trace on the first event. A token Slack refuses stops
 * start-up with a {@link ConfigError} naming `SLACK_BOT_TOKEN`; a network failure, an HTTP error or
 * rate limiting is waited out, with one line per attempt saying what it is waiting for.
 */
export async function fetchBotIdentity(options: IdentityOptions): Promise<BotIdentity> {
  const sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const base = options.apiUrl ?? 'https://slack.com/api/';
  // Our own attempts and lines: the client's retries and warnings would print stacks and hide the cause.
  const client = new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 0 },
    logger: boltLogger(options.logger, LogLevel.ERROR),
    timeout: 10_000,
  });
  let delayMs = options.firstDelayMs ?? 1_000;
  for (;;) {
    let reason: string;
    try {
      const result = await client.auth.test();
      if (typeof result.bot_id === 'string' && typeof result.user_id === 'string')
        return { botId: result.bot_id, botUserId: result.user_id };
      throw new ConfigError(
        'SLACK_BOT_TOKEN is not a bot token (auth.test named no bot): use the Bot User OAuth Token (xoxb-…)',
      );
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      const code = (error as { code?: unknown }).code;
      if (code === webApi.ErrorCode.PlatformError) {
        const platform = String((error as { data?: { error?: unknown } }).data?.error ?? 'error');
        if (TOKEN_REFUSED.has(platform))
          throw new ConfigError(
            `SLACK_BOT_TOKEN was refused by Slack (${platform}): set it to the app's Bot User OAuth Token (xoxb-…) from OAuth & Permissions`,
          );
        reason = `Slack answered ${platform}`;
      } else if (code === webApi.ErrorCode.RateLimitedError) {
        const retryAfter = Number((error as { retryAfter?: unknown }).retryAfter);
        if (retryAfter > 0) delayMs = Math.max(delayMs, retryAfter * 1000);
        reason = 'rate limited';
      } else if (code === webApi.ErrorCode.HTTPError) {
        reason = `HTTP ${(error as { statusCode?: unknown }).statusCode}`;
      } else if (code === webApi.ErrorCode.RequestError) {
        const original = (error as { original?: { cause?: { code?: unknown } } }).original;
        const cause = original?.cause?.code;
        reason = `${describeError(original ?? error)}${typeof cause === 'string' ? ` (${cause})` : ''}`;
      } else {
        reason = describeError(error);
      }
    }
    options.logger.warn(
      `waiting for Slack's Web API at ${base} (auth.test: ${reason}); trying again in ${Math.round(delayMs / 1000)} s`,
    );
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 30_000);
  }
}
