import type { LifecycleNotice, LifecyclePlace, LifecycleSend, Logger } from '@axnbot/chatops';
import { cardOf, type Place, placeOf } from './call-poster.js';
import { endedCard } from './card.js';
import { type MarkdownMessage, renderExpiredNotice, renderPoolAlert, renderReminder } from './markdown.js';
import type { Replier } from './replier.js';

/**
 * The reference of a lifecycle message the bot sent: the conversation (`dingtalk:group:<cid>` or
 * `dingtalk:single:<staffId>`, as {@link placeOf} reads them) and, after `#pq:`, the `processQueryKey`
 * DingTalk answered (what its read-status and recall APIs take), when it gave one.
 */
export function sentMessageRef(place: Place, processQueryKey: string | undefined): string {
  const where =
    place.kind === 'group' ? `dingtalk:group:${place.openConversationId}` : `dingtalk:single:${place.userId}`;
  return processQueryKey ? `${where}#pq:${processQueryKey}` : where;
}

/**
 * Where a binding's notices go: the conversation it was made in (recorded at bind time), else the
 * binder's single chat with the robot.
 */
function whereFor(place: LifecyclePlace): Place {
  return placeOf(place.messageRef) ?? { kind: 'single', userId: place.userId };
}

/**
 * The DingTalk bot's part of the binding lifecycle (the `send` of its {@link LifecycleScheduler}), all
 * through the robot OpenAPI as markdown:
 *
 * - a reminder goes to the conversation the binding was made in — a group message naming the binder (the
 *   OpenAPI cannot @-mention), or a single-chat message to them — with Extend +1d, Extend +7d, Unbind now
 *   and Let it expire as quick links, each sending its command as the person who taps it;
 * - an expiry is a short notice in the same place and, when the binding's result went out as an
 *   interactive card of its own (`…#card:<outTrackId>` in its message ref), that card is redrawn ended —
 *   no more Extend / Unbind buttons;
 * - a pool alert goes to the `AXN_ALERT_CHANNEL` group.
 *
 * Notices of bindings made on another platform are not this bot's (the scheduler claims only DingTalk's):
 * one would be logged and dropped. A DingTalk refusal is thrown, so the scheduler tries again on a later
 * tick (and gives up after a few tries).
 */
export function dingTalkLifecycleSend(options: {
  readonly replier: Pick<Replier, 'toGroup' | 'toUser' | 'updateCard'>;
  readonly logger: Logger;
  readonly now?: () => number;
}): LifecycleSend {
  const { replier, logger } = options;
  const now = options.now ?? Date.now;
  /**
   * Redraws a binding's card as ended. A failure is logged, not thrown: the notice still goes out (and a
   * retry would send it twice); the card keeps its buttons, whose presses the service refuses.
   */
  const redraw = async (notice: Extract<LifecycleNotice, { kind: 'expired' }>) => {
    const outTrackId = cardOf(notice.place.messageRef);
    const card = outTrackId
      ? endedCard(notice.binding, notice.locale, `⌛ ${notice.title}`, now())
      : undefined;
    if (!outTrackId || !card) return;
    try {
      await replier.updateCard({ outTrackId, cardParamMap: card });
    } catch (error) {
      logger.warn('could not redraw an expired binding’s card; its expiry notice is sent all the same', {
        subsId: notice.binding.subsId ?? '-',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  /** Posts to a place; answers the message's reference. */
  const post = async (
    where: Place,
    render: (mention: string | undefined) => MarkdownMessage[],
    binderName: string | undefined,
  ) => {
    const key =
      where.kind === 'group'
        ? await replier.toGroup(where.openConversationId, render(binderName))
        : await replier.toUser(where.userId, render(undefined));
    return { messageRef: sentMessageRef(where, key) };
  };
  return async (notice) => {
    switch (notice.kind) {
      case 'reminder':
      case 'expired': {
        if (notice.place.platform !== 'dingtalk') {
          logger.warn('a lifecycle notice of a binding made on another platform is not this bot’s to send', {
            kind: notice.kind,
            platform: notice.place.platform,
          });
          return {};
        }
        const where = whereFor(notice.place);
        if (notice.kind === 'reminder')
          return post(where, (mention) => renderReminder(notice, { mention }), notice.place.userName);
        await redraw(notice);
        return post(where, (mention) => renderExpiredNotice(notice, { mention }), notice.place.userName);
      }
      case 'pool-alert': {
        if (notice.channel.platform !== 'dingtalk')
          throw new Error('AXN_ALERT_CHANNEL names another platform: this bot cannot post there');
        return post(
          { kind: 'group', openConversationId: notice.channel.channelId },
          () => renderPoolAlert(notice),
          undefined,
        );
      }
    }
  };
}
