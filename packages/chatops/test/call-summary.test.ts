import { describe, expect, it } from 'vitest';
import {
  type CallEvent,
  type CallSummary,
  callTotals,
  formatCallLine,
  formatTalkTime,
  type Reply,
  renderText,
  summarizeCall,
  summarizeCalls,
} from '../src/index.js';

/** 2026-05-12 14:05:00 in Beijing. */
const T0 = Date.UTC(2026, 4, 12, 6, 5, 0);

function event(type: CallEvent['type'], fields: Partial<CallEvent> = {}): CallEvent {
  return {
    callId: 'c1',
    type,
    subsId: '1000000000000000123',
    poolKey: 'FC-DEMO',
    secretNo: '17000000001',
    extension: '123',
    phoneMasked: '138****8000',
    phoneHash: 'h-a',
    peerMasked: '139****9001',
    peerHash: 'h-p',
    callType: 1,
    direction: 'to-a',
    callTime: T0,
    ringTime: null,
    startTime: null,
    releaseTime: null,
    talkSeconds: type === 'SecretReport' ? 0 : null,
    releaseCause: null,
    unconnectedCause: 0,
    releaseDir: null,
    recorded: false,
    outId: null,
    controlMsg: null,
    receivedAt: T0 + 100_000,
    notifiedAt: null,
    ...fields,
  };
}

const summary = (events: CallEvent[]) => summarizeCall(events) as CallSummary;

