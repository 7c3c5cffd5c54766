import {
  type Actor,
  type BindingView,
  BotMetrics,
  type Command,
  isParseError,
  type Logger,
  type ParseError,
  type Reply,
} from '@axnbot/chatops';
import type { DWClientDownStream } from 'dingtalk-stream';
import { describe, expect, it } from 'vitest';
import { encodeCardRef } from '../src/card.js';
import { DingTalkCards } from '../src/cards.js';
import type { Replier } from '../src/replier.js';

// The press handler on its own, with the service and DingTalk stubbed: what it runs, as whom, and what it
// does when it does not remember the card (another replica sent it, or the process restarted) or when
// DingTalk refuses to show a refusal on the card.

const NOW = Date.UTC(2026, 10, 28, 4, 0, 0);
const A = '1000000000000000003';
const B = '1000000000000000004';
const view = (subsId: string, over: Partial<BindingView> = {}): BindingView => ({
  ref: `axn-${subsId.slice(-4)}`,
  subsId,
  secretNo: '17000000001',
  extension: subsId.slice(-3),
  phoneMasked: subsId === A ? '138****8000' : '139****9000',
  city: '北京',
  poolKey: 'FC-DEMO',
  expiresAt: NOW + 86_400_000,
  recording: false,
  status: 'active',
  boundBy: 'staff001',
  endedAt: null,
  endedBy: null,
  requestId: null,
  ...over,
});

function harness(options: { result: Reply; updateFails?: boolean }) {
  const runs: Array<{ text: string; actor: Actor }> = [];
  const reads: string[] = [];
  const updates: Array<Parameters<Replier['updateCard']>[0]> = [];
  const privateSends: Array<{ userId: string; text: string }> = [];
  const responses: Array<{ messageId: string; response: object }> = [];
  const warnings: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (message) => {
      warnings.push(message);
    },
    error: (message) => {
      warnings.push(message);
    },
  };
  const cards = new DingTalkCards({
    templateId: 'tpl.schema',
    replier: {
      sendCard: async () => {},
      updateCard: async (update) => {
        updates.push(update);
        if (options.updateFails) throw new Error('DingTalk answered HTTP 500 system.busy');
      },
      toUser: async (userId, parts) => {
        privateSends.push({ userId, text: parts.map((part) => part.text).join('') });
        return undefined;
      },
    },
    service: {
      executeDelivery: async (command: Command | ParseError, actor: Actor) => {
        runs.push({ text: isParseError(command) ? 'invalid' : command.verb, actor });
        return { reply: options.result, firstDelivery: true };
      },
      execute: async (command: Command | ParseError): Promise<Reply> => {
        if (isParseError(command) || command.verb !== 'info' || command.target.kind !== 'subsId')
          throw new Error('only info by SubsId is expected');
        const { subsId } = command.target;
        reads.push(subsId);
        return { kind: 'info', locale: 'en', bindings: [view(subsId)] };
      },
    },
    serviceConfig: { locale: 'zh', defaultExpiresMs: 86_400_000, maxExpiresMs: 90 * 86_400_000, maxBulk: 20 },
    respond: (messageId, response) => responses.push({ messageId, response }),
    logger,
    metrics: new BotMetrics('dingtalk'),
    now: () => NOW,
  });
  const press = (userId: string, action: 'extend' | 'unbind', messageId: string) =>
    cards.onCallback({
      headers: { messageId, topic: '/v1.0/card/instances/callback' },
      data: JSON.stringify({
        type: 'actionCallback',
        outTrackId: 'axn-card-1',
        corpId: 'dingcorp',
        userId,
        content: JSON.stringify({
          cardPrivateData: {
            actionIds: [action],
            params: {
              action,
              subsId: A,
              cardRef: encodeCardRef({ locale: 'zh', conversationId: 'cidGroup==', subsIds: [A, B] }),
            },
          },
        }),
      }),
    } as unknown as DWClientDownStream);
  return { cards, press, runs, reads, updates, privateSends, responses, warnings };
}

describe('a press on a card this process did not send', () => {
  it('runs the command as the presser in the card’s conversation, then redraws every entry', async () => {
    const extended = view(A, { expiresAt: NOW + 2 * 86_400_000 });
    const h = harness({
      result: { kind: 'extended', locale: 'zh', binding: extended, previousExpiresAt: NOW + 86_400_000 },
    });
    await h.press('staff001', 'extend', 'm-1');
    expect(h.responses).toEqual([{ messageId: 'm-1', response: {} }]);
    expect(h.runs).toEqual([
      {
        text: 'extend',
        actor: {
          platform: 'dingtalk',
          userId: 'staff001',
          userName: 'staff001',
          channelId: 'cidGroup==',
          idempotencyKey: 'card:m-1',
        },
      },
    ]);
    // The other entry is looked up (as the presser sees it); the pressed one comes from the result.
    expect(h.reads).toEqual([B]);
    expect(h.updates).toHaveLength(1);
    const bindings = JSON.parse(h.updates[0]!.cardParamMap!.bindings!);
    expect(bindings.map((entry: { subsId: string }) => entry.subsId)).toEqual([A, B]);
    expect(bindings[0].detail).toContain('2026-11-30 12:00');
    // A list of two keeps its title.
    expect(h.updates[0]!.cardParamMap!.title).toBeUndefined();
  });

  it('a refusal DingTalk will not show on the card goes to the presser’s single chat', async () => {
    const h = harness({ result: { kind: 'denied', locale: 'zh', reason: 'not-owner' }, updateFails: true });
    await h.press('staff002', 'unbind', 'm-2');
    expect(h.runs.map((run) => run.text)).toEqual(['unbind']);
    expect(h.updates).toEqual([
      {
        outTrackId: 'axn-card-1',
        privateFor: { userId: 'staff002', cardParamMap: { notice: '⛔ 只有绑定人或管理员可以修改此绑定。' } },
      },
    ]);
    expect(h.privateSends).toEqual([
      { userId: 'staff002', text: expect.stringContaining('只有绑定人或管理员') },
    ]);
    expect(h.warnings).toEqual(['could not show a refusal on the card; sending it in a single chat']);
  });

  it('the same messageId twice is handled once; a frame that is not a press is acked and ignored', async () => {
    const h = harness({ result: { kind: 'denied', locale: 'zh', reason: 'not-owner' } });
    await h.press('staff002', 'extend', 'm-3');
    await h.press('staff002', 'extend', 'm-3');
    expect(h.runs).toHaveLength(1);
    expect(h.responses).toHaveLength(2);
    await h.cards.onCallback({
      headers: { messageId: 'm-4', topic: '/v1.0/card/instances/callback' },
      data: JSON.stringify({ type: 'actionCallback', outTrackId: 'x', userId: 'u', content: '{}' }),
    } as unknown as DWClientDownStream);
    expect(h.responses.at(-1)).toEqual({ messageId: 'm-4', response: {} });
    expect(h.runs).toHaveLength(1);
    expect(h.warnings).toEqual(['ignored a card callback that is not a press of an axnbot card button']);
  });
});
