import {
  type BindingView,
  type CallNotice,
  type CallSummary,
  type DenialReason,
  formatCallLine,
  isParseError,
  type LifecycleNotice,
  type Locale,
  parseCommand,
  type Reply,
  reminderActions,
  renderText,
} from '@axnbot/chatops';
import { beijingToEpoch } from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import { cardOf, messageRefOf, placeOf, withCard } from '../src/call-poster.js';
import {
  MAX_MARKDOWN_CHARS,
  quickLink,
  renderCallNotice,
  renderExpiredNotice,
  renderMarkdown,
  renderNote,
  renderPoolAlert,
  renderReminder,
} from '../src/markdown.js';
import { commandText, parseRobotMessage, type RobotMessage } from '../src/robot-message.js';

const NOW = beijingToEpoch(2026, 11, 28, 12, 0, 0);
const view: BindingView = {
  ref: 'axn-k3v9q2mtdx',
  subsId: '1000000000000000003',
  secretNo: '17000000001',
  extension: '130',
  phoneMasked: '138****8000',
  city: '北京',
  poolKey: 'FC-DEMO',
  expiresAt: NOW + 2 * 86_400_000,
  recording: false,
  status: 'active',
  boundBy: '张三',
  endedAt: null,
  endedBy: null,
  requestId: 'REQ',
};

describe('markdown replies', () => {
  it('renders the bound card with the mention, dial link and quick links', () => {
    const [message] = renderMarkdown(
      { kind: 'bound', locale: 'zh', binding: view },
      { now: NOW, mention: 'staff001' },
    );
    expect(message).toEqual({
      title: '绑定成功',
      text: [
        '@staff001',
        '',
        '### ✅ 绑定成功  ',
        '- **A号码**：138****8000  ',
        '- **隐私号**：170 0000 0001　**分机号**：130  ',
        '- **拨号**：[17000000001,,130](tel:+8617000000001,,130)  ',
        '- **城市**：北京  ',
        '- **有效期至**：2026-11-30 12:00（北京时间，2天后）  ',
        '- **绑定ID**：1000000000000000003  ',
        '  ',
        `${quickLink('解绑', '解绑 1000000000000000003')}　${quickLink('延期 1 天', '延期 1000000000000000003 1d')}  `,
        '',
      ].join('\n'),
    });
    expect(quickLink('解绑', '解绑 1')).toBe(
      '[解绑](dtmd://dingtalkclient/sendMessage?content=%E8%A7%A3%E7%BB%91%201)',
    );
  });

  it.each<[string, Reply]>([
    [
      'error',
      {
        kind: 'error',
        locale: 'zh',
        code: 'isv.BIND_CONFLICT',
        detail: 'isv.BIND_CONFLICT',
        requestId: 'R1',
      },
    ],
    ['denied', { kind: 'denied', locale: 'en', reason: 'rate-limited' }],
    ['outcome-unknown', { kind: 'outcome-unknown', locale: 'zh', phoneMasked: '138****8000', ref: 'axn-x' }],
    ['help', { kind: 'help', locale: 'en' }],
    ['unbound', { kind: 'unbound', locale: 'en', binding: { ...view, status: 'unbound' } }],
  ])('renders %s with a title and text', (_name, reply) => {
    const [message] = renderMarkdown(reply, { now: NOW });
    expect(message?.title.length).toBeGreaterThan(1);
    expect(message?.text.length).toBeGreaterThan(10);
  });

  it('escapes markdown in user-derived text', () => {
    const [message] = renderMarkdown(
      { kind: 'bound', locale: 'en', binding: { ...view, city: '*bold* [x](y)' } },
      { now: NOW },
    );
    expect(message?.text).toContain('\\*bold\\* \\[x\\](y)');
  });

  it('splits long replies under the size limit, each part mentioning the sender', () => {
    const bindings = Array.from({ length: 60 }, () => view);
    const parts = renderMarkdown(
      { kind: 'list', locale: 'zh', scope: 'all', bindings, truncated: false },
      { now: NOW, mention: 'staff001' },
    );
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      expect(part.text.length).toBeLessThanOrEqual(MAX_MARKDOWN_CHARS);
      expect(part.text.startsWith('@staff001')).toBe(true);
    }
    expect(parts.at(-1)?.title).toBe(`有效绑定 60 个 (${parts.length}/${parts.length})`);
  });
});

