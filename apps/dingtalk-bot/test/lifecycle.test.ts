import { randomBytes } from 'node:crypto';
import {
  type BindingView,
  isParseError,
  type LifecycleNotice,
  type Locale,
  parseCommand,
  reminderActions,
  silentLogger,
} from '@axnbot/chatops';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingTalkLifecycleSend } from '../src/lifecycle-dingtalk.js';
import { Replier } from '../src/replier.js';
import { FAKE_CARD_TEMPLATE_ID, robotText, startFakeDingTalk } from './fake-dingtalk.js';
import { botEnv, expectCleanLog, hasLogged, type SpawnedBot, spawnBot, until } from './spawn-bot.js';

/**
 * Issue 14, the DingTalk half, from the bot's entry script: reminders, expiry notices and pool alerts
 * come from the ledger, once, whatever the number of replicas and restarts — two bot processes on one
 * PostgreSQL ledger (a fresh schema, reached through the URL's search_path), one of them restarted while
 * a binding nears its expiry — and their quick links act through the service as the person who taps them.
 *
 * The reminder window is 3595 s, so a binding for an hour enters it five seconds after it is made.
 */

const DATABASE = process.env.AXN_TEST_DATABASE_URL;
const HASH_KEY = 'dingtalk-lifecycle-hash-key-0123456789';
const SECRETS = ['ding-client-secret-value', 'testsecret', HASH_KEY];
const GROUP = 'cidGroup==';
const ALERT_GROUP = 'cidALERT';

type Fake = Awaited<ReturnType<typeof startFakeDingTalk>>;

