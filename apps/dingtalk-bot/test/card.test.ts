import { readFileSync } from 'node:fs';
import { type BindingView, isParseError, parseCommand, phrase, type Reply } from '@axnbot/chatops';
import { beijingToEpoch } from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import {
  cardParamMap,
  decodeCardRef,
  encodeCardRef,
  endedCard,
  MAX_CARD_KEY_BYTES,
  MAX_CARD_VALUE_BYTES,
  parseCardCallback,
  redrawCard,
  renderCards,
  utf8Bytes,
} from '../src/card.js';
import { templateButtons } from './fake-dingtalk.js';

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

/** Card values within DingTalk's documented limits: keys ≤ 100 B, values ≤ 1 KB, and no number in clear. */
function expectWithinLimits(map: Record<string, string>) {
  for (const [key, value] of Object.entries(map)) {
    expect(typeof value).toBe('string');
    expect(utf8Bytes(key)).toBeLessThanOrEqual(MAX_CARD_KEY_BYTES);
    expect(utf8Bytes(value), key).toBeLessThanOrEqual(MAX_CARD_VALUE_BYTES);
    expect(value).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
  }
}

const context = {
  now: NOW,
  locale: 'zh' as const,
  defaultExpiresMs: 86_400_000,
  maxExpiresMs: 90 * 86_400_000,
  maxBulk: 20,
};

