import { parseCommand } from '@axnbot/chatops';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { robotText, startFakeDingTalk } from './fake-dingtalk.js';
import {
  botEnv,
  expectCleanLog,
  freePort,
  hasLogged,
  type SpawnedBot,
  spawnBot,
  until,
} from './spawn-bot.js';

// Issue 13, the DingTalk half: the call loop end to end from the bot's entry script. A bind in a group
// (and one in a single chat), calls simulated through the real emulator's operator API, their receipts
// pushed by the emulator to the bot's status port as Aliyun's console configures it (one URL per
// message type), and what the fake DingTalk receives: one OpenAPI message per call where the binding
// was made, a "▶ 录音" quick link that sends a command the bot answers only to whoever asked.

const TOKEN = 'dingtalk-receipt-token-0123456789';
const A = '13800138000';
const A_SINGLE = '13700137000';
const PEER = '13900139001';
const GROUP = 'cidGroup==';

type Fake = Awaited<ReturnType<typeof startFakeDingTalk>>;
let emu: Emulator;
let fake: Fake;
let bot: SpawnedBot;
let port: number;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  port = await freePort();
  emu = await startEmulator({
    seed: 'demo',
    receiptUrl: `http://127.0.0.1:${port}/aliyun/receipts/{type}?token=${TOKEN}`,
    receiptRetryScale: 0.001,
  });
  bot = spawnBot(
    botEnv({
      gatewayBase: fake.base,
      emulatorUrl: emu.url,
      extra: { PORT: String(port), AXN_RECEIPT_TOKEN: TOKEN },
    }),
  );
  await Promise.race([
    until(() => hasLogged(bot, 'axnbot dingtalk-bot started'), 10_000),
    bot.exited.then((code) => Promise.reject(new Error(`exited ${code}: ${bot.stdout()}${bot.stderr()}`))),
  ]);
  await fake.connected();
});
afterAll(async () => {
  bot?.child.kill('SIGTERM');
  if (bot) expect(await bot.exited).toBe(0);
  await fake?.close();
  await emu?.close();
});

/** Pushes a robot message and answers the replies its session webhook got. */
async function say(content: string, over: Record<string, unknown> = {}) {
  const message = robotText(fake.base, ` ${content}`, over);
  fake.pushRobotMessage(message);
  const replies = () => fake.webhookCalls.filter((call) => message.sessionWebhook.endsWith(call.path));
  await until(() => replies().length > 0, 10_000);
  return { message, text: () => replies().map((call) => call.body.markdown.text as string) };
}

/** Binds A from a message; answers the X number, extension and SubsId its reply shows. */
async function bind(content: string, over: Record<string, unknown> = {}) {
  const { text } = await say(content, over);
  const [reply] = text();
  const slot = /\*\*隐私号\*\*：(170 0000 00\d\d)　\*\*分机号\*\*：(\d{1,3})/.exec(reply ?? '');
  const subsId = /\*\*绑定ID\*\*：(\d{19})/.exec(reply ?? '')?.[1];
  if (!slot || !subsId) throw new Error(`no binding in the reply: ${reply}`);
  return { secretNo: slot[1]!.replace(/ /g, ''), extension: slot[2]!, subsId };
}

/** Simulates a call through the emulator's operator API. */
async function call(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${emu.url}/_emulator/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { callId: string }).callId;
}

