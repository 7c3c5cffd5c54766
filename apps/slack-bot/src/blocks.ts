import {
  allUsage,
  type BindingView,
  beijingMinute,
  bindingEnd,
  type CallSummary,
  dialLink,
  formatCallLine,
  formatTalkTime,
  groupNumber,
  type Locale,
  type PlainPhraseKey,
  phrase,
  type Reply,
  relativeTime,
  renderText,
  statusLabel,
  USAGE,
} from '@axnbot/chatops';
import { describeError } from '@axnbot/core';

/** Block Kit limits the renderer keeps to (from @slack/types). */
export const LIMITS = {
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  buttonText: 75,
  blocks: 50,
  contextElements: 10,
} as const;

// biome-ignore lint/suspicious/noExplicitAny: Block Kit blocks are plain JSON; @slack/types unions are too wide to help here.
export type Block = Record<string, any>;

/** A Slack message: fallback text, blocks, and who sees it. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
  readonly response_type: 'in_channel' | 'ephemeral';
  readonly replace_original?: boolean;
}

/** Button action ids. */
export const ACTION_UNBIND = 'axn_unbind';
export const ACTION_EXTEND = 'axn_extend';
/** "▶ Recording": its value is the call id; the link is fetched when pressed, for the presser only. */
export const ACTION_RECORDING = 'axn_recording';

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: clip(text, LIMITS.fieldText) });
/** Plain text for labels and buttons, cut to `max` characters. */
export const plain = (text: string, max: number = LIMITS.buttonText) => ({
  type: 'plain_text',
  text: clip(text, max),
  emoji: true,
});
/** A section of mrkdwn, cut to Slack's limit. */
export const section = (text: string): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) },
});

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<!date^…>` shows each viewer their local time; the fallback is Beijing time. */
function slackDate(at: number, locale: Locale): string {
  return `<!date^${Math.floor(at / 1000)}^{date_short_pretty} {time}|${beijingMinute(at)} ${phrase('label.beijing', locale)}>`;
}

/** A time on a card: each viewer's local time, then Beijing time and how far it is from now. */
function cardTime(at: number, locale: Locale, now: number): string {
  return `${slackDate(at, locale)}\n${phrase('time.beijing', locale, { time: beijingMinute(at) })} · ${relativeTime(at, now, locale)}`;
}

/** `*label*\nvalue`: one field of a card. */
const field = (label: string, value: string) => mrkdwn(`*${label}*\n${value}`);

/**
 * The card of one binding: facts, context line, and (when live) Unbind and Extend buttons. An ended
 * binding shows when (and by whom) it ended instead of its expiry, and offers no dial link and no buttons.
 */
export function bindingBlocks(
  view: BindingView,
  options: { now: number; locale: Locale; headline: string; userId?: string; buttons: boolean },
): Block[] {
  const { locale, now } = options;
  const say = (key: PlainPhraseKey) => phrase(key, locale);
  const ended = bindingEnd(view);
  const city = view.city ? esc(view.city) : '—';
  const fields = [
    field(say('label.aNumber'), view.phoneMasked),
    field(say('label.xNumber'), view.secretNo ? groupNumber(view.secretNo) : '—'),
    field(say('label.extension'), view.extension ?? '—'),
  ];
  // An ended binding reaches nobody: no dial link to tempt anyone.
  if (!ended)
    fields.push(
      field(
        say('label.dial'),
        view.secretNo
          ? `<${dialLink(view.secretNo, view.extension)}|${view.secretNo}${view.extension ? `,,${view.extension}` : ''}>`
          : '—',
      ),
    );
  fields.push(
    field(
      say('label.city'),
      view.cityAsked && view.city
        ? `${city}\n_${esc(phrase('binding.cityAsked', locale, { asked: view.cityAsked, city: view.city }))}_`
        : city,
    ),
  );
  if (!ended) fields.push(field(say('label.expires'), cardTime(view.expiresAt, locale, now)));
  else if (ended.how === 'expired')
    fields.push(field(say('label.expiredAt'), cardTime(ended.at, locale, now)));
  else {
    fields.push(field(say('label.unboundAt'), cardTime(ended.at, locale, now)));
    if (ended.by) fields.push(field(say('label.unboundBy'), esc(ended.by)));
  }
  const context = [
    `${say('label.subsId')} \`${view.subsId ?? '—'}\``,
    `${say('label.boundBy')} ${options.userId ? `<@${options.userId}>` : esc(view.boundBy)}`,
    `${say('label.requestId')} \`${view.requestId ?? '—'}\``,
    say(view.recording ? 'binding.recordingOn' : 'binding.recordingOff'),
  ];
  const blocks: Block[] = [
    section(options.headline),
    { type: 'section', fields: fields.slice(0, LIMITS.fields) },
    { type: 'context', elements: [mrkdwn(context.join(' · '))] },
  ];
  const live = !ended && view.status === 'active' && view.expiresAt > now;
  if (options.buttons && view.subsId && live) {
    blocks.push({
      type: 'actions',
      block_id: `axn_binding_${view.subsId}`,
      elements: [
        {
          type: 'button',
          action_id: ACTION_UNBIND,
          style: 'danger',
          text: plain(say('action.unbind')),
          value: view.subsId,
          confirm: {
            title: plain(say('action.confirmUnbind'), 100),
            text: mrkdwn(
              clip(
                phrase('action.unbindWarning', locale, {
                  phone: view.phoneMasked,
                  x: groupNumber(view.secretNo ?? ''),
                  ext: view.extension ?? '',
                }),
                300,
              ),
            ),
            confirm: plain(say('action.unbind'), 30),
            deny: plain(say('action.cancel'), 30),
            style: 'danger',
          },
        },
        {
          type: 'button',
          action_id: ACTION_EXTEND,
          text: plain(say('action.extendDayPlus')),
          value: `${view.subsId}:${view.expiresAt}`,
        },
      ],
    });
  }
  return blocks;
}

