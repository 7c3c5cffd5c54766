import {
  allUsage,
  type BindingView,
  beijingMinute,
  dialLink,
  groupNumber,
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

function bindingLines(view: BindingView, zh: boolean, now: number, links: boolean): string[] {
  const lines = [
    `- **${zh ? 'A号码' : 'A number'}**：${view.phoneMasked}`,
    `- **${zh ? '隐私号' : 'X number'}**：${view.secretNo ? groupNumber(view.secretNo) : '—'}　**${zh ? '分机' : 'ext'}**：${view.extension ?? '—'}`,
  ];
  if (view.secretNo)
    lines.push(
      `- **${zh ? '拨号' : 'Dial'}**：[${view.secretNo}${view.extension ? `,,${view.extension}` : ''}](${dialLink(view.secretNo, view.extension)})`,
    );
  if (view.city) lines.push(`- **${zh ? '城市' : 'City'}**：${esc(view.city)}`);
  lines.push(
    `- **${zh ? '有效期至' : 'Until'}**：${beijingMinute(view.expiresAt)}（${zh ? '北京时间' : 'Beijing'}，${relativeTime(view.expiresAt, now, zh ? 'zh' : 'en')}）`,
  );
  lines.push(`- **${zh ? '绑定ID' : 'SubsId'}**：${view.subsId ?? '—'}`);
  if (links && view.subsId && view.status === 'active') {
    lines.push(
      '',
      `${quickLink(zh ? '解绑' : 'Unbind', `解绑 ${view.subsId}`)}　${quickLink(zh ? '延期 1 天' : 'Extend 1d', `延期 ${view.subsId} 1d`)}`,
    );
  }
  return lines;
}

/**
 * Renders a Reply as DingTalk markdown that @-mentions the sender (`@staffId` in the text; the caller
 * also puts it in `at.atUserIds`), split into messages that fit DingTalk's size limit.
 */
export function renderMarkdown(reply: Reply, options: { now: number; mention?: string }): MarkdownMessage[] {
  const zh = reply.locale === 'zh';
  const { now } = options;
  let title: string;
  let body: string[];
  switch (reply.kind) {
    case 'bound':
      title = zh ? '绑定成功' : 'Bound';
      body = [`### ✅ ${title}`, ...bindingLines(reply.binding, zh, now, true)];
      break;
    case 'bulk': {
      const ok = reply.items.filter((item) => item.outcome === 'bound').length;
      title = zh ? `批量绑定 ${ok}/${reply.items.length}` : `Bulk bind ${ok}/${reply.items.length}`;
      body = [`### ${title}`];
      for (const item of reply.items) {
        if (item.outcome === 'bound')
          body.push('', `**✅ ${item.phoneMasked}**`, ...bindingLines(item.binding, zh, now, false));
        else if (item.outcome === 'error')
          body.push(
            '',
            `**❌ ${item.phoneMasked}**：${esc(describeError(item.code)[reply.locale].message)}（${item.code}）`,
          );
        else
          body.push(
            '',
            `**❓ ${item.phoneMasked}**：${zh ? '结果未知，请用“查询 <A号码>”核对' : 'outcome unknown — check with info'}（ref ${item.ref}）`,
          );
      }
      break;
    }
    case 'unbound':
      title = zh ? '已解绑' : 'Unbound';
      body = [`### 🔓 ${title}`, ...bindingLines(reply.binding, zh, now, false)];
      break;
    case 'extended':
      title = zh ? '已延期' : 'Extended';
      body = [
        `### ⏩ ${title}（${zh ? '原' : 'was'} ${beijingMinute(reply.previousExpiresAt)}）`,
        ...bindingLines(reply.binding, zh, now, true),
      ];
      break;
    case 'info':
    case 'list':
      title =
        reply.kind === 'info'
          ? zh
            ? '绑定详情'
            : 'Binding'
          : zh
            ? `有效绑定 ${reply.bindings.length} 个`
            : `${reply.bindings.length} live binding(s)`;
      body = [`### ${title}`];
      if (reply.bindings.length === 0) body.push(zh ? '没有找到绑定。' : 'No binding found.');
      for (const view of reply.bindings)
        body.push(
          '',
          `**${view.phoneMasked}**（${statusLabel(view.status, reply.locale)}）`,
          ...bindingLines(view, zh, now, true),
        );
      break;
    case 'help':
      title = zh ? '帮助' : 'Help';
      body = [
        `### ${zh ? 'axnbot 帮助' : 'axnbot help'}`,
        ...(reply.topic ? USAGE[reply.topic][reply.locale] : allUsage(reply.locale))
          .split('\n')
          .map((line) => `- ${usageLine(line)}`),
      ];
      body.push(
        '',
        zh ? '例如：绑定 13800138000 城市=北京 有效期=2天' : 'Example: bind 13800138000 city=北京 expires=2d',
      );
      break;
    case 'error': {
      title = zh ? '出错了' : 'Error';
      if (reply.usage !== undefined) {
        body = [`### ⚠️ ${esc(reply.detail)}`];
        if (reply.suggestion) body.push(esc(reply.suggestion));
        body.push('', `${zh ? '用法' : 'Usage'}：${usageLine(reply.usage)}`);
      } else {
        const words = describeError(reply.code)[reply.locale];
        body = [`### ❌ ${esc(words.message)}`];
        if (reply.detail && reply.detail !== words.message) body.push(esc(reply.detail));
        body.push(
          `${zh ? '建议' : 'What to do'}：${esc(words.remedy)}`,
          `${reply.code}${reply.requestId ? ` · RequestId ${reply.requestId}` : ''}`,
        );
      }
      break;
    }
    case 'outcome-unknown':
      title = zh ? '结果未知' : 'Outcome unknown';
      body = [
        `### ❓ ${title}`,
        zh
          ? `${reply.phoneMasked} 的绑定请求已发出，但没有收到应答。请先发送“查询 <A号码>”核对，再决定是否重新绑定（ref ${reply.ref}）。`
          : `The bind for ${reply.phoneMasked} was sent but no answer came back. Send "info <A number>" to check before binding again (ref ${reply.ref}).`,
      ];
      break;
    case 'denied': {
      title = zh ? '无权操作' : 'Not allowed';
      const reasons: Record<typeof reply.reason, [string, string]> = {
        'user-not-allowed': [
          '您不在 axnbot 的授权用户名单中。',
          'You are not on the list of people who may use axnbot.',
        ],
        'channel-not-allowed': ['此群未启用 axnbot。', 'axnbot is not enabled in this chat.'],
        'admin-only': ['只有 axnbot 管理员可以这样做。', 'Only axnbot admins may do that.'],
        'rate-limited': [
          '绑定过于频繁，请稍等一分钟再试。',
          'You are binding too fast; wait a minute and try again.',
        ],
        'not-owner': [
          '只有绑定人或管理员可以修改此绑定。',
          'Only whoever bound it, or an admin, may change this binding.',
        ],
      };
      body = [`### ⛔ ${reasons[reply.reason][zh ? 0 : 1]}`];
      break;
    }
  }
  return split(title, body, options.mention);
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
