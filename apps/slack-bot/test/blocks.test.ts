import type { BindingView, CallSummary, Reply } from '@axnbot/chatops';
import { beijingToEpoch } from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import { type Block, bindingBlocks, LIMITS, renderSlack } from '../src/blocks.js';

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
  boundBy: 'alice',
  endedAt: null,
  endedBy: null,
  requestId: '9297B722-A016-43FB-B51A-E54050D9369D',
};

/** A call as the receipts make it: answered, recorded, caller masked. */
const call: CallSummary = {
  callId: 'call-0001',
  subsId: view.subsId,
  secretNo: view.secretNo,
  extension: view.extension,
  direction: 'to-a',
  phoneMasked: view.phoneMasked,
  peerMasked: '139****5678',
  callTime: NOW - 3_600_000,
  outcome: 'answered',
  talkSeconds: 72,
  unconnectedCause: null,
  releaseCause: 16,
  releaseDir: 1,
  recorded: true,
  recordingCallTime: '2026-11-28 11:00:00',
};
const missed: CallSummary = {
  ...call,
  callId: 'call-0002',
  outcome: 'missed',
  talkSeconds: 0,
  releaseCause: 19,
  recorded: false,
};

const replies: Array<[string, Reply]> = [
  ['bound', { kind: 'bound', locale: 'en', binding: view }],
  ['bound (zh)', { kind: 'bound', locale: 'zh', binding: view }],
  [
    'bulk',
    {
      kind: 'bulk',
      locale: 'en',
      items: [
        { outcome: 'bound', phoneMasked: '138****8000', binding: view },
        {
          outcome: 'error',
          phoneMasked: '139****9000',
          code: 'isv.NO_AVAILABLE_NUMBER',
          message: 'no available number in the pool',
        },
        { outcome: 'outcome-unknown', phoneMasked: '137****7000', ref: 'axn-unknown' },
      ],
    },
  ],
  [
    'calls',
    {
      kind: 'calls',
      locale: 'en',
      binding: view,
      target: view.phoneMasked,
      calls: [missed, call],
      totals: { answered: 1, missed: 1, talkSeconds: 72 },
      truncated: false,
    },
  ],
  [
    'recording',
    {
      kind: 'recording',
      locale: 'en',
      callId: call.callId,
      call,
      link: { url: 'https://oss.example/rec.wav?Signature=abc', expiresAt: NOW + 7_200_000 },
    },
  ],
  [
    'unbound',
    {
      kind: 'unbound',
      locale: 'en',
      binding: { ...view, status: 'unbound', endedAt: NOW - 3_600_000, endedBy: 'bob' },
    },
  ],
  [
    'extended',
    {
      kind: 'extended',
      locale: 'en',
      binding: { ...view, expiresAt: NOW + 3 * 86_400_000 },
      previousExpiresAt: view.expiresAt,
    },
  ],
  ['info', { kind: 'info', locale: 'en', bindings: [view] }],
  [
    'list',
    {
      kind: 'list',
      locale: 'en',
      scope: 'mine',
      bindings: [view, { ...view, subsId: '1000000000000000004', extension: '131' }],
      truncated: false,
    },
  ],
  ['help', { kind: 'help', locale: 'en' }],
  ['help (zh, topic)', { kind: 'help', locale: 'zh', topic: 'bind' }],
  [
    'error',
    {
      kind: 'error',
      locale: 'en',
      code: 'isv.BIND_CONFLICT',
      detail: 'isv.BIND_CONFLICT',
      requestId: 'REQ-1',
    },
  ],
  [
    'parse error',
    {
      kind: 'error',
      locale: 'en',
      code: 'local.VALIDATION',
      detail: '"citty" is not an option of bind.',
      suggestion: 'did you mean city?',
      usage: 'bind <A number> [city=北京]',
    },
  ],
  [
    'outcome-unknown',
    { kind: 'outcome-unknown', locale: 'en', phoneMasked: '138****8000', ref: 'axn-k3v9q2mtdx' },
  ],
  ['denied', { kind: 'denied', locale: 'en', reason: 'admin-only', detail: 'pool=' }],
];