describe('a call, summed up and written as one line', () => {
  it('an answered inbound call with a recording, in en and zh', () => {
    const call = summary([
      event('SecretStartReport'),
      event('SecretRecording', {
        callTime: T0,
        recorded: true,
        direction: 'unknown',
        callType: null,
        subsId: null,
      }),
      event('SecretReport', { talkSeconds: 72, releaseCause: 16, releaseDir: 2 }),
    ]);
    expect(call).toMatchObject({
      outcome: 'answered',
      talkSeconds: 72,
      recorded: true,
      direction: 'to-a',
      subsId: '1000000000000000123',
      recordingCallTime: '2026-05-12 14:05:00',
    });
    expect(formatCallLine(call, 'en')).toBe(
      '05-12 14:05 · 139****9001 called 138****8000 · talked 1m 12s · recording',
    );
    expect(formatCallLine(call, 'zh')).toBe(
      '05-12 14:05 · 139****9001 呼叫 138****8000 · 通话 1分12秒 · 有录音',
    );
  });

  it('a call back from A to its peer, not answered because the peer was busy', () => {
    const call = summary([
      event('SecretReport', { direction: 'from-a', callType: 0, releaseCause: 17, releaseDir: 0 }),
    ]);
    expect(call.outcome).toBe('missed');
    expect(formatCallLine(call, 'en')).toBe('05-12 14:05 · 138****8000 called 139****9001 · missed: busy');
    expect(formatCallLine(call, 'zh')).toBe('05-12 14:05 · 138****8000 呼叫 139****9001 · 未接听：用户忙');
  });

  it.each([
    [{ releaseCause: 19 }, 'missed: no answer', '未接听：无人接听'],
    [{ releaseCause: 16, releaseDir: 1 }, 'missed: the caller hung up', '未接听：主叫挂机'],
    [{ releaseCause: 31, releaseDir: 2 }, 'missed: no answer', '未接听：无人接听'],
    [{ releaseCause: 1 }, 'missed: the number does not exist', '未接听：空号'],
    [{ releaseCause: 20 }, 'missed: switched off or out of reach', '未接听：关机或不在服务区'],
    [{ releaseCause: 255 }, 'missed: cause 255', '未接听：原因码 255'],
    [
      { unconnectedCause: 1, releaseCause: 21 },
      'not connected: the caller is on the blacklist',
      '未接通：主叫号码在黑名单中',
    ],
    [{ unconnectedCause: 2 }, 'not connected: no binding answers that number', '未接通：没有对应的绑定'],
    [{ unconnectedCause: 3 }, 'not connected: a call restriction stopped it', '未接通：呼叫受限'],
    [{ unconnectedCause: 4 }, 'not connected: the platform did not connect it', '未接通：平台未接通'],
    [{ unconnectedCause: 9 }, 'not connected: cause 9', '未接通：原因码 9'],
  ] as const)('says why a call did not connect: %o', (fields, en, zh) => {
    const call = summary([event('SecretReport', fields)]);
    expect(formatCallLine(call, 'en')).toBe(`05-12 14:05 · 139****9001 called 138****8000 · ${en}`);
    expect(formatCallLine(call, 'zh')).toBe(`05-12 14:05 · 139****9001 呼叫 138****8000 · ${zh}`);
  });

  it('a call not over yet: ringing, then talking once answered', () => {
    expect(summary([event('SecretStartReport'), event('SecretRingReport')]).outcome).toBe('ringing');
    const talking = summary([event('SecretStartReport'), event('SecretPickUpReport')]);
    expect(talking.outcome).toBe('talking');
    expect(formatCallLine(talking, 'zh')).toBe('05-12 14:05 · 139****9001 呼叫 138****8000 · 已接通，通话中');
  });

  it('an intercepted call, and one whose numbers are unknown', () => {
    const intercepted = summary([
      event('SecretReport', { direction: 'intercepted', callType: 4, unconnectedCause: 4 }),
    ]);
    expect(formatCallLine(intercepted, 'en')).toContain(
      'a call from 139****9001 to 138****8000 was intercepted',
    );
    const unknown = summary([
      event('SecretReport', {
        direction: 'unknown',
        callType: null,
        phoneMasked: null,
        peerMasked: null,
        talkSeconds: 5,
      }),
    ]);
    expect(formatCallLine(unknown, 'en')).toBe(
      '05-12 14:05 · a call between an unknown number and an unknown number · talked 5s',
    );
  });

  it.each([
    [0, '0s', '0秒'],
    [45, '45s', '45秒'],
    [60, '1m 0s', '1分0秒'],
    [72, '1m 12s', '1分12秒'],
    [3723, '1h 2m 3s', '1小时2分3秒'],
  ])('talk time %i s reads %s / %s', (seconds, en, zh) => {
    expect(formatTalkTime(seconds, 'en')).toBe(en);
    expect(formatTalkTime(seconds, 'zh')).toBe(zh);
  });

  it('several calls: newest first, with totals', () => {
    const calls = summarizeCalls([
      event('SecretReport', { callId: 'old', callTime: T0, talkSeconds: 30 }),
      event('SecretStartReport', { callId: 'new', callTime: T0 + 3_600_000 }),
      event('SecretReport', { callId: 'new', callTime: T0 + 3_600_000, releaseCause: 19 }),
      event('SecretReport', { callId: 'mid', callTime: T0 + 60_000, talkSeconds: 45 }),
      event('SecretRingReport', { callId: 'live', callTime: T0 + 7_200_000 }),
    ]);
    expect(calls.map((call) => call.callId)).toEqual(['live', 'new', 'mid', 'old']);
    expect(callTotals(calls)).toEqual({ answered: 2, missed: 1, talkSeconds: 75 });
  });

  it('the calls reply and the recording reply as terminal text', () => {
    const call = summary([event('SecretReport', { talkSeconds: 72, recorded: true })]);
    const calls: Reply = {
      kind: 'calls',
      locale: 'zh',
      binding: null,
      target: '138****8000',
      calls: [call],
      totals: callTotals([call]),
      truncated: false,
    };
    expect(renderText(calls, { now: T0 })).toBe(
      [
        '📞 138****8000 的通话记录',
        '  接通 1 次，未接通 0 次，共通话 1分12秒',
        '  05-12 14:05 · 139****9001 呼叫 138****8000 · 通话 1分12秒 · 有录音',
      ].join('\n'),
    );
    expect(renderText({ ...calls, locale: 'en', calls: [] }, { now: T0 })).toBe(
      '📞 Calls of 138****8000\n  No calls yet.',
    );
    const link: Reply = {
      kind: 'recording',
      locale: 'en',
      callId: 'c1',
      call,
      link: { url: 'https://x.invalid/r.wav?sig=1', expiresAt: T0 + 7_200_000 },
    };
    expect(renderText(link, { now: T0 })).toBe(
      [
        '🎙 Recording of the call at 2026-05-12 14:05',
        '  05-12 14:05 · 139****9001 called 138****8000 · talked 1m 12s · recording',
        '  https://x.invalid/r.wav?sig=1',
        '  The link works until 2026-05-12 16:05 (Beijing); press again for a new one.',
      ].join('\n'),
    );
    expect(renderText({ ...link, locale: 'zh', link: null }, { now: T0 })).toContain('这次通话没有录音。');
    expect(renderText({ ...link, call: null, link: null }, { now: T0 })).toBe('🎙 No call c1 is known.');
  });
});