describe('ended bindings, the real city and error refs (issue 10 items 2 and 4)', () => {
  const unbound: BindingView = { ...view, status: 'unbound', endedAt: NOW - 3_600_000, endedBy: 'bob' };
  const expired: BindingView = {
    ...view,
    status: 'expired',
    expiresAt: NOW - 7_200_000,
    endedAt: NOW - 7_200_000,
  };
  const text = (reply: Reply) =>
    renderMarkdown(reply, { now: NOW })
      .map((message) => message.text)
      .join('');

  it.each([
    ['en', '- **Unbound**：2026-11-28 11:00（Beijing，60 minutes ago）', '- **Unbound by**：bob', 'Until'],
    ['zh', '- **解绑于**：2026-11-28 11:00（北京时间，60分钟前）', '- **解绑人**：bob', '有效期至'],
  ] as const)(
    'an unbound binding says when and by whom, with no dial or quick link (%s)',
    (locale, at, by, until) => {
      const shown = text({ kind: 'unbound', locale, binding: unbound });
      expect(shown).toContain(at);
      expect(shown).toContain(by);
      expect(shown).not.toContain('tel:');
      expect(shown).not.toContain('dtmd://');
      expect(shown).not.toContain(until);
    },
  );

  it('says a binding was already unbound', () => {
    expect(
      renderMarkdown({ kind: 'unbound', locale: 'en', binding: unbound, already: true }, { now: NOW })[0]
        ?.title,
    ).toBe('Already unbound');
    expect(
      renderMarkdown({ kind: 'unbound', locale: 'zh', binding: unbound, already: true }, { now: NOW })[0]
        ?.title,
    ).toBe('已经解绑过了');
  });

  it('an expired binding in a list shows when it expired, with no dial or quick link', () => {
    const shown = text({ kind: 'list', locale: 'zh', scope: 'all', bindings: [expired], truncated: false });
    expect(shown).toContain('**138****8000**（已过期）');
    expect(shown).toContain('- **过期于**：2026-11-28 10:00（北京时间，2小时前）');
    expect(shown).not.toContain('tel:');
    expect(shown).not.toContain('dtmd://');
    expect(shown).not.toContain('有效期至');
  });

  it('offers no quick links once a live binding is past its expiry', () => {
    expect(
      text({ kind: 'info', locale: 'zh', bindings: [{ ...view, expiresAt: NOW - 1000 }] }),
    ).not.toContain('dtmd://');
    expect(text({ kind: 'info', locale: 'zh', bindings: [view] })).toContain('dtmd://');
  });

  it.each([
    ['en', '- no numbers left in 火星; this one is in 杭州'],
    ['zh', '- 火星没有可用号码，这个号码在杭州'],
  ] as const)('says when the X number is not in the city asked for (%s)', (locale, said) => {
    const shown = text({ kind: 'bound', locale, binding: { ...view, city: '杭州', cityAsked: '火星' } });
    expect(shown).toContain(`${said}  \n`);
  });

  it.each([
    ['en', 'local.INTERNAL · error ref err-k3v9q2mtdx'],
    ['zh', 'local.INTERNAL · 错误编号 err-k3v9q2mtdx'],
  ] as const)('shows the error ref of an unexpected failure (%s)', (locale, shown) => {
    expect(
      text({ kind: 'error', locale, code: 'local.INTERNAL', detail: '', correlationId: 'err-k3v9q2mtdx' }),
    ).toContain(`${shown}  \n`);
  });

  it.each(
    (
      ['user-not-allowed', 'channel-not-allowed', 'admin-only', 'rate-limited', 'not-owner'] as DenialReason[]
    ).flatMap(
      (reason) =>
        [
          [reason, 'en'],
          [reason, 'zh'],
        ] as const,
    ),
  )('refuses %s in the same words as the console (%s)', (reason, locale) => {
    const reply: Reply = { kind: 'denied', locale, reason };
    expect(text(reply)).toContain(`### ${renderText(reply, { now: NOW })}  \n`);
  });
});

describe('robot messages', () => {
  it.each([
    [{ msgtype: 'text', text: { content: ' 绑定 13800138000' } }, '绑定 13800138000'],
    [{ msgtype: 'text', text: { content: '@李四 @王五 /bind 13800138000' } }, '/bind 13800138000'],
    [{ msgtype: 'text', text: { content: '/bind 13800138000 ' } }, '/bind 13800138000'],
    [{ msgtype: 'text', text: { content: '@李四' } }, ''],
    [
      {
        msgtype: 'richText',
        content: { richText: [{ text: '@号码助手 ' }, { type: 'picture' }, { text: '查询 1' }] },
      },
      '查询 1',
    ],
  ])('%j → %j', (fields, expected) => {
    expect(commandText({ msgId: 'm', conversationId: 'c', conversationType: '2', ...fields } as never)).toBe(
      expected,
    );
  });

  it('ignores pictures and malformed data', () => {
    expect(
      commandText({ msgId: 'm', conversationId: 'c', conversationType: '2', msgtype: 'picture' }),
    ).toBeUndefined();
    expect(parseRobotMessage('not json')).toBeUndefined();
    expect(parseRobotMessage('{"msgId":1}')).toBeUndefined();
  });
});

