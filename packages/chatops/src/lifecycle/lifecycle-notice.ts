import type { Locale } from '../language/commands.js';
import type { BindingView } from '../replies.js';
import type { AlertChannel } from './lifecycle-config.js';

/**
 * The ids of a reminder's four actions (Slack `action_id`s; stable, so a bot registers one handler each).
 * Each action's press sends its {@link LifecycleAction.command} through `parseCommand` and
 * `BindingService.executeDelivery`, like a typed command.
 */
export const LIFECYCLE_ACTION_IDS = {
  /** "Extend +1d": `extend <SubsId> 1d` (`延期 <绑定ID> 1天`). */
  extendDay: 'axn_remind_extend_1d',
  /** "Extend +7d": `extend <SubsId> 7d` (`延期 <绑定ID> 7天`). */
  extendWeek: 'axn_remind_extend_7d',
  /** "Unbind now": `unbind <SubsId>` (`解绑 <绑定ID>`). */
  unbind: 'axn_remind_unbind',
  /** "Let it expire": `silence <SubsId>` (`不再提醒 <绑定ID>`): no more notices for this expiry. */
  silence: 'axn_remind_silence',
} as const;

/** One of {@link LIFECYCLE_ACTION_IDS}. */
export type LifecycleActionId = (typeof LIFECYCLE_ACTION_IDS)[keyof typeof LIFECYCLE_ACTION_IDS];

/** A one-tap action of a reminder, ready to render as a button (Slack) or a quick link (DingTalk). */
export interface LifecycleAction {
  readonly id: LifecycleActionId;
  /** The button's label, in the binder's language. */
  readonly label: string;
  /**
   * The command text the press runs, in the binder's language (so the reply is in it too): a Slack
   * button's `value`, a DingTalk quick link's content. Run it as a typed command —
   * `service.executeDelivery(parseCommand(command, context), actor)` — with the press's own delivery key
   * in `actor.idempotencyKey` (Slack: team + trigger_id), and show the reply in place of the reminder.
   */
  readonly command: string;
  /** The binding's SubsId (what the command names). */
  readonly subsId: string;
  /** How a button is drawn: the first action is the primary one, unbinding is dangerous. */
  readonly style?: 'primary' | 'danger';
  /** A confirmation to ask before running it (for "Unbind now"), in the binder's language. */
  readonly confirm?: {
    readonly title: string;
    readonly text: string;
    readonly confirm: string;
    readonly deny: string;
  };
}

/**
 * Where a binding was made, to post its notice beside it: the platform and conversation, the binder
 * (to @-mention, or to DM when there is no card), and where its result card was posted.
 */
export interface LifecyclePlace {
  /** `slack` or `dingtalk`. */
  readonly platform: string;
  /** The channel or conversation the binding was made in. */
  readonly channelId: string;
  /** Who made it, on that platform. */
  readonly userId: string;
  readonly userName: string;
  /**
   * Where its result card was posted, as the front end recorded it (`BindingService.setBindingMessageRef`:
   * Slack `slack:<channel>:<ts>`, DingTalk `dingtalk:group:<cid>` / `dingtalk:single:<user>`); `null` when
   * none was: post to the binder directly.
   */
  readonly messageRef: string | null;
}

/** What every lifecycle notice carries. */
interface NoticeBase {
  /**
   * The notice's identity (stable across tries): `reminder:<ref>:<expiry ms>`, `expired:<ref>`,
   * `pool-alert:<pool>:<city>:<window start ms>`.
   */
  readonly id: string;
  /** The language of its words: the binder's (reminders, expiry), or the service's (pool alerts). */
  readonly locale: Locale;
  /** A short headline, in `locale` (plain text: the front end adds its own markup). */
  readonly title: string;
  /** The body, one plain-text line each, in `locale`; no number in clear. */
  readonly lines: readonly string[];
  /** Which try this is (1 for the first). */
  readonly attempt: number;
}

/**
 * A binding made from chat is about to expire: remind whoever bound it, where it was made (Slack: the
 * card's thread, or a DM without one; DingTalk: the conversation, @-mentioning the binder), with the four
 * {@link LifecycleAction}s.
 */
export interface ReminderNotice extends NoticeBase {
  readonly kind: 'reminder';
  readonly binding: BindingView;
  readonly place: LifecyclePlace;
  /** The expiry (ms since the epoch). */
  readonly expiresAt: number;
  /** The expiry in Beijing time, `2026-11-30 14:05（北京时间）` / `2026-11-30 14:05 (Beijing)`. */
  readonly expiresAtText: string;
  /** How far off it is: `in 2 hours` / `2小时后`. */
  readonly relative: string;
  /** Extend +1d, Extend +7d, Unbind now, Let it expire — in this order. */
  readonly actions: readonly LifecycleAction[];
}

/**
 * A binding made from chat has expired: update its card (Slack: `chat.update` of `place.messageRef`, with
 * the binding shown ended) or post a short notice (DingTalk), and retire the reminder's buttons
 * (`reminderMessageRef`) if one was sent.
 */
export interface ExpiredNotice extends NoticeBase {
  readonly kind: 'expired';
  /** The binding, ended (`status: 'expired'`, `endedAt` its expiry). */
  readonly binding: BindingView;
  readonly place: LifecyclePlace;
  /** The message of the reminder sent for this expiry, as the front end answered it; `null` if none. */
  readonly reminderMessageRef: string | null;
  /** When it expired, in Beijing time. */
  readonly expiredAtText: string;
}

/**
 * Binds in one pool and city keep landing elsewhere or being refused: tell the operators in
 * `AXN_ALERT_CHANNEL`, with what to do.
 */
export interface PoolAlertNotice extends NoticeBase {
  readonly kind: 'pool-alert';
  /** `AXN_ALERT_CHANNEL`. */
  readonly channel: AlertChannel;
  readonly poolKey: string;
  /** The city asked for; `null` for binds that asked for none. */
  readonly city: string | null;
  /** Binds that asked for the city and got a number elsewhere, within `windowMs`. */
  readonly fallbacks: number;
  /** Binds refused with `isv.NO_AVAILABLE_NUMBER`, within `windowMs`. */
  readonly refusals: number;
  /** The window counted (an hour). */
  readonly windowMs: number;
  /** The oldest idle bindings (no calls in a day), A masked: candidates to release. */
  readonly idle: readonly BindingView[];
}

/** What the {@link LifecycleScheduler} hands the front end to send. */
export type LifecycleNotice = ReminderNotice | ExpiredNotice | PoolAlertNotice;

/**
 * The front end's part: sends one notice (post, update a card, DM…) and answers the reference of the
 * message it sent (stored with the notice: an expiry notice carries its reminder's), or throws when it
 * could not — the notice is tried again on a later tick, and given up after a few tries.
 */
export type LifecycleSend = (notice: LifecycleNotice) => Promise<{ messageRef?: string }>;
