import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CARD_TEMPLATE_ID, robotText, startFakeDingTalk } from './fake-dingtalk.js';
import { botEnv, expectCleanLog, hasLogged, type SpawnedBot, spawnBot, until } from './spawn-bot.js';

// Issue 15, DingTalk: interactive cards from the bot's entry script, against the real emulator and the
// fake DingTalk (its card platform knows the imported card-template.json). With DINGTALK_CARD_TEMPLATE_ID
// a bind answers with a card instance; its buttons come back as card callback frames over the stream and
// act as the presser, through the binding service, once per press; a refusal is for the presser alone.

type Fake = Awaited<ReturnType<typeof startFakeDingTalk>>;
let emu: Emulator;
let fake: Fake;
let bot: SpawnedBot;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  emu = await startEmulator({ seed: 'demo' });
  bot = spawnBot(
    botEnv({
      gatewayBase: fake.base,
      emulatorUrl: emu.url,
      extra: {
        DINGTALK_CARD_TEMPLATE_ID: FAKE_CARD_TEMPLATE_ID,
        AXN_ADMINS: 'dingtalk:admin001',
        AXN_LOG_LEVEL: 'debug',
      },
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

const CARD_TOPIC = '/v1.0/card/instances/callback';
const settle = () => new Promise((resolve) => setTimeout(resolve, 600));

const cardSends = () =>
  fake.openApiCalls.filter((call) => call.path === '/v1.0/card/instances/createAndDeliver');
const cardUpdates = () => fake.openApiCalls.filter((call) => call.path === '/v1.0/card/instances');
const webhookFor = (message: { sessionWebhook: string }) =>
  fake.webhookCalls.filter((call) => message.sessionWebhook.endsWith(call.path));

/** The emulator's active binding of a number: its SubsId and expiry. */
async function activeBinding(phoneA: string) {
  const { bindings } = (await (
    await fetch(`${emu.url}/_emulator/bindings?status=active&limit=1000`)
  ).json()) as {
    bindings: Array<{ subsId: string; phoneA: string; expireAt: number }>;
  };
  return bindings.filter((binding) => binding.phoneA === phoneA);
}

/** Says something to the bot (in the group unless `over` says otherwise); answers the card it sent. */
async function cardFor(content: string, over: Record<string, unknown> = {}) {
  const before = cardSends().length;
  const message = robotText(fake.base, ` ${content}`, over);
  fake.pushRobotMessage(message);
  await until(() => cardSends().length > before || webhookFor(message).length > 0, 10_000);
  const send = cardSends()[before];
  if (!send) throw new Error(`no card: ${JSON.stringify(webhookFor(message)[0]?.body)}`);
  return { message, send, outTrackId: send.body.outTrackId as string };
}

/** Waits for the ack of a callback frame, and answers it. */
async function ackOf(messageId: string) {
  await until(() => fake.upFrames.some((frame) => frame.headers.messageId === messageId));
  return fake.upFrames.filter((frame) => frame.headers.messageId === messageId);
}

describe('interactive cards', () => {
  let outTrackId: string;
  let subsId: string;
  let expiry: number;

  it('subscribes to the card callback topic as well as the robot topic', () => {
    expect(fake.gatewayBodies[0]?.subscriptions).toEqual(
      expect.arrayContaining([
        { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
        { type: 'CALLBACK', topic: CARD_TOPIC },
      ]),
    );
  });

  it('a bind in a group answers with a card instance, not markdown: masked A, Extend +1d and Unbind', async () => {
    const { message, send, outTrackId: id } = await cardFor('绑定 13800138000 城市=北京 有效期=2天');
    outTrackId = id;
    expect(send.headers['x-acs-dingtalk-access-token']).toBe('token-1');
    expect(send.body).toMatchObject({
      cardTemplateId: FAKE_CARD_TEMPLATE_ID,
      callbackType: 'STREAM',
      userIdType: 1,
      openSpaceId: 'dtv1.card//IM_GROUP.cidGroup==',
      imGroupOpenSpaceModel: { supportForward: false },
      imGroupOpenDeliverModel: { robotCode: 'dingrobot', atUserIds: { staff001: '张三' } },
    });
    expect(JSON.stringify(send.body)).not.toContain('13800138000');
    const card = fake.cardView(outTrackId);
    expect(card.title).toBe('✅ 绑定成功');
    expect(card.bindings).toHaveLength(1);
    expect(card.bindings[0]?.heading).toBe('138****8000（生效中）');
    expect(card.bindings[0]?.live).toBe(true);
    expect(fake.visibleButtons(outTrackId, 0)).toEqual(['extend', 'unbind']);
    subsId = card.bindings[0]!.subsId;
    const [binding] = await activeBinding('13800138000');
    expect(binding?.subsId).toBe(subsId);
    expiry = binding!.expireAt;
    await settle();
    expect(webhookFor(message)).toHaveLength(0);
  });

  it('the binder’s Extend +1d extends the binding by a day and updates the card in place', async () => {
    const updates = cardUpdates().length;
    const messageId = fake.press(outTrackId, 'staff001', 'extend');
    // Answered at once, with an empty response (the card is updated afterwards through the API).
    expect(await ackOf(messageId)).toEqual([
      {
        code: 200,
        headers: { contentType: 'application/json', messageId },
        message: 'OK',
        data: JSON.stringify({ response: {} }),
      },
    ]);
    await until(() => cardUpdates().length > updates, 10_000);
    const [binding] = await activeBinding('13800138000');
    expect(binding!.expireAt - expiry).toBe(86_400_000);
    expiry = binding!.expireAt;
    const update = cardUpdates()[updates]!;
    expect(update.body).toMatchObject({
      outTrackId,
      userIdType: 1,
      cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
      privateData: { staff001: { cardParamMap: { notice: '' } } },
    });
    const card = fake.cardView(outTrackId);
    expect(card.title).toMatch(/^⏩ 已延期（原 \d{4}-\d\d-\d\d \d\d:\d\d）$/);
    expect(card.bindings[0]?.live).toBe(true);
    expect(fake.visibleButtons(outTrackId, 0)).toEqual(['extend', 'unbind']);
  });

  it('the same callback delivered twice extends once', async () => {
    // Past the double-press window of the press before (the same person, button and card).
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const updates = cardUpdates().length;
    const messageId = fake.press(outTrackId, 'staff001', 'extend');
    fake.redeliver(messageId);
    await until(() => cardUpdates().length > updates, 10_000);
    await until(() => fake.upFrames.filter((frame) => frame.headers.messageId === messageId).length === 2);
    await settle();
    expect(cardUpdates()).toHaveLength(updates + 1);
    const [binding] = await activeBinding('13800138000');
    expect(binding!.expireAt - expiry).toBe(86_400_000);
    expiry = binding!.expireAt;
  });

  it('someone else’s press is refused to them alone, and changes neither the binding nor the card', async () => {
    const before = JSON.stringify(fake.cards.get(outTrackId)!.cardParamMap);
    const updates = cardUpdates().length;
    fake.press(outTrackId, 'staff002', 'extend');
    await until(() => cardUpdates().length > updates, 10_000);
    const update = cardUpdates()[updates]!;
    // Private data only: nothing public is sent.
    expect(update.body.cardData).toBeUndefined();
    expect(update.body.privateData).toEqual({
      staff002: { cardParamMap: { notice: expect.stringContaining('只有绑定人或管理员可以修改此绑定') } },
    });
    expect(JSON.stringify(fake.cards.get(outTrackId)!.cardParamMap)).toBe(before);
    expect(fake.cardView(outTrackId, 'staff002').notice).toContain('⛔');
    expect(fake.cardView(outTrackId, 'staff001').notice).toBe('');
    const [binding] = await activeBinding('13800138000');
    expect(binding!.expireAt).toBe(expiry);
    // Not in the group either.
    expect(fake.robotSends().filter((send) => send.to === 'group')).toHaveLength(0);
  });

  it('an admin’s Unbind unbinds, and the card loses its buttons', async () => {
    const updates = cardUpdates().length;
    fake.press(outTrackId, 'admin001', 'unbind');
    await until(() => cardUpdates().length > updates, 10_000);
    expect(await activeBinding('13800138000')).toHaveLength(0);
    const card = fake.cardView(outTrackId);
    expect(card.title).toBe('🔓 已解绑');
    expect(card.bindings[0]?.heading).toBe('138****8000（已解绑）');
    expect(card.bindings[0]?.detail).toContain('解绑人：admin001');
    expect(fake.visibleButtons(outTrackId, 0)).toEqual([]);
    expect(() => fake.press(outTrackId, 'admin001', 'extend')).toThrow(/hidden/);
  });

  it('a double press while the first is handled acts once', async () => {
    const { outTrackId: id } = await cardFor('绑定 13900139000');
    const [binding] = await activeBinding('13900139000');
    const updates = cardUpdates().length;
    fake.press(id, 'staff001', 'extend');
    fake.press(id, 'staff001', 'extend');
    await until(() => cardUpdates().length > updates, 10_000);
    await settle();
    expect(cardUpdates()).toHaveLength(updates + 1);
    const [after] = await activeBinding('13900139000');
    expect(after!.expireAt - binding!.expireAt).toBe(86_400_000);
  });

  it('in a single chat the card goes to the sender’s chat with the robot; a list is a card too', async () => {
    const single = { conversationType: '1', conversationId: 'cidSingle==' };
    const { send } = await cardFor('绑定 13700137000', single);
    expect(send.body).toMatchObject({
      openSpaceId: 'dtv1.card//IM_ROBOT.staff001',
      imRobotOpenSpaceModel: { supportForward: false },
      imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: 'dingrobot' },
    });
    expect(send.body.imGroupOpenDeliverModel).toBeUndefined();
    const { outTrackId: list } = await cardFor('列表', single);
    const card = fake.cardView(list);
    expect(card.title).toBe('有效绑定 2 个');
    expect(card.bindings.map((entry) => entry.heading).sort()).toEqual([
      '137****7000（生效中）',
      '139****9000（生效中）',
    ]);
    // Extending one entry of the list redraws that entry and keeps the others and the title.
    const index = card.bindings.findIndex((entry) => entry.heading.startsWith('137'));
    const updates = cardUpdates().length;
    fake.press(list, 'staff001', 'extend', index);
    await until(() => cardUpdates().length > updates, 10_000);
    const after = fake.cardView(list);
    expect(after.title).toBe('有效绑定 2 个');
    expect(after.bindings).toHaveLength(2);
    expect(after.bindings[index]?.detail).not.toBe(card.bindings[index]?.detail);
    expect(after.bindings[1 - index]).toEqual(card.bindings[1 - index]);
  });

  it('a card DingTalk refuses falls back to markdown', async () => {
    fake.failCardCalls(1);
    const message = robotText(fake.base, ' 绑定 13600136000');
    const sends = cardSends().length;
    fake.pushRobotMessage(message);
    await until(() => webhookFor(message).length > 0, 10_000);
    expect(cardSends()).toHaveLength(sends + 1);
    const { body } = webhookFor(message)[0]!;
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.text).toContain('**A号码**：136****6000');
    expect(hasLogged(bot, 'could not send a card; answered in markdown instead')).toBe(true);
  });

  it('replies that are not results stay markdown (help)', async () => {
    const sends = cardSends().length;
    const message = robotText(fake.base, ' 帮助');
    fake.pushRobotMessage(message);
    await until(() => webhookFor(message).length > 0);
    expect(webhookFor(message)[0]!.body.msgtype).toBe('markdown');
    expect(cardSends()).toHaveLength(sends);
  });

  it('logs JSON lines only, no secret and no number in clear; each press is a command line', () => {
    const lines = expectCleanLog(bot, [
      'ding-client-secret-value',
      'testsecret',
      'dingtalk-hardening-hash-key',
    ]);
    const presses = lines.filter(
      (line) => line.msg === 'command handled' && (line.verb === 'extend' || line.verb === 'unbind'),
    );
    expect(presses.length).toBeGreaterThanOrEqual(5);
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});