const summary: CallSummary = {
  callId: '9f86d081884c7d65',
  subsId: '1000000000000000003',
  secretNo: '17000000001',
  extension: '130',
  direction: 'to-a',
  phoneMasked: '138****8000',
  peerMasked: '139****9001',
  callTime: NOW - 3_600_000,
  outcome: 'answered',
  talkSeconds: 72,
  unconnectedCause: null,
  releaseCause: 16,
  releaseDir: 1,
  recorded: true,
  recordingCallTime: '2026-11-28 11:00:00',
};

function notice(locale: 'en' | 'zh', over: Partial<CallNotice> = {}): CallNotice {
  return {
    kind: 'call',
    callId: summary.callId,
    binding: {
      ref: 'axn-k3v9q2mtdx',
      subsId: '1000000000000000003',
      platform: 'dingtalk',
      channelId: 'cidGroup==',
      userId: 'staff001',
      userName: '张三',
      messageRef: 'dingtalk:group:cidGroup==',
    },
    locale,
    call: summary,
    line: formatCallLine(summary, locale),
    recording: true,
    ...over,
  };
}

/** Every quick link of a markdown text: its label and the text it sends. */
function quickLinks(text: string): Array<{ label: string; content: string }> {
  return [...text.matchAll(/\[([^\]]+)\]\(dtmd:\/\/dingtalkclient\/sendMessage\?content=([^)]+)\)/g)].map(
    (match) => ({ label: match[1]!, content: decodeURIComponent(match[2]!) }),
  );
}

