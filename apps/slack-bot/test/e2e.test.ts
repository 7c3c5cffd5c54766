import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign, startFakeSlack } from './fake-slack.js';
import {
  BIN,
  baseEnv,
  expectCleanLog,
  freePort,
  parseLog,
  type SpawnedBot,
  spawnBot,
  until,
  untilAsync,
  waitForReady,
} from './spawn-bot.js';

const SECRET = 'slack-signing-secret-for-tests';
const RECEIPT_TOKEN = 'receipt-token-0123456789abcdef';

/** Starts the bot as a user does: its start script's entry, real environment variables. */
async function startBot(env: NodeJS.ProcessEnv): Promise<SpawnedBot> {
  const bot = spawnBot(env);
  await waitForReady(bot);
  return bot;
}

let emu: Emulator;
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let bot: Awaited<ReturnType<typeof startBot>>;
let url: string;
let port: number;
let trigger = 0;

beforeAll(async () => {
  port = await freePort();
  // Aliyun's receipt push, per message type, to the bot's port (the emulator stands in for Aliyun).
  emu = await startEmulator({
    seed: 'demo',
    receiptUrl: `http://127.0.0.1:${port}/aliyun/receipts/{type}?token=${RECEIPT_TOKEN}`,
  });
  fake = await startFakeSlack({ notMemberOf: ['C2'] });
  bot = await startBot({
    ...baseEnv(),
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: `${fake.base}/api/`,
    SLACK_BOT_ID: 'BBOT',
    SLACK_BOT_USER_ID: 'UBOT',
    PORT: String(port),
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'testsecret',
    AXN_ENDPOINT: emu.url,
    AXN_POOL_KEY: 'FC-DEMO',
    AXN_HASH_KEY: 'slack-e2e-hash-key-0123456789',
    AXN_DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'axn-slack-')), 'ledger.db'),
    AXN_ADMINS: 'slack:UADMIN',
    AXN_ALLOW_CHANNELS: 'slack:C1,slack:C2,slack:app_home',
    AXN_RATE_LIMIT: '25',
    AXN_LOG_LEVEL: 'debug',
    AXN_RECEIPT_TOKEN: RECEIPT_TOKEN,
  });
  url = `http://127.0.0.1:${port}/slack/events`;
});

afterAll(async () => {
  bot?.child.kill('SIGTERM');
  expect(await bot?.exited).toBe(0);
  await fake?.close();
  await emu?.close();
});

function commandBody(command: string, text: string, extra: Record<string, string> = {}) {
  const id = `${++trigger}`;
  const fields = {
    token: 'legacy',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: 'C1',
    channel_name: 'ops',
    user_id: 'U1',
    user_name: 'alice',
    command,
    text,
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: `${fake.base}/hooks/${id}`,
    trigger_id: `trigger-${id}`,
    ...extra,
  };
  return { id, body: new URLSearchParams(fields).toString() };
}

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(SECRET, body), ...headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: text ? (JSON.parse(text) as Record<string, any>) : undefined,
  };
}

function click(actionId: string, value: string, user = 'U1') {
  const id = `${++trigger}`;
  const payload = {
    type: 'block_actions',
    api_app_id: 'A1',
    token: 'x',
    trigger_id: `click-${id}`,
    team: { id: 'T1', domain: 'acme' },
    user: { id: user, username: user === 'U1' ? 'alice' : 'mallory', team_id: 'T1' },
    channel: { id: 'C1', name: 'ops' },
    container: { type: 'message', message_ts: '1.1', channel_id: 'C1', is_ephemeral: false },
    response_url: `${fake.base}/hooks/${id}`,
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'b1',
        value,
        action_ts: '1.3',
        text: { type: 'plain_text', text: 'x' },
      },
    ],
  };
  return { id, body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString() };
}

const activeBindings = async () =>
  (
    (await (await fetch(`${emu.url}/_emulator/bindings?status=active&limit=1000`)).json()) as {
      bindings: unknown;
    }
  ).bindings as Array<{
    phoneA: string;
    subsId: string;
  }>;

/** The bot's posts (chat.postMessage) since `from`, once there are `count` of them. */
async function postsFrom(from: number, count = 1): Promise<Array<Record<string, any>>> {
  await until(() => fake.posted.length >= from + count, 8000);
  return fake.posted.slice(from);
}

