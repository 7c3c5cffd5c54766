import { type CallNotice, type CallSummary, formatCallLine, jsonLineLogger } from '@axnbot/chatops';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallPoster } from '../src/call-poster.js';
import { Replier } from '../src/replier.js';
import { startFakeDingTalk } from './fake-dingtalk.js';

// Where the bot posts a call: the relay's `post`, against the fake DingTalk's OpenAPI.

type Fake = Awaited<ReturnType<typeof startFakeDingTalk>>;
const fakes: Fake[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

const summary: CallSummary = {
  callId: 'c0ffee0123456789',
  subsId: '1000000000000000003',
  secretNo: '17000000001',
  extension: '130',
  direction: 'to-a',
  phoneMasked: '138****8000',
  peerMasked: '139****9001',
  callTime: Date.UTC(2026, 4, 12, 6, 5),
  outcome: 'answered',
  talkSeconds: 30,
  unconnectedCause: null,
  releaseCause: 16,
  releaseDir: 1,
  recorded: false,
  recordingCallTime: null,
};

function notice(binding: Partial<CallNotice['binding']>, locale: 'en' | 'zh' = 'zh'): CallNotice {
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
      ...binding,
    },
    locale,
    call: summary,
    line: formatCallLine(summary, locale),
    recording: false,
  };
}

async function setup() {
  const fake = await startFakeDingTalk();
  fakes.push(fake);
  const logs: Array<Record<string, unknown>> = [];
  const logger = jsonLineLogger(
    (line) => logs.push(JSON.parse(line)),
    () => 0,
    'debug',
  );
  const replier = new Replier({
    apiUrl: fake.base,
    clientId: 'ding-client-id',
    clientSecret: 'secret-value',
  });
  return { fake, logs, post: createCallPoster({ replier, logger }) };
}

describe('posting a call where its binding was made', () => {
  it('a group binding: one OpenAPI group message naming the binder, as the app’s robot', async () => {
    const { fake, post } = await setup();
    await post(notice({}));
    expect(fake.robotSends()).toEqual([
      {
        to: 'group',
        id: 'cidGroup==',
        title: '05-12 14:05 · 139****9001 呼叫 138****8000 · 通话 30秒',
        text: '@张三\n\n📞 05-12 14:05 · 139\\*\\*\\*\\*9001 呼叫 138\\*\\*\\*\\*8000 · 通话 30秒  \n',
      },
    ]);
    const send = fake.openApiCalls.find((call) => call.path === '/v1.0/robot/groupMessages/send');
    expect(send?.headers['x-acs-dingtalk-access-token']).toBe('token-1');
    expect(send?.body).toMatchObject({ robotCode: 'ding-client-id', msgKey: 'sampleMarkdown' });
  });

  it('a single-chat binding: a single-chat message to whoever it was made with, in their language', async () => {
    const { fake, post } = await setup();
    await post(notice({ channelId: 'cidSingle==', messageRef: 'dingtalk:single:staff003' }, 'en'));
    expect(fake.robotSends()).toEqual([
      {
        to: 'user',
        id: 'staff003',
        title: '05-12 14:05 · 139****9001 called 138****8000 · talked 30s',
        text: '📞 05-12 14:05 · 139\\*\\*\\*\\*9001 called 138\\*\\*\\*\\*8000 · talked 30s  \n',
      },
    ]);
  });

  it.each([null, 'C1:1715500000.000100'])(
    'no place this bot recorded (%s): a single-chat message to the binder',
    async (messageRef) => {
      const { fake, post, logs } = await setup();
      await post(notice({ messageRef }));
      expect(fake.robotSends().map((send) => `${send.to} ${send.id}`)).toEqual(['user staff001']);
      expect(logs.some((line) => line.level === 'debug' && line.callId === summary.callId)).toBe(true);
    },
  );

  it('a binding made on another platform: not this bot’s, logged at info, nothing sent', async () => {
    const { fake, post, logs } = await setup();
    await post(notice({ platform: 'slack', messageRef: 'C1:1715500000.000100' }));
    expect(fake.openApiCalls).toEqual([]);
    expect(logs).toEqual([
      expect.objectContaining({ level: 'info', platform: 'slack', callId: summary.callId }),
    ]);
  });

  it('throws when DingTalk does not deliver (so the relay logs it)', async () => {
    const { fake, post } = await setup();
    fake.refuseUser('staff009');
    await expect(post(notice({ userId: 'staff009', messageRef: null }))).rejects.toThrow(
      /invalidStaffIdList/,
    );
  });
});