describe('card data', () => {
  it('a binding’s own card redrawn at its expiry: the headline given, the entry ended, no buttons', () => {
    const expired: BindingView = { ...view, status: 'expired', endedAt: view.expiresAt };
    const card = endedCard(expired, 'zh', '⌛ 绑定已过期', view.expiresAt + 60_000);
    expect(card?.title).toBe('⌛ 绑定已过期');
    expectWithinLimits(card as Record<string, string>);
    expect(JSON.parse(card?.bindings ?? '[]')).toEqual([
      {
        subsId: '1000000000000000003',
        heading: '138****8000（已过期）',
        detail: [
          '隐私号：170 0000 0001　分机号：130',
          '城市：北京',
          '过期于：2026-11-30 12:00（北京时间）',
          '绑定ID：1000000000000000003',
        ].join('\n'),
        live: false,
      },
    ]);
    expect(endedCard({ ...expired, subsId: null }, 'zh', '⌛', NOW)).toBeUndefined();
  });

  it('a bind result: one entry, masked A, buttons shown (snapshot)', () => {
    const [card, more] = renderCards({ kind: 'bound', locale: 'zh', binding: view }, { now: NOW }) ?? [];
    expect(more).toBeUndefined();
    const map = cardParamMap(card!, 'cidGroup==');
    expectWithinLimits(map);
    expect(map).toMatchInlineSnapshot(`
      {
        "bindings": "[{"subsId":"1000000000000000003","heading":"138****8000（生效中）","detail":"隐私号：170 0000 0001　分机号：130\\n城市：北京\\n有效期至：2026-11-30 12:00（北京时间）\\n绑定ID：1000000000000000003","live":true}]",
        "cardRef": "{"v":1,"l":"zh","c":"cidGroup==","s":["1000000000000000003"]}",
        "extendLabel": "延期 1 天",
        "summary": "",
        "title": "✅ 绑定成功",
        "unbindConfirm": "确认解绑？",
        "unbindLabel": "解绑",
      }
    `);
    expect(JSON.parse(map.bindings!)).toMatchInlineSnapshot(`
      [
        {
          "detail": "隐私号：170 0000 0001　分机号：130
      城市：北京
      有效期至：2026-11-30 12:00（北京时间）
      绑定ID：1000000000000000003",
          "heading": "138****8000（生效中）",
          "live": true,
          "subsId": "1000000000000000003",
        },
      ]
    `);
  });

  it('in English, and an ended binding has no buttons', () => {
    const unbound: BindingView = { ...view, status: 'unbound', endedAt: NOW - 3_600_000, endedBy: 'bob' };
    const [card] = renderCards({ kind: 'unbound', locale: 'en', binding: unbound }, { now: NOW }) ?? [];
    const map = cardParamMap(card!, 'cidGroup==');
    expect(map.title).toBe('🔓 Unbound');
    expect(map.extendLabel).toBe('Extend +1d');
    expect(map.unbindLabel).toBe('Unbind');
    expect(JSON.parse(map.bindings!)).toEqual([
      {
        subsId: '1000000000000000003',
        heading: '138****8000 (unbound)',
        detail: [
          'X number: 170 0000 0001　ext: 130',
          'City: 北京',
          'Unbound: 2026-11-28 11:00 (Beijing)',
          'Unbound by: bob',
          'SubsId: 1000000000000000003',
        ].join('\n'),
        live: false,
      },
    ]);
  });

  it('no buttons once a binding is past its expiry, none for one without a SubsId', () => {
    const [card] =
      renderCards(
        { kind: 'info', locale: 'zh', bindings: [{ ...view, expiresAt: NOW - 1000 }] },
        { now: NOW },
      ) ?? [];
    expect(card?.items[0]?.live).toBe(false);
    expect(
      renderCards({ kind: 'info', locale: 'zh', bindings: [{ ...view, subsId: null }] }, { now: NOW }),
    ).toBe(undefined);
  });

  it('a long list is split over cards whose bindings stay within 1 KB, (1/n) in their titles', () => {
    const bindings = Array.from({ length: 50 }, (_, i) => ({
      ...view,
      subsId: `10000000000000${String(i).padStart(5, '0')}`,
      city: '乌鲁木齐市天山区',
    }));
    const cards = renderCards(
      { kind: 'list', locale: 'zh', scope: 'all', bindings, truncated: true },
      { now: NOW },
    );
    expect(cards!.length).toBeGreaterThan(1);
    expect(cards!.flatMap((card) => card.items)).toHaveLength(50);
    cards!.forEach((card, index) => {
      expect(card.title).toBe(`有效绑定 50 个 (${index + 1}/${cards!.length})`);
      expectWithinLimits(cardParamMap(card, 'cidGroup=='));
    });
  });

  it('a bulk bind: the bound ones as entries, the others in the summary', () => {
    const reply: Reply = {
      kind: 'bulk',
      locale: 'zh',
      items: [
        { outcome: 'bound', phoneMasked: '138****8000', binding: view },
        {
          outcome: 'error',
          phoneMasked: '139****9000',
          code: 'isv.NO_AVAILABLE_NUMBER',
          message: 'no number',
        },
        { outcome: 'outcome-unknown', phoneMasked: '137****7000', ref: 'axn-abc' },
      ],
    };
    const [card] = renderCards(reply, { now: NOW }) ?? [];
    const map = cardParamMap(card!, 'cidGroup==');
    expectWithinLimits(map);
    expect(map.title).toBe('批量绑定 1/3');
    expect(card!.items.map((item) => item.subsId)).toEqual([view.subsId]);
    expect(map.summary).toMatch(/^❌ 139\*{4}9000：.+（isv\.NO_AVAILABLE_NUMBER）\n❓ 137\*{4}7000：/);
  });

  it('replies that are not results or lists are not cards', () => {
    for (const reply of [
      { kind: 'help', locale: 'zh' },
      { kind: 'denied', locale: 'zh', reason: 'not-owner' },
      { kind: 'list', locale: 'zh', scope: 'mine', bindings: [], truncated: false },
    ] as Reply[])
      expect(renderCards(reply, { now: NOW })).toBeUndefined();
  });

  it('the command a button sends is exactly what its label says, and parses', () => {
    for (const locale of ['zh', 'en'] as const) {
      const extend = phrase('command.extend', locale, { target: view.subsId!, duration: '1d' });
      const unbind = phrase('command.unbind', locale, { target: view.subsId! });
      const parsedExtend = parseCommand(extend, context);
      const parsedUnbind = parseCommand(unbind, context);
      if (isParseError(parsedExtend) || isParseError(parsedUnbind)) throw new Error('does not parse');
      expect(parsedExtend).toMatchObject({ verb: 'extend', target: { kind: 'subsId', subsId: view.subsId } });
      expect(parsedExtend.verb === 'extend' && parsedExtend.change).toEqual({ kind: 'add', ms: 86_400_000 });
      expect(parsedUnbind).toMatchObject({ verb: 'unbind', target: { kind: 'subsId', subsId: view.subsId } });
    }
  });
});

