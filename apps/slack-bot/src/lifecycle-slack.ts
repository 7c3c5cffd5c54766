import {
  type BindingService,
  type BotMetrics,
  isParseError,
  isSuccess,
  LIFECYCLE_ACTION_IDS,
  type LifecycleNotice,
  type LifecycleSend,
  type Logger,
  type ParseContext,
  parseCommand,
  reportCommand,
  withCorrelation,
} from '@axnbot/chatops';
import type { App, BlockAction, ButtonAction, RespondArguments, webApi } from '@slack/bolt';
import { type Block, bindingBlocks, esc, plain, renderSlack, section } from './blocks.js';
import { pressActor, pressKey } from './press.js';
import { parseSlackMessageRef, slackMessageRef } from './slack-poster.js';

/** The verbs a reminder's buttons may run; anything else in a button's value is refused. */
const REMINDER_VERBS = new Set(['extend', 'unbind', 'silence']);

/**
 * A reminder button's value: the channel the binding was made in (policy and audit act there, wherever
 * the reminder is shown — a DM included) and the command it runs, in the binder's language.
 */
export function reminderValue(channelId: string, command: string): string {
  return `${channelId}|${command}`.slice(0, 2000);
}

function readReminderValue(value: string): { channelId: string; command: string } | undefined {
  const bar = value.indexOf('|');
  if (bar <= 0) return undefined;
  return { channelId: value.slice(0, bar), command: value.slice(bar + 1) };
}

/** The blocks of a reminder: who and when, then its four actions (with a confirmation on Unbind). */
export function reminderBlocks(notice: Extract<LifecycleNotice, { kind: 'reminder' }>): Block[] {
  const head = `<@${notice.place.userId}> ⏰ *${esc(notice.title)}*`;
  return [
    section([head, ...notice.lines.map(esc)].join('\n')),
    {
      type: 'actions',
      block_id: `axn_remind_${notice.binding.subsId ?? notice.binding.ref}`,
      elements: notice.actions.map((action) => ({
        type: 'button',
        action_id: action.id,
        text: plain(action.label),
        value: reminderValue(notice.place.channelId, action.command),
        ...(action.style ? { style: action.style } : {}),
        ...(action.confirm
          ? {
              confirm: {
                title: plain(action.confirm.title, 100),
                text: { type: 'mrkdwn', text: esc(action.confirm.text).slice(0, 300) },
                confirm: plain(action.confirm.confirm, 30),
                deny: plain(action.confirm.deny, 30),
                ...(action.style === 'danger' ? { style: 'danger' } : {}),
              },
            }
          : {}),
      })),
    },
  ];
}

/**
 * The Slack bot's part of the binding lifecycle: a reminder goes in the thread of the binding's card
 * (or to the binder by DM when there is no card), mentioning them, with four buttons; an expiry updates
 * the card in place (shown ended, no buttons) and retires the reminder's buttons; a pool alert goes to
 * `AXN_ALERT_CHANNEL`. A Slack error is thrown: the scheduler tries again on a later tick.
 */
export function slackLifecycleSend(deps: { client: webApi.WebClient; now: () => number }): LifecycleSend {
  const { client } = deps;
  const post = async (channel: string, text: string, blocks: Block[], threadTs?: string) => {
    const posted = await client.chat.postMessage({
      channel,
      text,
      blocks: blocks as never,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    return { messageRef: slackMessageRef(posted.channel ?? channel, posted.ts as string) };
  };
  return async (notice) => {
    const text = [notice.title, ...notice.lines].join('\n');
    switch (notice.kind) {
      case 'reminder': {
        const card = parseSlackMessageRef(notice.place.messageRef);
        const blocks = reminderBlocks(notice);
        return card ? post(card.channel, text, blocks, card.ts) : post(notice.place.userId, text, blocks);
      }
      case 'expired': {
        const card = parseSlackMessageRef(notice.place.messageRef);
        const reminder = parseSlackMessageRef(notice.reminderMessageRef);
        if (reminder)
          await client.chat.update({
            channel: reminder.channel,
            ts: reminder.ts,
            text,
            blocks: [section([`⌛ *${esc(notice.title)}*`, ...notice.lines.map(esc)].join('\n'))] as never,
          });
        if (card) {
          const blocks = bindingBlocks(notice.binding, {
            now: deps.now(),
            locale: notice.locale,
            headline: `⌛ *${esc(notice.title)}*`,
            userId: notice.place.userId,
            buttons: false,
          });
          await client.chat.update({ channel: card.channel, ts: card.ts, text, blocks: blocks as never });
          return {};
        }
        // No card to update (the bot could not post where the binding was made): tell the binder.
        return post(notice.place.userId, text, [
          section([`⌛ *${esc(notice.title)}*`, ...notice.lines.map(esc)].join('\n')),
        ]);
      }
      case 'pool-alert':
        return post(notice.channel.channelId, text, [
          section(`🚨 *${esc(notice.title)}*`),
          section(notice.lines.map(esc).join('\n')),
        ]);
    }
  };
}

/** What a reminder's buttons need. */
export interface ReminderActionDeps {
  readonly service: BindingService;
  readonly metrics: BotMetrics;
  readonly logger: Logger;
  readonly parseContext: () => ParseContext;
  readonly now: () => number;
}

/**
 * The reminder's buttons: each runs its command through the binding service as a typed command (only the
 * binder or an admin; audited; once per press — the press's own delivery key), and the result replaces
 * the reminder; a refusal goes to the presser alone.
 */
export function registerReminderActions(app: App, deps: ReminderActionDeps): void {
  for (const id of Object.values(LIFECYCLE_ACTION_IDS)) {
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, body, action, respond }) =>
      withCorrelation(pressKey(body), async () => {
        await ack();
        const started = deps.now();
        const value = readReminderValue(action.value ?? '');
        const parsed = value ? parseCommand(value.command, deps.parseContext()) : undefined;
        if (!value || !parsed || isParseError(parsed) || !REMINDER_VERBS.has(parsed.verb)) {
          deps.logger.warn('a reminder button carried no command it may run', { action: id });
          return;
        }
        // Policy and audit act where the binding was made, wherever the reminder is shown.
        const actor = pressActor(body, value.channelId);
        const { reply, firstDelivery } = await deps.service.executeDelivery(parsed, actor);
        if (firstDelivery) {
          const message = renderSlack(reply, {
            now: deps.now(),
            userId: body.user.id,
            resultVisibility: 'in_channel',
          });
          const answer = {
            text: message.text,
            blocks: message.blocks,
            ...(isSuccess(reply)
              ? { replace_original: true }
              : { response_type: 'ephemeral', replace_original: false }),
          } as RespondArguments;
          await respond(answer);
        }
        const outcome = isSuccess(reply) ? 'ok' : reply.kind;
        reportCommand(deps, { verb: parsed.verb, outcome, seconds: (deps.now() - started) / 1000 });
      }),
    );
  }
}
