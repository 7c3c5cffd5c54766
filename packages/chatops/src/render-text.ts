import { describeError, formatBeijingTime } from '@axnbot/core';
import type { Locale } from './language/commands.js';
import { relativeTime } from './language/duration.js';
import { dialLink, groupNumber } from './language/phone.js';
import { allUsage, USAGE } from './language/usage.js';
import { phrase } from './phrases.js';
import { formatCallLine, formatTalkTime } from './receipts/call-summary.js';
import { type BindingView, bindingEnd, type Reply } from './replies.js';

/** Options of the plain-text renderer. */
export interface TextRenderOptions {
  readonly now: number;
  /** ANSI colour for terminals. */
  readonly color?: boolean;
}

const ansi = (code: number) => (text: string, on: boolean) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = ansi(32);
const red = ansi(31);
const yellow = ansi(33);
const bold = ansi(1);
const dim = ansi(2);

/** A binding status in the reader's language. */
export function statusLabel(status: BindingView['status'], locale: Locale): string {
  return phrase(`status.${status}`, locale);
}

/** Beijing time for people: `2026-11-30 14:05`. */
export function beijingMinute(at: number): string {
  return formatBeijingTime(at).slice(0, 16);
}

/** `2026-11-30 14:05 (Beijing) · in 2 days`: a time, and how far it is from now. */
function when(at: number, locale: Locale, now: number): string {
  return `${phrase('time.beijing', locale, { time: beijingMinute(at) })} · ${relativeTime(at, now, locale)}`;
}

/** The lines that describe one binding. */
function bindingLines(view: BindingView, locale: Locale, options: TextRenderOptions): string[] {
  const c = options.color === true;
  const lines: string[] = [];
  const ended = bindingEnd(view);
  if (view.secretNo) {
    const ext = view.extension ? ` ${phrase('binding.ext', locale, { ext: bold(view.extension, c) })}` : '';
    const city = view.city ? phrase('punct.aside', locale, { text: view.city }) : '';
    lines.push(`${view.phoneMasked} → ${bold(groupNumber(view.secretNo), c)}${ext}${city}`);
    if (view.cityAsked && view.city) {
      lines.push(`  ${phrase('binding.cityAsked', locale, { asked: view.cityAsked, city: view.city })}`);
    }
    // An ended binding reaches nobody: no dial link to tempt anyone.
    if (!ended) {
      const link = dialLink(view.secretNo, view.extension);
      lines.push(
        `  ${phrase('punct.labelled', locale, { label: phrase('label.dialLower', locale), value: link })}`,
      );
    }
  } else {
    lines.push(`${view.phoneMasked} → ${phrase('binding.xUnknown', locale)}`);
  }
  if (ended?.how === 'unbound') {
    const at = when(ended.at, locale, options.now);
    lines.push(
      `  ${ended.by ? phrase('binding.unboundBy', locale, { when: at, who: ended.by }) : phrase('binding.unbound', locale, { when: at })}`,
    );
  } else if (ended) {
    lines.push(`  ${phrase('binding.expired', locale, { when: when(ended.at, locale, options.now) })}`);
  } else {
    lines.push(`  ${phrase('binding.until', locale, { when: when(view.expiresAt, locale, options.now) })}`);
  }
  const facts = [
    `${phrase('label.subsId', locale)} ${view.subsId ?? '—'}`,
    phrase(view.recording ? 'binding.recordingOn' : 'binding.recordingOff', locale),
    `${phrase('label.status', locale)} ${statusLabel(view.status, locale)}`,
    `${phrase('label.ref', locale)} ${view.ref}`,
  ];
  lines.push(`  ${dim(facts.join(' · '), c)}`);
  return lines;
}

function errorText(code: string, detail: string, locale: Locale, requestId?: string): string[] {
  const words = describeError(code)[locale];
  const lines = [
    `${words.message}${detail && detail !== words.message ? phrase('punct.aside', locale, { text: detail }) : ''}`,
    phrase('punct.labelled', locale, { label: phrase('label.remedy', locale), value: words.remedy }),
  ];
  if (requestId) lines.push(`${phrase('label.requestId', locale)} ${requestId}`);
  return lines;
}

