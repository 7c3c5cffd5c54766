import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  BotMetrics,
  CallNoticeRelay,
  ConfigError,
  createReceiptEndpoint,
  isReceiptRequest,
  LifecycleScheduler,
  type Logger,
  ledgerReadiness,
  loadLifecycleConfig,
  loadReceiptToken,
  NOT_READY,
  openServiceRuntime,
  parseContextFor,
  RECEIPT_PATH_PREFIX,
  startStatusServer,
} from '@axnbot/chatops';
import { App, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import { boltLogger } from './bolt-logger.js';
import { fetchBotIdentity } from './bot-identity.js';
import { loadSlackConfig } from './config.js';
import { registerHandlers } from './handlers.js';
import { HomeTab } from './home-tab.js';
import { EVENTS_PATH, SlackHttpReceiver } from './http-receiver.js';
import { registerReminderActions, slackLifecycleSend } from './lifecycle-slack.js';
import { registerNativeUi } from './native-ui.js';
import { SlackPoster } from './slack-poster.js';

/**
 * Starts the Slack bot as configured by the environment; resolves once it is serving. Everything it,
 * Bolt and the binding service log goes through `logger`.
 */
export async function startSlackBot(env: NodeJS.ProcessEnv, logger: Logger) {
  const config = loadSlackConfig(env);
  const receiptToken = loadReceiptToken(env);
  const lifecycleConfig = loadLifecycleConfig(env);
  // Who the bot is, before anything else opens: a refused token stops here with one line.
  const identity =
    config.botId && config.botUserId
      ? { botId: config.botId, botUserId: config.botUserId }
      : await fetchBotIdentity({ token: config.botToken, apiUrl: config.apiUrl, logger });
  const metrics = new BotMetrics('slack');
  const runtime = await openServiceRuntime(config.service, env, { metrics, logger });
  const { service } = runtime;
  let started = false;
  // In Socket Mode, whether the websocket to Slack is open right now (HTTP mode has none to lose).
  let socketUp = true;
  const notReady = async () => {
    if (!started) return NOT_READY.starting;
    if (!socketUp) return NOT_READY.slack;
    return ledgerReadiness(runtime.ledger);
  };
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    retryConfig: { retries: 2 },
  };
  const appOptions = { token: config.botToken, ...identity, clientOptions };
  // At AXN_LOG_LEVEL=debug, Bolt's own debug lines are wanted too; otherwise only what needs action.
  // (Bolt resets its logger to the App's `logLevel`, INFO unless given: it is passed with the logger.)
  const boltDebug = env.AXN_LOG_LEVEL?.trim().toLowerCase() === 'debug';

  let app: App;
  let receiver: SlackHttpReceiver | undefined;
  let statusServer: Server | undefined;
  // Call receipts (AXN_RECEIPT_TOKEN): stored, then each call posted in its binding's card thread.
  let poster: SlackPoster | undefined;
  let scheduler: LifecycleScheduler | undefined;
  // The sweep runs in any case: it posts what a stopped process left and, on a ledger shared with the
  // DingTalk bot, the calls of Slack bindings that Aliyun pushed there.
  const relay = new CallNoticeRelay({
    source: service,
    post: (notice) => (poster ? poster.postCall(notice) : Promise.reject(new Error('not started'))),
    logger,
    platform: 'slack',
  });
  const receipts = receiptToken
    ? createReceiptEndpoint({
        token: receiptToken,
        store: service.receiptStore(),
        onStored: relay.onStored,
        logger,
      })
    : undefined;
  /** The commands, buttons, the bind form and the Home tab, on a new app; answers its poster. */
  const wireApp = (app: App) => {
    const poster = new SlackPoster(app.client, service, logger);
    const parseContext = () => parseContextFor(config.service, Date.now());
    const home = new HomeTab({
      client: app.client,
      service,
      locale: config.service.locale,
      logger,
      parseContext,
      now: Date.now,
    });
    registerHandlers(app, { service, config, metrics, logger, poster, home });
    registerReminderActions(app, { service, metrics, logger, parseContext, now: Date.now });
    // Reminders, expiry notices and pool alerts, found in the ledger (so replicas and restarts agree).
    scheduler = new LifecycleScheduler({
      source: service,
      config: lifecycleConfig,
      platforms: ['slack'],
      send: slackLifecycleSend({ client: app.client, now: Date.now }),
      logger,
    });
    registerNativeUi(app, {
      service,
      poster,
      home,
      metrics,
      logger,
      locale: config.service.locale,
      maxBulk: config.service.maxBulk,
      parseContext,
      now: Date.now,
    });
    return { poster };
  };
  // Readiness also says whether the rate limits are shared (AXN_REDIS_URL) or kept per process.
  const readyDetail = () => ({ limits: runtime.limitsStatus() });
  const serveReceipts = (req: IncomingMessage, res: ServerResponse) =>
    (receipts ?? notFound)(req, res).catch((error: unknown) => {
      logger.error('could not answer a receipt push', {
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent) res.writeHead(500).end();
    });
  metrics.trackReplayGuard(() => receiver?.replays.size ?? 0);
  try {
    if (config.appToken) {
      const bolt = boltLogger(logger, boltDebug ? LogLevel.DEBUG : LogLevel.WARN);
      const socketReceiver = new SocketModeReceiver({
        appToken: config.appToken,
        logger: bolt,
        logLevel: boltDebug ? LogLevel.DEBUG : LogLevel.WARN,
        installerOptions: { clientOptions },
      });
      // Readiness follows the live socket: Slack delivers nothing while it is down.
      socketUp = false;
      socketReceiver.client.on('connected', () => {
        socketUp = true;
        if (started) logger.info('reconnected to Slack');
      });
      // With auto-reconnect on, a dropped socket is reported as `close` (then `reconnecting`), not
      // `disconnected`. A `close` of a replaced socket while the new one is open is not an outage —
      // the client itself ignores it the same way.
      socketReceiver.client.on('close', () => {
        const { websocket } = socketReceiver.client as unknown as { websocket?: { isActive(): boolean } };
        if (websocket?.isActive() || !socketUp) return;
        socketUp = false;
        if (started) logger.warn('lost the connection to Slack; reconnecting');
      });
      app = new App({ ...appOptions, logger: bolt, logLevel: bolt.getLevel(), receiver: socketReceiver });
      quietErrors(app);
      ({ poster } = wireApp(app));
      bolt.holdErrors = true;
      await app.start().then(
        () => {
          bolt.holdErrors = false;
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
        logger,
        readyDetail,
        fallback: (req, res) => {
          if (!isReceiptRequest(req)) return false;
          void serveReceipts(req, res);
          return true;
        },
      });
    } else {
      receiver = new SlackHttpReceiver({
        signingSecret: config.signingSecret as string,
        port: config.port,
        logger,
        prefixes: { [RECEIPT_PATH_PREFIX]: serveReceipts },
        routes: {
          '/healthz': (res) => sendText(res, 200, 'application/json', '{"ok":true}'),
          '/readyz': async (res) => {
            const reason = await notReady();
            sendText(
              res,
              reason ? 503 : 200,
              'application/json',
              JSON.stringify({ ...(reason ? { ready: false, reason } : { ready: true }), ...readyDetail() }),
            );
          },
          '/metrics': async (res) => {
            const { contentType, body } = await metrics.render();
            sendText(res, 200, contentType, body);
          },
        },
      });
      // The receiver logs one line for each request it cannot serve; Bolt's warnings would repeat it.
      const bolt = boltLogger(logger, boltDebug ? LogLevel.DEBUG : LogLevel.ERROR);
      app = new App({ ...appOptions, receiver, logger: bolt, logLevel: bolt.getLevel() });
      quietErrors(app);
      ({ poster } = wireApp(app));
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
  relay.start();
  scheduler?.start();
  void scheduler?.tick();
  const port = receiver?.port;
  return {
    config,
    port,
    readyLine: `axnbot slack-bot ready on ${port !== undefined ? `http://0.0.0.0:${port}${EVENTS_PATH}` : 'Socket Mode'}`,
    async stop() {
      await scheduler?.stop();
      await relay.stop();
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

/** Without AXN_RECEIPT_TOKEN there is no receipt endpoint: its path is like any unknown one. */
async function notFound(_req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.writeHead(404).end();
}

function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'content-type': contentType }).end(text);
}
