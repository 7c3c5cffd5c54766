import {
  allUsage,
  type BindingView,
  beijingMinute,
  bindingEnd,
  type CallNotice,
  dialLink,
  formatCallLine,
  formatTalkTime,
  groupNumber,
  isCallId,
  type LifecycleNotice,
  type Locale,
  type PlainPhraseKey,
  phrase,
  type Reply,
  relativeTime,
  statusLabel,
  USAGE,
} from '@axnbot/chatops';
import { describeError } from '@axnbot/core';

/** Markdown of one DingTalk message: the notification title and the body. */
export interface MarkdownMessage {
  readonly title: string;
  readonly text: string;
}

/** DingTalk rejects bodies near 20,000 bytes; long replies are split well below that. */
export const MAX_MARKDOWN_CHARS = 3500;

/** A link that, tapped, sends `content` into the chat as the user (markdown messages only). */
export function quickLink(label: string, content: string): string {
  return `[${label}](dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(content)})`;
}

/** Escapes characters that DingTalk markdown would read as formatting. */
function esc(text: string): string {
  return text.replace(/([\\`*_[\]#>|])/g, '\\$1');
}

/**
 * A usage line for markdown: `<A号码>` could be taken for an HTML tag and vanish, so the angle brackets
 * become full-width ones; the square brackets stay (no `(` follows them, so they are not links).
 */
function usageLine(line: string): string {
  return line.replace(/</g, '＜').replace(/>/g, '＞').replace(/\n/g, '  \n');
}

/** `2026-11-30 12:00（Beijing，in 2 days）`: a time, and how far it is from now. */
function when(at: number, locale: Locale, now: number): string {
  return `${beijingMinute(at)}（${phrase('label.beijing', locale)}，${relativeTime(at, now, locale)}）`;
}

function bindingLines(view: BindingView, locale: Locale, now: number, links: boolean): string[] {
  const say = (key: PlainPhraseKey) => phrase(key, locale);
  const ended = bindingEnd(view);
  const lines = [
    `- **${say('label.aNumber')}**：${view.phoneMasked}`,
    `- **${say('label.xNumber')}**：${view.secretNo ? groupNumber(view.secretNo) : '—'}　**${say('label.ext')}**：${view.extension ?? '—'}`,
  ];
  // An ended binding reaches nobody: no dial link to tempt anyone.
  if (view.secretNo && !ended)
    lines.push(
      `- **${say('label.dial')}**：[${view.secretNo}${view.extension ? `,,${view.extension}` : ''}](${dialLink(view.secretNo, view.extension)})`,
    );
  if (view.city) lines.push(`- **${say('label.city')}**：${esc(view.city)}`);
  if (view.cityAsked && view.city)
    lines.push(`- ${esc(phrase('binding.cityAsked', locale, { asked: view.cityAsked, city: view.city }))}`);
  if (!ended) lines.push(`- **${say('label.until')}**：${when(view.expiresAt, locale, now)}`);
  else if (ended.how === 'expired')
    lines.push(`- **${say('label.expiredAt')}**：${when(ended.at, locale, now)}`);
  else {
    lines.push(`- **${say('label.unboundAt')}**：${when(ended.at, locale, now)}`);
    if (ended.by) lines.push(`- **${say('label.unboundBy')}**：${esc(ended.by)}`);
  }
  lines.push(`- **${say('label.subsId')}**：${view.subsId ?? '—'}`);
  if (links && view.subsId && !ended && view.status === 'active' && view.expiresAt > now) {
    // The links send the Chinese commands whatever the reader's language, as they always have.
    const unbind = phrase('command.unbind', 'zh', { target: view.subsId });
    const extend = phrase('command.extend', 'zh', { target: view.subsId, duration: '1d' });
    lines.push(
      '',
      `${quickLink(say('action.unbind'), unbind)}　${quickLink(say('action.extendDay'), extend)}`,
    );
  }
  return lines;
}

/**
 * Renders a Reply as DingTalk markdown that @-mentions the sender (`@staffId` in the text; the caller
 * also puts it in `at.atUserIds`), split into messages that fit DingTalk's size limit.
 */
export function renderMarkdown(reply: Reply, options: { now: number; mention?: string }): MarkdownMessage[] {
  const { locale } = reply;
  const say = (key: PlainPhraseKey) => phrase(key, locale);
  const { now } = options;
  let title: string;
  let body: string[];
  switch (reply.kind) {
    case 'bound':
      title = say('reply.bound');
      body = [`### ✅ ${title}`, ...bindingLines(reply.binding, locale, now, true)];
      break;
    case 'bulk': {
      const ok = reply.items.filter((item) => item.outcome === 'bound').length;
      title = phrase('bulk.title', locale, { ok, total: reply.items.length });
      body = [`### ${title}`];
      for (const item of reply.items) {
        if (item.outcome === 'bound')
          body.push('', `**✅ ${item.phoneMasked}**`, ...bindingLines(item.binding, locale, now, false));
        else if (item.outcome === 'error')
          body.push(
            '',
            `**❌ ${item.phoneMasked}**：${esc(describeError(item.code)[locale].message)}（${item.code}）`,
          );
        else
          body.push(
            '',
            `**❓ ${item.phoneMasked}**：${say('bulk.unknown')}（${say('label.ref')} ${item.ref}）`,
          );
      }
      break;
    }
    case 'unbound':
      title = say(reply.already ? 'reply.alreadyUnbound' : 'reply.unbound');
      body = [`### 🔓 ${title}`, ...bindingLines(reply.binding, locale, now, false)];
      break;
    case 'extended':
      title = say('reply.extended');
      body = [
        `### ⏩ ${title}（${say('label.was')} ${beijingMinute(reply.previousExpiresAt)}）`,
        ...bindingLines(reply.binding, locale, now, true),
      ];
      break;
    case 'info':
    case 'list':
      title =
        reply.kind === 'info'
          ? say('reply.binding')
          : phrase('reply.liveCount', locale, { count: reply.bindings.length });
      body = [`### ${title}`];
      if (reply.bindings.length === 0) body.push(say('reply.noBinding'));
      for (const view of reply.bindings) {
        body.push(
          '',
          `**${view.phoneMasked}**（${statusLabel(view.status, locale)}）`,
          ...bindingLines(view, locale, now, true),
        );
        // `info` shows each binding's last call.
        const call = reply.kind === 'info' ? reply.lastCalls?.[view.ref] : undefined;
        if (call) body.push(esc(phrase('binding.lastCall', locale, { line: formatCallLine(call, locale) })));
      }
      break;
    case 'calls': {
      const b = reply.binding;
      title = phrase('reply.calls', locale, { phone: b?.phoneMasked ?? reply.target });
      const where =
        b?.secretNo && b.extension
          ? phrase('punct.aside', locale, {
              text: [groupNumber(b.secretNo), say('label.ext'), b.extension].join(' '),
            })
          : '';
      body = [`### 📞 ${esc(title)}${where}`];
      if (reply.calls.length === 0) body.push(say('reply.noCalls'));
      else {
        const { answered, missed, talkSeconds } = reply.totals;
        body.push(
          `${phrase('reply.callTotals', locale, { answered, missed, duration: formatTalkTime(talkSeconds, locale) })}${reply.truncated ? phrase('reply.latestCalls', locale, { count: reply.calls.length }) : ''}`,
          '',
          ...reply.calls.map((call) => `- ${esc(formatCallLine(call, locale))}`),
        );
      }
      break;
    }
    case 'recording':
      title = phrase('action.recording', locale);
      if (!reply.call) body = [phrase('recording.noCall', locale, { callId: esc(reply.callId) })];
      else if (!reply.link) body = [say('recording.none'), esc(formatCallLine(reply.call, locale))];
      else
        body = [
          `### 🎙 ${phrase('recording.of', locale, { time: beijingMinute(reply.call.callTime) })}`,
          esc(formatCallLine(reply.call, locale)),
          `[${title}](${reply.link.url})`,
          phrase('recording.until', locale, { time: beijingMinute(reply.link.expiresAt) }),
        ];
      break;
    case 'pool': {
      title = phrase('pool.title', locale, { pool: reply.poolKey });
      body = [`### 📊 ${esc(title)}`];
      if (reply.cities.length === 0) body.push(esc(say('pool.empty')));
      for (const row of reply.cities) {
        const city = row.city === '' ? say('pool.anyCity') : row.city;
        body.push(`- ${esc(phrase('pool.line', locale, { ...row, city }))}`);
      }
      if (reply.remain) body.push('', esc(phrase('pool.remain', locale, reply.remain)));
      break;
    }
    case 'silenced': {
      const values = {
        phone: reply.binding.phoneMasked,
        when: phrase('time.beijing', locale, { time: beijingMinute(reply.binding.expiresAt) }),
      };
      title = phrase(reply.already ? 'reply.alreadySilenced' : 'reply.silenced', locale, values);
      body = [`### 🔕 ${esc(title)}`, ...bindingLines(reply.binding, locale, now, false)];
      break;
    }
    case 'help':
      title = say('help.title');
      body = [
        `### ${say('help.heading')}`,
        ...(reply.topic ? USAGE[reply.topic][locale] : allUsage(locale))
          .split('\n')
          .map((line) => `- ${usageLine(line)}`),
      ];
      body.push('', phrase('help.example', locale, { command: say('help.exampleCommand') }));
      break;
    case 'error': {
      title = say('reply.error');
      if (reply.usage !== undefined) {
        body = [`### ⚠️ ${esc(reply.detail)}`];
        if (reply.suggestion) body.push(esc(reply.suggestion));
        body.push('', `${say('label.usage')}：${usageLine(reply.usage)}`);
      } else {
        const words = describeError(reply.code)[locale];
        body = [`### ❌ ${esc(words.message)}`];
        if (reply.detail && reply.detail !== words.message) body.push(esc(reply.detail));
        const ids: string[] = [reply.code];
        if (reply.requestId) ids.push(`${say('label.requestId')} ${reply.requestId}`);
        // An unexpected failure: the id the operator's log carries too.
        if (reply.correlationId) ids.push(`${say('label.errorRef')} ${reply.correlationId}`);
        body.push(`${say('label.remedy')}：${esc(words.remedy)}`, ids.join(' · '));
      }
      break;
    }
    case 'outcome-unknown':
      title = say('reply.outcomeUnknown');
      body = [
        `### ❓ ${title}`,
        phrase('unknown.sendCheck', locale, { phone: reply.phoneMasked, ref: reply.ref }),
      ];
      break;
    case 'denied':
      title = say('reply.denied');
      body = [`### ⛔ ${phrase(`denied.${reply.reason}`, locale)}`];
      break;
  }
  return split(title, body, options.mention);
}

/**
 * A call's line as posted where its binding was made: the line (already in the binder's language), and
 * "▶ Recording" as a quick link when the call has a recording — it sends `recording <call id>` (`录音 …`
 * in Chinese), which the bot answers privately. In a group, `mention` names the binder (as text: the
 * OpenAPI cannot @-mention).
 */
export function renderCallNotice(notice: CallNotice, options: { mention?: string } = {}): MarkdownMessage[] {
  const { locale } = notice;
  const lines = [`${notice.kind === 'recording' ? '🎙' : '📞'} ${esc(notice.line)}`];
  if (notice.recording && isCallId(notice.callId))
    lines.push(
      quickLink(
        phrase('action.recording', locale),
        phrase('command.recording', locale, { callId: notice.callId }),
      ),
    );
  return split(notice.line, lines, options.mention === undefined ? undefined : esc(options.mention));
}

/**
 * A reminder that a binding expires soon, where it was made: the headline, its lines (the masked A, the X
 * number and extension, the expiry in Beijing time and how far off it is), then its four actions as quick
 * links — each sends exactly the action's command (`延期 <SubsId> 1天`, `延期 <SubsId> 7天`,
 * `解绑 <SubsId>`, `不再提醒 <SubsId>`, or the English ones), which the bot runs like a typed command. In
 * a group, `mention` names the binder (as text: the OpenAPI cannot @-mention).
 */
export function renderReminder(
  notice: Extract<LifecycleNotice, { kind: 'reminder' }>,
  options: { mention?: string } = {},
): MarkdownMessage[] {
  const links = notice.actions.map((action) => quickLink(esc(action.label), action.command)).join('　');
  return split(
    notice.title,
    [`### ⏰ ${esc(notice.title)}`, ...notice.lines.map(esc), '', links],
    options.mention === undefined ? undefined : esc(options.mention),
  );
}

/** A binding expired: a short notice where it was made (the binder named in a group). */
export function renderExpiredNotice(
  notice: Extract<LifecycleNotice, { kind: 'expired' }>,
  options: { mention?: string } = {},
): MarkdownMessage[] {
  return split(
    notice.title,
    [`### ⌛ ${esc(notice.title)}`, ...notice.lines.map(esc)],
    options.mention === undefined ? undefined : esc(options.mention),
  );
}

/**
 * A pool alert for the alert group: the headline, what happened and what to do, and the oldest idle
 * bindings (the notice's last lines) as a list.
 */
export function renderPoolAlert(notice: Extract<LifecycleNotice, { kind: 'pool-alert' }>): MarkdownMessage[] {
  const firstIdle = notice.lines.length - notice.idle.length;
  return split(notice.title, [
    `### 🚨 ${esc(notice.title)}`,
    ...notice.lines.map((line, index) => (index >= firstIdle ? `- ${esc(line)}` : esc(line))),
  ]);
}

/** A one-line note (e.g. "sent to you privately"), @-mentioning the sender in a group. */
export function renderNote(text: string, options: { mention?: string } = {}): MarkdownMessage[] {
  return split(text, [text], options.mention);
}

/** Splits at line boundaries into messages of at most {@link MAX_MARKDOWN_CHARS}; each @-mentions the sender. */
function split(title: string, lines: string[], mention?: string): MarkdownMessage[] {
  const head = mention ? `@${mention}\n\n` : '';
  const messages: MarkdownMessage[] = [];
  let current = '';
  for (const rawLine of lines) {
    const line =
      rawLine.length > MAX_MARKDOWN_CHARS - 200 ? `${rawLine.slice(0, MAX_MARKDOWN_CHARS - 201)}…` : rawLine;
    if (head.length + current.length + line.length + 2 > MAX_MARKDOWN_CHARS) {
      messages.push({ title, text: head + current });
      current = '';
    }
    // Two spaces before the newline: DingTalk's markdown needs them for a line break.
    current += `${line}  \n`;
  }
  if (current) messages.push({ title, text: head + current });
  return messages.map((message, index) =>
    messages.length > 1
      ? { ...message, title: `${message.title} (${index + 1}/${messages.length})` }
      : message,
  );
}