/** Renders a reply as plain text for terminals (ANSI colour optional). */
export function renderText(reply: Reply, options: TextRenderOptions): string {
  const c = options.color === true;
  const { locale } = reply;
  const aside = (text: string) => phrase('punct.aside', locale, { text });
  switch (reply.kind) {
    case 'bound':
      return [
        green(`✅ ${phrase('reply.bound', locale)}`, c),
        ...bindingLines(reply.binding, locale, options),
      ].join('\n');
    case 'bulk': {
      const ok = reply.items.filter((item) => item.outcome === 'bound').length;
      const lines = [phrase('bulk.summary', locale, { ok, total: reply.items.length })];
      for (const item of reply.items) {
        if (item.outcome === 'bound')
          lines.push(`${green('✅', c)} ${bindingLines(item.binding, locale, options).join('\n   ')}`);
        else if (item.outcome === 'error')
          lines.push(
            `${red('❌', c)} ${phrase('punct.labelled', locale, { label: item.phoneMasked, value: describeError(item.code)[locale].message })}${aside(item.message)}`,
          );
        else
          lines.push(
            `${yellow('❓', c)} ${phrase('punct.labelled', locale, { label: item.phoneMasked, value: phrase('bulk.unknown', locale) })}${aside(`${phrase('label.ref', locale)} ${item.ref}`)}`,
          );
      }
      return lines.join('\n');
    }
    case 'unbound':
      return [
        `🔓 ${phrase(reply.already ? 'reply.alreadyUnbound' : 'reply.unbound', locale)}`,
        ...bindingLines(reply.binding, locale, options),
      ].join('\n');
    case 'extended':
      return [
        `⏩ ${phrase('reply.extendedWas', locale, { was: beijingMinute(reply.previousExpiresAt) })}`,
        ...bindingLines(reply.binding, locale, options),
      ].join('\n');
    case 'info':
      if (reply.bindings.length === 0) return phrase('reply.noBinding', locale);
      return reply.bindings
        .map((view) => {
          const lines = bindingLines(view, locale, options);
          const call = reply.lastCalls?.[view.ref];
          if (call)
            lines.push(`  ${phrase('binding.lastCall', locale, { line: formatCallLine(call, locale) })}`);
          return lines.join('\n');
        })
        .join('\n\n');
    case 'list': {
      if (reply.bindings.length === 0) return phrase('reply.noLiveBindings', locale);
      const head = phrase('punct.leadIn', locale, {
        text: `${phrase('reply.liveCount', locale, { count: reply.bindings.length })}${reply.truncated ? phrase('reply.firstOnesShown', locale) : ''}`,
      });
      return [head, ...reply.bindings.map((view) => bindingLines(view, locale, options).join('\n'))].join(
        '\n',
      );
    }
    case 'calls': {
      const b = reply.binding;
      const where =
        b?.secretNo && b.extension
          ? aside(`${groupNumber(b.secretNo)} ${phrase('binding.ext', locale, { ext: b.extension })}`)
          : '';
      const lines = [
        bold(`📞 ${phrase('reply.calls', locale, { phone: b?.phoneMasked ?? reply.target })}${where}`, c),
      ];
      if (reply.calls.length === 0) {
        lines.push(`  ${phrase('reply.noCalls', locale)}`);
        return lines.join('\n');
      }
      const { answered, missed, talkSeconds } = reply.totals;
      lines.push(
        `  ${dim(
          `${phrase('reply.callTotals', locale, { answered, missed, duration: formatTalkTime(talkSeconds, locale) })}${reply.truncated ? phrase('reply.latestCalls', locale, { count: reply.calls.length }) : ''}`,
          c,
        )}`,
      );
      for (const call of reply.calls) lines.push(`  ${formatCallLine(call, locale)}`);
      return lines.join('\n');
    }
    case 'recording': {
      if (!reply.call) return yellow(`🎙 ${phrase('recording.noCall', locale, { callId: reply.callId })}`, c);
      const line = formatCallLine(reply.call, locale);
      if (!reply.link) return `🎙 ${phrase('recording.none', locale)}\n  ${line}`;
      return [
        `🎙 ${phrase('recording.of', locale, { time: beijingMinute(reply.call.callTime) })}`,
        `  ${line}`,
        `  ${reply.link.url}`,
        `  ${dim(phrase('recording.until', locale, { time: beijingMinute(reply.link.expiresAt) }), c)}`,
      ].join('\n');
    }
    case 'pool': {
      const lines = [bold(`📊 ${phrase('pool.title', locale, { pool: reply.poolKey })}`, c)];
      if (reply.cities.length === 0) lines.push(`  ${phrase('pool.empty', locale)}`);
      for (const row of reply.cities) {
        const city = row.city === '' ? phrase('pool.anyCity', locale) : row.city;
        lines.push(`  ${phrase('pool.line', locale, { ...row, city })}`);
      }
      if (reply.remain) lines.push(`  ${phrase('pool.remain', locale, reply.remain)}`);
      return lines.join('\n');
    }
    case 'silenced': {
      const values = {
        phone: reply.binding.phoneMasked,
        when: phrase('time.beijing', locale, { time: beijingMinute(reply.binding.expiresAt) }),
      };
      return [
        `🔕 ${phrase(reply.already ? 'reply.alreadySilenced' : 'reply.silenced', locale, values)}`,
        ...bindingLines(reply.binding, locale, options),
      ].join('\n');
    }
    case 'help':
      if (reply.topic)
        return `${USAGE[reply.topic][locale]}\n${phrase(`help.detail.${reply.topic}`, locale)}`;
      return `${phrase('help.intro', locale)}\n${allUsage(locale)
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n')}`;
    case 'error': {
      if (reply.usage !== undefined) {
        const lines = [red(`⚠️ ${reply.detail}`, c)];
        if (reply.suggestion) lines.push(reply.suggestion);
        lines.push(
          phrase('punct.labelled', locale, { label: phrase('label.usage', locale), value: reply.usage }),
        );
        return lines.join('\n');
      }
      const lines = errorText(reply.code, reply.detail, locale, reply.requestId);
      if (reply.correlationId) lines.push(`${phrase('label.errorRef', locale)} ${reply.correlationId}`);
      return red(`❌ ${lines.join('\n   ')}`, c);
    }
    case 'outcome-unknown':
      return yellow(
        `❓ ${phrase('unknown.sent', locale, { phone: reply.phoneMasked })}\n   ${phrase('unknown.check', locale, { ref: reply.ref })}`,
        c,
      );
    case 'denied':
      return red(
        `⛔ ${phrase(`denied.${reply.reason}`, locale)}${reply.detail ? aside(reply.detail) : ''}`,
        c,
      );
  }
}
