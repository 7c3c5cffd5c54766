import type { Locale } from '../language/commands.js';
import type { CallSummary } from './call-summary.js';

/** Where a binding made from a chat lives, for posting its calls beside it. */
export interface CallNoticeBinding {
  /** axnbot's reference of the binding (what {@link Ledger.setBindingMessageRef} was given). */
  readonly ref: string;
  readonly subsId: string;
  /** The platform it was made on (`slack`, `dingtalk`…). */
  readonly platform: string;
  /** The channel or conversation it was made in. */
  readonly channelId: string;
  /** Who made it, on that platform. */
  readonly userId: string;
  readonly userName: string;
  /**
   * Where its result card was posted, as the front end recorded it (Slack channel and ts, a DingTalk
   * conversation…); `null` when it recorded none: post to the channel, or to the binder directly.
   */
  readonly messageRef: string | null;
}

/**
 * What a bot posts for a call on a binding made from chat: one line in the binder's language, where the
 * binding was made. `call` is posted when the call ends; `recording` when its recording arrives after
 * the call's line went out.
 */
export interface CallNotice {
  readonly kind: 'call' | 'recording';
  readonly callId: string;
  readonly binding: CallNoticeBinding;
  /** The binder's language (the language of `line`). */
  readonly locale: Locale;
  readonly call: CallSummary;
  /** The line to post ({@link formatCallLine}; a recording's is prefixed "Recording ready:"). */
  readonly line: string;
  /** Whether to offer "▶ Recording" (`phrase('action.recording')`), which calls `recordingLink`. */
  readonly recording: boolean;
}
