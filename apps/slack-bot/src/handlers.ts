import {
  type Actor,
  type BindingService,
  type BotMetrics,
  isParseError,
  isSuccess,
  type Locale,
  type Logger,
  parseCommand,
  parseContextFor,
  type Reply,
  reportCommand,
  withCorrelation,
} from '@axnbot/chatops';
import type { App, BlockAction, ButtonAction, RespondArguments } from '@slack/bolt';
import {
  ACTION_EXTEND,
  ACTION_RECORDING,
  ACTION_UNBIND,
  renderSlack,
  type SlackMessage,
  workingMessage,
} from './blocks.js';
import type { SlackBotConfig } from './config.js';
import type { HomeTab } from './home-tab.js';
import { openBindForm } from './native-ui.js';
import { pressActor, pressKey } from './press.js';
import { boundViews, type SlackPoster } from './slack-poster.js';

/** What the handlers need. The clock is injected; the ack window is Slack's 3 s less a safety margin. */
export interface HandlerDeps {
  readonly service: BindingService;
  readonly config: SlackBotConfig;
  readonly metrics: BotMetrics;
  readonly logger: Logger;
  /**
   * Posts bind result cards with chat.postMessage, so each binding's calls can be threaded under its
   * card; without it, cards are the commands' answers.
   */
  readonly poster?: SlackPoster;
  /** The App Home tab, republished after a button pressed on it. */
  readonly home?: HomeTab;
  readonly now?: () => number;
  readonly ackWindowMs?: number;
}

/** The slash commands the app answers; `/axn` takes any verb. */
export const COMMANDS = ['/bind', '/unbind', '/extend', '/axn'] as const;

