import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CommandMetrics, openServiceRuntime } from '@axnbot/chatops';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { loadSlackConfig, type SlackBotConfig } from './config.js';
import { registerHandlers } from './handlers.js';
import { ReplayGuard } from './replay-guard.js';

/** Starts the Slack bot as configured by the environment; resolves once it is serving. */
export async function startSlackBot(env: NodeJS.ProcessEnv) {
  const config = loadSlackConfig(env);
  const runtime = await openServiceRuntime(config.service, env);
  const { service } = runtime;
  const metrics = new CommandMetrics();
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    retryConfig: { retries: 2 },
  };
  const identity = {
    token: config.botToken,
    ...(config.botId && config.botUserId ? { botId: config.botId, botUserId: config.botUserId } : {}),
  };

  let app: App;
  let server: ReturnType<typeof createServer> | undefined;
  if (config.appToken) {
    app = new App({
      ...identity,
      socketMode: true,
      appToken: config.appToken,
      clientOptions,
      logLevel: LogLevel.WARN,
    });
    registerHandlers(app, { service, config, metrics });
    await app.start();
  } else {
    const receiver = new HTTPReceiver({
      signingSecret: config.signingSecret as string,
      endpoints: '/slack/events',
      logLevel: LogLevel.WARN,
    });
    app = new App({ ...identity, receiver, clientOptions, logLevel: LogLevel.WARN });
    registerHandlers(app, { service, config, metrics });
    server = await serveHttp(config, receiver, metrics);
  }
  const port = server ? (server.address() as { port: number }).port : undefined;
  return {
    config,
    port,
    readyLine: `axnbot slack-bot ready on ${port !== undefined ? `http://0.0.0.0:${port}/slack/events` : 'Socket Mode'}`,
    async stop() {
      if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
      else await app.stop();
      await runtime.close();
    },
  };
}

/**
 * HTTP mode: Bolt's receiver behind a small server that adds `/healthz`, `/metrics`, and a replay
 * guard — Bolt checks signatures and the 5-minute window but lets the same signed request in twice.
 */
async function serveHttp(config: SlackBotConfig, receiver: HTTPReceiver, metrics: CommandMetrics) {
  const replays = new ReplayGuard(5 * 60_000);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render('axnbot_slack'));
      return;
    }
    const signature = req.headers['x-slack-signature'];
    const timestamp = req.headers['x-slack-request-timestamp'];
    if (
      typeof signature === 'string' &&
      typeof timestamp === 'string' &&
      !replays.firstTime(`${timestamp}:${signature}`)
    ) {
      process.stderr.write(`slack-bot: refused a replayed request (timestamp ${timestamp})\n`);
      res.writeHead(401).end();
      return;
    }
    receiver.requestListener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  return server;
}