/**
 * Renders a Reply as a Slack message. Results go to the channel (or only the invoker, as configured);
 * errors, refusals, help and outcome-unknown notices are always ephemeral.
 */
export function renderSlack(
  reply: Reply,
  options: { now: number; userId?: string; resultVisibility: 'in_channel' | 'ephemeral' },
): SlackMessage {
  const { locale } = reply;
  const { now } = options;
  const result = options.resultVisibility;
  const text = clip(renderText(reply, { now }), LIMITS.sectionText);
  const labelled = (label: string, value: string) => phrase('punct.labelled', locale, { label, value });
  const aside = (value: string) => phrase('punct.aside', locale, { text: value });
  /** `*170 0000 0001* ext *130*`: where a binding answers. */
  const slot = (view: BindingView) =>
    `*${groupNumber(view.secretNo ?? '')}* ${phrase('label.ext', locale)} *${view.extension ?? '—'}*`;
  /** A card that replaces the one a button was clicked on. */
  const replacedCard = (binding: BindingView, headline: string, buttons: boolean): SlackMessage => ({
    text,
    response_type: result,
    replace_original: true,
    blocks: bindingBlocks(binding, { now, locale, headline, userId: options.userId, buttons }),
  });
  switch (reply.kind) {
    case 'bound': {
      const b = reply.binding;
      const headline = `✅ ${phrase('reply.reachable', locale, {
        phone: `*${b.phoneMasked}*`,
        x: `*${groupNumber(b.secretNo ?? '')}*`,
        ext: `*${b.extension}*`,
      })}`;
      return {
        text,
        response_type: result,
        blocks: bindingBlocks(b, { now, locale, headline, userId: options.userId, buttons: true }),
      };
    }
    case 'bulk': {
      const blocks: Block[] = [];
      const ok = reply.items.filter((item) => item.outcome === 'bound').length;
      blocks.push(section(`*${phrase('bulk.summary', locale, { ok, total: reply.items.length })}*`));
      const lines = reply.items.map((item) => {
        if (item.outcome === 'bound') {
          const b = item.binding;
          return `✅ ${b.phoneMasked} → ${slot(b)} · <${dialLink(b.secretNo ?? '', b.extension)}|${phrase('label.dialLower', locale)}> · ${phrase('label.subsId', locale)} \`${b.subsId}\``;
        }
        if (item.outcome === 'error')
          return `❌ ${labelled(item.phoneMasked, esc(describeError(item.code)[locale].message))}${aside(`\`${item.code}\``)}`;
        return `❓ ${labelled(item.phoneMasked, phrase('bulk.unknownSlash', locale))}${aside(`${phrase('label.ref', locale)} \`${item.ref}\``)}`;
      });
      // Several lines per section, within the 3000-character limit and 50 blocks.
      let chunk = '';
      for (const line of lines) {
        if (chunk.length + line.length + 1 > LIMITS.sectionText) {
          blocks.push(section(chunk));
          chunk = '';
        }
        chunk += `${chunk ? '\n' : ''}${line}`;
      }
      if (chunk) blocks.push(section(chunk));
      return { text, response_type: ok > 0 ? result : 'ephemeral', blocks: blocks.slice(0, LIMITS.blocks) };
    }
    case 'unbound': {
      const phone = `*${reply.binding.phoneMasked}*`;
      return replacedCard(
        reply.binding,
        `🔓 ${phrase(reply.already ? 'reply.alreadyUnboundPhone' : 'reply.unboundPhone', locale, { phone })}`,
        false,
      );
    }
    case 'extended': {
      const until = beijingMinute(reply.binding.expiresAt);
      const was = beijingMinute(reply.previousExpiresAt);
      return replacedCard(reply.binding, `⏩ ${phrase('reply.extendedTo', locale, { until, was })}`, true);
    }
    case 'info':
    case 'list': {
      const views = reply.bindings;
      if (views.length === 0) return { text, response_type: 'ephemeral', blocks: [section(esc(text))] };
      const blocks: Block[] = [];
      if (reply.kind === 'list')
        blocks.push(
          section(
            `*${phrase('reply.liveCount', locale, { count: views.length })}*${reply.truncated ? phrase('reply.firstOnesShown', locale) : ''}`,
          ),
        );
      // Each card is up to 4 blocks; stay within 50.
      for (const view of views.slice(0, 12)) {
        const where = view.secretNo ? slot(view) : phrase('binding.xUnknown', locale);
        const headline = `*${view.phoneMasked}* → ${where} · ${statusLabel(view.status, locale)}`;
        blocks.push(...bindingBlocks(view, { now, locale, headline, buttons: true }));
        const call = reply.kind === 'info' ? reply.lastCalls?.[view.ref] : undefined;
        if (call)
          blocks.push(statusLine(phrase('binding.lastCall', locale, { line: formatCallLine(call, locale) })));
        blocks.push({ type: 'divider' });
      }
      return { text, response_type: 'ephemeral', blocks: blocks.slice(0, LIMITS.blocks) };
    }
    case 'calls': {
      const b = reply.binding;
      const where = b?.secretNo && b.extension ? ` · ${slot(b)}` : '';
      const header = `📞 *${esc(phrase('reply.calls', locale, { phone: b?.phoneMasked ?? reply.target }))}*${where}`;
      if (reply.calls.length === 0)
        return {
          text,
          response_type: 'ephemeral',
          blocks: [section(`${header}\n${phrase('reply.noCalls', locale)}`)],
        };
      const { answered, missed, talkSeconds } = reply.totals;
      const totals = `${phrase('reply.callTotals', locale, { answered, missed, duration: formatTalkTime(talkSeconds, locale) })}${reply.truncated ? phrase('reply.latestCalls', locale, { count: reply.calls.length }) : ''}`;
      const blocks: Block[] = [section(header), { type: 'context', elements: [mrkdwn(esc(totals))] }];
      // One section per call, its recording button beside it; within Slack's 50 blocks.
      for (const call of reply.calls.slice(0, LIMITS.blocks - blocks.length))
        blocks.push(callBlock(call, locale));
      return { text, response_type: 'ephemeral', blocks };
    }
    case 'recording': {
      if (!reply.call || !reply.link)
        return { text, response_type: 'ephemeral', blocks: [section(esc(text))] };
      const { url, expiresAt } = reply.link;
      const heading = `🎙 *${esc(phrase('recording.of', locale, { time: beijingMinute(reply.call.callTime) }))}*`;
      return {
        text,
        response_type: 'ephemeral',
        blocks: [
          section(
            `${heading}\n${esc(formatCallLine(reply.call, locale))}\n<${url}|${esc(phrase('action.recording', locale))}>`,
          ),
          {
            type: 'context',
            elements: [mrkdwn(esc(phrase('recording.until', locale, { time: beijingMinute(expiresAt) })))],
          },
        ],
      };
    }
    case 'help': {
      const usage = reply.topic ? USAGE[reply.topic][locale] : allUsage(locale);
      const intro = phrase('help.summary', locale, { name: '*axnbot*' });
      const examples = phrase('help.example', locale, {
        command: `\`${phrase('help.exampleSlashCommand', locale)}\``,
      });
      return {
        text,
        response_type: 'ephemeral',
        blocks: [
          section(intro),
          section(`\`\`\`${usage}\`\`\``),
          { type: 'context', elements: [mrkdwn(examples)] },
        ],
      };
    }
    case 'error': {
      if (reply.usage !== undefined) {
        const lines = [`⚠️ ${esc(reply.detail)}`];
        if (reply.suggestion) lines.push(`_${esc(reply.suggestion)}_`);
        return {
          text,
          response_type: 'ephemeral',
          blocks: [section(lines.join('\n')), section(`\`\`\`${reply.usage}\`\`\``)],
        };
      }
      const words = describeError(reply.code)[locale];
      const blocks: Block[] = [
        section(
          `❌ *${esc(words.message)}*${reply.detail && reply.detail !== words.message ? `\n${esc(reply.detail)}` : ''}\n${labelled(phrase('label.remedy', locale), esc(words.remedy))}`,
        ),
      ];
      const ids = [`\`${reply.code}\``];
      if (reply.requestId) ids.push(`${phrase('label.requestId', locale)} \`${reply.requestId}\``);
      // An unexpected failure: the id the operator's log carries too.
      if (reply.correlationId) ids.push(`${phrase('label.errorRef', locale)} \`${reply.correlationId}\``);
      blocks.push({ type: 'context', elements: [mrkdwn(ids.join(' · '))] });
      return { text, response_type: 'ephemeral', blocks };
    }
    case 'pool': {
      // The title, then one line per city (and Aliyun's stock, when an admin asked): plain lines.
      const [title = '', ...rows] = text.split('\n');
      const blocks: Block[] = [section(`*${esc(title)}*`)];
      if (rows.length > 0) blocks.push(section(esc(rows.map((row) => row.trim()).join('\n'))));
      return { text, response_type: 'ephemeral', blocks };
    }
    case 'silenced': {
      const when = phrase('time.beijing', locale, { time: beijingMinute(reply.binding.expiresAt) });
      const key = reply.already ? 'reply.alreadySilenced' : 'reply.silenced';
      const headline = `🔕 ${phrase(key, locale, { phone: `*${reply.binding.phoneMasked}*`, when })}`;
      return replacedCard(reply.binding, headline, false);
    }
    case 'outcome-unknown':
      return { text, response_type: 'ephemeral', blocks: [section(`❓ ${esc(text)}`)] };
    case 'denied':
      return { text, response_type: 'ephemeral', blocks: [section(esc(text))] };
  }
}

/**
 * One call as a section: its line (the call's own, unless given — a recording notice says more), and
 * "▶ Recording" beside it when there is one to fetch.
 */
export function callBlock(
  call: CallSummary,
  locale: Locale,
  options: { line?: string; recordingButton?: boolean } = {},
): Block {
  const block = section(esc(options.line ?? formatCallLine(call, locale)));
  if (options.recordingButton ?? call.recorded)
    block.accessory = {
      type: 'button',
      action_id: ACTION_RECORDING,
      text: plain(phrase('action.recording', locale)),
      value: call.callId,
    };
  return block;
}

/** The quick "working…" answer when the reply takes longer than Slack's ack window allows. */
export function workingMessage(locale: Locale): SlackMessage {
  const working = `⏳ ${phrase('reply.working', locale)}`;
  return { text: working, response_type: 'ephemeral', blocks: [section(working)] };
}

/** A one-line context block: a status or a note above or below cards. */
export function statusLine(text: string): Block {
  return { type: 'context', elements: [mrkdwn(esc(text))] };
}