/** Registers the slash commands and the card buttons on a Bolt app. */
export function registerHandlers(app: App, deps: HandlerDeps): void {
  const now = deps.now ?? Date.now;
  const ackWindowMs = deps.ackWindowMs ?? 2_000;
  const { service, config } = deps;
  const locale: Locale = config.service.locale;
  const parseContext = () => parseContextFor(config.service, now());
  const render = (reply: Reply, userId: string): SlackMessage =>
    renderSlack(reply, { now: now(), userId, resultVisibility: config.resultVisibility });
  const { poster, logger } = deps;
  /** A bind's result card for the channel: posted rather than answered, so its calls can be threaded. */
  const isCardToPost = (reply: Reply, message: SlackMessage) =>
    poster !== undefined && message.response_type === 'in_channel' && boundViews(reply).length > 0;
  /**
   * Posts a bind's card in the channel and records where. A redelivery shows the card to the invoker
   * only (the first delivery posted it). Where the bot may not post, the card is answered through the
   * command instead, with a note the first time saying that its calls will come by DM.
   */
  const deliverCard = async (
    where: { channel: string; user: string },
    reply: Reply,
    firstDelivery: boolean,
    answer: (message: SlackMessage) => Promise<unknown>,
  ): Promise<void> => {
    const message = render(reply, where.user);
    if (!firstDelivery) {
      await answer({ ...message, response_type: 'ephemeral' });
      return;
    }
    let posted = false;
    try {
      posted = (await poster?.postCard(where.channel, message, boundViews(reply))) ?? false;
    } catch (error) {
      logger.warn('could not post a card; answered through the command instead', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    if (posted) return;
    const note = poster?.notMemberNote(where.channel, where.user, reply.locale);
    await answer(note ? { ...message, blocks: [...message.blocks, note] } : message);
  };

  app.command(
    new RegExp(`^(${COMMANDS.map((c) => c.replace('/', '\\/')).join('|')})$`),
    async ({ command, ack, respond }) =>
      // Each slash command has its own trigger_id; Slack's retries and Socket Mode redeliveries repeat it.
      withCorrelation(`${command.team_id}:${command.trigger_id}`, async () => {
        // `/bind` alone opens the form (at once: a trigger id lasts 3 s).
        if (command.command === '/bind' && command.text.trim() === '' && deps.poster) {
          await ack();
          await openBindForm(
            app,
            { service, locale, maxBulk: config.service.maxBulk },
            command.trigger_id,
            command.channel_id,
          );
          return;
        }
        const started = now();
        const text =
          command.command === '/axn'
            ? command.text.trim() || 'help'
            : `${command.command.slice(1)} ${command.text}`;
        const parsed = parseCommand(text, parseContext());
        const verb = isParseError(parsed) ? 'invalid' : parsed.verb;
        const actor: Actor = {
          platform: 'slack',
          userId: command.user_id,
          userName: command.user_name,
          channelId: command.channel_id,
          idempotencyKey: `${command.team_id}:${command.trigger_id}`,
        };
        const where = { channel: command.channel_id, user: command.user_id };
        const answerLater = (message: SlackMessage) => respond(asResponse(message));
        const work = service.executeDelivery(parsed, actor);
        const early = await Promise.race([work, delay(ackWindowMs)]);
        if (early) {
          const message = render(early.reply, command.user_id);
          if (isCardToPost(early.reply, message)) {
            // Acknowledged at once: posting the card is one more round trip to Slack.
            await ack();
            await deliverCard(where, early.reply, early.firstDelivery, answerLater);
          } else await ack(asResponse(message));
        } else {
          await ack(asResponse(workingMessage(locale)));
          const { reply, firstDelivery } = await work;
          // A redelivery that had to wait: the first delivery posts the result; posting it again would duplicate it.
          if (firstDelivery) {
            const message = render(reply, command.user_id);
            if (isCardToPost(reply, message)) await deliverCard(where, reply, firstDelivery, answerLater);
            else await answerLater(message);
          }
        }
        const { reply } = await work;
        const outcome = isSuccess(reply) ? 'ok' : reply.kind;
        reportCommand(deps, { verb, outcome, seconds: (now() - started) / 1000 });
      }),
  );

  const onButton = (kind: 'unbind' | 'extend') =>
    (async ({ ack, body, action, respond }) =>
      withCorrelation(pressKey(body), async () => {
        // Slack's 3-second rule applies to clicks too: acknowledge, then act and update the card.
        await ack();
        const started = now();
        const value = action.value ?? '';
        const [subsId = ''] = value.split(':');
        // "Extend +1d" adds a day to the expiry the binding has now, whatever an older card shows.
        const text = kind === 'unbind' ? `unbind ${subsId}` : `extend ${subsId} 1d`;
        const parsed = parseCommand(text, parseContext());
        const actor = pressActor(body);
        const { reply, firstDelivery } = await service.executeDelivery(parsed, actor);
        if (firstDelivery && body.view?.type === 'home' && deps.home) {
          // Pressed on the Home tab (no response_url there): the tab is published again, with the result on top.
          const result = renderSlack(reply, {
            now: now(),
            userId: body.user.id,
            resultVisibility: 'ephemeral',
          });
          await deps.home.publish(
            { id: body.user.id, name: actor.userName, teamId: body.team?.id ?? 'T' },
            result.text.split('\n')[0],
          );
        } else if (firstDelivery) {
          const message = render(reply, body.user.id);
          // A successful change replaces the card in place; a refusal or error goes to the clicker alone.
          await respond(
            isSuccess(reply)
              ? { ...asResponse(message), replace_original: true }
              : { ...asResponse(message), response_type: 'ephemeral', replace_original: false },
          );
        }
        const outcome = isSuccess(reply) ? 'ok' : reply.kind;
        reportCommand(deps, { verb: kind, outcome, seconds: (now() - started) / 1000 });
      })) satisfies Parameters<typeof app.action<BlockAction<ButtonAction>>>[1];

  // "▶ Recording": a fresh link, fetched now, for the presser alone (the binder or an admin).
  app.action<BlockAction<ButtonAction>>(ACTION_RECORDING, async ({ ack, body, action, respond }) =>
    withCorrelation(pressKey(body), async () => {
      await ack();
      const started = now();
      const actor = pressActor(body);
      const reply = await service.recordingLink(actor, (action.value ?? '').slice(0, 100));
      const message = render(reply, body.user.id);
      await respond({ ...asResponse(message), response_type: 'ephemeral', replace_original: false });
      const outcome = isSuccess(reply) ? 'ok' : reply.kind;
      reportCommand(deps, { verb: 'recording', outcome, seconds: (now() - started) / 1000 });
    }),
  );
  app.action<BlockAction<ButtonAction>>(ACTION_UNBIND, onButton('unbind'));
  app.action<BlockAction<ButtonAction>>(ACTION_EXTEND, onButton('extend'));
}

function asResponse(message: SlackMessage): RespondArguments {
  return {
    text: message.text,
    blocks: message.blocks,
    response_type: message.response_type,
    ...(message.replace_original ? { replace_original: true } : {}),
  } as RespondArguments;
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
