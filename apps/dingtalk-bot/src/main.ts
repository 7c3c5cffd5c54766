import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  type Actor,
  BotMetrics,
  CallNoticeRelay,
  ConfigError,
  createReceiptEndpoint,
  isParseError,
  isReceiptRequest,
  isSuccess,
  LifecycleScheduler,
  type Logger,
  ledgerReadiness,
  loadLifecycleConfig,
  NOT_READY,
  openServiceRuntime,
  parseCommand,
  parseContextFor,
  phrase,
  type Reply,
  reportCommand,
  startStatusServer,
  withCorrelation,
} from '@axnbot/chatops';
import { type DWClientDownStream, TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import { createCallPoster, messageRefOf, withCard } from './call-poster.js';
import { DingTalkCards, type SentCard } from './cards.js';
import { loadDingTalkConfig } from './config.js';
import { dingTalkLifecycleSend } from './lifecycle-dingtalk.js';
import { renderMarkdown, renderNote } from './markdown.js';
import { Replier } from './replier.js';
import { commandText, isGroup, parseRobotMessage, type RobotMessage } from './robot-message.js';
import { ConnectFailure, CredentialsRefused, StreamClient } from './stream-client.js';
import { ConnectionSupervisor, type SupervisorEvent } from './supervisor.js';

/** How long a handled msgId is remembered in memory, so a quick redelivery of a read is not answered twice. */
const RECENT_MS = 10 * 60_000;

/**
 * Starts the DingTalk bot as configured by the environment. Everything it, the stream client and the
 * binding service log goes through `logger`.
 */
export async function startDingTalkBot(env: NodeJS.ProcessEnv, logger: Logger) {
  const config = loadDingTalkConfig(env);
  const lifecycleConfig = loadLifecycleConfig(env);
  const metrics = new BotMetrics('dingtalk');
  const runtime = await openServiceRuntime(config.service, env, { metrics, logger });
  const { service } = runtime;
  const replier = new Replier({
    apiUrl: config.apiUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
  });
  const stream = new StreamClient(
    { clientId: config.clientId, clientSecret: config.clientSecret, ua: 'axnbot-dingtalk/0.1' },
    config.gatewayUrl,
    logger,
  );
  const recent = new Map<string, number>();
  const cards = new DingTalkCards({
    templateId: config.cardTemplateId,
    replier,
    service,
    serviceConfig: config.service,
    respond: (messageId, response) => stream.respond(messageId, response),
    logger,
    metrics,
  });

  // Credentials the gateway refuses end the bot: at start-up through the error thrown below (one line,
  // exit 1), later through `failed`, which the process entry point turns into the same.
  let refused: CredentialsRefused | undefined;
  let reportRefusal: (error: ConfigError) => void = () => {};
  const failed = new Promise<ConfigError>((resolve) => {
    reportRefusal = resolve;
  });
  const supervisor = new ConnectionSupervisor({
    connect: () => stream.open(),
    baseDelayMs: config.reconnectBaseMs,
    maxDelayMs: config.reconnectMaxMs,
    idleTimeoutMs: config.idleTimeoutMs,
    isFatal: (error) => error instanceof CredentialsRefused,
    onEvent: (event) => {
      if (event.type === 'fatal') {
        refused = event.error as CredentialsRefused;
        reportRefusal(new ConfigError(refused.message));
      } else if (event.type === 'connected') logger.info('connected');
      else logger.warn(describe(event));
    },
  });
  stream.onFrame((frame) => {
    supervisor.touch();
    if (frame.type === 'SYSTEM' && frame.headers.topic === 'disconnect') supervisor.serverDisconnect();
  });

  async function handle(frame: DWClientDownStream): Promise<void> {
    // Ack first: DingTalk redelivers un-acked or slow messages; duplicates are caught below.
    stream.ack(frame.headers.messageId);
    const message = parseRobotMessage(frame.data);
    if (!message) return;
    // Every line logged while answering carries the message's id.
    await withCorrelation(message.msgId, () => answer(message));
  }

  async function answer(message: RobotMessage): Promise<void> {
    const now = Date.now();
    for (const [id, until] of recent) {
      if (until > now) break;
      recent.delete(id);
    }
    if (recent.has(message.msgId)) return;
    recent.set(message.msgId, now + RECENT_MS);
    const started = now;
    const text = commandText(message);
    // A bare @mention asks for help, in Chinese whatever the default locale (as it always has).
    const parsed = parseCommand(text || phrase('command.help', 'zh'), parseContextFor(config.service, now));
    const staffId = message.senderStaffId ?? message.senderId ?? 'unknown';
    const actor: Actor = {
      platform: 'dingtalk',
      userId: staffId,
      userName: message.senderNick ?? staffId,
      channelId: message.conversationId,
      idempotencyKey: message.msgId,
    };
    const { reply, firstDelivery } = await service.executeDelivery(parsed, actor);
    // A redelivered msgId was answered when it first came.
    if (!firstDelivery) return;
    await rememberPlace(message, reply);
    if (!isParseError(parsed) && parsed.verb === 'recording' && isGroup(message)) {
      // A recording (or the refusal of one) is for the asker only: never into the group.
      await answerPrivately(message, reply);
    } else {
      const sent = await cards.send(message, reply);
      if (sent.length > 0) await rememberCards(message, reply, sent);
      else {
        // Not shown as cards (no template, a reply without a binding to show, or DingTalk refused): markdown.
        const parts = renderMarkdown(reply, {
          now: Date.now(),
          mention: isGroup(message) ? message.senderStaffId : undefined,
        });
        const via = await replier.send(message, parts);
        if (via === 'openapi') logger.info('replied through the OpenAPI (session webhook expired)');
      }
    }
    reportCommand(
      { logger, metrics },
      {
        verb: isParseError(parsed) ? 'invalid' : parsed.verb,
        outcome: isSuccess(reply) ? 'ok' : reply.kind,
        seconds: (Date.now() - started) / 1000,
      },
    );
  }

  /**
   * Records where the bindings a bind made were made (the group, or the sender's single chat), so that
   * their calls are posted there. A failure is logged: those calls then go to the binder's single chat.
   */
  async function rememberPlace(message: RobotMessage, reply: Reply): Promise<void> {
    const refs =
      reply.kind === 'bound'
        ? [reply.binding.ref]
        : reply.kind === 'bulk'
          ? reply.items.flatMap((item) => (item.outcome === 'bound' ? [item.binding.ref] : []))
          : [];
    const place = messageRefOf(message);
    if (refs.length === 0 || place === undefined) return;
    for (const ref of refs) {
      try {
        await service.setBindingMessageRef(ref, place);
      } catch (error) {
        logger.warn('could not record where a binding was made; its calls go to the binder’s single chat', {
          ref,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /**
   * Records, for each binding a bind made whose result went out as a card of its own, that card (its
   * outTrackId, after the place), so that the binding's expiry redraws it as ended. A failure is logged:
   * the expiry is then told by its notice alone.
   */
  async function rememberCards(
    message: RobotMessage,
    reply: Reply,
    sent: readonly SentCard[],
  ): Promise<void> {
    const bound =
      reply.kind === 'bound'
        ? [reply.binding]
        : reply.kind === 'bulk'
          ? reply.items.flatMap((item) => (item.outcome === 'bound' ? [item.binding] : []))
          : [];
    const place = messageRefOf(message);
    if (bound.length === 0 || place === undefined) return;
    for (const card of sent) {
      const view = card.subsIds.length === 1 ? bound.find((b) => b.subsId === card.subsIds[0]) : undefined;
      if (!view) continue;
      try {
        await service.setBindingMessageRef(view.ref, withCard(place, card.outTrackId));
      } catch (error) {
        logger.warn('could not record a binding’s card; its expiry will not redraw it', {
          ref: view.ref,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /**
   * Answers in the asker's single chat with the robot (OpenAPI), and in the group says only that it did
   * (or that it could not, and how to ask instead).
   */
  async function answerPrivately(message: RobotMessage, reply: Reply): Promise<void> {
    let sent = false;
    if (message.senderStaffId) {
      try {
        await replier.toUser(
          message.senderStaffId,
          renderMarkdown(reply, { now: Date.now() }),
          message.robotCode,
        );
        sent = true;
      } catch (error) {
        logger.warn('could not answer in the asker’s single chat', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const note = phrase(sent ? 'recording.sentPrivately' : 'recording.notSentPrivately', reply.locale);
    await replier.send(message, renderNote(note, { mention: message.senderStaffId }));
  }

  // Call receipts, with AXN_RECEIPT_TOKEN: stored by the endpoint on the status port, then each new call
  // posted where its binding was made. The sweep runs in any case: it posts what a stopped process left
  // and, on a ledger shared with the Slack bot, the calls of DingTalk bindings that Aliyun pushed there.
  const relay = new CallNoticeRelay({
    source: service,
    post: createCallPoster({ replier, logger }),
    logger,
    platform: 'dingtalk',
  });
  // Reminders, expiry notices and pool alerts, found in the ledger and claimed there before each is sent
  // (so replicas and restarts agree); started once connected.
  const scheduler = new LifecycleScheduler({
    source: service,
    config: lifecycleConfig,
    platforms: ['dingtalk'],
    send: dingTalkLifecycleSend({ replier, logger, now: Date.now }),
    logger,
  });
  const receipts = config.receiptToken
    ? createReceiptEndpoint({
        token: config.receiptToken,
        store: service.receiptStore(),
        onStored: relay.onStored,
        logger,
      })
    : undefined;
  const receiving = new Set<Promise<void>>();
  const fallback = receipts
    ? (req: IncomingMessage, res: ServerResponse): boolean => {
        if (!isReceiptRequest(req)) return false;
        const handling: Promise<void> = receipts(req, res)
          .catch((error: unknown) => {
            logger.error('could not handle a receipt push', {
              error: error instanceof Error ? error.message : String(error),
            });
            if (!res.headersSent) res.writeHead(500).end();
          })
          .finally(() => receiving.delete(handling));
        receiving.add(handling);
        return true;
      }
    : undefined;

  stream.registerCallbackListener(TOPIC_ROBOT, (frame: DWClientDownStream) => {
    // The SDK does not await listeners: every failure is caught here, and reported without secrets.
    handle(frame).catch((error: unknown) =>
      logger.error('could not handle a message', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  });
  // Card button presses come over the same connection. Subscriptions go out in the gateway request, so
  // this is registered before connecting — always, so that cards sent while a template was configured
  // still work after it is unset.
  stream.registerCallbackListener(TOPIC_CARD, (frame: DWClientDownStream) => {
    cards.onCallback(frame).catch((error: unknown) =>
      logger.error('could not handle a card button press', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  });
  let server: Server | undefined;
  try {
    await supervisor.start();
    if (refused) throw new ConfigError(refused.message);
    if (config.port !== undefined) {
      server = await startStatusServer({
        port: config.port,
        portOptional: true,
        metrics,
        notReady: async () => (supervisor.isConnected ? ledgerReadiness(runtime.ledger) : NOT_READY.dingtalk),
        logger,
        fallback,
        // Readiness also says whether the rate limits are shared (AXN_REDIS_URL) or kept per process.
        readyDetail: () => ({ limits: runtime.limitsStatus() }),
      });
    }
    relay.start();
    scheduler.start();
    void scheduler.tick();
  } catch (error) {
    await scheduler.stop();
    supervisor.stop();
    await runtime.close();
    throw error;
  }

  return {
    config,
    supervisor,
    /** Resolves if the gateway refuses the credentials after start-up; the bot has stopped connecting. */
    failed,
    readyLine: 'axnbot dingtalk-bot started',
    async stop() {
      // No new notices; one being sent finishes.
      await scheduler.stop();
      supervisor.stop();
      // No new receipts; the ones being handled finish posting; then the sweep stops.
      if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
      await Promise.allSettled(receiving);
      await relay.stop();
      await runtime.close();
    },
  };
}

function describe(event: SupervisorEvent): string {
  switch (event.type) {
    case 'connected':
      return 'connected';
    case 'connect-failed': {
      const { error } = event;
      const reason = error instanceof Error ? error.message : 'error';
      const waitingFor = error instanceof ConnectFailure ? error.waitingFor : 'the DingTalk stream';
      return `connection attempt ${event.attempt} failed (${reason}); waiting for ${waitingFor}, next try in ${event.retryInMs} ms`;
    }
    case 'closed':
      return `connection closed; reconnecting in ${event.retryInMs} ms`;
    case 'idle':
      return 'no frame within the idle timeout; reconnecting';
    case 'server-disconnect':
      return 'server asked to disconnect; reconnecting now';
    case 'fatal':
      return 'stopped connecting';
  }
}
