import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type BindingService,
  formatCallLine,
  type Locale,
  type Logger,
  type ParseContext,
  parseCommand,
  phrase,
} from '@axnbot/chatops';
import type { webApi } from '@slack/bolt';
import { type Block, bindingBlocks, renderSlack, statusLine } from './blocks.js';

/** Slack's limit on a Home tab's blocks. */
const MAX_HOME_BLOCKS = 100;
/** Cards on the tab (each up to five blocks with its divider). */
const MAX_CARDS = 15;

/** What the Home tab needs. */
export interface HomeTabDeps {
  readonly client: webApi.WebClient;
  readonly service: Pick<BindingService, 'execute' | 'latestCalls' | 'isAdmin'>;
  readonly locale: Locale;
  readonly logger: Logger;
  readonly parseContext: () => ParseContext;
  readonly now: () => number;
}

/**
 * The App Home tab: the user's live bindings as cards with Extend and Unbind, published with
 * `views.publish` when the user opens the tab and after each change they make there. What it lists is
 * what `list mine` answers them, with the same policy.
 */
export class HomeTab {
  constructor(private readonly deps: HomeTabDeps) {}

  /** Publishes the tab for a user, with an optional line on top (the result of a button they pressed). */
  async publish(user: { id: string; name: string; teamId: string }, notice?: string): Promise<void> {
    const { deps } = this;
    const actor: Actor = {
      platform: 'slack',
      userId: user.id,
      userName: user.name,
      channelId: 'app_home',
      // A read: each opening of the tab is its own delivery.
      idempotencyKey: `${user.teamId}:home:${user.id}:${randomUUID()}`,
    };
    const reply = await deps.service.execute(parseCommand('list mine', deps.parseContext()), actor);
    const now = deps.now();
    const blocks: Block[] = [
      { type: 'header', text: { type: 'plain_text', text: phrase('home.title', deps.locale).slice(0, 150) } },
    ];
    if (notice) blocks.push(statusLine(notice));
    if (reply.kind !== 'list') {
      // A refusal (a user not allowed, say) is what the tab shows.
      blocks.push(...renderSlack(reply, { now, userId: user.id, resultVisibility: 'ephemeral' }).blocks);
    } else if (reply.bindings.length === 0) {
      blocks.push(statusLine(phrase('home.none', deps.locale)));
    } else {
      const shown = reply.bindings.slice(0, MAX_CARDS);
      const calls = await deps.service.latestCalls(
        shown.flatMap((view) => (view.subsId ? [view.subsId] : [])),
      );
      for (const view of shown) {
        const headline = `*${view.phoneMasked}* · ${view.city ?? '—'}`;
        blocks.push(
          ...bindingBlocks(view, { now, locale: deps.locale, headline, userId: user.id, buttons: true }),
        );
        const call = view.subsId ? calls.get(view.subsId) : undefined;
        if (call)
          blocks.push(
            statusLine(phrase('home.lastCall', deps.locale, { line: formatCallLine(call, deps.locale) })),
          );
        blocks.push({ type: 'divider' });
      }
      if (reply.bindings.length > MAX_CARDS || reply.truncated)
        blocks.push(statusLine(phrase('home.more', deps.locale, { count: MAX_CARDS })));
    }
    // Admins also see the pool: per city, the numbers seen, live bindings, fallbacks and refusals.
    if (deps.service.isAdmin(actor)) {
      const pool = await deps.service.execute(parseCommand('pool', deps.parseContext()), {
        ...actor,
        idempotencyKey: `${actor.idempotencyKey}:pool`,
      });
      blocks.push(
        { type: 'header', text: { type: 'plain_text', text: phrase('home.pool', deps.locale) } },
        ...renderSlack(pool, { now, userId: user.id, resultVisibility: 'ephemeral' }).blocks,
      );
    }
    await deps.client.views.publish({
      user_id: user.id,
      view: { type: 'home', blocks: blocks.slice(0, MAX_HOME_BLOCKS) } as never,
    });
  }
}
