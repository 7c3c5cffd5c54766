import type { ServerResponse } from 'node:http';
import { CommandMetrics, ConfigError, openServiceRuntime } from '@axnbot/chatops';
import { App, LogLevel, webApi } from '@slack/bolt';
import { boltLogger } from './bolt-logger.js';
import { fetchBotIdentity } from './bot-identity.js';
import { loadSlackConfig } from './config.js';
import { registerHandlers } from './handlers.js';
import { EVENTS_PATH, SlackHttpReceiver } from './http-receiver.js';

/** Where the bot writes its operational lines (stdout carries only the ready line). */
const logLine = (line: string) => process.stderr.write(`${line}\n`);

/** Starts the Slack bot as configured by the environment; resolves once it is serving. */
export async function startSlackBot(env: NodeJS.ProcessEnv, log: (line: string) => void = logLine) {
  const config = loadSlackConfig(env);
  // Who the bot is, before anything else opens: a refused token stops here with one line.
  const identity =
    config.botId && config.botUserId
      ? { botId: config.botId, botUserId: config.botUserId }
      : await fetchBotIdentity({ token: config.botToken, apiUrl: config.apiUrl, log });
  const runtime = await openServiceRuntime(config.service, env);
  const { service } = runtime;
  const metrics = new CommandMetrics();
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    retryConfig: { retries: 2 },
  };
  const appOptions = { token: config.botToken, ...identity, clientOptions };

  let app: App;
  let receiver: SlackHttpReceiver | undefined;
  try {
    if (config.appToken) {
      const logger = boltLogger(log, LogLevel.WARN);
      app = new App({ ...appOptions, logger, socketMode: true, appToken: config.appToken });
      quietErrors(app);
      registerHandlers(app, { service, config, metrics });
      logger.holdErrors = true;
      await app.start().then(
        () => {
          logger.holdErrors = false;
        },
        (error: unknown) => {
          throw appTokenProblem(error) ?? error;
        },
      );
    } else {
      receiver = new SlackHttpReceiver({
        signingSecret: config.signingSecret as string,
        port: config.port,
        log,
        routes: {
          '/healthz': (res) => sendText(res, 'application/json', '{"ok":true}'),
          '/metrics': (res) => sendText(res, 'text/plain; version=0.0.4', renderMetrics(metrics, receiver)),
        },
      });
      // The receiver logs one line for each request it cannot serve; Bolt's warnings would repeat it.
      app = new App({ ...appOptions, receiver, logger: boltLogger(log, LogLevel.ERROR) });
      quietErrors(app);
      registerHandlers(app, { service, config, metrics });
      await receiver.start().catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
        throw new ConfigError(`PORT ${config.port} is already in use: set PORT to a free port`);
      });
    }
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const port = receiver?.port;
  return {
    config,
    port,
    readyLine: `axnbot slack-bot ready on ${port !== undefined ? `http://0.0.0.0:${port}${EVENTS_PATH}` : 'Socket Mode'}`,
    async stop() {
      if (receiver) await receiver.stop();
      else await app.stop();
      await runtime.close();
    },
  };
}

/**
 * Bolt's default error handler logs the whole error object (stack and all) before rethrowing; the
 * receiver logs one line for whatever reaches it, so here errors are only passed on.
 */
function quietErrors(app: App): void {
  app.error(async (error) => {
    throw error;
  });
}

/** Socket Mode: an app-level token Slack refuses is a setting to fix, said in one line. */
function appTokenProblem(error: unknown): ConfigError | undefined {
  const { code, data } = error as { code?: unknown; data?: { error?: unknown } };
  if (code !== webApi.ErrorCode.PlatformError) return undefined;
  const platform = String(data?.error);
  if (!['invalid_auth', 'not_authed', 'token_revoked', 'not_allowed_token_type'].includes(platform))
    return undefined;
  return new ConfigError(
    `SLACK_APP_TOKEN was refused by Slack (${platform}): generate an app-level token with connections:write under Basic Information → App-Level Tokens`,
  );
}

function renderMetrics(metrics: CommandMetrics, receiver: SlackHttpReceiver | undefined): string {
  return `${metrics.render('axnbot_slack')}${[
    '# HELP axnbot_slack_replay_guard_entries Verified requests remembered against replays.',
    '# TYPE axnbot_slack_replay_guard_entries gauge',
    `axnbot_slack_replay_guard_entries ${receiver?.replays.size ?? 0}`,
  ].join('\n')}\n`;
}

function sendText(res: ServerResponse, contentType: string, text: string): void {
  res.writeHead(200, { 'content-type': contentType }).end(text);
}
