import {
  type BindingView,
  beijingMinute,
  bindingEnd,
  groupNumber,
  type Locale,
  type PlainPhraseKey,
  phrase,
  type Reply,
  statusLabel,
} from '@axnbot/chatops';
import { describeError } from '@axnbot/core';

/**
 * DingTalk interactive cards (卡片平台): what the bot puts in a card instance made from the template in
 * card-template.json, and what it reads back from a button's callback.
 *
 * The template's variables (all sent as strings in `cardData.cardParamMap`, as DingTalk's "API 卡片数据
 * 的填写说明" says: booleans as "true"/"false", arrays and objects as JSON text):
 *
 * | variable        | type                  | what it shows                                              |
 * | --------------- | --------------------- | ---------------------------------------------------------- |
 * | `title`         | string                | the heading ("✅ 绑定成功", "有效绑定 3 个")               |
 * | `summary`       | string                | an extra line or two (a bulk bind's failures), or empty    |
 * | `bindings`      | array of objects      | one entry a binding: `subsId`, `heading`, `detail`, `live` |
 * | `extendLabel`   | string                | the Extend +1d button's text, in the reader's language     |
 * | `unbindLabel`   | string                | the Unbind button's text                                   |
 * | `unbindConfirm` | string                | the Unbind button's confirmation question                  |
 * | `cardRef`       | string (JSON)         | what a button sends back so any replica can redraw the card |
 * | `notice`        | string, private data  | a refusal, shown to the person who pressed only            |
 *
 * Each entry's buttons (shown while `live` is true) send a callback (回传请求) with `actionIds` ["extend"]
 * or ["unbind"] and `params` { action, subsId, cardRef }.
 *
 * Only masked A numbers ever go into a card. Everything is plain text (no markdown component), so masked
 * numbers and user-given cities need no escaping.
 */

/**
 * DingTalk's documented limits for `cardParamMap` (创建并投放卡片): a key at most 100 bytes, a value at most
 * 1 KB. The same holds for private data. Cards are built to stay within them.
 */
export const MAX_CARD_KEY_BYTES = 100;
export const MAX_CARD_VALUE_BYTES = 1024;

/** The two buttons: their action ids in the template and the callback. */
export type CardAction = 'extend' | 'unbind';

/** One binding on a card. */
export interface CardItem {
  readonly subsId: string;
  /** "138****8000（生效中）": the masked A number and the status. */
  readonly heading: string;
  /** The X number and extension, city, expiry or end, SubsId: one line each. */
  readonly detail: string;
  /** Whether its Extend +1d / Unbind buttons are shown (an active binding, not yet past its expiry). */
  readonly live: boolean;
}

/** One card's content, before it is turned into template variables. */
export interface BindingCard {
  readonly locale: Locale;
  readonly title: string;
  readonly summary: string;
  readonly items: readonly CardItem[];
}

/**
 * What a card's buttons send back (its `cardRef` variable): the language it is in, the conversation it
 * was posted to, and the SubsIds it shows, in order — enough to redraw it after a press on any replica.
 */
export interface CardRef {
  readonly locale: Locale;
  readonly conversationId: string;
  readonly subsIds: readonly string[];
}

const SUBS_ID = /^\d{6,19}$/;

/** The byte length of a string in UTF-8, as DingTalk counts it. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts a string to at most `max` UTF-8 bytes, marking the cut with "…". */
export function cutToBytes(text: string, max: number): string {
  if (utf8Bytes(text) <= max) return text;
  let out = '';
  for (const char of text) {
    if (utf8Bytes(`${out}${char}…`) > max) break;
    out += char;
  }
  return `${out}…`;
}

/** Whether a binding may still be extended or unbound from a card. */
function isLive(view: BindingView, now: number): boolean {
  return Boolean(view.subsId) && !bindingEnd(view) && view.status === 'active' && view.expiresAt > now;
}

