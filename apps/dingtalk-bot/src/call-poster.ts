import type { CallNotice, Logger } from '@axnbot/chatops';
import { renderCallNotice } from './markdown.js';
import type { Replier } from './replier.js';
import { isGroup, type RobotMessage } from './robot-message.js';

const GROUP = 'dingtalk:group:';
const SINGLE = 'dingtalk:single:';

/** Where a DingTalk binding was made: a group (by its open conversation id), or someone's single chat. */
export type Place =
  | { readonly kind: 'group'; readonly openConversationId: string }
  | { readonly kind: 'single'; readonly userId: string };

/**
 * The message ref recorded for a binding made from this message (`setBindingMessageRef`), so that its
 * calls are posted there: `dingtalk:group:<openConversationId>` in a group (a robot callback's
 * `conversationId` is the group's open conversation id), `dingtalk:single:<staffId>` in a single chat.
 * Nothing when a single chat's sender has no staff id (the OpenAPI could not reach them).
 */
export function messageRefOf(message: RobotMessage): string | undefined {
  if (isGroup(message)) return `${GROUP}${message.conversationId}`;
  return message.senderStaffId ? `${SINGLE}${message.senderStaffId}` : undefined;
}

/**
 * Reads a message ref written by {@link messageRefOf} (what follows a `#` — the binding's card, a sent
 * message's key — is not part of the place); `undefined` for none or another's.
 */
export function placeOf(messageRef: string | null): Place | undefined {
  const hash = messageRef?.indexOf('#') ?? -1;
  const ref = messageRef && hash >= 0 ? messageRef.slice(0, hash) : messageRef;
  if (ref?.startsWith(GROUP) && ref.length > GROUP.length)
    return { kind: 'group', openConversationId: ref.slice(GROUP.length) };
  if (ref?.startsWith(SINGLE) && ref.length > SINGLE.length)
    return { kind: 'single', userId: ref.slice(SINGLE.length) };
  return undefined;
}

const CARD = /#card:([A-Za-z0-9_-]{1,120})$/;

/**
 * A binding's message ref once its result went out as an interactive card of its own: the place, then
 * `#card:<outTrackId>` — so that its expiry can redraw that card.
 */
export function withCard(messageRef: string, outTrackId: string): string {
  return `${messageRef}#card:${outTrackId}`;
}

/** The card a binding's result was shown as (see {@link withCard}); `undefined` when none is recorded. */
export function cardOf(messageRef: string | null): string | undefined {
  return messageRef ? CARD.exec(messageRef)?.[1] : undefined;
}

/**
 * The `post` of the bot's CallNoticeRelay: one markdown message per notice, where the binding was made —
 * an OpenAPI group message in its group (the binder named in the text), or a single-chat message to the
 * binder; with no place recorded (a binding finished by recovery, a ref that could not be written), a
 * single-chat message to the binder. Notices of bindings made on another platform are not this bot's:
 * logged, not posted. Throws when DingTalk refuses (the relay logs it and does not try again).
 */
export function createCallPoster(options: {
  readonly replier: Pick<Replier, 'toGroup' | 'toUser'>;
  readonly logger: Logger;
}): (notice: CallNotice) => Promise<void> {
  const { replier, logger } = options;
  return async (notice) => {
    const { binding } = notice;
    if (binding.platform !== 'dingtalk') {
      logger.info('a call on a binding made on another platform is not this bot’s to post', {
        platform: binding.platform,
        callId: notice.callId,
        subsId: binding.subsId,
      });
      return;
    }
    const place = placeOf(binding.messageRef);
    if (place?.kind === 'group') {
      await replier.toGroup(
        place.openConversationId,
        renderCallNotice(notice, { mention: binding.userName }),
      );
      return;
    }
    if (!place)
      logger.debug('no place recorded for the binding: its call goes to the binder’s single chat', {
        callId: notice.callId,
        subsId: binding.subsId,
      });
    await replier.toUser(place?.userId ?? binding.userId, renderCallNotice(notice));
  };
}