/** Runs a bind, which the bot acknowledges at once with nothing; resolves with the card it posted. */
async function bindCard(text: string, extra: Record<string, string> = {}): Promise<Record<string, any>> {
  const from = fake.posted.length;
  const res = await post(commandBody('/bind', text, extra).body);
  expect(res.status).toBe(200);
  expect(res.text).toBe('');
  const [card] = await postsFrom(from);
  return card as Record<string, any>;
}

describe('slash commands over HTTP', () => {
  let card: Record<string, any>;

  it('/bind acknowledges at once, then posts the bound card in the channel', async () => {
    const { body } = commandBody('/bind', '13800138000 city=北京 expires=2d');
    const started = Date.now();
    const from = fake.posted.length;
    const res = await post(body);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    [card] = (await postsFrom(from)) as [Record<string, any>];
    // Posted (not answered through response_url), so the card has a ts that calls can be threaded under.
    expect(card).toMatchObject({ channel: 'C1', ts: expect.stringMatching(/^\d+\.\d+$/) });
    const text = JSON.stringify(card.blocks);
    expect(text).not.toContain('13800138000');
    expect(card.blocks[0].text.text).toMatch(
      /^✅ \*138\*\*\*\*8000\* is reachable at \*170 0000 000\d\* ext \*\d{3}\*$/,
    );
    const fields = card.blocks[1].fields.map((field: { text: string }) => field.text);
    expect(fields[0]).toBe('*A number*\n138****8000');
    expect(fields[3]).toMatch(/^\*Dial\*\n<tel:\+86170000000\d\d,,\d{3}\|170000000\d\d,,\d{3}>$/);
    expect(fields[4]).toBe('*City*\n北京');
    expect(fields[5]).toMatch(
      /^\*Expires\*\n<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d{2}-\d{2} \d{2}:\d{2} Beijing>\n.* \(Beijing\) · in 2 days$/,
    );
    expect(card.blocks[2].elements[0].text).toMatch(
      /^SubsId `\d{19}` · bound by <@U1> · RequestId `[0-9A-F-]{36}` · recording off$/,
    );
    const [unbind, extend] = card.blocks[3].elements;
    expect(unbind).toMatchObject({
      action_id: 'axn_unbind',
      style: 'danger',
      text: { text: 'Unbind' },
      confirm: { title: { text: 'Unbind this number?' } },
    });
    expect(extend).toMatchObject({ action_id: 'axn_extend', text: { text: 'Extend +1d' } });
    expect((await activeBindings()).filter((b) => b.phoneA === '13800138000')).toHaveLength(1);
  });

  it('Extend +1d updates the card in place', async () => {
    const value = card.blocks[3].elements[1].value as string;
    const [, before] = value.split(':');
    const { id, body } = click('axn_extend', value);
    expect((await post(body)).status).toBe(200);
    await until(() => fake.hook(id).length === 1);
    const [update] = fake.hook(id);
    expect(update?.replace_original).toBe(true);
    expect(JSON.stringify(update?.blocks)).toContain('⏩ Extended to');
    const newValue = (update!.blocks as any[])[3].elements[1].value as string;
    expect(Number(newValue.split(':')[1]) - Number(before)).toBe(86_400_000);
  });

  it('another user may not unbind it: the refusal goes to them alone', async () => {
    const subsId = card.blocks[3].elements[0].value as string;
    const { id, body } = click('axn_unbind', subsId, 'U2');
    expect((await post(body)).status).toBe(200);
    await until(() => fake.hook(id).length === 1);
    expect(fake.hook(id)[0]).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(fake.hook(id)[0])).toContain('Only whoever bound it');
    expect((await activeBindings()).some((b) => b.subsId === subsId)).toBe(true);
  });

  it('Unbind (after its confirm dialog) unbinds and replaces the card', async () => {
    const subsId = card.blocks[3].elements[0].value as string;
    const { id, body } = click('axn_unbind', subsId);
    expect((await post(body)).status).toBe(200);
    await until(() => fake.hook(id).length === 1);
    expect(fake.hook(id)[0]).toMatchObject({ replace_original: true });
    expect(JSON.stringify(fake.hook(id)[0])).toContain('🔓 Unbound');
    expect((await activeBindings()).some((b) => b.subsId === subsId)).toBe(false);
  });

  it('/axn help and a parse error answer ephemerally with usage', async () => {
    const help = await post(commandBody('/axn', 'help').body);
    expect(help.json).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(help.json)).toContain('bind <A number>');
    const empty = await post(commandBody('/axn', '').body);
    expect(JSON.stringify(empty.json)).toContain('unbind <SubsId');
    const wrong = await post(commandBody('/bind', '13800138000 citty=北京').body);
    expect(wrong.json?.response_type).toBe('ephemeral');
    expect(JSON.stringify(wrong.json)).toContain('did you mean city?');
  });

  it('/axn info, list and /unbind work through the umbrella and verb commands', async () => {
    const bound = await bindCard('13900139000');
    expect(JSON.stringify(bound.blocks)).toContain('139****9000');
    const list = await post(commandBody('/axn', 'list').body);
    expect(JSON.stringify(list.json)).toContain('139****9000');
    const info = await post(commandBody('/axn', 'info 13900139000').body);
    expect(JSON.stringify(info.json)).toContain('active');
    const unbind = await post(commandBody('/unbind', '13900139000').body);
    expect(JSON.stringify(unbind.json)).toContain('🔓 Unbound');
  });

  it('refuses by policy ephemerally: admin-only option, list all, channel, rate limit', async () => {
    const pool = await post(commandBody('/bind', '13700137000 pool=FC-DEMO').body);
    expect(pool.json).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(pool.json)).toContain('Only axnbot admins');
    expect(JSON.stringify((await post(commandBody('/axn', 'list all').body)).json)).toContain(
      'Only axnbot admins',
    );
    const channel = await post(commandBody('/bind', '13700137000', { channel_id: 'C9' }).body);
    expect(JSON.stringify(channel.json)).toContain('not enabled in this channel');
    const bulk = Array.from({ length: 20 }, (_, i) => `135${String(i).padStart(8, '0')}`).join(' ');
    const many = await bindCard(bulk, { user_id: 'U5' });
    expect(JSON.stringify(many.blocks)).toContain('20 of 20 bound');
    const more = await post(
      commandBody('/bind', '13400134000 13400134001 13400134002 13400134003 13400134004 13400134005', {
        user_id: 'U5',
      }).body,
    );
    expect(JSON.stringify(more.json)).toContain('binding too fast');
  });

  it('a slow upstream takes the "working…" path, then posts the card', async () => {
    await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'BindAxnExtension', count: 1, delayMs: 3000 }),
    });
    const { id, body } = commandBody('/bind', '13600136000');
    const started = Date.now();
    const from = fake.posted.length;
    const res = await post(body);
    expect(Date.now() - started).toBeLessThan(2900);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: '⏳ Working on it…' });
    const [posted] = await postsFrom(from);
    expect(posted?.channel).toBe('C1');
    expect(JSON.stringify(posted?.blocks)).toContain('136****6000');
    expect(fake.hook(id)).toEqual([]);
  });

  it('a retried delivery binds once, posts one card, and shows the same card to the invoker alone', async () => {
    const { id, body } = commandBody('/bind', '13500135999');
    const from = fake.posted.length;
    const first = await post(body);
    expect(first.text).toBe('');
    const [card] = await postsFrom(from);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a retry carries a new timestamp and signature
    const retry = await post(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(retry.status).toBe(200);
    await until(() => fake.hook(id).length === 1);
    expect(fake.hook(id)[0]).toMatchObject({ response_type: 'ephemeral', blocks: card?.blocks });
    expect(fake.posted.length).toBe(from + 1);
    expect((await activeBindings()).filter((b) => b.phoneA === '13500135999')).toHaveLength(1);
  });

  it('in a channel it is not a member of, the card is the answer, with a note once that calls come by DM', async () => {
    const from = fake.posted.length;
    const hooksBefore = fake.calls.filter((call) => call.path.startsWith('/hooks/')).length;
    for (const phone of ['13500135001', '13500135002'])
      expect((await post(commandBody('/bind', phone, { channel_id: 'C2' }).body)).text).toBe('');
    const answered = () => fake.calls.filter((call) => call.path.startsWith('/hooks/')).slice(hooksBefore);
    await until(() => answered().length === 2);
    const answers = answered().map((call) => JSON.parse(call.body) as Record<string, any>);
    expect(answers.map((answer) => answer.response_type)).toEqual(['in_channel', 'in_channel']);
    expect(JSON.stringify(answers[0]?.blocks)).toContain('135****5001');
    expect(JSON.stringify(answers[0]?.blocks)).toContain(
      'axnbot is not a member of this channel, so calls on these bindings go to <@U1> as a direct message.',
    );
    expect(JSON.stringify(answers[1]?.blocks)).toContain('135****5002');
    expect(JSON.stringify(answers[1]?.blocks)).not.toContain('not a member');
    expect(fake.posted.length).toBe(from);
  });

  it("posts each call in the thread of its binding's card, once, with the recording for the binder alone", async () => {
    const bound = await bindCard('13800138111 record=yes');
    const subsId = bound.blocks[3].elements[0].value as string;
    const x = /\*(170 \d{4} \d{4})\* ext \*(\d+)\*/.exec(bound.blocks[0].text.text);
    const [secretNo, ext] = [x?.[1]?.replace(/ /g, ''), x?.[2]];
    const thread = () => fake.posted.filter((message) => message.thread_ts === bound.ts);
    const call = async (body: Record<string, unknown>) => {
      const response = await fetch(`${emu.url}/_emulator/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ secretNo, digits: ext, ...body }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { callId: string; receipts: Array<{ id: number; type: string }> };
    };

    const answered = await call({ caller: '13912345678', talkSeconds: 72 });
    await until(() => thread().some((message) => String(message.text).includes('1m 12s')), 10_000);
    const line = thread().find((message) => String(message.text).includes('1m 12s')) as Record<string, any>;
    expect(line.channel).toBe('C1');
    expect(line.text).toContain('139****5678');
    expect(line.blocks[0].accessory).toMatchObject({ action_id: 'axn_recording', value: answered.callId });

    // A minute later (on the emulator's clock), a call nobody answers.
    await fetch(`${emu.url}/_emulator/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advance: '1m' }),
    });
    const missed = await call({ caller: '13912340000', answer: 'no-answer' });
    await until(() => thread().some((message) => String(message.text).includes('139****0000')), 10_000);
    const missedLine = thread().find((message) => String(message.text).includes('139****0000'));
    expect(missedLine?.text).toMatch(/no answer/i);

    // Aliyun re-pushes when it misses an answer: the duplicate is recognised and posts nothing.
    const posts = fake.posted.length;
    const report = missed.receipts.find((receipt) => receipt.type === 'SecretReport');
    const repush = await fetch(`${emu.url}/_emulator/receipts/${report?.id}/repush`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(((await repush.json()) as { delivered: boolean }).delivered).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.posted.length).toBe(posts);

    // "▶ Recording": someone else is refused, privately; the binder gets a fresh link, privately.
    const other = click('axn_recording', answered.callId, 'U2');
    expect((await post(other.body)).status).toBe(200);
    await until(() => fake.hook(other.id).length === 1);
    expect(fake.hook(other.id)[0]).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(fake.hook(other.id)[0])).not.toContain('http');
    const mine = click('axn_recording', answered.callId, 'U1');
    expect((await post(mine.body)).status).toBe(200);
    await until(() => fake.hook(mine.id).length === 1);
    expect(fake.hook(mine.id)[0]).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(fake.hook(mine.id)[0])).toMatch(/<http:\/\/127\.0\.0\.1:\d+\/[^|>]+\|▶ Recording>/);

    // `calls` lists both, newest first, masked.
    const listed = await post(commandBody('/axn', `calls ${subsId}`).body);
    const text = JSON.stringify(listed.json);
    expect(listed.json?.response_type).toBe('ephemeral');
    expect(text.indexOf('139****0000')).toBeLessThan(text.indexOf('139****5678'));
    expect(text).not.toMatch(/13912345678|13912340000|13800138111/);
    // `info` shows the binding's last call.
    const info = JSON.stringify((await post(commandBody('/axn', `info ${subsId}`).body)).json);
    expect(info).toMatch(/last call: \d\d-\d\d \d\d:\d\d · 139\*\*\*\*0000 called 138\*\*\*\*8111/);
  });

  it('refuses a receipt push without the right token, storing nothing', async () => {
    const push = (query: string) =>
      fetch(`http://127.0.0.1:${port}/aliyun/receipts/SecretReport${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ call_id: 'forged-1', sub_id: 1, phone_no: '13800138000' }]),
      });
    expect((await push('')).status).toBe(401);
    expect((await push('?token=wrong-token-0123456789')).status).toBe(401);
    const listed = await post(commandBody('/axn', 'calls 13800138000').body);
    expect(JSON.stringify(listed.json)).not.toContain('forged');
  });

  it('bad signature, stale timestamp and a replayed request → 401, nothing executed', async () => {
    const before = (await activeBindings()).length;
    const { body } = commandBody('/bind', '13300133000');
    const bad = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-slack-signature': 'v0=deadbeef',
      },
      body,
    });
    expect(bad.status).toBe(401);
    const stale = await post(body, sign(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60));
    expect(stale.status).toBe(401);
    const headers = sign(SECRET, commandBody('/axn', 'help').body);
    const helpBody = commandBody('/axn', 'list').body;
    const signed = sign(SECRET, helpBody);
    expect((await post(helpBody, signed)).status).toBe(200);
    expect((await post(helpBody, signed)).status).toBe(401);
    expect(headers['x-slack-signature']).not.toBe(signed['x-slack-signature']);
    expect((await activeBindings()).length).toBe(before);
    const log = bot.stdout() + bot.stderr();
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain('xoxb-test-token');
    // The refusals were logged, each as a JSON line naming why.
    await until(() => bot.log().some((line) => line.msg.startsWith('refused')));
  });

  it('logs JSON lines only, at debug level too, with no secret and no number in clear', async () => {
    // A bind whose answer is lost after it took effect: the service reconciles, and logs why.
    await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'BindAxnExtension', count: 1, code: 'isp.SYSTEM_ERROR' }),
    });
    const failed = await bindCard('13900139111');
    expect(JSON.stringify(failed.blocks)).toContain('139****9111');
    await until(() => bot.log().some((line) => line.msg === 'aliyun call failed'));
    const failedId = bot.log().find((line) => line.msg === 'aliyun call failed')?.correlationId;
    // The command's own line is written once its reply has gone out.
    await until(() =>
      bot.log().some((line) => line.msg === 'command handled' && line.correlationId === failedId),
    );
    const lines = expectCleanLog(bot, [SECRET, 'xoxb-test-token', 'testsecret', 'slack-e2e-hash-key']);
    const commands = lines.filter((line) => line.msg === 'command handled');
    expect(commands.length).toBeGreaterThan(0);
    expect(
      commands.every((line) => typeof line.correlationId === 'string' && line.component === 'slack-bot'),
    ).toBe(true);
    const failure = lines.find((line) => line.msg === 'aliyun call failed');
    // A server error on a write is an unknown outcome, never a failure to repeat blindly.
    expect(failure).toMatchObject({
      level: 'warn',
      action: 'BindAxnExtension',
      code: 'local.OUTCOME_UNKNOWN',
    });
    expect(typeof failure?.correlationId).toBe('string');
    // The same command's other lines carry the same id: its Aliyun calls, with their RequestIds.
    const sameCommand = lines.filter((line) => line.correlationId === failure?.correlationId);
    expect(sameCommand.some((line) => line.msg === 'aliyun call' && typeof line.requestId === 'string')).toBe(
      true,
    );
    expect(sameCommand.some((line) => line.msg === 'command handled')).toBe(true);
    // At debug level Bolt's own lines come through the same logger, naming which part of Bolt.
    expect(lines.some((line) => line.level === 'debug' && typeof line.source === 'string')).toBe(true);
  });

  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true });
    // Ready, and saying the rate limits are this process's own (no AXN_REDIS_URL).
    expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).toEqual({
      ready: true,
      limits: { mode: 'local', detail: 'each process limits on its own (AXN_REDIS_URL is not set)' },
    });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/axn_commands_total\{platform="slack",verb="bind",outcome="ok"\} \d+/);
    expect(metrics).toMatch(/axn_commands_total\{platform="slack",verb="bind",outcome="denied"\} \d+/);
    expect(metrics).toMatch(/axn_command_seconds_bucket\{le="\+Inf",platform="slack",verb="bind"\} \d+/);
    expect(metrics).toMatch(/axn_aliyun_calls_total\{action="BindAxnExtension",code="OK"\} \d+/);
    expect(metrics).toMatch(/axn_aliyun_call_seconds_count\{action="BindAxnExtension"\} \d+/);
    expect(metrics).toMatch(/axn_ledger_seconds_count\{operation="claimDelivery"\} \d+/);
    expect(metrics).toMatch(/^axn_bindings_active \d+$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+$/m);
  });

  it('never called auth.test (the bot ids are configured)', () => {
    expect(fake.calls.some((call) => call.path.startsWith('/api/auth.test'))).toBe(false);
  });
});

/** A form payload (interactivity), signed and posted like Slack's. */
function interaction(payload: Record<string, unknown>) {
  return post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
}

/** A submission of the bind form with these inputs (`state.values`, as Slack sends them). */
function submitForm(
  view: { id: string; private_metadata?: string },
  values: Record<string, unknown>,
  user = 'U1',
) {
  const state = Object.fromEntries(Object.entries(values).map(([block, input]) => [block, { value: input }]));
  return interaction({
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: { id: user, username: user === 'U1' ? 'alice' : 'mallory', name: 'alice', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'x',
    trigger_id: `submit-${++trigger}`,
    view: {
      id: view.id,
      type: 'modal',
      callback_id: 'axn_bind_form',
      private_metadata: view.private_metadata ?? '{}',
      state: { values: state },
      hash: `h-${trigger}`,
    },
  });
}

describe('the bind form and the Home tab', () => {
  let form: Record<string, any>;

  it('/bind alone opens the form, with the cities the pool has and where it was opened', async () => {
    const opened = fake.opened.length;
    const { body } = commandBody('/bind', '');
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await until(() => fake.opened.length === opened + 1);
    form = fake.opened[opened] as Record<string, any>;
    expect(form.trigger_id).toMatch(/^trigger-/);
    expect(form.view).toMatchObject({
      type: 'modal',
      callback_id: 'axn_bind_form',
      submit: { text: 'Bind' },
    });
    expect(JSON.parse(form.view.private_metadata)).toEqual({ channelId: 'C1' });
    const blocks = form.view.blocks as Array<Record<string, any>>;
    expect(blocks.map((block) => block.block_id).filter(Boolean)).toEqual([
      'phones',
      'city',
      'city_other',
      'expires',
      'until_date',
      'until_time',
      'recording',
      'note',
    ]);
    // Earlier binds asked for 北京: the ledger has seen its numbers, and the service their cities.
    expect(blocks[1]?.element.options.map((o: { value: string }) => o.value)).toContain('北京');
    expect(blocks[5]?.element.timezone).toBe('Asia/Shanghai');
  });

  it('a bad number comes back on its field, in the user’s words; nothing is bound', async () => {
    const before = (await activeBindings()).length;
    const res = await submitForm(
      { id: form.id, private_metadata: form.view.private_metadata },
      {
        phones: { type: 'plain_text_input', value: '12345' },
      },
    );
    expect(res.json).toMatchObject({ response_action: 'errors', errors: { phones: expect.any(String) } });
    expect(res.json?.errors.phones).toMatch(/12345/);
    const half = await submitForm(
      { id: form.id },
      {
        phones: { type: 'plain_text_input', value: '13700137001' },
        until_date: { type: 'datepicker', selected_date: '2026-12-30' },
      },
    );
    expect(half.json).toEqual({
      response_action: 'errors',
      errors: { until_time: 'Pick both a date and a time, or neither.' },
    });
    expect((await activeBindings()).length).toBe(before);
  });

  it('a good submission binds once, however often it is sent, and posts the card where the form was opened', async () => {
    const from = fake.posted.length;
    const values = {
      phones: { type: 'plain_text_input', value: '13700137001\n137 0013 7002' },
      city: { type: 'static_select', selected_option: { value: '北京' } },
      expires: { type: 'static_select', selected_option: { value: '7d' } },
      recording: { type: 'checkboxes', selected_options: [{ value: 'yes' }] },
      note: { type: 'plain_text_input', value: 'order 42' },
    };
    const view = { id: form.id, private_metadata: form.view.private_metadata };
    const [first, second] = await Promise.all([submitForm(view, values), submitForm(view, values)]);
    expect([first.text, second.text]).toEqual(['', '']);
    const [card] = await postsFrom(from);
    expect(card?.channel).toBe('C1');
    expect(JSON.stringify(card?.blocks)).toContain('2 of 2 bound');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.posted.length).toBe(from + 1);
    const bound = (await activeBindings()).filter(
      (b) => b.phoneA === '13700137001' || b.phoneA === '13700137002',
    );
    expect(bound).toHaveLength(2);
  });

  it('the global shortcut opens the form without a channel; its card comes by DM', async () => {
    const opened = fake.opened.length;
    const res = await interaction({
      type: 'shortcut',
      callback_id: 'axn_bind_shortcut',
      trigger_id: `shortcut-${++trigger}`,
      team: { id: 'T1', domain: 'acme' },
      user: { id: 'U1', username: 'alice', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'x',
    });
    expect(res.status).toBe(200);
    await until(() => fake.opened.length === opened + 1);
    const view = fake.opened[opened] as Record<string, any>;
    expect(JSON.parse(view.view.private_metadata)).toEqual({});
    expect(JSON.stringify(view.view.blocks)).toContain('The result will come to you as a direct message.');
    const from = fake.posted.length;
    await submitForm({ id: view.id }, { phones: { type: 'plain_text_input', value: '13700137003' } });
    const [card] = await postsFrom(from);
    expect(card?.channel).toBe('D1');
    expect(JSON.stringify(card?.blocks)).toContain('137****7003');
  });

  it('the Home tab lists the user’s bindings, and its Extend button extends and refreshes it', async () => {
    const published = fake.published.length;
    const event = JSON.stringify({
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      token: 'x',
      event_id: `Ev${++trigger}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'U1', channel: 'DU1', tab: 'home', event_ts: '1.1' },
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(SECRET, event) },
      body: event,
    });
    expect(res.status).toBe(200);
    await until(() => fake.published.length === published + 1);
    const home = fake.published[published] as Record<string, any>;
    expect(home.user_id).toBe('U1');
    expect(home.view.type).toBe('home');
    const text = JSON.stringify(home.view.blocks);
    expect(text).toContain('137****7003');
    expect(text).not.toMatch(/1370013700\d/);
    expect(home.view.blocks.length).toBeLessThanOrEqual(100);
    // The binding called earlier shows its last call (masked); a user who is no admin sees no pool.
    expect(text).toMatch(/Last call: \d\d-\d\d \d\d:\d\d · 139\*\*\*\*0000 called 138\*\*\*\*8111/);
    expect(text).not.toContain('Pool (admins)');
    const extend = (home.view.blocks as Array<Record<string, any>>)
      .flatMap((block) => block.elements ?? [])
      .find((element: Record<string, any>) => element.action_id === 'axn_extend');
    expect(extend).toBeDefined();
    // Pressed on the tab: no response_url there; the tab is published again with the result on top.
    const pressed = await interaction({
      type: 'block_actions',
      api_app_id: 'A1',
      token: 'x',
      trigger_id: `home-${++trigger}`,
      team: { id: 'T1', domain: 'acme' },
      user: { id: 'U1', username: 'alice', team_id: 'T1' },
      container: { type: 'view', view_id: 'VHOME' },
      view: { id: 'VHOME', type: 'home' },
      actions: [
        { type: 'button', action_id: 'axn_extend', block_id: 'b1', value: extend.value, action_ts: '1.3' },
      ],
    });
    expect(pressed.status).toBe(200);
    await until(() => fake.published.length === published + 2);
    const refreshed = fake.published[published + 1] as Record<string, any>;
    expect(refreshed.view.blocks[1]).toMatchObject({ type: 'context' });
    expect(JSON.stringify(refreshed.view.blocks[1])).toContain('Extended');

    // An admin's tab also shows the pool, city by city.
    const admin = JSON.stringify({
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      token: 'x',
      event_id: `Ev${++trigger}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'UADMIN', channel: 'DUADMIN', tab: 'home', event_ts: '1.2' },
    });
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(SECRET, admin) },
      body: admin,
    });
    await until(() => fake.published.length === published + 3);
    const adminTab = JSON.stringify((fake.published[published + 2] as Record<string, any>).view.blocks);
    expect(adminTab).toContain('Pool (admins)');
    expect(adminTab).toMatch(/北京: \d+ X numbers seen · \d+ active/);
  });
});

describe('Socket Mode', () => {
  it('connects, answers a slash command envelope with the card, and binds a redelivered envelope once', async () => {
    const socketFake = await startFakeSlack({ socket: true });
    const statusPort = await freePort();
    const socketBot = await startBot({
      ...baseEnv(),
      PORT: String(statusPort),
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: 'xapp-test-token',
      SLACK_API_URL: `${socketFake.base}/api/`,
      SLACK_BOT_ID: 'BBOT',
      SLACK_BOT_USER_ID: 'UBOT',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'testsecret',
      AXN_ENDPOINT: emu.url,
      AXN_POOL_KEY: 'FC-DEMO',
      AXN_HASH_KEY: 'slack-e2e-hash-key-0123456789',
      AXN_DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'axn-slack-socket-')), 'ledger.db'),
      AXN_RECEIPT_TOKEN: RECEIPT_TOKEN,
    });
    try {
      await socketFake.connected;
      expect(socketFake.calls[0]?.path).toBe('/api/apps.connections.open');
      expect(socketFake.calls[0]?.headers.authorization).toBe('Bearer xapp-test-token');
      const envelope = {
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          command: '/bind',
          text: '13200132000 city=上海',
          team_id: 'T1',
          channel_id: 'C1',
          user_id: 'U1',
          user_name: 'alice',
          response_url: `${socketFake.base}/hooks/s1`,
          trigger_id: 'sock-1',
        },
      };
      socketFake.send(envelope);
      await until(() => socketFake.fromApp.some((ack) => ack.envelope_id === 'env-1'));
      // Acknowledged with nothing; the card is posted with chat.postMessage, as over HTTP.
      const ack = socketFake.fromApp.find((message) => message.envelope_id === 'env-1') as {
        payload?: Record<string, any>;
      };
      expect(ack.payload ?? {}).toEqual({});
      await until(() => socketFake.posted.length === 1, 10_000);
      expect(socketFake.posted[0]?.channel).toBe('C1');
      expect(JSON.stringify(socketFake.posted[0]?.blocks)).toContain('132****2000');
      socketFake.send({ ...envelope, envelope_id: 'env-2', retry_attempt: 1, retry_reason: 'timeout' });
      socketFake.send({ ...envelope, envelope_id: 'env-1' });
      await until(() => socketFake.fromApp.filter((message) => 'envelope_id' in message).length >= 3);
      expect((await activeBindings()).filter((b) => b.phoneA === '13200132000')).toHaveLength(1);
      // Socket Mode opens no port for Slack, yet health, readiness and metrics are served on PORT.
      const status = `http://127.0.0.1:${statusPort}`;
      expect(await (await fetch(`${status}/healthz`)).json()).toEqual({ ok: true });
      expect(await (await fetch(`${status}/readyz`)).json()).toEqual({
        ready: true,
        limits: { mode: 'local', detail: 'each process limits on its own (AXN_REDIS_URL is not set)' },
      });
      const scraped = await (await fetch(`${status}/metrics`)).text();
      // Each delivery of the envelope is a command handled (the bind ran once; the ledger says so above).
      expect(
        Number(/axn_commands_total\{platform="slack",verb="bind",outcome="ok"\} (\d+)/.exec(scraped)?.[1]),
      ).toBeGreaterThanOrEqual(1);
      expect(scraped).toMatch(/axn_aliyun_calls_total\{action="BindAxnExtension",code="OK"\} 1$/m);
      expect((await fetch(`${status}/slack/events`, { method: 'POST' })).status).toBe(404);
      // Aliyun's receipt push is served on the same port in Socket Mode.
      const push = (token: string) =>
        fetch(`${status}/aliyun/receipts/SecretReport?token=${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '[]',
        });
      expect((await push('wrong-token-0123456789')).status).toBe(401);
      const accepted = await push(RECEIPT_TOKEN);
      expect({ status: accepted.status, body: await accepted.json() }).toEqual({
        status: 200,
        body: { code: 0, msg: '接收成功' },
      });

      // Readiness follows the live socket: Slack delivers nothing while it is down.
      const readiness = async () => {
        const response = await fetch(`${status}/readyz`);
        return { status: response.status, body: await response.json() };
      };
      socketFake.dropSocket();
      await untilAsync(async () => (await readiness()).status === 503, 15_000);
      expect(await readiness()).toEqual({
        status: 503,
        body: {
          ready: false,
          reason: 'not connected to Slack',
          limits: { mode: 'local', detail: 'each process limits on its own (AXN_REDIS_URL is not set)' },
        },
      });
      expect((await fetch(`${status}/healthz`)).status).toBe(200);
      socketFake.release();
      await untilAsync(async () => (await readiness()).status === 200, 30_000);
      const log = socketBot.log();
      expect(
        log.some((line) => line.level === 'warn' && line.msg.startsWith('lost the connection to Slack')),
      ).toBe(true);
      expect(log.some((line) => line.msg === 'reconnected to Slack')).toBe(true);
      expect(socketBot.stderr()).toBe('');
    } finally {
      socketBot.child.kill('SIGTERM');
      expect(await socketBot.exited).toBe(0);
      await socketFake.close();
    }
  }, 60_000);
});

describe('configuration', () => {
  it.each([
    [{}, 'SLACK_BOT_TOKEN is required'],
    [{ SLACK_BOT_TOKEN: 'nope' }, 'SLACK_BOT_TOKEN must be a bot token starting with xoxb-'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET is required in HTTP mode'],
    [
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret-secret', PORT: 'http' },
      'PORT must be a port number',
    ],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret-secret' }, 'AXN_POOL_KEY is required'],
  ])('%j stops with one error line', async (env, message) => {
    const child = spawn(process.execPath, [BIN], {
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const log = parseLog(stdout);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ level: 'error', component: 'slack-bot' });
    expect(log[0]?.msg.startsWith(message)).toBe(true);
  });
});
