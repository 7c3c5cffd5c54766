import { randomBytes } from 'node:crypto';
import type { BindingView, LifecycleNotice } from '@axnbot/chatops';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { webApi } from '@slack/bolt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackLifecycleSend } from '../src/lifecycle-slack.js';
import { sign, startFakeSlack } from './fake-slack.js';
import {
  expectCleanLog,
  freePort,
  httpBotEnv,
  type SpawnedBot,
  spawnBot,
  until,
  waitForReady,
} from './spawn-bot.js';

/**
 * Issue 14, from the bot's entry script: reminders come from the ledger, once, whatever the number of
 * replicas and restarts — two bot processes on one PostgreSQL ledger, one of them restarted while a
 * binding nears its expiry — and their buttons act through the service.
 *
 * The reminder window is 3595 s, so a binding for an hour enters it five seconds after it is made.
 */

const DATABASE = process.env.AXN_TEST_DATABASE_URL;
const SECRET = 'slack-signing-secret-for-lifecycle';
const HASH_KEY = 'slack-lifecycle-hash-key-0123456789';

let emu: Emulator;
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let schemaUrl: string;
const bots: Array<{ bot: SpawnedBot; port: number }> = [];
let trigger = 0;

async function startBot(port: number): Promise<SpawnedBot> {
  const bot = spawnBot(
    httpBotEnv({
      secret: SECRET,
      slackBase: fake.base,
      emulatorUrl: emu.url,
      port,
      extra: {
        AXN_DATABASE_URL: schemaUrl,
        AXN_HASH_KEY: HASH_KEY,
        AXN_REMIND_BEFORE: '3595s',
        AXN_SCHEDULER_INTERVAL: '1s',
      },
    }),
  );
  await waitForReady(bot);
  return bot;
}

async function command(port: number, text: string) {
  const id = `${++trigger}`;
  const body = new URLSearchParams({
    team_id: 'T1',
    channel_id: 'C1',
    user_id: 'U1',
    user_name: 'alice',
    command: '/bind',
    text,
    response_url: `${fake.base}/hooks/${id}`,
    trigger_id: `life-${id}`,
  }).toString();
  const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(SECRET, body) },
    body,
  });
  expect(response.status).toBe(200);
}

async function press(port: number, actionId: string, value: string, user = 'U1') {
  const id = `${++trigger}`;
  const payload = {
    type: 'block_actions',
    team: { id: 'T1', domain: 'acme' },
    user: { id: user, username: user === 'U1' ? 'alice' : 'mallory', team_id: 'T1' },
    trigger_id: `press-${id}`,
    channel: { id: 'C1', name: 'ops' },
    container: { type: 'message', message_ts: '1.1', channel_id: 'C1' },
    response_url: `${fake.base}/hooks/${id}`,
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1.2' }],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(SECRET, body) },
    body,
  });
  expect(response.status).toBe(200);
  await until(() => fake.hook(id).length === 1, 8000);
  return fake.hook(id)[0] as Record<string, any>;
}

/** The card the bots posted for a number, and the reminders posted in its thread. */
function cardOf(masked: string) {
  return fake.posted.find((message) => !message.thread_ts && JSON.stringify(message.blocks).includes(masked));
}
function remindersUnder(card: { ts: string } | undefined) {
  return fake.posted.filter((message) => card && message.thread_ts === card.ts);
}