/** Every Block Kit limit the renderer promises to keep. */
function expectWithinLimits(blocks: Block[]) {
  expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
  for (const block of blocks) {
    if (block.type === 'section') {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
      if (block.fields) {
        expect(block.fields.length).toBeLessThanOrEqual(LIMITS.fields);
        for (const field of block.fields) expect(field.text.length).toBeLessThanOrEqual(LIMITS.fieldText);
      }
    }
    if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(LIMITS.contextElements);
    if (block.type === 'actions') {
      for (const element of block.elements) {
        expect(element.text.text.length).toBeLessThanOrEqual(LIMITS.buttonText);
        if (element.confirm) {
          expect(element.confirm.title.text.length).toBeLessThanOrEqual(100);
          expect(element.confirm.text.text.length).toBeLessThanOrEqual(300);
          expect(element.confirm.confirm.text.length).toBeLessThanOrEqual(30);
        }
      }
    }
  }
}

describe('Block Kit renderer', () => {
  it.each(replies)('%s', (_name, reply) => {
    const message = renderSlack(reply, { now: NOW, userId: 'U1', resultVisibility: 'in_channel' });
    expectWithinLimits(message.blocks);
    // No real number in any reply built from user data (help shows a made-up example number).
    if (reply.kind !== 'help') expect(JSON.stringify(message)).not.toMatch(/1380013800\d/);
    expect(message).toMatchSnapshot();
  });

  it('keeps errors, help and refusals ephemeral, and results in the channel unless configured', () => {
    const visibility = (reply: Reply, resultVisibility: 'in_channel' | 'ephemeral' = 'in_channel') =>
      renderSlack(reply, { now: NOW, resultVisibility }).response_type;
    expect(visibility(replies[0]![1])).toBe('in_channel');
    expect(visibility(replies[0]![1], 'ephemeral')).toBe('ephemeral');
    for (const name of ['help', 'error', 'parse error', 'outcome-unknown', 'denied']) {
      expect(visibility(replies.find(([n]) => n === name)![1])).toBe('ephemeral');
    }
  });

  it('stays within the limits for a bulk bind of 200 numbers and a list of 50', () => {
    const items = Array.from({ length: 200 }, (_, i) => ({
      outcome: 'bound' as const,
      phoneMasked: `138****${String(i).padStart(4, '0')}`,
      binding: view,
    }));
    expectWithinLimits(
      renderSlack({ kind: 'bulk', locale: 'en', items }, { now: NOW, resultVisibility: 'in_channel' }).blocks,
    );
    const bindings = Array.from({ length: 50 }, () => view);
    expectWithinLimits(
      renderSlack(
        { kind: 'list', locale: 'en', scope: 'all', bindings, truncated: true },
        { now: NOW, resultVisibility: 'in_channel' },
      ).blocks,
    );
  });

  it('a call timeline: one section per call, "▶ Recording" only where there is one, within the limits', () => {
    const calls = Array.from({ length: 80 }, (_, i) => ({ ...(i % 2 ? call : missed), callId: `c${i}` }));
    const message = renderSlack(
      {
        kind: 'calls',
        locale: 'en',
        binding: view,
        target: view.phoneMasked,
        calls,
        totals: { answered: 40, missed: 40, talkSeconds: 2880 },
        truncated: true,
      },
      { now: NOW, resultVisibility: 'in_channel' },
    );
    expect(message.response_type).toBe('ephemeral');
    expectWithinLimits(message.blocks);
    const buttons = message.blocks.filter((block) => block.accessory?.action_id === 'axn_recording');
    expect(buttons.map((block) => block.accessory.value)).toEqual(
      calls.slice(0, LIMITS.blocks - 2).flatMap((c) => (c.recorded ? [c.callId] : [])),
    );
    expect(JSON.stringify(message.blocks)).not.toMatch(/1391234\d{4}/);
  });

  it('escapes mrkdwn control characters that come from users', () => {
    const message = renderSlack(
      { kind: 'bound', locale: 'en', binding: { ...view, city: '<!channel> & co' } },
      { now: NOW, resultVisibility: 'in_channel' },
    );
    expect(JSON.stringify(message.blocks)).toContain('&lt;!channel&gt; &amp; co');
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
  const render = (reply: Reply) =>
    renderSlack(reply, { now: NOW, userId: 'U1', resultVisibility: 'in_channel' });
  const fieldTexts = (blocks: Block[]): string[] =>
    blocks.flatMap((block) => (block.fields ?? []).map((field: { text: string }) => field.text));

  it.each(['en', 'zh'] as const)(
    'an unbound card says when and by whom, with no dial link, expiry or buttons (%s)',
    (locale) => {
      const message = render({ kind: 'unbound', locale, binding: unbound });
      const json = JSON.stringify(message);
      expect(json).not.toContain('tel:');
      expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
      const fields = fieldTexts(message.blocks);
      const [unboundAt, unboundBy, dial, expires] =
        locale === 'zh'
          ? ['*解绑于*', '*解绑人*\nbob', '*拨号*', '*有效期至*']
          : ['*Unbound*', '*Unbound by*\nbob', '*Dial*', '*Expires*'];
      expect(fields.find((text) => text.startsWith(unboundAt))).toMatch(/2026-11-28 11:00/);
      expect(fields).toContain(unboundBy);
      expect(fields.some((text) => text.startsWith(dial) || text.startsWith(expires))).toBe(false);
      // The text fallback says the same: no "until".
      expect(message.text).not.toMatch(locale === 'zh' ? /有效期至/ : /until/);
    },
  );

  it('says a binding was already unbound', () => {
    expect(
      render({ kind: 'unbound', locale: 'en', binding: unbound, already: true }).blocks[0]?.text.text,
    ).toBe('🔓 Already unbound *138****8000*');
    expect(
      render({ kind: 'unbound', locale: 'zh', binding: unbound, already: true }).blocks[0]?.text.text,
    ).toBe('🔓 *138****8000* 已经解绑过了');
  });

  it('an expired binding shows when it expired, no dial link and no buttons', () => {
    const message = render({ kind: 'info', locale: 'en', bindings: [expired] });
    expect(JSON.stringify(message)).not.toContain('tel:');
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(fieldTexts(message.blocks).find((text) => text.startsWith('*Expired*'))).toMatch(
      /2026-11-28 10:00/,
    );
    expect(message.blocks[0]?.text.text).toBe('*138****8000* → *170 0000 0001* ext *130* · expired');
  });

  it('offers Unbind and Extend only on a live card', () => {
    const actions = (binding: BindingView) =>
      bindingBlocks(binding, { now: NOW, locale: 'en', headline: 'h', buttons: true }).filter(
        (block) => block.type === 'actions',
      ).length;
    expect(actions(view)).toBe(1);
    expect(actions(unbound)).toBe(0);
    expect(actions(expired)).toBe(0);
    // Past its expiry but not yet marked expired: it reaches nobody, so nothing to unbind or extend.
    expect(actions({ ...view, expiresAt: NOW - 1000 })).toBe(0);
  });

  it('translates the status word on a Chinese card', () => {
    const message = render({ kind: 'list', locale: 'zh', scope: 'mine', bindings: [view], truncated: false });
    expect(message.blocks[1]?.text.text).toBe('*138****8000* → *170 0000 0001* 分机号 *130* · 生效中');
    expect(JSON.stringify(message.blocks)).not.toContain('active');
  });

  it.each([
    ['en', 'no numbers left in 火星; this one is in 杭州'],
    ['zh', '火星没有可用号码，这个号码在杭州'],
  ] as const)('says when the X number is not in the city asked for (%s)', (locale, said) => {
    const message = render({ kind: 'bound', locale, binding: { ...view, city: '杭州', cityAsked: '火星' } });
    const city = fieldTexts(message.blocks).find((text) =>
      text.startsWith(locale === 'zh' ? '*城市*' : '*City*'),
    );
    expect(city).toBe(`${locale === 'zh' ? '*城市*' : '*City*'}\n杭州\n_${said}_`);
  });

  it.each([
    ['en', 'error ref `err-k3v9q2mtdx`'],
    ['zh', '错误编号 `err-k3v9q2mtdx`'],
  ] as const)('shows the error ref of an unexpected failure (%s)', (locale, shown) => {
    const message = render({
      kind: 'error',
      locale,
      code: 'local.INTERNAL',
      detail: '',
      correlationId: 'err-k3v9q2mtdx',
    });
    const context = message.blocks.find((block) => block.type === 'context');
    expect(context?.elements[0].text).toBe(`\`local.INTERNAL\` · ${shown}`);
  });
});
