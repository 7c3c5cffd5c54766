import type { Server, ServerResponse } from 'node:http';
import {
  BotMetrics,
  ConfigError,
  ledgerReadiness,
  NOT_READY,
  openServiceRuntime,
  type ServiceRuntime,
  startStatusServer,
} from '@axnbot/chatops';
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
  const metrics = new BotMetrics('slack');
  const runtime = await openServiceRuntime(config.service, env, { metrics });
  const { service } = runtime;
  let started = false;
  const notReady = () => readiness(runtime, started);
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    retryConfig: { retries: 2 },
  };
  const appOptions = { token: config.botToken, ...identity, clientOptions };

  let app: App;
  let receiver: SlackHttpReceiver | undefined;
  let statusServer: Server | undefined;
  metrics.trackReplayGuard(() => receiver?.replays.size ?? 0);
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
      // Socket Mode opens no port for Slack; health, readiness and metrics still get one.
      statusServer = await startStatusServer({
        port: config.port,
        notReady,
        metrics,
        logger: lineLogger(log),
      });
    } else {
      receiver = new SlackHttpReceiver({
        signingSecret: config.signingSecret as string,
        port: config.port,
        log,
        routes: {
          '/healthz': (res) => sendText(res, 200, 'application/json', '{"ok":true}'),
          '/readyz': async (res) => {
            const reason = await notReady();
            sendText(
              res,
              reason ? 503 : 200,
              'application/json',
              JSON.stringify(reason ? { ready: false, reason } : { ready: true }),
            );
          },
          '/metrics': async (res) => {
            const { contentType, body } = await metrics.render();
            sendText(res, 200, contentType, body);
          },
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
    if (statusServer) await new Promise((resolve) => statusServer?.close(resolve));
    await runtime.close();
    throw error;
  }
  started = true;
  const port = receiver?.port;
  return {
    config,
    port,
    readyLine: `axnbot slack-bot ready on ${port !== undefined ? `http://0.0.0.0:${port}${EVENTS_PATH}` : 'Socket Mode'}`,
    async stop() {
      if (receiver) await receiver.stop();
      else await app.stop();
      if (statusServer) await new Promise((resolve) => statusServer?.close(resolve));
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

function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'content-type': contentType }).end(text);
}

/** Why the bot cannot serve yet: still starting, or the ledger unreachable. */
async function readiness(runtime: ServiceRuntime, started: boolean): Promise<string | undefined> {
  return started ? ledgerReadiness(runtime.ledger) : NOT_READY.starting;
}

/** The bot's one-line operational log, as a logger for the status server. */
function lineLogger(log: (line: string) => void) {
  const at = (message: string, fields?: Readonly<Record<string, unknown>>) =>
    log(`slack-bot: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  return { debug: () => {}, info: at, warn: at, error: at };
}