describe.skipIf(!DATABASE)('reminders from two bot processes on one PostgreSQL ledger', () => {
  beforeAll(async () => {
    // A schema of its own on the shared database: the bots reach it through the URL's search_path.
    const schema = `axn_slack_life_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: DATABASE });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
    const url = new URL(DATABASE as string);
    url.searchParams.set('options', `-c search_path=${schema}`);
    schemaUrl = url.toString();
    emu = await startEmulator({ seed: 'demo' });
    fake = await startFakeSlack();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      bots.push({ bot: await startBot(port), port });
    }
  }, 60_000);

  afterAll(async () => {
    for (const { bot } of bots) {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
    await fake?.close();
    await emu?.close();
  });

  it('one reminder in the card’s thread, with the four actions, despite two replicas and a restart', async () => {
    const [first, second] = bots as [(typeof bots)[0], (typeof bots)[0]];
    await command(first.port, '13600136111 expires=1h');
    await command(first.port, '13600136222 expires=30m');
    await until(() => Boolean(cardOf('136****6111') && cardOf('136****6222')), 8000);
    // The second replica restarts while the binding nears its window.
    second.bot.child.kill('SIGTERM');
    expect(await second.bot.exited).toBe(0);
    second.bot = await startBot(second.port);
    const card = cardOf('136****6111');
    await until(() => remindersUnder(card).length > 0, 20_000);
    // A few more ticks of both processes: still one.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const reminders = remindersUnder(card);
    expect(reminders).toHaveLength(1);
    const reminder = reminders[0] as Record<string, any>;
    expect(reminder.channel).toBe('C1');
    expect(reminder.text).not.toMatch(/13600136111/);
    expect(JSON.stringify(reminder.blocks[0])).toContain('<@U1>');
    const buttons = reminder.blocks[1].elements as Array<Record<string, any>>;
    expect(buttons.map((button) => button.action_id)).toEqual([
      'axn_remind_extend_1d',
      'axn_remind_extend_7d',
      'axn_remind_unbind',
      'axn_remind_silence',
    ]);
    expect(buttons[2]?.confirm).toBeDefined();
    // Bound already inside the window: its bind reply said when it expires; no reminder.
    expect(remindersUnder(cardOf('136****6222'))).toEqual([]);

    // Someone else may not act on it; the binder's Extend +1d extends and replaces the reminder.
    const refused = await press(second.port, 'axn_remind_extend_1d', buttons[0]?.value, 'U2');
    expect(refused).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const before = await expiryOf('13600136111');
    const extended = await press(second.port, 'axn_remind_extend_1d', buttons[0]?.value);
    expect(extended.replace_original).toBe(true);
    expect(JSON.stringify(extended.blocks)).toContain('⏩');
    expect((await expiryOf('13600136111')) - before).toBe(86_400_000);
  }, 60_000);

  it('Let it expire silences the binding’s notices', async () => {
    const [first] = bots as [(typeof bots)[0]];
    await command(first.port, '13600136333 expires=1h');
    await until(() => Boolean(cardOf('136****6333')), 8000);
    const card = cardOf('136****6333');
    await until(() => remindersUnder(card).length > 0, 20_000);
    const value = (remindersUnder(card)[0] as Record<string, any>).blocks[1].elements[3].value;
    const silenced = await press(first.port, 'axn_remind_silence', value);
    expect(silenced.replace_original).toBe(true);
    expect(JSON.stringify(silenced.blocks)).toContain('🔕');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(remindersUnder(card)).toHaveLength(1);
    for (const { bot } of bots) expectCleanLog(bot, [SECRET, HASH_KEY, 'xoxb-test-token', 'testsecret']);
  }, 60_000);
});

/** A binding's expiry as the emulator (Aliyun's side) has it. */
async function expiryOf(phone: string): Promise<number> {
  const { bindings } = (await (
    await fetch(`${emu.url}/_emulator/bindings?status=active&limit=1000`)
  ).json()) as {
    bindings: Array<{ phoneA: string; expireAt: number }>;
  };
  const binding = bindings.find((b) => b.phoneA === phone);
  expect(binding).toBeDefined();
  return Number(binding?.expireAt);
}

describe('the Slack side of expiry notices and pool alerts', () => {
  const view: BindingView = {
    ref: 'axn-life-1',
    subsId: '1000000000000000042',
    secretNo: '17000000001',
    extension: '130',
    phoneMasked: '136****6444',
    city: '北京',
    poolKey: 'FC-DEMO',
    expiresAt: Date.now() - 60_000,
    recording: false,
    status: 'expired',
    boundBy: 'alice',
    endedAt: Date.now() - 60_000,
    endedBy: null,
    requestId: null,
  };
  const place = { platform: 'slack', channelId: 'C1', userId: 'U1', userName: 'alice' };

  it('an expiry updates the card in place (ended, no buttons) and retires the reminder’s buttons', async () => {
    const slack = await startFakeSlack();
    try {
      const client = new webApi.WebClient('xoxb-test-token', { slackApiUrl: `${slack.base}/api/` });
      const card = await client.chat.postMessage({ channel: 'C1', text: 'card' });
      const reminder = await client.chat.postMessage({ channel: 'C1', text: 'reminder', thread_ts: card.ts });
      const send = slackLifecycleSend({ client, now: Date.now });
      const notice: LifecycleNotice = {
        kind: 'expired',
        id: 'expired:axn-life-1',
        locale: 'en',
        title: 'Binding expired',
        lines: ['136****6444 stopped reaching A at 2026-11-28 12:00 (Beijing).'],
        attempt: 1,
        binding: view,
        place: { ...place, messageRef: `slack:C1:${card.ts}` },
        reminderMessageRef: `slack:C1:${reminder.ts}`,
        expiredAtText: '2026-11-28 12:00 (Beijing)',
      };
      expect(await send(notice)).toEqual({});
      expect(slack.updated.map((update) => update.ts)).toEqual([reminder.ts, card.ts]);
      for (const update of slack.updated) {
        expect(JSON.stringify(update.blocks)).not.toContain('"actions"');
        expect(JSON.stringify(update.blocks)).toContain('Binding expired');
      }
      expect(JSON.stringify(slack.updated[1]?.blocks)).toContain('136****6444');
      // No card to update (the bot could not post where it was made): the binder hears of it by DM.
      const before = slack.posted.length;
      await send({ ...notice, place: { ...place, messageRef: null }, reminderMessageRef: null });
      expect(slack.posted.slice(before).map((message) => message.channel)).toEqual(['D1']);
    } finally {
      await slack.close();
    }
  });

  it('a pool alert goes to the alert channel, saying what to do; a failing post throws for a retry', async () => {
    const slack = await startFakeSlack({ notMemberOf: ['CGONE'] });
    try {
      const client = new webApi.WebClient('xoxb-test-token', {
        slackApiUrl: `${slack.base}/api/`,
        retryConfig: { retries: 0 },
      });
      const send = slackLifecycleSend({ client, now: Date.now });
      const alert: LifecycleNotice = {
        kind: 'pool-alert',
        id: 'pool-alert:FC-DEMO:北京:0',
        locale: 'en',
        title: 'Pool FC-DEMO is running out of numbers in 北京',
        lines: [
          '3 binds asked for 北京 and got a number elsewhere in the last hour.',
          'Buy numbers for 北京.',
        ],
        attempt: 1,
        channel: { platform: 'slack', channelId: 'COPS' },
        poolKey: 'FC-DEMO',
        city: '北京',
        fallbacks: 3,
        refusals: 0,
        windowMs: 3_600_000,
        idle: [],
      };
      const sent = await send(alert);
      expect(sent.messageRef).toMatch(/^slack:COPS:\d+\.\d+$/);
      expect(JSON.stringify(slack.posted.at(-1)?.blocks)).toContain('Buy numbers for 北京.');
      await expect(send({ ...alert, channel: { platform: 'slack', channelId: 'CGONE' } })).rejects.toThrow(
        /not_in_channel/,
      );
    } finally {
      await slack.close();
    }
  });
});