/** A binding as a card entry, in the reader's language. */
export function cardItem(view: BindingView, locale: Locale, now: number): CardItem {
  const say = (key: PlainPhraseKey) => phrase(key, locale);
  const labelled = (label: PlainPhraseKey, value: string) =>
    phrase('punct.labelled', locale, { label: say(label), value });
  const lines: string[] = [];
  const x = view.secretNo ? groupNumber(view.secretNo) : '—';
  lines.push(`${labelled('label.xNumber', x)}　${labelled('label.ext', view.extension ?? '—')}`);
  if (view.city) lines.push(labelled('label.city', view.city));
  if (view.cityAsked && view.city)
    lines.push(phrase('binding.cityAsked', locale, { asked: view.cityAsked, city: view.city }));
  const ended = bindingEnd(view);
  // No "in 2 days": a card stays on screen for days, and is redrawn only when someone presses.
  const at = (time: number) =>
    `${beijingMinute(time)}${phrase('punct.aside', locale, { text: say('label.beijing') })}`;
  if (!ended) lines.push(labelled('label.until', at(view.expiresAt)));
  else if (ended.how === 'expired') lines.push(labelled('label.expiredAt', at(ended.at)));
  else {
    lines.push(labelled('label.unboundAt', at(ended.at)));
    if (ended.by) lines.push(labelled('label.unboundBy', ended.by));
  }
  lines.push(labelled('label.subsId', view.subsId ?? '—'));
  return {
    subsId: view.subsId ?? '',
    heading: `${view.phoneMasked}${phrase('punct.aside', locale, { text: statusLabel(view.status, locale) })}`,
    detail: cutToBytes(lines.join('\n'), 400),
    live: isLive(view, now),
  };
}

/** The card title a reply about one binding gets (extended, unbound, bound), in its language. */
function replyTitle(reply: Reply): string | undefined {
  const { locale } = reply;
  switch (reply.kind) {
    case 'bound':
      return `✅ ${phrase('reply.bound', locale)}`;
    case 'extended':
      return `⏩ ${phrase('reply.extendedWas', locale, { was: beijingMinute(reply.previousExpiresAt) })}`;
    case 'unbound':
      return `🔓 ${phrase(reply.already ? 'reply.alreadyUnbound' : 'reply.unbound', locale)}`;
    default:
      return undefined;
  }
}

/**
 * The cards a reply is shown as: results (bind, bulk, unbind, extend) and lists (list, info). Undefined
 * for every other reply, and for one with no binding to put on a card (those go out as markdown). A list
 * too long for one card's `bindings` value (1 KB) is split over several, "(1/3)" in their titles.
 */
export function renderCards(reply: Reply, options: { now: number }): BindingCard[] | undefined {
  const { locale } = reply;
  const { now } = options;
  const item = (view: BindingView) => cardItem(view, locale, now);
  let title: string;
  let summary = '';
  let views: readonly BindingView[];
  switch (reply.kind) {
    case 'bound':
    case 'extended':
    case 'unbound':
      title = replyTitle(reply) as string;
      views = [reply.binding];
      break;
    case 'bulk': {
      const ok = reply.items.filter((entry) => entry.outcome === 'bound').length;
      title = phrase('bulk.title', locale, { ok, total: reply.items.length });
      views = reply.items.flatMap((entry) => (entry.outcome === 'bound' ? [entry.binding] : []));
      summary = reply.items
        .flatMap((entry) => {
          if (entry.outcome === 'error')
            return [`❌ ${entry.phoneMasked}：${describeError(entry.code)[locale].message}（${entry.code}）`];
          if (entry.outcome === 'outcome-unknown')
            return [
              `❓ ${entry.phoneMasked}：${phrase('bulk.unknown', locale)}（${phrase('label.ref', locale)} ${entry.ref}）`,
            ];
          return [];
        })
        .join('\n');
      break;
    }
    case 'info':
      title = phrase('reply.binding', locale);
      views = reply.bindings;
      break;
    case 'list':
      title = phrase('reply.liveCount', locale, { count: reply.bindings.length });
      views = reply.bindings;
      break;
    default:
      return undefined;
  }
  const items = views.filter((view) => view.subsId && SUBS_ID.test(view.subsId)).map(item);
  if (items.length === 0) return undefined;
  const chunks = chunkItems(items);
  return chunks.map((chunk, index) => ({
    locale,
    title: chunks.length > 1 ? `${title} (${index + 1}/${chunks.length})` : title,
    summary: index === 0 ? cutToBytes(summary, MAX_CARD_VALUE_BYTES - 24) : '',
    items: chunk,
  }));
}

