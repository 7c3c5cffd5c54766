import {
  type BindingService,
  type BindingView,
  type CallNotice,
  type Locale,
  type Logger,
  phrase,
  type Reply,
} from '@axnbot/chatops';
import type { types, webApi } from '@slack/bolt';
import { type Block, callBlock, type SlackMessage } from './blocks.js';

/** Slack errors that mean the bot cannot post in that channel (rather than a passing failure). */
const CANNOT_POST_THERE = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
]);

/** The place a card was posted, as the ledger keeps it: `slack:<channel>:<ts>`. */
export function slackMessageRef(channel: string, ts: string): string {
  return `slack:${channel}:${ts}`;
}

/** Reads a message ref written by {@link slackMessageRef}; `undefined` for none or another platform's. */
export function parseSlackMessageRef(ref: string | null): { channel: string; ts: string } | undefined {
  const match = /^slack:([^:]+):(\d+\.\d+)$/.exec(ref ?? '');
  return match ? { channel: match[1] as string, ts: match[2] as string } : undefined;
}

/** The bindings a reply made (a bind or a bulk bind), whose cards can carry their calls' threads. */
export function boundViews(reply: Reply): BindingView[] {
  if (reply.kind === 'bound') return [reply.binding];
  if (reply.kind === 'bulk')
    return reply.items.flatMap((item) => (item.outcome === 'bound' ? [item.binding] : []));
  return [];
}

/**
 * Posts what Slack's response_url cannot: result cards with `chat.postMessage`, so their `ts` is known
 * and each binding's calls can go in the card's thread; and those call lines. Where the bot may not
 * post (not a member of the channel, a DM it is not part of), cards fall back to the slash command's
 * own answer and calls go to whoever bound the number, as a direct message.
 */
export class SlackPoster {
  /** Channels where the binder has been told once that calls will come by DM. */
  private readonly toldNotMember = new Set<string>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly service: Pick<BindingService, 'setBindingMessageRef'>,
    private readonly logger: Logger,
  ) {}

  /**
   * Posts a result card in the channel and records where, for each binding on it. Answers whether it
   * was posted; `false` when the bot may not post there (the caller answers through the command instead).
   */
  async postCard(channel: string, message: SlackMessage, bindings: readonly BindingView[]): Promise<boolean> {
    let ts: string | undefined;
    let postedIn = channel;
    try {
      const posted = await this.client.chat.postMessage({
        channel,
        text: message.text,
        blocks: asKnown(message.blocks),
      });
      ts = posted.ts;
      // Posted to a user id, the message lands in the DM, whose channel id is what a thread needs.
      postedIn = posted.channel ?? channel;
    } catch (error) {
      if (!CANNOT_POST_THERE.has(slackError(error) ?? '')) throw error;
      return false;
    }
    if (!ts) return false;
    for (const view of bindings) {
      await this.service
        .setBindingMessageRef(view.ref, slackMessageRef(postedIn, ts))
        .catch((error: unknown) =>
          this.logger.warn('could not record where a card was posted; its calls will go by DM', {
            ref: view.ref,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
    }
    return true;
  }

  /**
   * The note a card answered through the command carries, the first time in a channel: calls will come
   * by DM, and how to have them in the channel instead. Nothing after the first time.
   */
  notMemberNote(channel: string, userId: string, locale: Locale): Block | undefined {
    if (this.toldNotMember.has(channel)) return undefined;
    this.toldNotMember.add(channel);
    return {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: phrase('slack.notMember', locale, { user: `<@${userId}>` }) }],
    };
  }

  /** Posts one call line: in its binding's card thread, else (or when that fails) to the binder by DM. */
  async postCall(notice: CallNotice): Promise<void> {
    if (notice.binding.platform !== 'slack') {
      this.logger.info('a call on a binding made elsewhere is stored, not posted', {
        callId: notice.callId,
        platform: notice.binding.platform,
      });
      return;
    }
    const message = {
      text: notice.line,
      blocks: [
        callBlock(notice.call, notice.locale, { line: notice.line, recordingButton: notice.recording }),
      ],
    };
    const card = parseSlackMessageRef(notice.binding.messageRef);
    if (card) {
      try {
        await this.client.chat.postMessage({ channel: card.channel, thread_ts: card.ts, ...message });
        return;
      } catch (error) {
        if (!CANNOT_POST_THERE.has(slackError(error) ?? '')) throw error;
        // Removed from the channel since: the binder still hears of the call.
      }
    }
    await this.client.chat.postMessage({ channel: notice.binding.userId, ...message });
  }
}

/** Block Kit JSON as the Web API client's types name it (the renderer builds plain objects). */
function asKnown(blocks: Block[]): types.KnownBlock[] {
  return blocks as types.KnownBlock[];
}

/** The Web API's error code (`not_in_channel`…) of a platform error, if it is one. */
function slackError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
