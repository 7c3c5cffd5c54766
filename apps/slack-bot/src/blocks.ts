import {
  allUsage,
  type BindingView,
  beijingMinute,
  dialLink,
  groupNumber,
  type Reply,
  relativeTime,
  renderText,
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

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: clip(text, LIMITS.fieldText) });
const plain = (text: string, max: number = LIMITS.buttonText) => ({
  type: 'plain_text',
  text: clip(text, max),
  emoji: true,
});
const section = (text: string): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) },
});

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<!date^…>` shows each viewer their local time; the fallback is Beijing time. */
function slackDate(at: number): string {
  return `<!date^${Math.floor(at / 1000)}^{date_short_pretty} {time}|${beijingMinute(at)} Beijing>`;
}

/** The card of one binding: facts, context line, and (when live) Unbind and Extend buttons. */
export function bindingBlocks(
  view: BindingView,
  options: { now: number; zh: boolean; headline: string; userId?: string; buttons: boolean },
): Block[] {
  const { zh, now } = options;
  const fields = [
    mrkdwn(`*${zh ? 'A号码' : 'A number'}*\n${view.phoneMasked}`),
    mrkdwn(`*${zh ? '隐私号' : 'X number'}*\n${view.secretNo ? groupNumber(view.secretNo) : '—'}`),
    mrkdwn(`*${zh ? '分机号' : 'Extension'}*\n${view.extension ?? '—'}`),
    mrkdwn(
      `*${zh ? '拨号' : 'Dial'}*\n${view.secretNo ? `<${dialLink(view.secretNo, view.extension)}|${view.secretNo}${view.extension ? `,,${view.extension}` : ''}>` : '—'}`,
    ),
    mrkdwn(`*${zh ? '城市' : 'City'}*\n${view.city ? esc(view.city) : '—'}`),
    mrkdwn(
      `*${zh ? '有效期至' : 'Expires'}*\n${slackDate(view.expiresAt)}\n${beijingMinute(view.expiresAt)} (${zh ? '北京时间' : 'Beijing'}) · ${relativeTime(view.expiresAt, now, zh ? 'zh' : 'en')}`,
    ),
  ];
  const context = [
    `SubsId \`${view.subsId ?? '—'}\``,
    `${zh ? '绑定人' : 'bound by'} ${options.userId ? `<@${options.userId}>` : esc(view.boundBy)}`,
    `RequestId \`${view.requestId ?? '—'}\``,
    `${zh ? '录音' : 'recording'} ${view.recording ? (zh ? '开' : 'on') : zh ? '关' : 'off'}`,
  ];
  const blocks: Block[] = [
    section(options.headline),
    { type: 'section', fields: fields.slice(0, LIMITS.fields) },
    { type: 'context', elements: [mrkdwn(context.join(' · '))] },
  ];
  if (options.buttons && view.subsId && view.status === 'active') {
    blocks.push({
      type: 'actions',
      block_id: `axn_binding_${view.subsId}`,
      elements: [
        {
          type: 'button',
          action_id: ACTION_UNBIND,
          style: 'danger',
          text: plain(zh ? '解绑' : 'Unbind'),
          value: view.subsId,
          confirm: {
            title: plain(zh ? '确认解绑？' : 'Unbind this number?', 100),
            text: mrkdwn(
              clip(
                zh
                  ? `${view.phoneMasked} 将立即无法通过 ${groupNumber(view.secretNo ?? '')} 分机 ${view.extension} 接通。`
                  : `${view.phoneMasked} stops being reachable at ${groupNumber(view.secretNo ?? '')} ext ${view.extension} right away.`,
                300,
              ),
            ),
            confirm: plain(zh ? '解绑' : 'Unbind', 30),
            deny: plain(zh ? '取消' : 'Cancel', 30),
            style: 'danger',
          },
        },
        {
          type: 'button',
          action_id: ACTION_EXTEND,
          text: plain(zh ? '延期 1 天' : 'Extend +1d'),
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
  const zh = reply.locale === 'zh';
  const { now } = options;
  const result = options.resultVisibility;
  const text = clip(renderText(reply, { now }), LIMITS.sectionText);
  /** A card that replaces the one a button was clicked on. */
  const replacedCard = (binding: BindingView, headline: string, buttons: boolean): SlackMessage => ({
    text,
    response_type: result,
    replace_original: true,
    blocks: bindingBlocks(binding, { now, zh, headline, userId: options.userId, buttons }),
  });
  switch (reply.kind) {
    case 'bound': {
      const b = reply.binding;
      const headline = zh
        ? `✅ *${b.phoneMasked}* 可通过 *${groupNumber(b.secretNo ?? '')}* 分机 *${b.extension}* 接通`
        : `✅ *${b.phoneMasked}* is reachable at *${groupNumber(b.secretNo ?? '')}* ext *${b.extension}*`;
      return {
        text,
        response_type: result,
        blocks: bindingBlocks(b, { now, zh, headline, userId: options.userId, buttons: true }),
      };
    }
    case 'bulk': {
      const blocks: Block[] = [];
      const ok = reply.items.filter((item) => item.outcome === 'bound').length;
      blocks.push(
        section(
          zh
            ? `*批量绑定：成功 ${ok}/${reply.items.length}*`
            : `*Bulk bind: ${ok} of ${reply.items.length} bound*`,
        ),
      );
      const lines = reply.items.map((item) => {
        if (item.outcome === 'bound') {
          const b = item.binding;
          return `✅ ${b.phoneMasked} → *${groupNumber(b.secretNo ?? '')}* ext *${b.extension}* · <${dialLink(b.secretNo ?? '', b.extension)}|dial> · SubsId \`${b.subsId}\``;
        }
        if (item.outcome === 'error')
          return `❌ ${item.phoneMasked}: ${esc(describeError(item.code)[reply.locale].message)} (\`${item.code}\`)`;
        return `❓ ${item.phoneMasked}: ${zh ? '结果未知，请用 /axn info 核对' : 'outcome unknown — check with /axn info'} (ref \`${item.ref}\`)`;
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
    case 'unbound':
      return replacedCard(
        reply.binding,
        zh ? `🔓 已解绑 *${reply.binding.phoneMasked}*` : `🔓 Unbound *${reply.binding.phoneMasked}*`,
        false,
      );
    case 'extended': {
      const until = beijingMinute(reply.binding.expiresAt);
      const was = beijingMinute(reply.previousExpiresAt);
      return replacedCard(
        reply.binding,
        zh ? `⏩ 已延期至 ${until}（原 ${was}）` : `⏩ Extended to ${until} (was ${was})`,
        true,
      );
    }
    case 'info':
    case 'list': {
      const views = reply.bindings;
      if (views.length === 0) return { text, response_type: 'ephemeral', blocks: [section(esc(text))] };
      const blocks: Block[] = [];
      if (reply.kind === 'list')
        blocks.push(
          section(
            zh
              ? `*有效绑定 ${views.length} 个*${reply.truncated ? '（仅显示部分）' : ''}`
              : `*${views.length} live binding(s)*${reply.truncated ? ' (first ones shown)' : ''}`,
          ),
        );
      // Each card is up to 4 blocks; stay within 50.
      for (const view of views.slice(0, 12)) {
        const headline = `*${view.phoneMasked}* → ${view.secretNo ? `*${groupNumber(view.secretNo)}* ext *${view.extension ?? '—'}*` : zh ? 'X号码未知' : 'X not known yet'} · ${view.status}`;
        blocks.push(...bindingBlocks(view, { now, zh, headline, buttons: true }), { type: 'divider' });
      }
      return { text, response_type: 'ephemeral', blocks: blocks.slice(0, LIMITS.blocks) };
    }
    case 'help': {
      const usage = reply.topic ? USAGE[reply.topic][reply.locale] : allUsage(reply.locale);
      const intro = zh
        ? '*axnbot* 把真实号码隐藏在隐私号和分机号后面。'
        : '*axnbot* hides a real number behind a privacy number and an extension.';
      const examples = zh
        ? '例如：`/bind 13800138000 城市=北京 有效期=2天`'
        : 'Example: `/bind 13800138000 city=北京 expires=2d`';
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
      const words = describeError(reply.code)[reply.locale];
      const blocks: Block[] = [
        section(
          `❌ *${esc(words.message)}*${reply.detail && reply.detail !== words.message ? `\n${esc(reply.detail)}` : ''}\n${zh ? '建议' : 'What to do'}: ${esc(words.remedy)}`,
        ),
      ];
      blocks.push({
        type: 'context',
        elements: [
          mrkdwn(`\`${reply.code}\`${reply.requestId ? ` · RequestId \`${reply.requestId}\`` : ''}`),
        ],
      });
      return { text, response_type: 'ephemeral', blocks };
    }
    case 'outcome-unknown':
      return { text, response_type: 'ephemeral', blocks: [section(`❓ ${esc(text)}`)] };
    case 'denied':
      return { text, response_type: 'ephemeral', blocks: [section(esc(text))] };
  }
}

/** The quick "working…" answer when the reply takes longer than Slack's ack window allows. */
export function workingMessage(zh: boolean): SlackMessage {
  return {
    text: zh ? '⏳ 处理中…' : '⏳ Working on it…',
    response_type: 'ephemeral',
    blocks: [section(zh ? '⏳ 处理中…' : '⏳ Working on it…')],
  };
}
