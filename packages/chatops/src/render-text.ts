import { describeError, formatBeijingTime } from '@axnbot/core';
import type { Locale, Verb } from './language/commands.js';
import { relativeTime } from './language/duration.js';
import { dialLink, groupNumber } from './language/phone.js';
import { allUsage, USAGE } from './language/usage.js';
import type { BindingView, DenialReason, Reply } from './replies.js';

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
  return STATUS[status][locale];
}

const STATUS: Record<BindingView['status'], Record<Locale, string>> = {
  pending: { en: 'pending', zh: '处理中' },
  active: { en: 'active', zh: '生效中' },
  unknown: { en: 'outcome unknown', zh: '结果未知' },
  unbound: { en: 'unbound', zh: '已解绑' },
  expired: { en: 'expired', zh: '已过期' },
  failed: { en: 'failed', zh: '失败' },
};

const DENIED: Record<DenialReason, Record<Locale, string>> = {
  'user-not-allowed': {
    en: 'You are not on the list of people who may use axnbot.',
    zh: '您不在 axnbot 的授权用户名单中。',
  },
  'channel-not-allowed': { en: 'axnbot is not enabled in this channel.', zh: '此群/频道未启用 axnbot。' },
  'admin-only': { en: 'Only axnbot admins may do that.', zh: '只有 axnbot 管理员可以这样做。' },
  'rate-limited': {
    en: 'You are binding too fast; wait a minute and try again.',
    zh: '绑定过于频繁，请稍等一分钟再试。',
  },
  'not-owner': {
    en: 'Only whoever bound it, or an admin, may change this binding.',
    zh: '只有绑定人或管理员可以修改此绑定。',
  },
};

const HELP_INTRO: Record<Locale, string> = {
  en: 'axnbot binds a real number (A) behind a shared privacy number (X) and an extension. Commands:',
  zh: 'axnbot 把真实号码（A）隐藏在隐私号（X）和分机号后面。命令：',
};

const HELP_DETAIL: Record<Verb, Record<Locale, string>> = {
  bind: {
    en: 'Binds one or more A numbers (up to the bulk limit). expires takes 30m, 2h, 2d, 1w, 1d12h or a Beijing time such as 2026-12-01 18:00.',
    zh: '绑定一个或多个A号码。有效期可写 30分钟、3小时、2天、1周，或北京时间如 2026-12-01 18:00。',
  },
  unbind: { en: 'Ends a binding now.', zh: '立即解除绑定。' },
  extend: {
    en: 'Adds time to a binding: extend 13800138000 1d adds a day to its expiry. A Beijing time sets the expiry instead: extend 13800138000 until 2026-12-05 18:00. An earlier time is refused unless you add shorten (extend … shorten 2h ends it two hours from now).',
    zh: '给绑定延长时间：延期 13800138000 1天 即在当前过期时间上再加一天。写北京时间则直接改为该时间：延期 13800138000 到 2026-12-05 18:00。早于当前过期时间会被拒绝，除非加上“缩短”（延期 … 缩短 2小时 即两小时后到期）。',
  },
  info: { en: 'Shows a binding and checks it with Alibaba Cloud.', zh: '查看绑定并向阿里云核对。' },
  list: {
    en: 'Lists your live bindings (admins: list all).',
    zh: '列出您的有效绑定（管理员可用“列表 全部”）。',
  },
  help: { en: 'Shows this help.', zh: '显示帮助。' },
};

/** Beijing time for people: `2026-11-30 14:05`. */
export function beijingMinute(at: number): string {
  return formatBeijingTime(at).slice(0, 16);
}

/** The lines that describe one binding. */
function bindingLines(view: BindingView, locale: Locale, options: TextRenderOptions): string[] {
  const c = options.color === true;
  const zh = locale === 'zh';
  const lines: string[] = [];
  if (view.secretNo) {
    const ext = view.extension
      ? zh
        ? ` 分机 ${bold(view.extension, c)}`
        : ` ext ${bold(view.extension, c)}`
      : '';
    lines.push(
      `${view.phoneMasked} → ${bold(groupNumber(view.secretNo), c)}${ext}${view.city ? ` (${view.city})` : ''}`,
    );
    if (view.cityAsked && view.city) {
      lines.push(
        zh
          ? `  ${view.cityAsked}没有可用号码，这个号码在${view.city}`
          : `  no numbers left in ${view.cityAsked}; this one is in ${view.city}`,
      );
    }
    // An ended binding reaches nobody: no dial link to tempt anyone.
    if (view.endedAt === null)
      lines.push(`  ${zh ? '拨号' : 'dial'}: ${dialLink(view.secretNo, view.extension)}`);
  } else {
    lines.push(`${view.phoneMasked} → ${zh ? 'X号码未知' : 'X not known yet'}`);
  }
  const when = (at: number) =>
    `${beijingMinute(at)} (${zh ? '北京时间' : 'Beijing'}) · ${relativeTime(at, options.now, locale)}`;
  if (view.endedAt !== null && view.status === 'unbound') {
    const by = view.endedBy ? (zh ? `，操作人 ${view.endedBy}` : ` by ${view.endedBy}`) : '';
    lines.push(`  ${zh ? '解绑于' : 'unbound'} ${when(view.endedAt)}${by}`);
  } else if (view.endedAt !== null) {
    lines.push(`  ${zh ? '已于' : 'expired'} ${when(view.endedAt)}${zh ? ' 过期' : ''}`);
  } else {
    lines.push(`  ${zh ? '有效期至' : 'until'} ${when(view.expiresAt)}`);
  }
  const facts = [
    `SubsId ${view.subsId ?? '—'}`,
    `${zh ? '录音' : 'recording'} ${view.recording ? (zh ? '开' : 'on') : zh ? '关' : 'off'}`,
    `${zh ? '状态' : 'status'} ${STATUS[view.status][locale]}`,
    `ref ${view.ref}`,
  ];
  lines.push(`  ${dim(facts.join(' · '), c)}`);
  return lines;
}

