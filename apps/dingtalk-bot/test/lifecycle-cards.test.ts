import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CARD_TEMPLATE_ID, robotText, startFakeDingTalk } from './fake-dingtalk.js';
import { botEnv, expectCleanLog, hasLogged, type SpawnedBot, spawnBot, until } from './spawn-bot.js';

/**
 * Issue 14 with interactive cards (DINGTALK_CARD_TEMPLATE_ID), from the bot's entry script: results are
 * cards, reminders stay markdown with their four quick links, and a binding's expiry redraws its own
 * card ended — no more Extend / Unbind buttons — besides the short notice in the group.
 */

const GROUP = 'cidGroup==';
const SECRETS = ['ding-client-secret-value', 'testsecret'];

let emu: Emulator;
let fake: Awaited<ReturnType<typeof startFakeDingTalk>>;
let bot: SpawnedBot;

/** DingTalk markdown as a reader sees it. */
const plain = (markdown: string) => markdown.replace(/\\([\\`*_[\]#>|])/g, '$1');
const groupPosts = () =>
  fake
    .robotSends()
    .filter((send) => send.to === 'group' && send.id === GROUP)
    .map((send) => ({ ...send, text: plain(send.text) }));
function quickLinks(text: string): Array<{ label: string; content: string }> {
  return [...text.matchAll(/\[([^\]]+)\]\(dtmd:\/\/dingtalkclient\/sendMessage\?content=([^)]+)\)/g)].map(
    (match) => ({ label: match[1] as string, content: decodeURIComponent(match[2] as string) }),
  );
}
/** The cards showing a masked A number, in the order they were sent. */
const cardsOf = (masked: string) =>
  [...fake.cards.values()].filter((card) =>
    fake.cardView(card.outTrackId).bindings.some((entry) => entry.heading.includes(masked)),
  );

/** Sends a robot message in the group as 张三 and waits for a new card showing `masked`. */
async function cardFor(content: string, masked: string) {
  const before = cardsOf(masked).length;
  fake.pushRobotMessage(robotText(fake.base, ` ${content}`));
  await until(() => cardsOf(masked).length > before, 10_000);
  return cardsOf(masked)[before] as ReturnType<typeof cardsOf>[0];
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo' });
  fake = await startFakeDingTalk();
  bot = spawnBot(
    botEnv({
      gatewayBase: fake.base,
      emulatorUrl: emu.url,
      extra: {
        DINGTALK_CARD_TEMPLATE_ID: FAKE_CARD_TEMPLATE_ID,
        AXN_REMIND_BEFORE: '3595s',
        AXN_SCHEDULER_INTERVAL: '1s',
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

describe('the lifecycle with interactive cards', () => {
  let expiring: ReturnType<typeof cardsOf>[0];

  it('a bind answers with a card; a reminder stays markdown with four quick links, and Extend +1d answers with a card', async () => {
    // Bound for 65 seconds: its card is redrawn when it expires, below.
    expiring = await cardFor('绑定 13600136777 有效期=65s', '136****6777');
    expect(fake.visibleButtons(expiring.outTrackId, 0)).toEqual(['extend', 'unbind']);
    const bound = await cardFor('绑定 13600136888 有效期=1小时', '136****6888');
    expect(bound.cardParamMap.title).toBe('✅ 绑定成功');
    await until(() => groupPosts().some((post) => post.title === '绑定即将过期'), 20_000);
    const reminders = groupPosts().filter((post) => post.title === '绑定即将过期');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toContain('136****6888');
    const links = quickLinks(reminders[0]?.text ?? '');
    expect(links.map((link) => link.label)).toEqual(['延期 1 天', '延期 7 天', '立即解绑', '任其过期']);
    const extended = await cardFor(links[0]?.content as string, '136****6888');
    expect(extended.cardParamMap.title).toMatch(/^⏩ /);
  }, 40_000);

  it('an expiry redraws the binding’s own card ended, without buttons, and says so in the group', async () => {
    await until(() => groupPosts().some((post) => post.title === '绑定已过期'), 80_000);
    const view = fake.cardView(expiring.outTrackId);
    expect(view.title).toBe('⌛ 绑定已过期');
    expect(view.bindings).toEqual([
      expect.objectContaining({ heading: '136****6777（已过期）', live: false }),
    ]);
    expect(view.bindings[0]?.detail).toMatch(/过期于：\d{4}-\d\d-\d\d \d\d:\d\d（北京时间）/);
    expect(fake.visibleButtons(expiring.outTrackId, 0)).toEqual([]);
    const notices = groupPosts().filter((post) => post.title === '绑定已过期');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toMatch(/^@张三\n\n### ⌛ 绑定已过期 {2}\n136\*{4}6777（/);
    expect(groupPosts().filter((post) => post.title === '绑定即将过期')).toHaveLength(1);
    expectCleanLog(bot, SECRETS);
  }, 90_000);
});