/** DingTalk markdown as a reader sees it: the escapes of `*` (in masked numbers) and the like removed. */
const plain = (markdown: string) => markdown.replace(/\\([\\`*_[\]#>|])/g, '$1');

/** Every quick link of a markdown text: its label and the text it sends. */
function quickLinks(text: string): Array<{ label: string; content: string }> {
  return [...text.matchAll(/\[([^\]]+)\]\(dtmd:\/\/dingtalkclient\/sendMessage\?content=([^)]+)\)/g)].map(
    (match) => ({ label: match[1] as string, content: decodeURIComponent(match[2] as string) }),
  );
}

const parseContext = (locale: Locale) => ({
  now: Date.now(),
  locale,
  defaultExpiresMs: 86_400_000,
  maxExpiresMs: 90 * 86_400_000,
  maxBulk: 20,
});

/** What a quick link's command does, in a word: `extend +1d`, `unbind`, `silence`… */
function verbOf(content: string, locale: Locale): string {
  const command = parseCommand(content, parseContext(locale));
  if (isParseError(command)) throw new Error(`${content}: ${command.message}`);
  return command.verb === 'extend' && command.change.kind === 'add'
    ? `extend +${command.change.ms / 86_400_000}d`
    : command.verb;
}

/** What each label says its link does. */
const LABELLED: Record<string, string> = {
  '延期 1 天': 'extend +1d',
  '延期 7 天': 'extend +7d',
  立即解绑: 'unbind',
  任其过期: 'silence',
  'Extend +1d': 'extend +1d',
  'Extend +7d': 'extend +7d',
  'Unbind now': 'unbind',
  'Let it expire': 'silence',
};

const TWO_REPLICAS = 'reminders from two bot processes on one PostgreSQL ledger';
describe.skipIf(!DATABASE)(
  DATABASE ? TWO_REPLICAS : `${TWO_REPLICAS} — skipped: set AXN_TEST_DATABASE_URL (postgres://…) to run it`,
  () => {
    let emu: Emulator;
    let fake: Fake;
    let schema: string;
    let schemaUrl: string;
    const bots: SpawnedBot[] = [];
    /** Every process started, the restarted one's first life included (its log is checked too). */
    const lives: SpawnedBot[] = [];

    async function startBot(): Promise<SpawnedBot> {
      const bot = spawnBot(
        botEnv({
          gatewayBase: fake.base,
          emulatorUrl: emu.url,
          extra: {
            AXN_DATABASE_URL: schemaUrl,
            AXN_HASH_KEY: HASH_KEY,
            AXN_REMIND_BEFORE: '3595s',
            AXN_SCHEDULER_INTERVAL: '1s',
            AXN_ALERT_CHANNEL: `dingtalk:${ALERT_GROUP}`,
            AXN_ADMINS: 'dingtalk:admin001',
            // English by default, so that `bind …` is English and `绑定 …` Chinese (pool alerts: English).
            AXN_LOCALE: 'en',
            // The fake pushes to the latest connection only: the other one must not give up on it.
            DINGTALK_IDLE_TIMEOUT_MS: '600000',
          },
        }),
      );
      lives.push(bot);
      const connections = fake.connections;
      await Promise.race([
        until(() => hasLogged(bot, 'axnbot dingtalk-bot started'), 15_000),
        bot.exited.then((code) =>
          Promise.reject(new Error(`exited ${code}: ${bot.stdout()}${bot.stderr()}`)),
        ),
      ]);
      await fake.connected(connections + 1);
      return bot;
    }

    /** Pushes a robot message in the group (as 张三 unless told) and answers its replies' text. */
    async function say(content: string, over: Record<string, unknown> = {}) {
      const message = robotText(fake.base, ` ${content}`, over);
      fake.pushRobotMessage(message);
      const replies = () => fake.webhookCalls.filter((call) => message.sessionWebhook.endsWith(call.path));
      await until(() => replies().length > 0, 10_000);
      return replies().map((call) => plain(call.body.markdown.text as string));
    }

    /** Binds from the group; answers the SubsId the reply shows. */
    async function bind(content: string): Promise<string> {
      const [reply] = await say(content);
      const subsId = /(?:绑定ID|SubsId)\*\*：(\d{19})/.exec(reply ?? '')?.[1];
      if (!subsId) throw new Error(`no binding in the reply: ${reply}`);
      return subsId;
    }

    const groupPosts = (id: string) =>
      fake
        .robotSends()
        .filter((send) => send.to === 'group' && send.id === id)
        .map((send) => ({ ...send, text: plain(send.text) }));
    const remindersOf = (masked: string) =>
      groupPosts(GROUP).filter(
        (post) => /绑定即将过期|Binding expires soon/.test(post.title) && post.text.includes(masked),
      );
    const expiriesOf = (masked: string) =>
      groupPosts(GROUP).filter(
        (post) => /绑定已过期|Binding expired/.test(post.title) && post.text.includes(masked),
      );
    const settle = (ms = 3000) => new Promise((resolve) => setTimeout(resolve, ms));

    /** A binding's expiry as the emulator (Aliyun's side) has it. */
    async function expiryOf(phone: string): Promise<number> {
      const { bindings } = (await (
        await fetch(`${emu.url}/_emulator/bindings?status=active&limit=1000`)
      ).json()) as { bindings: Array<{ phoneA: string; expireAt: number }> };
      const binding = bindings.find((b) => b.phoneA === phone);
      expect(binding).toBeDefined();
      return Number(binding?.expireAt);
    }

    let shortLived: string;
    let silencedShortLived: string;

    beforeAll(async () => {
      // A schema of its own on the shared database: the bots reach it through the URL's search_path.
      schema = `axn_ding_life_${randomBytes(4).toString('hex')}`;
      const client = new pg.Client({ connectionString: DATABASE });
      await client.connect();
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.end();
      const url = new URL(DATABASE as string);
      url.searchParams.set('options', `-c search_path=${schema}`);
      schemaUrl = url.toString();
      emu = await startEmulator({ seed: 'demo' });
      fake = await startFakeDingTalk();
      bots.push(await startBot(), await startBot());
      // Bound for 65 seconds: already inside the window (never reminded), and it expires during the run.
      shortLived = await bind('绑定 13600136555 有效期=65s');
      // Another, whose notices its binder turns off at once: its expiry passes without a word.
      silencedShortLived = await bind('绑定 13600136666 有效期=65s');
      expect((await say(`不再提醒 ${silencedShortLived}`)).join('')).toContain('🔕 已关闭提醒：136****6666');
    }, 60_000);

    afterAll(async () => {
      for (const bot of bots) {
        bot.child.kill('SIGTERM');
        await bot.exited;
      }
      await fake?.close();
      await emu?.close();
      // Nothing left behind on the shared database.
      if (schema) {
        const client = new pg.Client({ connectionString: DATABASE });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    });

    it('one reminder in the group, naming the binder, with four quick links — despite two replicas and a restart', async () => {
      await bind('绑定 13600136111 有效期=1小时');
      await bind('绑定 13600136222 有效期=30分钟');
      // The second replica restarts while the binding nears its window.
      const second = bots[1] as SpawnedBot;
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      bots[1] = await startBot();
      await until(() => remindersOf('136****6111').length > 0, 20_000);
      // A few more ticks of both processes: still one.
      await settle();
      const reminders = remindersOf('136****6111');
      expect(reminders).toHaveLength(1);
      const reminder = reminders[0] as (typeof reminders)[0];
      expect(reminder.title).toBe('绑定即将过期');
      expect(reminder.text.startsWith('@张三\n\n### ⏰ 绑定即将过期')).toBe(true);
      expect(reminder.text).toMatch(/将于 \d{4}-\d\d-\d\d \d\d:\d\d（北京时间）过期（\d+分钟后）/);
      expect(reminder.text).not.toContain('13600136111');
      const links = quickLinks(reminder.text);
      expect(links.map((link) => link.label)).toEqual(['延期 1 天', '延期 7 天', '立即解绑', '任其过期']);
      for (const { label, content } of links) {
        expect(verbOf(content, 'zh'), `${label} → ${content}`).toBe(LABELLED[label]);
        expect(content).toMatch(/^\S+ \d{19}( \S+)?$/);
      }
      // Bound already inside the window: its bind reply said when it expires; no reminder.
      expect(remindersOf('136****6222')).toEqual([]);
      expect(remindersOf('136****6555')).toEqual([]);
    }, 60_000);

    it('the Extend +1d link, sent by someone else, is refused; sent by the binder, extends by exactly a day', async () => {
      const reminder = remindersOf('136****6111')[0];
      const extend = quickLinks(reminder?.text ?? '')[0]?.content as string;
      const before = await expiryOf('13600136111');
      const refused = await say(extend, { senderStaffId: 'staff002', senderNick: '李四' });
      expect(refused.join('')).toContain('⛔');
      expect(await expiryOf('13600136111')).toBe(before);
      const extended = await say(extend);
      expect(extended.join('')).toContain('⏩ 已延期');
      expect((await expiryOf('13600136111')) - before).toBe(86_400_000);
      // Out of the window now: no second reminder.
      await settle(2500);
      expect(remindersOf('136****6111')).toHaveLength(1);
    }, 30_000);

    it('不再提醒 silences the binding’s notices (the binder or an admin, no one else); an English binding is reminded in English', async () => {
      await bind('绑定 13600136333 有效期=1小时');
      await bind('bind 13600136444 expires=1h');
      await until(
        () => remindersOf('136****6333').length > 0 && remindersOf('136****6444').length > 0,
        20_000,
      );
      const zh = remindersOf('136****6333')[0];
      const silence = quickLinks(zh?.text ?? '')[3]?.content as string;
      expect(silence).toMatch(/^不再提醒 \d{19}$/);
      const refused = await say(silence, { senderStaffId: 'staff002', senderNick: '李四' });
      expect(refused.join('')).toContain('⛔');
      const silenced = await say(silence);
      expect(silenced.join('')).toContain('🔕 已关闭提醒：136****6333 将按原定时间于');

      const en = remindersOf('136****6444')[0];
      expect(en?.title).toBe('Binding expires soon');
      expect(en?.text).toMatch(/expires \d{4}-\d\d-\d\d \d\d:\d\d \(Beijing\), in \d+ minutes\./);
      const links = quickLinks(en?.text ?? '');
      expect(links.map((link) => link.label)).toEqual([
        'Extend +1d',
        'Extend +7d',
        'Unbind now',
        'Let it expire',
      ]);
      for (const { label, content } of links) expect(verbOf(content, 'en'), label).toBe(LABELLED[label]);
      // An admin may act on anyone's binding.
      const again = await say(links[3]?.content as string, {
        senderStaffId: 'admin001',
        senderNick: '管理员',
      });
      expect(again.join('')).toContain('🔕 Reminders off: 136****6444 expires');

      await settle(2500);
      expect(remindersOf('136****6333')).toHaveLength(1);
      expect(remindersOf('136****6444')).toHaveLength(1);
    }, 40_000);

    it('three binds asking for a city the pool lacks: exactly one alert in the alert group', async () => {
      for (const phone of ['13600136501', '13600136502', '13600136503']) {
        const [reply] = await say(`绑定 ${phone} 城市=拉萨`);
        expect(reply).toContain('拉萨');
      }
      await until(() => groupPosts(ALERT_GROUP).length > 0, 15_000);
      await settle();
      const alerts = groupPosts(ALERT_GROUP);
      expect(alerts).toHaveLength(1);
      // In the service's language (AXN_LOCALE).
      expect(alerts[0]?.title).toBe('Pool FC-DEMO is short of numbers in 拉萨');
      expect(alerts[0]?.text).toContain('### 🚨 Pool FC-DEMO is short of numbers in 拉萨');
      expect(alerts[0]?.text).toContain('3 got one from another city, 0 were refused');
      expect(alerts[0]?.text).toContain('Buy more numbers for 拉萨 in the Alibaba Cloud console');
    }, 40_000);

    it('a binding that expires: one short notice in the group, naming the binder; never reminded', async () => {
      await until(() => expiriesOf('136****6555').length > 0, 80_000);
      await settle(2500);
      const notices = expiriesOf('136****6555');
      expect(notices).toHaveLength(1);
      expect(notices[0]?.text).toMatch(
        /^@张三\n\n### ⌛ 绑定已过期 {2}\n136\*{4}6555（隐私号 170 0000 \d{4} 分机号 \d{3}）已于 \d{4}-\d\d-\d\d \d\d:\d\d（北京时间）过期，现在拨打不再接通。/,
      );
      expect(remindersOf('136****6555')).toEqual([]);
      // The ledger says so too.
      const [info] = await say(`查询 ${shortLived}`);
      expect(info).toContain('已过期');
      // Silenced: once it has expired too (bound a moment later), a few ticks pass without a word of it.
      for (let tries = 0; !(await say(`查询 ${silencedShortLived}`)).join('').includes('已过期'); tries++) {
        expect(tries).toBeLessThan(20);
        await settle(500);
      }
      await settle(2500);
      expect(expiriesOf('136****6666')).toEqual([]);
      expect(remindersOf('136****6666')).toEqual([]);
      for (const bot of lives) expectCleanLog(bot, SECRETS);
    }, 90_000);
  },
);

describe('the DingTalk side of lifecycle notices', () => {
  let fake: Fake;
  beforeAll(async () => {
    fake = await startFakeDingTalk();
  });
  afterAll(async () => {
    await fake?.close();
  });

  const view: BindingView = {
    ref: 'axn-life-1',
    subsId: '1000000000000000042',
    secretNo: '17000000001',
    extension: '130',
    phoneMasked: '136****6444',
    city: '北京',
    poolKey: 'FC-DEMO',
    expiresAt: Date.now() + 3_600_000,
    recording: false,
    status: 'active',
    boundBy: '张三',
    endedAt: null,
    endedBy: null,
    requestId: null,
  };
  const place = { platform: 'dingtalk', channelId: GROUP, userId: 'staff001', userName: '张三' };
  const reminder = (messageRef: string | null): LifecycleNotice => ({
    kind: 'reminder',
    id: `reminder:${view.ref}:${view.expiresAt}`,
    locale: 'zh',
    title: '绑定即将过期',
    lines: [
      '136****6444（隐私号 170 0000 0001 分机号 130）将于 2026-11-30 12:00（北京时间）过期（1小时后）。',
    ],
    attempt: 1,
    binding: view,
    place: { ...place, messageRef },
    expiresAt: view.expiresAt,
    expiresAtText: '2026-11-30 12:00（北京时间）',
    relative: '1小时后',
    actions: reminderActions(view.subsId as string, view, 'zh'),
  });
  const send = () =>
    dingTalkLifecycleSend({
      replier: new Replier({ apiUrl: fake.base, clientId: 'ding-client-id', clientSecret: 'secret' }),
      logger: silentLogger,
    });

  it('a reminder goes where the binding was made: the group, a single chat, or the binder’s single chat', async () => {
    const before = fake.robotSends().length;
    const inGroup = await send()(reminder(`dingtalk:group:${GROUP}`));
    expect(inGroup.messageRef).toMatch(/^dingtalk:group:cidGroup==#pq:pq-\d+$/);
    const inSingle = await send()(reminder('dingtalk:single:staff009'));
    expect(inSingle.messageRef).toMatch(/^dingtalk:single:staff009#pq:pq-\d+$/);
    const unknown = await send()(reminder(null));
    expect(unknown.messageRef).toMatch(/^dingtalk:single:staff001#pq:pq-\d+$/);
    const sent = fake.robotSends().slice(before);
    expect(sent.map((s) => [s.to, s.id])).toEqual([
      ['group', GROUP],
      ['user', 'staff009'],
      ['user', 'staff001'],
    ]);
    expect(sent[0]?.text.startsWith('@张三\n\n### ⏰ 绑定即将过期')).toBe(true);
    expect(sent[1]?.text.startsWith('### ⏰ 绑定即将过期')).toBe(true);
    for (const s of sent) expect(quickLinks(s.text)).toHaveLength(4);
  });

  it('an expiry is a short notice in the same place; a pool alert goes to the alert group', async () => {
    const before = fake.robotSends().length;
    const expired: LifecycleNotice = {
      kind: 'expired',
      id: `expired:${view.ref}`,
      locale: 'en',
      title: 'Binding expired',
      lines: [
        '136****6444 at 170 0000 0001 ext 130 expired 2026-11-30 12:00 (Beijing); dialing it reaches nobody now.',
      ],
      attempt: 1,
      binding: { ...view, status: 'expired', endedAt: view.expiresAt },
      place: { ...place, messageRef: `dingtalk:group:${GROUP}` },
      reminderMessageRef: `dingtalk:group:${GROUP}#pq:pq-1`,
      expiredAtText: '2026-11-30 12:00 (Beijing)',
    };
    expect((await send()(expired)).messageRef).toMatch(/^dingtalk:group:cidGroup==#pq:pq-\d+$/);
    const alert: LifecycleNotice = {
      kind: 'pool-alert',
      id: 'pool-alert:FC-DEMO:拉萨:0',
      locale: 'zh',
      title: '号池 FC-DEMO 的拉萨号码不足',
      lines: [
        '过去一小时内有 3 次要求拉萨号码的绑定没有拿到该城市的号码。',
        '没有可释放的闲置绑定，只能购买更多号码。',
      ],
      attempt: 1,
      channel: { platform: 'dingtalk', channelId: ALERT_GROUP },
      poolKey: 'FC-DEMO',
      city: '拉萨',
      fallbacks: 3,
      refusals: 0,
      windowMs: 3_600_000,
      idle: [],
    };
    expect((await send()(alert)).messageRef).toMatch(/^dingtalk:group:cidALERT#pq:pq-\d+$/);
    const sent = fake.robotSends().slice(before);
    expect(sent.map((s) => [s.to, s.id, s.title])).toEqual([
      ['group', GROUP, 'Binding expired'],
      ['group', ALERT_GROUP, '号池 FC-DEMO 的拉萨号码不足'],
    ]);
    expect(plain(sent[0]?.text ?? '')).toBe(
      '@张三\n\n### ⌛ Binding expired  \n136****6444 at 170 0000 0001 ext 130 expired 2026-11-30 12:00 (Beijing); dialing it reaches nobody now.  \n',
    );
    expect(quickLinks(sent[0]?.text ?? '')).toEqual([]);
  });

  it('an expiry redraws the binding’s own card ended (no buttons) and posts its notice; a refused redraw does not stop the notice', async () => {
    const replier = new Replier({ apiUrl: fake.base, clientId: 'ding-client-id', clientSecret: 'secret' });
    const card = async (outTrackId: string) => {
      await replier.sendCard({
        templateId: FAKE_CARD_TEMPLATE_ID,
        outTrackId,
        cardParamMap: {
          title: '✅ 绑定成功',
          bindings: JSON.stringify([
            { subsId: view.subsId, heading: '136****6444（生效中）', detail: '…', live: true },
          ]),
        },
        place: { kind: 'group', openConversationId: GROUP },
      });
      expect(fake.visibleButtons(outTrackId, 0)).toEqual(['extend', 'unbind']);
    };
    const expired = (outTrackId: string): LifecycleNotice => ({
      kind: 'expired',
      id: `expired:${view.ref}`,
      locale: 'zh',
      title: '绑定已过期',
      lines: [
        '136****6444（隐私号 170 0000 0001 分机号 130）已于 2026-11-30 12:00（北京时间）过期，现在拨打不再接通。',
      ],
      attempt: 1,
      binding: { ...view, status: 'expired', endedAt: view.expiresAt },
      place: { ...place, messageRef: `dingtalk:group:${GROUP}#card:${outTrackId}` },
      reminderMessageRef: null,
      expiredAtText: '2026-11-30 12:00（北京时间）',
    });
    const before = fake.robotSends().length;
    await card('axn-card-1');
    expect((await send()(expired('axn-card-1'))).messageRef).toMatch(/^dingtalk:group:cidGroup==#pq:pq-\d+$/);
    const drawn = fake.cardView('axn-card-1');
    expect(drawn.title).toBe('⌛ 绑定已过期');
    expect(drawn.bindings).toEqual([
      expect.objectContaining({ subsId: view.subsId, heading: '136****6444（已过期）', live: false }),
    ]);
    expect(fake.visibleButtons('axn-card-1', 0)).toEqual([]);
    // DingTalk refuses the card update: the notice goes out all the same (a retry would repeat it).
    await card('axn-card-2');
    fake.failCardCalls(1);
    await send()(expired('axn-card-2'));
    expect(fake.visibleButtons('axn-card-2', 0)).toEqual(['extend', 'unbind']);
    expect(
      fake
        .robotSends()
        .slice(before)
        .map((s) => [s.to, s.id, s.title]),
    ).toEqual([
      ['group', GROUP, '绑定已过期'],
      ['group', GROUP, '绑定已过期'],
    ]);
  });

  it('a DingTalk refusal is thrown, so the scheduler tries again later', async () => {
    fake.refuseUser('staff404');
    await expect(send()(reminder('dingtalk:single:staff404'))).rejects.toThrow(/invalidStaffIdList/);
    const unreachable = dingTalkLifecycleSend({
      replier: new Replier({ apiUrl: 'http://127.0.0.1:9', clientId: 'id', clientSecret: 'secret' }),
      logger: silentLogger,
    });
    await expect(unreachable(reminder(`dingtalk:group:${GROUP}`))).rejects.toThrow();
  });
});

describe('lifecycle settings', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 'demo' });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it.each([
    ['AXN_REMIND_BEFORE', 'soon', /^AXN_REMIND_BEFORE must be a duration such as 2h or 30m, or 0 \/ off/],
    ['AXN_ALERT_CHANNEL', 'dingtalk:ops', /^AXN_ALERT_CHANNEL must be slack:<channel id>/],
  ])('a malformed %s stops the bot with one line naming it', async (name, value, message) => {
    const fake = await startFakeDingTalk();
    try {
      const bot = spawnBot(
        botEnv({ gatewayBase: fake.base, emulatorUrl: emu.url, extra: { [name]: value } }),
      );
      expect(await bot.exited).toBe(1);
      const lines = expectCleanLog(bot, SECRETS);
      expect(lines).toHaveLength(1);
      expect(lines[0]?.level).toBe('error');
      expect(lines[0]?.msg).toMatch(message);
      expect(fake.gatewayBodies).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });
});