describe('redrawing a card after a press', () => {
  const ref = { locale: 'zh' as const, conversationId: 'cidGroup==', subsIds: [view.subsId!] };

  it('a card of one binding takes the result’s title and entry', () => {
    const extended: BindingView = { ...view, expiresAt: view.expiresAt + 86_400_000 };
    const drawn = redrawCard(
      ref,
      { kind: 'extended', locale: 'en', binding: extended, previousExpiresAt: view.expiresAt },
      new Map(),
      NOW,
    );
    // In the card's language, whatever language the result came in.
    expect(drawn?.title).toBe('⏩ 已延期（原 2026-11-30 12:00）');
    expect(drawn?.items[0]?.detail).toContain('有效期至：2026-12-01 12:00（北京时间）');
    expect(drawn?.items[0]?.live).toBe(true);
  });

  it('a list keeps its title and its other entries; an unbound entry loses its buttons', () => {
    const other: BindingView = { ...view, subsId: '1000000000000000004', phoneMasked: '139****9000' };
    const drawn = redrawCard(
      { ...ref, subsIds: [view.subsId!, other.subsId!] },
      { kind: 'unbound', locale: 'zh', binding: { ...view, status: 'unbound', endedAt: NOW, endedBy: 'x' } },
      new Map([[other.subsId!, other]]),
      NOW,
    );
    expect(drawn?.title).toBeUndefined();
    expect(drawn?.items.map((item) => [item.heading, item.live])).toEqual([
      ['138****8000（已解绑）', false],
      ['139****9000（生效中）', true],
    ]);
  });
});

describe('card callbacks', () => {
  const callback = (content: unknown, over: Record<string, unknown> = {}) =>
    JSON.stringify({
      type: 'actionCallback',
      outTrackId: 'axn-1',
      corpId: 'dingcorp',
      userId: 'staff001',
      content: JSON.stringify(content),
      ...over,
    });
  const cardRef = encodeCardRef({ locale: 'zh', conversationId: 'cidGroup==', subsIds: [view.subsId!] });

  it('reads a press: who, which button, which binding, and the card it came from', () => {
    expect(
      parseCardCallback(
        callback({
          cardPrivateData: {
            actionIds: ['extend'],
            params: { action: 'extend', subsId: view.subsId, cardRef },
          },
        }),
      ),
    ).toEqual({
      outTrackId: 'axn-1',
      userId: 'staff001',
      action: 'extend',
      subsId: view.subsId,
      ref: { locale: 'zh', conversationId: 'cidGroup==', subsIds: [view.subsId] },
    });
    // The action id alone does, and a card ref that is not one is dropped, not trusted.
    expect(
      parseCardCallback(
        callback({
          cardPrivateData: { actionIds: ['unbind'], params: { subsId: view.subsId, cardRef: '{' } },
        }),
      ),
    ).toMatchObject({ action: 'unbind', ref: undefined });
  });

  it.each([
    ['not JSON', '{'],
    [
      'another action',
      callback({ cardPrivateData: { actionIds: ['submit'], params: { subsId: view.subsId } } }),
    ],
    ['no SubsId', callback({ cardPrivateData: { actionIds: ['extend'], params: {} } })],
    [
      'a SubsId that is not one',
      callback({ cardPrivateData: { actionIds: ['extend'], params: { subsId: '1 2' } } }),
    ],
    [
      'no userId',
      callback(
        { cardPrivateData: { actionIds: ['extend'], params: { subsId: view.subsId } } },
        { userId: '' },
      ),
    ],
    [
      'another callback type',
      callback(
        { cardPrivateData: { actionIds: ['extend'], params: { subsId: view.subsId } } },
        { type: 'dynamicData' },
      ),
    ],
  ])('ignores %s', (_name, data) => {
    expect(parseCardCallback(data)).toBeUndefined();
  });

  it('card refs round-trip and are checked', () => {
    const ref = { locale: 'en' as const, conversationId: 'cid+/=', subsIds: ['1000000000000000003'] };
    expect(decodeCardRef(encodeCardRef(ref))).toEqual(ref);
    expect(decodeCardRef('{"v":2,"l":"en","c":"","s":[]}')).toBeUndefined();
    expect(decodeCardRef('{"v":1,"l":"fr","c":"","s":[]}')).toBeUndefined();
    expect(decodeCardRef('{"v":1,"l":"en","c":"","s":["x"]}')).toBeUndefined();
    expect(decodeCardRef(42)).toBeUndefined();
  });
});