function errorText(code: string, detail: string, locale: Locale, requestId?: string): string[] {
  const words = describeError(code)[locale];
  const lines = [
    `${words.message}${detail && detail !== words.message ? ` (${detail})` : ''}`,
    `${locale === 'zh' ? '建议' : 'What to do'}: ${words.remedy}`,
  ];
  if (requestId) lines.push(`RequestId ${requestId}`);
  return lines;
}

/** Renders a reply as plain text for terminals (ANSI colour optional). */
export function renderText(reply: Reply, options: TextRenderOptions): string {
  const c = options.color === true;
  const zh = reply.locale === 'zh';
  switch (reply.kind) {
    case 'bound':
      return [
        green(zh ? '✅ 绑定成功' : '✅ Bound', c),
        ...bindingLines(reply.binding, reply.locale, options),
      ].join('\n');
    case 'bulk': {
      const ok = reply.items.filter((item) => item.outcome === 'bound').length;
      const lines = [
        zh ? `批量绑定：成功 ${ok}/${reply.items.length}` : `Bulk bind: ${ok} of ${reply.items.length} bound`,
      ];
      for (const item of reply.items) {
        if (item.outcome === 'bound')
          lines.push(`${green('✅', c)} ${bindingLines(item.binding, reply.locale, options).join('\n   ')}`);
        else if (item.outcome === 'error')
          lines.push(
            `${red('❌', c)} ${item.phoneMasked}: ${describeError(item.code)[reply.locale].message} (${item.message})`,
          );
        else
          lines.push(
            `${yellow('❓', c)} ${item.phoneMasked}: ${zh ? `结果未知，请用“查询 ${item.phoneMasked}”核对` : 'outcome unknown — check with info'} (ref ${item.ref})`,
          );
      }
      return lines.join('\n');
    }
    case 'unbound':
      return [
        reply.already ? (zh ? '🔓 已经解绑过了' : '🔓 Already unbound') : zh ? '🔓 已解绑' : '🔓 Unbound',
        ...bindingLines(reply.binding, reply.locale, options),
      ].join('\n');
    case 'extended':
      return [
        zh
          ? `⏩ 已延期（原 ${beijingMinute(reply.previousExpiresAt)}）`
          : `⏩ Extended (was ${beijingMinute(reply.previousExpiresAt)})`,
        ...bindingLines(reply.binding, reply.locale, options),
      ].join('\n');
    case 'info':
      if (reply.bindings.length === 0) return zh ? '没有找到绑定。' : 'No binding found.';
      return reply.bindings.map((view) => bindingLines(view, reply.locale, options).join('\n')).join('\n\n');
    case 'list': {
      if (reply.bindings.length === 0) return zh ? '没有有效的绑定。' : 'No live bindings.';
      const head = zh
        ? `有效绑定 ${reply.bindings.length} 个${reply.truncated ? '（仅显示部分）' : ''}：`
        : `${reply.bindings.length} live binding(s)${reply.truncated ? ' (first ones shown)' : ''}:`;
      return [
        head,
        ...reply.bindings.map((view) => bindingLines(view, reply.locale, options).join('\n')),
      ].join('\n');
    }
    case 'help':
      if (reply.topic)
        return `${USAGE[reply.topic][reply.locale]}\n${HELP_DETAIL[reply.topic][reply.locale]}`;
      return `${HELP_INTRO[reply.locale]}\n${allUsage(reply.locale)
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n')}`;
    case 'error': {
      if (reply.usage !== undefined) {
        const lines = [red(`⚠️ ${reply.detail}`, c)];
        if (reply.suggestion) lines.push(reply.suggestion);
        lines.push(`${zh ? '用法' : 'Usage'}: ${reply.usage}`);
        return lines.join('\n');
      }
      const lines = errorText(reply.code, reply.detail, reply.locale, reply.requestId);
      if (reply.correlationId) lines.push(`${zh ? '错误编号' : 'error ref'} ${reply.correlationId}`);
      return red(`❌ ${lines.join('\n   ')}`, c);
    }
    case 'outcome-unknown':
      return yellow(
        zh
          ? `❓ ${reply.phoneMasked} 的绑定请求已发出，但没有收到应答，无法确定是否成功。\n   请先用“查询 <A号码>”核对，再决定是否重新绑定（ref ${reply.ref}）。`
          : `❓ The bind for ${reply.phoneMasked} was sent but no answer came back, so it may or may not have worked.\n   Run \`info <A number>\` to check before binding again (ref ${reply.ref}).`,
        c,
      );
    case 'denied':
      return red(`⛔ ${DENIED[reply.reason][reply.locale]}${reply.detail ? ` (${reply.detail})` : ''}`, c);
  }
}