describe('call lines (issue 13)', () => {
  it('posts the line, the binder named, and ▶ 录音 sending 录音 <call id>', () => {
    const [message, more] = renderCallNotice(notice('zh'), { mention: '张三' });
    expect(more).toBeUndefined();
    expect(message).toEqual({
      title: '11-28 11:00 · 139****9001 呼叫 138****8000 · 通话 1分12秒 · 有录音',
      text: [
        '@张三',
        '',
        '📞 11-28 11:00 · 139\\*\\*\\*\\*9001 呼叫 138\\*\\*\\*\\*8000 · 通话 1分12秒 · 有录音  ',
        `${quickLink('▶ 录音', '录音 9f86d081884c7d65')}  `,
        '',
      ].join('\n'),
    });
  });

  it('in English: ▶ Recording sends recording <call id>; a late recording has its own icon; no mention in a single chat', () => {
    const [message] = renderCallNotice(
      notice('en', { kind: 'recording', line: `Recording ready: ${formatCallLine(summary, 'en')}` }),
    );
    expect(message?.text.startsWith('🎙 Recording ready: ')).toBe(true);
    expect(quickLinks(message?.text ?? '')).toEqual([
      { label: '▶ Recording', content: 'recording 9f86d081884c7d65' },
    ]);
  });

  it('offers no recording link for a call without one, nor for a call id the command could not carry', () => {
    const missed = { ...summary, outcome: 'missed' as const, talkSeconds: 0, recorded: false };
    const none = renderCallNotice(
      notice('zh', { call: missed, line: formatCallLine(missed, 'zh'), recording: false }),
    );
    expect(none[0]?.text).not.toContain('dtmd://');
    const odd = renderCallNotice(notice('zh', { callId: 'has space' }));
    expect(odd[0]?.text).not.toContain('dtmd://');
  });

  it('escapes a binder name that markdown would read as formatting', () => {
    const [message] = renderCallNotice(notice('zh'), { mention: '*王*' });
    expect(message?.text.startsWith('@\\*王\\*\n\n')).toBe(true);
  });

  it('renders a note, @-mentioning the sender', () => {
    expect(renderNote('已通过单聊发给您。', { mention: 'staff001' })).toEqual([
      { title: '已通过单聊发给您。', text: '@staff001\n\n已通过单聊发给您。  \n' },
    ]);
  });

  it('every quick link sends exactly the command its label says, and the command parses', () => {
    const context = {
      now: NOW,
      locale: 'zh' as const,
      defaultExpiresMs: 86_400_000,
      maxExpiresMs: 90 * 86_400_000,
      maxBulk: 20,
    };
    const texts = [
      ...renderMarkdown({ kind: 'bound', locale: 'zh', binding: view }, { now: NOW }),
      ...renderMarkdown({ kind: 'bound', locale: 'en', binding: view }, { now: NOW }),
      ...renderMarkdown(
        { kind: 'extended', locale: 'zh', binding: view, previousExpiresAt: NOW },
        { now: NOW },
      ),
      ...renderMarkdown({ kind: 'info', locale: 'en', bindings: [view] }, { now: NOW }),
      ...renderCallNotice(notice('zh')),
      ...renderCallNotice(notice('en')),
    ].map((message) => message.text);
    const verbOf: Record<string, string> = {
      解绑: 'unbind',
      Unbind: 'unbind',
      '延期 1 天': 'extend',
      'Extend 1d': 'extend',
      '▶ 录音': 'recording',
      '▶ Recording': 'recording',
    };
    const links = texts.flatMap(quickLinks);
    expect(new Set(links.map((link) => link.label))).toEqual(new Set(Object.keys(verbOf)));
    for (const { label, content } of links) {
      const command = parseCommand(content, context);
      if (isParseError(command)) throw new Error(`${label} sends ${content}: ${command.message}`);
      expect(command.verb, `${label} → ${content}`).toBe(verbOf[label]);
      if (command.verb === 'recording') expect(command.callId).toBe(summary.callId);
      if (command.verb === 'unbind' || command.verb === 'extend')
        expect(command.target).toEqual({ kind: 'subsId', subsId: view.subsId });
    }
  });

  it('records where a binding was made, and reads it back', () => {
    const base = { msgId: 'm', msgtype: 'text', senderStaffId: 'staff001' };
    const group: RobotMessage = { ...base, conversationId: 'cidGroup==', conversationType: '2' };
    const single: RobotMessage = { ...base, conversationId: 'cidSingle==', conversationType: '1' };
    expect(messageRefOf(group)).toBe('dingtalk:group:cidGroup==');
    expect(messageRefOf(single)).toBe('dingtalk:single:staff001');
    expect(messageRefOf({ ...single, senderStaffId: undefined })).toBeUndefined();
    expect(placeOf('dingtalk:group:cidGroup==')).toEqual({ kind: 'group', openConversationId: 'cidGroup==' });
    expect(placeOf('dingtalk:single:staff001')).toEqual({ kind: 'single', userId: 'staff001' });
    for (const other of [null, '', 'dingtalk:group:', 'C1:1715500000.000100', 'dingtalk:thread:x'])
      expect(placeOf(other)).toBeUndefined();
    // With the binding's own card after the place (issue 14): the place reads the same, and the card.
    const carded = withCard('dingtalk:group:cidGroup==', 'axn-5f0c');
    expect(carded).toBe('dingtalk:group:cidGroup==#card:axn-5f0c');
    expect(placeOf(carded)).toEqual({ kind: 'group', openConversationId: 'cidGroup==' });
    expect(cardOf(carded)).toBe('axn-5f0c');
    expect(placeOf('dingtalk:single:staff001#pq:pq-7')).toEqual({ kind: 'single', userId: 'staff001' });
    for (const none of [null, 'dingtalk:group:cidGroup==', 'dingtalk:single:staff001#pq:pq-7', 'x#card:'])
      expect(cardOf(none)).toBeUndefined();
  });
});

