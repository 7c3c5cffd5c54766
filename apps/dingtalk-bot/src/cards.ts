import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type BindingService,
  type BindingView,
  type BotMetrics,
  isParseError,
  isSuccess,
  type Logger,
  parseCommand,
  parseContextFor,
  phrase,
  type Reply,
  renderText,
  reportCommand,
  type ServiceConfig,
  withCorrelation,
} from '@axnbot/chatops';
import type { DWClientDownStream } from 'dingtalk-stream';
import {
  type CardPress,
  type CardRef,
  cardParamMap,
  cutToBytes,
  MAX_CARD_VALUE_BYTES,
  parseCardCallback,
  redrawCard,
  renderCards,
} from './card.js';
import { renderMarkdown } from './markdown.js';
import type { Replier } from './replier.js';
import { isGroup, type RobotMessage } from './robot-message.js';

/** How many cards' latest bindings are remembered in memory (to redraw a card without asking again). */
const REMEMBERED_CARDS = 2_000;
/** How long a handled callback's messageId is remembered, so a redelivered frame is not handled again. */
const RECENT_MS = 10 * 60_000;
/**
 * A second press of the same button on the same card by the same person, while the first is being
 * handled or this soon after, is the same press (a double tap): it acts once.
 */
const DOUBLE_PRESS_MS = 2_000;

export interface CardsOptions {
  /** `DINGTALK_CARD_TEMPLATE_ID`; without it no card is sent (presses on cards sent before still work). */
  readonly templateId: string | undefined;
  readonly replier: Pick<Replier, 'sendCard' | 'updateCard' | 'toUser'>;
  readonly service: Pick<BindingService, 'executeDelivery' | 'execute'>;
  /** What commands are parsed with (a press runs a command, as typed ones do). */
  readonly serviceConfig: Pick<ServiceConfig, 'locale' | 'defaultExpiresMs' | 'maxExpiresMs' | 'maxBulk'>;
  /** Answers a callback frame (the stream client's `respond`). */
  readonly respond: (messageId: string, response: object) => void;
  readonly logger: Logger;
  readonly metrics: BotMetrics;
  readonly now?: () => number;
}

/** A card sent: its `outTrackId` and the SubsIds it shows, in order. */
export interface SentCard {
  readonly outTrackId: string;
  readonly subsIds: readonly string[];
}

interface RememberedCard {
  readonly ref: CardRef;
  readonly views: Map<string, BindingView>;
}

/**
 * The bot's interactive cards: results and lists sent as card instances of the imported template, and
 * the presses of their Extend +1d / Unbind buttons, which come back over the same Stream connection
 * (topic `/v1.0/card/instances/callback`).
 *
 * A press runs exactly the command its label says (`延期 <SubsId> 1d` / `解绑 <SubsId>`, in the card's
 * language) through the binding service as the presser — the same policy (only the binder or an admin),
 * the same audit, once per callback messageId. Success redraws the card for everyone; a refusal or an
 * error is shown to the presser alone (the card's private `notice`), and the card stays as it was.
 */