describe('the card template (card-template.json)', () => {
  const file = JSON.parse(readFileSync(new URL('../card-template.json', import.meta.url), 'utf8'));
  const editor = JSON.parse(file.editorData);

  it('is an export-shaped template: editorData as JSON text, an IM card', () => {
    expect(Object.keys(file).sort()).toEqual(['editorData', 'mode', 'type']);
    expect(file).toMatchObject({ type: 'im', mode: 'card' });
    expect(editor.schemaVersion).toBe('2.0.0');
  });

  it('declares every variable the bot fills, and notice as private data (snapshot)', () => {
    const [card] = renderCards({ kind: 'bound', locale: 'zh', binding: view }, { now: NOW }) ?? [];
    const filled = Object.keys(cardParamMap(card!, 'c'));
    const declared = editor.variableList.map((v: { name: string; private: boolean; type: string }) => [
      v.name,
      v.type,
      v.private ? 'private' : 'public',
    ]);
    expect(declared).toMatchInlineSnapshot(`
      [
        [
          "title",
          "string",
          "public",
        ],
        [
          "summary",
          "string",
          "public",
        ],
        [
          "bindings",
          "objectArray",
          "public",
        ],
        [
          "extendLabel",
          "string",
          "public",
        ],
        [
          "unbindLabel",
          "string",
          "public",
        ],
        [
          "unbindConfirm",
          "string",
          "public",
        ],
        [
          "cardRef",
          "string",
          "public",
        ],
        [
          "notice",
          "string",
          "private",
        ],
      ]
    `);
    for (const name of filled) expect(declared.map(([n]: string[]) => n)).toContain(name);
  });

  it('has the two buttons, shown while live, each sending action, subsId and cardRef (snapshot)', () => {
    expect(templateButtons()).toMatchInlineSnapshot(`
      [
        {
          "actionId": "extend",
          "id": "extend",
          "params": [
            {
              "id": "1",
              "name": "action",
              "type": "fixed",
              "value": "extend",
              "variable": "",
              "variableType": "global",
            },
            {
              "id": "2",
              "name": "subsId",
              "type": "variable",
              "value": "",
              "variable": "subsId",
              "variableType": "loop",
            },
            {
              "id": "3",
              "name": "cardRef",
              "type": "variable",
              "value": "",
              "variable": "cardRef",
              "variableType": "global",
            },
          ],
          "visibleWhenLive": true,
        },
        {
          "actionId": "unbind",
          "id": "unbind",
          "params": [
            {
              "id": "1",
              "name": "action",
              "type": "fixed",
              "value": "unbind",
              "variable": "",
              "variableType": "global",
            },
            {
              "id": "2",
              "name": "subsId",
              "type": "variable",
              "value": "",
              "variable": "subsId",
              "variableType": "loop",
            },
            {
              "id": "3",
              "name": "cardRef",
              "type": "variable",
              "value": "",
              "variable": "cardRef",
              "variableType": "global",
            },
          ],
          "visibleWhenLive": true,
        },
      ]
    `);
  });

  it('mock data is what the bot would send', () => {
    const [card] = renderCards({ kind: 'bound', locale: 'zh', binding: view }, { now: NOW }) ?? [];
    const map = cardParamMap(card!, 'cidGroup==');
    expect(editor.mockData.cardData).toEqual({ ...map, bindings: JSON.parse(map.bindings!) });
  });
});