describe('lifecycle notices (issue 14)', () => {
  const reminder = (locale: Locale): Extract<LifecycleNotice, { kind: 'reminder' }> => ({
    kind: 'reminder',
    id: `reminder:${view.ref}:${view.expiresAt}`,
    locale,
    title: locale === 'zh' ? '绑定即将过期' : 'Binding expires soon',
    lines:
      locale === 'zh'
        ? [
            '138****8000（隐私号 170 0000 0001 分机号 130）将于 2026-11-30 12:00（北京时间）过期（2小时后）。',
            '您可以延期、立即解绑，或任其过期。',
          ]
        : [
            '138****8000 at 170 0000 0001 ext 130 expires 2026-11-30 12:00 (Beijing), in 2 hours.',
            'Extend it, unbind it now, or let it expire.',
          ],
    attempt: 1,
    binding: view,
    place: {
      platform: 'dingtalk',
      channelId: 'cidGroup==',
      userId: 'staff001',
      userName: '张三',
      messageRef: 'dingtalk:group:cidGroup==',
    },
    expiresAt: view.expiresAt,
    expiresAtText: '2026-11-30 12:00（北京时间）',
    relative: '2小时后',
    actions: reminderActions(view.subsId as string, view, locale),
  });
  const context = (locale: Locale) => ({
    now: NOW,
    locale,
    defaultExpiresMs: 86_400_000,
    maxExpiresMs: 90 * 86_400_000,
    maxBulk: 20,
  });

  it('a reminder: the binder named, the headline, the expiry in Beijing time and relative, four quick links', () => {
    const [message, more] = renderReminder(reminder('zh'), { mention: '张三' });
    expect(more).toBeUndefined();
    expect(message?.title).toBe('绑定即将过期');
    const lines = message?.text.split('  \n') ?? [];
    expect(lines.slice(0, 3)).toEqual([
      '@张三\n\n### ⏰ 绑定即将过期',
      '138\\*\\*\\*\\*8000（隐私号 170 0000 0001 分机号 130）将于 2026-11-30 12:00（北京时间）过期（2小时后）。',
      '您可以延期、立即解绑，或任其过期。',
    ]);
    expect(quickLinks(message?.text ?? '').map((link) => link.label)).toEqual([
      '延期 1 天',
      '延期 7 天',
      '立即解绑',
      '任其过期',
    ]);
    // In a single chat nobody is named.
    expect(renderReminder(reminder('zh'))[0]?.text.startsWith('### ⏰ 绑定即将过期')).toBe(true);
  });

  it.each(['zh', 'en'] as const)(
    'in %s, each reminder link sends exactly its action’s command, which parses to what its label says',
    (locale) => {
      const notice = reminder(locale);
      const links = quickLinks(renderReminder(notice)[0]?.text ?? '');
      expect(links).toEqual(
        notice.actions.map((action) => ({ label: action.label, content: action.command })),
      );
      const said = links.map(({ label, content }) => {
        const command = parseCommand(content, context(locale));
        if (isParseError(command)) throw new Error(`${label} sends ${content}: ${command.message}`);
        expect(command.locale).toBe(locale);
        if ('target' in command) expect(command.target).toEqual({ kind: 'subsId', subsId: view.subsId });
        return command.verb === 'extend' && command.change.kind === 'add'
          ? `extend +${command.change.ms / 86_400_000}d`
          : command.verb;
      });
      expect(said).toEqual(['extend +1d', 'extend +7d', 'unbind', 'silence']);
    },
  );

  it('an expiry: a short notice — expired, the masked A, when — naming the binder in a group', () => {
    const base = reminder('zh');
    const notice: Extract<LifecycleNotice, { kind: 'expired' }> = {
      kind: 'expired',
      id: `expired:${view.ref}`,
      locale: 'zh',
      title: '绑定已过期',
      lines: [
        '138****8000（隐私号 170 0000 0001 分机号 130）已于 2026-11-30 12:00（北京时间）过期，现在拨打不再接通。',
      ],
      attempt: 1,
      binding: { ...view, status: 'expired', endedAt: view.expiresAt },
      place: base.place,
      reminderMessageRef: null,
      expiredAtText: '2026-11-30 12:00（北京时间）',
    };
    expect(renderExpiredNotice(notice, { mention: '张三' })).toEqual([
      {
        title: '绑定已过期',
        text: '@张三\n\n### ⌛ 绑定已过期  \n138\\*\\*\\*\\*8000（隐私号 170 0000 0001 分机号 130）已于 2026-11-30 12:00（北京时间）过期，现在拨打不再接通。  \n',
      },
    ]);
  });

  it('a pool alert: the headline, what to do, and the idle bindings as a list', () => {
    const alert: Extract<LifecycleNotice, { kind: 'pool-alert' }> = {
      kind: 'pool-alert',
      id: 'pool-alert:FC-DEMO:拉萨:0',
      locale: 'zh',
      title: '号池 FC-DEMO 的拉萨号码不足',
      lines: [
        '过去一小时内有 3 次……',
        '请在阿里云控制台为拉萨购买更多号码……',
        '最早的闲置绑定（24小时内无通话）：',
        '138****8000 → …',
      ],
      attempt: 1,
      channel: { platform: 'dingtalk', channelId: 'cidALERT' },
      poolKey: 'FC-DEMO',
      city: '拉萨',
      fallbacks: 3,
      refusals: 0,
      windowMs: 3_600_000,
      idle: [view],
    };
    const [message] = renderPoolAlert(alert);
    expect(message?.title).toBe('号池 FC-DEMO 的拉萨号码不足');
    expect(message?.text.split('  \n')).toEqual([
      '### 🚨 号池 FC-DEMO 的拉萨号码不足',
      '过去一小时内有 3 次……',
      '请在阿里云控制台为拉萨购买更多号码……',
      '最早的闲置绑定（24小时内无通话）：',
      '- 138\\*\\*\\*\\*8000 → …',
      '',
    ]);
  });
});