/** DingTalk markdown as a reader sees it: the escapes of `*` (in masked numbers) and the like removed. */
const plain = (markdown: string) => markdown.replace(/\\([\\`*_[\]#>|])/g, '$1');
/** The OpenAPI robot sends so far, their text as read. */
const sends = () => fake.robotSends().map((send) => ({ ...send, text: plain(send.text) }));
const groupPosts = () => sends().filter((send) => send.to === 'group');
const privateTo = (userId: string) => sends().filter((send) => send.to === 'user' && send.id === userId);

/** Every quick link of a markdown text: its label and the text it sends. */
function quickLinks(text: string): Array<{ label: string; content: string }> {
  return [...text.matchAll(/\[([^\]]+)\]\(dtmd:\/\/dingtalkclient\/sendMessage\?content=([^)]+)\)/g)].map(
    (match) => ({ label: match[1]!, content: decodeURIComponent(match[2]!) }),
  );
}

const context = {
  now: Date.now(),
  locale: 'zh' as const,
  defaultExpiresMs: 86_400_000,
  maxExpiresMs: 90 * 86_400_000,
  maxBulk: 20,
};

/** Lets whatever the bot would still send arrive before counting. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 600));

describe('the call loop in DingTalk', () => {
  let binding: Awaited<ReturnType<typeof bind>>;
  let answered: string;

  it('a bind in a group, then an answered call: one group message, in Chinese, the peer masked, the talk time, ▶ 录音', async () => {
    binding = await bind(`绑定 ${A} 录音=是`);
    answered = await call({
      caller: PEER,
      secretNo: binding.secretNo,
      digits: binding.extension,
      talkSeconds: 72,
    });
    await until(() => groupPosts().length === 1, 10_000);
    const [post] = groupPosts();
    expect(post).toMatchObject({ id: GROUP });
    const body = fake.openApiCalls.find((c) => c.path === '/v1.0/robot/groupMessages/send')?.body;
    expect(body).toMatchObject({ robotCode: 'ding-client-id', msgKey: 'sampleMarkdown' });
    const line = /📞 (.+?) {2}\n/.exec(post!.text)?.[1];
    expect(line).toMatch(
      /^\d\d-\d\d \d\d:\d\d · 139\*\*\*\*9001 呼叫 138\*\*\*\*8000 · 通话 1分12秒 · 有录音$/,
    );
    expect(post!.title).toBe(line);
    // The binder is named (the OpenAPI cannot @-mention).
    expect(post!.text.startsWith('@张三\n\n📞 ')).toBe(true);
    const links = quickLinks(post!.text);
    expect(links).toEqual([{ label: '▶ 录音', content: `录音 ${answered}` }]);
    // What the link sends is the command it says: parsed, it asks for this call's recording.
    expect(parseCommand(links[0]!.content, context)).toEqual({
      verb: 'recording',
      locale: 'zh',
      callId: answered,
    });
    // The recording receipt arrived after the line: it was carried by the line, not posted again.
    await settle();
    expect(groupPosts()).toHaveLength(1);
  });

  it('a missed call: one group message with why, in Chinese, and no recording link', async () => {
    await call({ caller: PEER, secretNo: binding.secretNo, digits: binding.extension, answer: 'busy' });
    await until(() => groupPosts().length === 2, 10_000);
    const post = groupPosts()[1]!;
    expect(post.text).toMatch(
      /^@张三\n\n📞 \d\d-\d\d \d\d:\d\d · 139\*\*\*\*9001 呼叫 138\*\*\*\*8000 · 未接听：用户忙 {2}\n$/,
    );
    expect(quickLinks(post.text)).toEqual([]);
  });

  it('a re-pushed receipt posts nothing more', async () => {
    const listed = (await (await fetch(`${emu.url}/_emulator/receipts?callId=${answered}`)).json()) as {
      receipts: Array<{ id: number; type: string }>;
    };
    const types = ['SecretReport', 'SecretRecording'];
    for (const type of types) {
      const receipt = listed.receipts.find((r) => r.type === type);
      const repushed = await fetch(`${emu.url}/_emulator/receipts/${receipt?.id}/repush`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(await repushed.json()).toMatchObject({ delivered: true, error: null });
    }
    await until(
      () =>
        bot
          .log()
          .filter(
            (line) =>
              line.msg === 'call receipts received' && line.new === 0 && types.includes(String(line.type)),
          ).length === 2,
    );
    await settle();
    expect(groupPosts()).toHaveLength(2);
  });

  it('▶ 录音 pressed by someone else: refused in their single chat, only a short note in the group', async () => {
    const content = quickLinks(groupPosts()[0]!.text)[0]!.content;
    const before = groupPosts().length;
    const { text } = await say(content, { senderStaffId: 'staff002', senderNick: '李四' });
    await until(() => privateTo('staff002').length === 1);
    expect(privateTo('staff002')[0]!.text).toContain('只有绑定人或管理员可以收听此号码的录音。');
    expect(text()).toEqual(['@staff002\n\n已通过单聊发给您。  \n']);
    await settle();
    expect(groupPosts()).toHaveLength(before);
  });

  it('▶ 录音 pressed by the binder: a fresh link in their single chat, only a short note in the group', async () => {
    const content = quickLinks(groupPosts()[0]!.text)[0]!.content;
    const before = groupPosts().length;
    const { text } = await say(content);
    await until(() => privateTo('staff001').length === 1);
    const [answer] = privateTo('staff001');
    expect(answer!.title).toBe('▶ 录音');
    expect(answer!.text).toMatch(/^### 🎙 \d{4}-\d\d-\d\d \d\d:\d\d 的通话录音 {2}\n/);
    expect(answer!.text).toContain('链接有效至');
    const url = /\[▶ 录音\]\((http:\/\/[^)]+)\)/.exec(answer!.text)?.[1];
    expect(url).toBeDefined();
    const audio = await fetch(url as string);
    expect(audio.status).toBe(200);
    expect(
      Buffer.from(await audio.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('RIFF');
    expect(text()).toEqual(['@staff001\n\n已通过单聊发给您。  \n']);
    await settle();
    expect(groupPosts()).toHaveLength(before);
    expect(groupPosts().some((send) => send.text.includes('http'))).toBe(false);
  });

  it('a receipt with a wrong or missing token gets 401 and stores nothing; with the token it is taken', async () => {
    const forged = [
      {
        call_id: 'forged-call-1',
        sub_id: binding.subsId,
        pool_key: 'FC-DEMO',
        phone_no: A,
        secret_no: binding.secretNo,
        peer_no: PEER,
        call_type: 1,
        call_time: '2026-05-12 14:05:00',
        start_time: '2026-05-12 14:05:08',
        release_time: '2026-05-12 14:05:38',
        release_cause: 16,
        extension: binding.extension,
      },
    ];
    const push = (query: string) =>
      fetch(`http://127.0.0.1:${port}/aliyun/receipts/SecretReport${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(forged),
      });
    for (const query of ['', '?token=', `?token=${TOKEN}x`, `?token=${TOKEN.slice(0, -1)}`]) {
      const refused = await push(query);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ code: 401, msg: 'missing or wrong token' });
    }
    // Nothing was stored: the binding still has its two calls.
    const listed = await say(`通话 ${A}`);
    expect(listed.text().join('')).toContain('接通 1 次，未接通 1 次，共通话 1分12秒');
    // `查询` (info) shows the binding's last call.
    const info = await say(`查询 ${A}`);
    expect(info.text().join('')).toMatch(/最近通话：\d\d-\d\d \d\d:\d\d · 139\\\*\\\*\\\*\\\*\d{4}/);
    const before = groupPosts().length;
    // The same push with the token is taken, and its call posted.
    const taken = await push(`?token=${TOKEN}`);
    expect(taken.status).toBe(200);
    expect(await taken.json()).toEqual({ code: 0, msg: '接收成功' });
    await until(() => groupPosts().length === before + 1);
    expect(groupPosts().at(-1)!.text).toContain('05-12 14:05 · 139****9001 呼叫 138****8000 · 通话 30秒');
    const again = await say(`通话 ${A}`);
    expect(again.text().join('')).toContain('接通 2 次，未接通 1 次');
  });

  it('a binding made in a single chat gets its call lines as single-chat messages', async () => {
    const single = await bind(`绑定 ${A_SINGLE}`, {
      conversationType: '1',
      conversationId: 'cidSingle==',
      senderStaffId: 'staff003',
      senderNick: '王五',
    });
    const groups = groupPosts().length;
    const callId = await call({
      caller: PEER,
      secretNo: single.secretNo,
      digits: single.extension,
      talkSeconds: 5,
    });
    await until(() => privateTo('staff003').length === 1, 10_000);
    const [post] = privateTo('staff003');
    expect(post!.text).toMatch(
      /^📞 \d\d-\d\d \d\d:\d\d · 139\*\*\*\*9001 呼叫 137\*\*\*\*7000 · 通话 5秒 {2}\n$/,
    );
    await settle();
    expect(groupPosts()).toHaveLength(groups);
    expect(privateTo('staff003')).toHaveLength(1);
    // Asked in the single chat, the answer is the reply there (already private); no note.
    const asked = await say(`录音 ${callId}`, {
      conversationType: '1',
      conversationId: 'cidSingle==',
      senderStaffId: 'staff003',
      senderNick: '王五',
    });
    expect(asked.text()).toHaveLength(1);
    expect(asked.text()[0]).toContain('这次通话没有录音。');
    expect(asked.text()[0]).not.toContain('已通过单聊发给您');
    expect(privateTo('staff003')).toHaveLength(1);
  });

  it('an asker DingTalk cannot reach in a single chat: the group is told how to ask instead, and gets no answer', async () => {
    fake.refuseUser('staff004');
    const content = quickLinks(groupPosts()[0]!.text)[0]!.content;
    const before = groupPosts().length;
    const { text } = await say(content, { senderStaffId: 'staff004', senderNick: '赵六' });
    expect(text()).toEqual(['@staff004\n\n无法通过单聊发给您：请在与机器人的单聊中发送同样的命令。  \n']);
    await settle();
    expect(groupPosts()).toHaveLength(before);
  });

  it('no number in clear in anything sent, and a clean log', () => {
    for (const send of fake.robotSends())
      expect(send.text + send.title).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
    const lines = expectCleanLog(bot, [
      TOKEN,
      'ding-client-secret-value',
      'testsecret',
      'dingtalk-hardening-hash-key',
    ]);
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
    // The only warnings: the refused pushes (the first logged at once, the next three within the minute
    // left for a summary: anyone may send them), and the asker DingTalk could not reach.
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toEqual([
      'refused a receipt push',
      'could not answer in the asker’s single chat',
    ]);
    expect(
      lines.filter((line) => line.msg === 'refused a receipt push').every((line) => line.status === 401),
    ).toBe(true);
    expect(lines.filter((line) => line.msg === 'posted a call')).toHaveLength(4);
  });
});

describe('configuration', () => {
  it.each([
    [{ AXN_RECEIPT_TOKEN: TOKEN }, 'AXN_RECEIPT_TOKEN is set but PORT is not'],
    [{ AXN_RECEIPT_TOKEN: 'short', PORT: '0' }, 'AXN_RECEIPT_TOKEN must be 16 to 200 URL-safe characters'],
  ])('%j stops the bot with one error line', async (extra, message) => {
    const stopped = spawnBot(
      botEnv({ gatewayBase: 'http://127.0.0.1:9', emulatorUrl: 'http://127.0.0.1:9', extra }),
    );
    expect(await stopped.exited).toBe(1);
    const lines = expectCleanLog(stopped, [TOKEN]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', component: 'dingtalk-bot' });
    expect(lines[0]?.msg.startsWith(message)).toBe(true);
  });
});