export class DingTalkCards {
  private readonly cards = new Map<string, RememberedCard>();
  private readonly recent = new Map<string, number>();
  private readonly pressing = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly options: CardsOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.templateId !== undefined;
  }

  /**
   * Sends a reply as cards where the message came from (the group, or the sender's single chat with the
   * robot), @-mentioning the sender in a group. Answers the cards sent; none when nothing was — no
   * template, a reply that is not shown as a card, or DingTalk refusing the first card — and the caller
   * answers in markdown instead.
   */
  async send(message: RobotMessage, reply: Reply): Promise<SentCard[]> {
    const { templateId } = this.options;
    if (templateId === undefined) return [];
    const cards = renderCards(reply, { now: this.now() });
    if (!cards) return [];
    const staffId = message.senderStaffId;
    const group = isGroup(message);
    if (!group && !staffId) return [];
    const place = group
      ? { kind: 'group' as const, openConversationId: message.conversationId, robotCode: message.robotCode }
      : { kind: 'single' as const, userId: staffId as string, robotCode: message.robotCode };
    const views = bindingViews(reply);
    const sent: SentCard[] = [];
    for (const card of cards) {
      const outTrackId = `axn-${randomUUID()}`;
      const params = cardParamMap(card, message.conversationId);
      try {
        await this.options.replier.sendCard({
          templateId,
          outTrackId,
          cardParamMap: params,
          place,
          mention: group && staffId ? { userId: staffId, name: message.senderNick ?? staffId } : undefined,
          lastMessage: card.title,
        });
      } catch (error) {
        this.options.logger.warn(
          sent.length === 0
            ? 'could not send a card; answered in markdown instead'
            : 'could not send the rest of a list as cards',
          { error: reason(error), card: `${sent.length + 1}/${cards.length}` },
        );
        return sent;
      }
      const subsIds = card.items.map((item) => item.subsId);
      this.remember(outTrackId, {
        ref: { locale: card.locale, conversationId: message.conversationId, subsIds },
        views: new Map(subsIds.flatMap((id) => (views.has(id) ? [[id, views.get(id) as BindingView]] : []))),
      });
      sent.push({ outTrackId, subsIds });
    }
    return sent;
  }

  /**
   * A card callback frame. It is answered at once with an empty response (the card stays as it is for
   * now: DingTalk gives a callback 2 seconds, and asks for longer work to update the card afterwards
   * through the update API, never from inside the callback), then the press is acted on.
   */
  onCallback(frame: DWClientDownStream): Promise<void> {
    const { messageId } = frame.headers;
    this.options.respond(messageId, {});
    const now = this.now();
    for (const [id, until] of this.recent) {
      if (until > now) break;
      this.recent.delete(id);
    }
    if (this.recent.has(messageId)) return Promise.resolve();
    this.recent.set(messageId, now + RECENT_MS);
    const press = parseCardCallback(frame.data);
    if (!press) {
      this.options.logger.warn('ignored a card callback that is not a press of an axnbot card button');
      return Promise.resolve();
    }
    return withCorrelation(messageId, () => this.act(press, messageId));
  }

  private async act(press: CardPress, messageId: string): Promise<void> {
    const { logger, service, serviceConfig } = this.options;
    const pressKey = `${press.outTrackId}|${press.userId}|${press.action}|${press.subsId}`;
    if (this.pressing.has(pressKey)) {
      logger.info('a second press of the same card button was taken for the first', { action: press.action });
      return;
    }
    this.pressing.add(pressKey);
    const started = this.now();
    try {
      const known = this.cards.get(press.outTrackId);
      const ref: CardRef = known?.ref ??
        press.ref ?? {
          locale: serviceConfig.locale,
          conversationId: '',
          subsIds: [press.subsId],
        };
      // Exactly what the button's label says, as a command in the card's language.
      const text =
        press.action === 'extend'
          ? phrase('command.extend', ref.locale, { target: press.subsId, duration: '1d' })
          : phrase('command.unbind', ref.locale, { target: press.subsId });
      const parsed = parseCommand(text, parseContextFor(serviceConfig, started));
      const actor: Actor = {
        platform: 'dingtalk',
        userId: press.userId,
        // The callback names the presser by userId only.
        userName: press.userId,
        channelId: ref.conversationId || 'unknown',
        // Stable across redeliveries of the same callback frame: a state change runs once per press.
        idempotencyKey: `card:${messageId}`,
      };
      const { reply, firstDelivery } = await service.executeDelivery(parsed, actor);
      if (firstDelivery) {
        if (isSuccess(reply)) await this.redraw(press, ref, reply, actor);
        else await this.refuse(press, reply);
      }
      reportCommand(
        { logger, metrics: this.options.metrics },
        {
          verb: isParseError(parsed) ? 'invalid' : parsed.verb,
          outcome: isSuccess(reply) ? 'ok' : reply.kind,
          seconds: (this.now() - started) / 1000,
        },
      );
    } finally {
      setTimeout(() => this.pressing.delete(pressKey), DOUBLE_PRESS_MS).unref();
    }
  }

  /** Redraws the card for everyone after a press changed a binding; clears the presser's notice. */
  private async redraw(press: CardPress, ref: CardRef, reply: Reply, actor: Actor): Promise<void> {
    const known = this.cards.get(press.outTrackId);
    const views = known?.views ?? (await this.lookUp(ref, press.subsId, actor));
    const drawn = redrawCard(ref, reply, views, this.now());
    if (!drawn) return;
    try {
      await this.options.replier.updateCard({
        outTrackId: press.outTrackId,
        cardParamMap: {
          bindings: JSON.stringify(drawn.items),
          ...(drawn.title ? { title: cutToBytes(drawn.title, 200) } : {}),
        },
        privateFor: { userId: press.userId, cardParamMap: { notice: '' } },
      });
    } catch (error) {
      this.options.logger.warn('could not update a card after a press; the change itself was made', {
        error: reason(error),
      });
      return;
    }
    if (reply.kind === 'extended' || reply.kind === 'unbound') views.set(press.subsId, reply.binding);
    this.remember(press.outTrackId, { ref, views });
  }

  /**
   * Tells the presser alone why nothing changed: in the card's private `notice` (only they see it);
   * should DingTalk refuse that, in their single chat with the robot. The card itself is not changed.
   */
  private async refuse(press: CardPress, reply: Reply): Promise<void> {
    const now = this.now();
    const notice = cutToBytes(renderText(reply, { now }), MAX_CARD_VALUE_BYTES - 24);
    try {
      await this.options.replier.updateCard({
        outTrackId: press.outTrackId,
        privateFor: { userId: press.userId, cardParamMap: { notice } },
      });
      return;
    } catch (error) {
      this.options.logger.warn('could not show a refusal on the card; sending it in a single chat', {
        error: reason(error),
      });
    }
    try {
      await this.options.replier.toUser(press.userId, renderMarkdown(reply, { now }));
    } catch (error) {
      this.options.logger.warn('could not tell the presser why their press changed nothing', {
        error: reason(error),
      });
    }
  }

  /**
   * The latest views of a card's other bindings when this process does not remember the card (it was
   * sent before a restart, or by another replica): looked up as the presser sees them.
   */
  private async lookUp(ref: CardRef, pressed: string, actor: Actor): Promise<Map<string, BindingView>> {
    const views = new Map<string, BindingView>();
    for (const subsId of ref.subsIds) {
      if (subsId === pressed) continue;
      // Only the view is used (drawn in the card's language), so the English verb does.
      const parsed = parseCommand(`info ${subsId}`, parseContextFor(this.options.serviceConfig, this.now()));
      const reply = await this.options.service.execute(parsed, {
        ...actor,
        idempotencyKey: `card-read:${randomUUID()}`,
      });
      if (reply.kind === 'info') {
        const view = reply.bindings.find((binding) => binding.subsId === subsId);
        if (view) views.set(subsId, view);
      }
    }
    return views;
  }

  private remember(outTrackId: string, card: RememberedCard): void {
    this.cards.delete(outTrackId);
    this.cards.set(outTrackId, card);
    while (this.cards.size > REMEMBERED_CARDS) {
      const oldest = this.cards.keys().next().value as string;
      this.cards.delete(oldest);
    }
  }
}

/** The bindings a reply shows, by SubsId. */
function bindingViews(reply: Reply): Map<string, BindingView> {
  const views: BindingView[] =
    reply.kind === 'bound' || reply.kind === 'extended' || reply.kind === 'unbound'
      ? [reply.binding]
      : reply.kind === 'bulk'
        ? reply.items.flatMap((item) => (item.outcome === 'bound' ? [item.binding] : []))
        : reply.kind === 'info' || reply.kind === 'list'
          ? [...reply.bindings]
          : [];
  return new Map(views.flatMap((view) => (view.subsId ? [[view.subsId, view]] : [])));
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