/** Splits entries into groups whose `bindings` JSON stays within a card value's 1 KB. */
function chunkItems(items: readonly CardItem[]): CardItem[][] {
  const chunks: CardItem[][] = [];
  let current: CardItem[] = [];
  for (const item of items) {
    if (current.length > 0 && utf8Bytes(JSON.stringify([...current, item])) > MAX_CARD_VALUE_BYTES) {
      chunks.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * The card after a press on one of its entries changed a binding: that entry redrawn from the result;
 * the others from `others` (their latest views, where known). A card of one binding takes the result's
 * title ("⏩ Extended (was …)"); a list keeps its own.
 */
export function redrawCard(
  ref: CardRef,
  result: Reply,
  others: ReadonlyMap<string, BindingView>,
  now: number,
): { readonly title?: string; readonly items: readonly CardItem[] } | undefined {
  if (result.kind !== 'extended' && result.kind !== 'unbound') return undefined;
  const changed = result.binding;
  const items: CardItem[] = [];
  for (const subsId of ref.subsIds) {
    const view = subsId === changed.subsId ? changed : others.get(subsId);
    if (view) items.push(cardItem(view, ref.locale, now));
  }
  if (items.length === 0) return undefined;
  return {
    title: ref.subsIds.length === 1 ? replyTitle({ ...result, locale: ref.locale }) : undefined,
    items,
  };
}

/**
 * A binding's own card redrawn once the binding has ended (its expiry): the headline given ("⌛ Binding
 * expired") and its one entry shown ended — no buttons. Undefined for a binding no card could show.
 */
export function endedCard(
  view: BindingView,
  locale: Locale,
  title: string,
  now: number,
): { readonly title: string; readonly bindings: string } | undefined {
  if (!view.subsId || !SUBS_ID.test(view.subsId)) return undefined;
  return { title: cutToBytes(title, 200), bindings: JSON.stringify([cardItem(view, locale, now)]) };
}

/** The template variables of a card, every value a string within DingTalk's limits. */
export function cardParamMap(card: BindingCard, conversationId: string): Record<string, string> {
  const ref: CardRef = {
    locale: card.locale,
    conversationId,
    subsIds: card.items.map((item) => item.subsId),
  };
  return {
    title: cutToBytes(card.title, 200),
    summary: card.summary,
    bindings: JSON.stringify(card.items),
    extendLabel: phrase('action.extendDayPlus', card.locale),
    unbindLabel: phrase('action.unbind', card.locale),
    unbindConfirm: phrase('action.confirmUnbind', card.locale),
    cardRef: encodeCardRef(ref),
  };
}

/** The `cardRef` variable: compact JSON. */
export function encodeCardRef(ref: CardRef): string {
  return JSON.stringify({ v: 1, l: ref.locale, c: ref.conversationId, s: ref.subsIds });
}

/** Reads a `cardRef` back; undefined when it is not one (a callback's params are not trusted). */
export function decodeCardRef(value: unknown): CardRef | undefined {
  if (typeof value !== 'string' || utf8Bytes(value) > MAX_CARD_VALUE_BYTES) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, l, c, s } = parsed as Record<string, unknown>;
  if (v !== 1 || (l !== 'en' && l !== 'zh') || typeof c !== 'string' || c.length > 200) return undefined;
  if (!Array.isArray(s) || s.length > 50 || !s.every((id) => typeof id === 'string' && SUBS_ID.test(id)))
    return undefined;
  return { locale: l, conversationId: c, subsIds: s as string[] };
}

/** A button press, read from a card callback's `data`. */
export interface CardPress {
  readonly outTrackId: string;
  /** Who pressed: a userId (staffId), as the card was created with `userIdType` 1. */
  readonly userId: string;
  readonly action: CardAction;
  readonly subsId: string;
  readonly ref: CardRef | undefined;
}

/**
 * Reads a card callback (topic `/v1.0/card/instances/callback`; DingTalk's 事件回调 document): `data` is
 * JSON with `type` "actionCallback", `outTrackId`, `userId`, `corpId` and `content`, itself JSON text
 * holding `cardPrivateData.actionIds` (the button pressed) and `cardPrivateData.params` (what the
 * template's button sends). Undefined for anything that is not a press of one of this bot's buttons.
 */
export function parseCardCallback(data: string): CardPress | undefined {
  const object = (text: unknown): Record<string, unknown> | undefined => {
    if (typeof text !== 'string') return undefined;
    try {
      const value = JSON.parse(text) as unknown;
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const callback = object(data);
  if (!callback) return undefined;
  const { outTrackId, userId } = callback;
  if (typeof outTrackId !== 'string' || outTrackId === '' || typeof userId !== 'string' || userId === '')
    return undefined;
  if (callback.type !== undefined && callback.type !== 'actionCallback') return undefined;
  const content = object(callback.content) ?? object(callback.value);
  const privateData = content?.cardPrivateData as
    | { actionIds?: unknown; params?: Record<string, unknown> }
    | undefined;
  const params = privateData?.params ?? {};
  const actionIds = Array.isArray(privateData?.actionIds) ? privateData.actionIds : [];
  const action = typeof params.action === 'string' ? params.action : actionIds[0];
  if (action !== 'extend' && action !== 'unbind') return undefined;
  const subsId = params.subsId;
  if (typeof subsId !== 'string' || !SUBS_ID.test(subsId)) return undefined;
  return { outTrackId, userId, action, subsId, ref: decodeCardRef(params.cardRef) };
}
