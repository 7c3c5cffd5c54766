import type { Actor } from '@axnbot/chatops';
import type { BlockAction } from '@slack/bolt';

/**
 * A button press's delivery key: team + trigger_id, which Slack repeats when it redelivers the press —
 * so a double delivery acts once — and which also serves as its correlation id in the log.
 */
export function pressKey(body: BlockAction): string {
  return `${body.team?.id ?? body.user.team_id ?? 'T'}:${body.trigger_id}`;
}

/** Where a button was pressed: its message's channel, or the App Home tab (as policy knows it). */
export function pressChannel(body: BlockAction): string {
  if (body.view?.type === 'home') return 'app_home';
  return body.channel?.id ?? body.container?.channel_id ?? 'unknown';
}

/**
 * Who pressed a button, as the binding service sees them: the presser, acting in `channelId` (where the
 * button was pressed unless the button says where its binding was made), once per press.
 */
export function pressActor(body: BlockAction, channelId: string = pressChannel(body)): Actor {
  return {
    platform: 'slack',
    userId: body.user.id,
    userName: body.user.username ?? body.user.name ?? body.user.id,
    channelId,
    idempotencyKey: pressKey(body),
  };
}
