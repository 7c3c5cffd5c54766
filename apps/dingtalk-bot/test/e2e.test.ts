import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { robotText, startFakeDingTalk } from './fake-dingtalk.js';
import {
  BIN,
  expectCleanLog,
  freePort,
  hasLogged,
  parseLog,
  type SpawnedBot,
  spawnBot,
  until,
} from './spawn-bot.js';

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(AXN_|DINGTALK_|ALIBABA_)/.test(key)) env[key] = value;
  return env;
}

/** Starts the bot as a user does: its start script's entry, real environment variables. */
async function startBot(env: NodeJS.ProcessEnv): Promise<SpawnedBot> {
  const bot = spawnBot(env);
  await Promise.race([
    until(() => hasLogged(bot, 'axnbot dingtalk-bot started'), 10_000),
    bot.exited.then((code) => Promise.reject(new Error(`exited ${code}: ${bot.stdout()}${bot.stderr()}`))),
  ]);
  return bot;
}

let emu: Emulator;

function botEnv(
  fake: Awaited<ReturnType<typeof startFakeDingTalk>>,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    DINGTALK_CLIENT_ID: 'ding-client-id',
    DINGTALK_CLIENT_SECRET: 'ding-client-secret-value',
    DINGTALK_GATEWAY_URL: fake.gatewayUrl,
    DINGTALK_API_URL: fake.base,
    DINGTALK_RECONNECT_BASE_MS: '100',
    DINGTALK_RECONNECT_MAX_MS: '400',
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'testsecret',
    AXN_ENDPOINT: emu.url,
    AXN_POOL_KEY: 'FC-DEMO',
    AXN_HASH_KEY: 'dingtalk-e2e-hash-key-0123456789',
    AXN_DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'axn-ding-')), 'ledger.db'),
    AXN_ADMINS: 'dingtalk:admin001',
    ...extra,
  };
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo' });
});
afterAll(async () => {
  await emu?.close();
});

describe('robot messages end to end', () => {
  let fake: Awaited<ReturnType<typeof startFakeDingTalk>>;
  let bot: SpawnedBot;

  beforeAll(async () => {
    fake = await startFakeDingTalk();
    bot = await startBot(botEnv(fake, { PORT: '0', AXN_LOG_LEVEL: 'debug' }));
    await fake.connected();
  });
  afterAll(async () => {
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    await fake.close();
  });

  const webhookFor = (message: { sessionWebhook: string }) =>
    fake.webhookCalls.filter((call) => message.sessionWebhook.endsWith(call.path));

  it('subscribes to the robot topic through the configured gateway', () => {
    expect(fake.gatewayBodies[0]).toMatchObject({
      clientId: 'ding-client-id',
      clientSecret: 'ding-client-secret-value',
      subscriptions: expect.arrayContaining([
        { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
        // Card button presses, always (cards sent while a template was set keep working).
        { type: 'CALLBACK', topic: '/v1.0/card/instances/callback' },
      ]),
    });
  });

  it('acks at once, binds from a Chinese @mention, and replies in markdown that @-mentions the sender', async () => {
    const message = robotText(fake.base, ' 绑定 13800138000 城市=北京 有效期=2天');
    const id = fake.pushRobotMessage(message);
    await until(() => webhookFor(message).length === 1);
    expect(fake.upFrames.find((frame) => frame.headers.messageId === id)).toEqual({
      code: 200,
      headers: { contentType: 'application/json', messageId: id },
      message: 'OK',
      data: JSON.stringify({ response: { ok: true } }),
    });
    const { body } = webhookFor(message)[0]!;
    expect(body.msgtype).toBe('markdown');
    expect(body.at).toEqual({ atUserIds: ['staff001'], isAtAll: false });
    expect(body.markdown.title).toBe('绑定成功');
    const text = body.markdown.text as string;
    expect(text.startsWith('@staff001\n')).toBe(true);
    expect(text).toContain('**A号码**：138****8000');
    expect(text).toMatch(/\*\*隐私号\*\*：170 0000 00\d\d　\*\*分机号\*\*：\d{3}/);
    expect(text).toMatch(/\[170000000\d\d,,\d{3}\]\(tel:\+86170000000\d\d,,\d{3}\)/);
    expect(text).toContain('**城市**：北京');
    expect(text).toMatch(/\*\*有效期至\*\*：\d{4}-\d\d-\d\d \d\d:\d\d（北京时间，2天后）/);
    const subsId = /\*\*绑定ID\*\*：(\d{19})/.exec(text)?.[1];
    expect(subsId).toBeDefined();
    expect(text).toContain(
      `[解绑](dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(`解绑 ${subsId}`)})`,
    );
    expect(text).toContain(
      `[延期 1 天](dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(`延期 ${subsId} 1d`)})`,
    );
    expect(text).not.toContain('13800138000');
  });

  it('takes English commands, other people’s leading @mentions, richText, and single chats', async () => {
    const english = robotText(fake.base, '@李四 /bind 13900139000 city=上海 expires=2d');
    fake.pushRobotMessage(english);
    await until(() => webhookFor(english).length === 1);
    expect(webhookFor(english)[0]!.body.markdown.text).toContain('139****9000');
    const rich = robotText(fake.base, '', {
      msgtype: 'richText',
      text: undefined,
      content: { richText: [{ text: '@王五 ' }, { text: '查询 13900139000' }] },
    });
    fake.pushRobotMessage(rich);
    await until(() => webhookFor(rich).length === 1);
    expect(webhookFor(rich)[0]!.body.markdown.text).toContain('**139****9000**（生效中）');
    const single = robotText(fake.base, '帮助', { conversationType: '1', conversationId: 'cidSingle==' });
    fake.pushRobotMessage(single);
    await until(() => webhookFor(single).length === 1);
    const help = webhookFor(single)[0]!.body;
    expect(help.markdown.text.startsWith('@')).toBe(false);
    expect(help.markdown.text).toContain('- 绑定 ＜A号码＞ [更多A号码…]');
  });

  it('a redelivered msgId binds once and is answered once', async () => {
    const message = robotText(fake.base, ' 绑定 13700137000');
    fake.pushRobotMessage(message, 'redeliver-1');
    fake.pushRobotMessage(message, 'redeliver-2');
    await until(
      () =>
        webhookFor(message).length >= 1 &&
        fake.upFrames.filter((f) => f.headers.messageId?.startsWith('redeliver-')).length === 2,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(webhookFor(message)).toHaveLength(1);
    const { bindings } = (await (
      await fetch(`${emu.url}/_emulator/bindings?status=active&limit=1000`)
    ).json()) as {
      bindings: Array<{ phoneA: string }>;
    };
    expect(bindings.filter((b) => b.phoneA === '13700137000')).toHaveLength(1);
  });

  it('refuses by policy and says why (admin-only option)', async () => {
    const message = robotText(fake.base, ' 绑定 13600136000 号池=FC-DEMO');
    fake.pushRobotMessage(message);
    await until(() => webhookFor(message).length === 1);
    expect(webhookFor(message)[0]!.body.markdown.text).toContain('只有 axnbot 管理员可以这样做');
    const wrong = robotText(fake.base, ' 绑定 13600136000 城巿=北京');
    fake.pushRobotMessage(wrong);
    await until(() => webhookFor(wrong).length === 1);
    expect(webhookFor(wrong)[0]!.body.markdown.text).toContain('您是不是想输入 城市？');
  });

  it('replies through the OpenAPI when the session webhook has expired (group and single chat)', async () => {
    const group = robotText(fake.base, ' 绑定 13500135000', { sessionWebhookExpiredTime: Date.now() - 1000 });
    fake.pushRobotMessage(group);
    await until(() => fake.openApiCalls.some((call) => call.path === '/v1.0/robot/groupMessages/send'));
    const token = fake.openApiCalls.find((call) => call.path === '/v1.0/oauth2/accessToken');
    expect(token?.body).toEqual({ appKey: 'ding-client-id', appSecret: 'ding-client-secret-value' });
    const send = fake.openApiCalls.find((call) => call.path === '/v1.0/robot/groupMessages/send')!;
    expect(send.headers['x-acs-dingtalk-access-token']).toBe('token-1');
    expect(send.body).toMatchObject({
      robotCode: 'dingrobot',
      openConversationId: 'cidGroup==',
      msgKey: 'sampleMarkdown',
    });
    expect(JSON.parse(send.body.msgParam).text).toContain('135****5000');
    const single = robotText(fake.base, '列表', {
      conversationType: '1',
      conversationId: 'cidSingle==',
      sessionWebhook: `${fake.base}/robot/sendBySession?session=expired-1`,
    });
    fake.pushRobotMessage(single);
    await until(() => fake.openApiCalls.some((call) => call.path === '/v1.0/robot/oToMessages/batchSend'));
    const batch = fake.openApiCalls.find((call) => call.path === '/v1.0/robot/oToMessages/batchSend')!;
    expect(batch.body).toMatchObject({
      robotCode: 'dingrobot',
      userIds: ['staff001'],
      msgKey: 'sampleMarkdown',
    });
    // The token is fetched once and reused.
    expect(fake.openApiCalls.filter((call) => call.path === '/v1.0/oauth2/accessToken')).toHaveLength(1);
  });

  it('splits a long list into several messages within the size limit', async () => {
    const phones = Array.from({ length: 20 }, (_, i) => `134${String(i).padStart(8, '0')}`).join(' ');
    const message = robotText(fake.base, ` 绑定 ${phones}`, { senderStaffId: 'admin001' });
    fake.pushRobotMessage(message);
    await until(() => webhookFor(message).length >= 2, 8000);
    const parts = webhookFor(message).map((call) => call.body.markdown);
    for (const part of parts) expect(part.text.length).toBeLessThanOrEqual(3500);
    expect(parts[0].title).toMatch(/^批量绑定 20\/20 \(1\/\d\)$/);
  });

  it('without DINGTALK_CARD_TEMPLATE_ID no card is ever sent: every answer above was markdown', () => {
    expect(fake.openApiCalls.filter((call) => call.path.startsWith('/v1.0/card/'))).toEqual([]);
  });

  it('logs JSON lines only, at debug level too, with no secret and no number in clear', () => {
    const lines = expectCleanLog(bot, ['ding-client-secret-value', 'testsecret', 'dingtalk-e2e-hash-key']);
    // The log is useful as well as clean: each command's line, with its id, and each Aliyun call's.
    const commands = lines.filter((line) => line.msg === 'command handled');
    expect(commands.length).toBeGreaterThan(5);
    for (const line of commands) expect(line).toMatchObject({ component: 'dingtalk-bot', level: 'info' });
    expect(commands.every((line) => typeof line.correlationId === 'string')).toBe(true);
    const calls = lines.filter((line) => line.msg === 'aliyun call' && line.action === 'BindAxnExtension');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0]).toMatchObject({
      code: 'OK',
      requestId: expect.any(String),
      durationMs: expect.any(Number),
    });
    expect(typeof calls[0]?.correlationId).toBe('string');
    expect(lines.some((line) => line.level === 'debug')).toBe(true);
  });
});

describe('staying connected', () => {
  it('five rejected upgrades → at most six gateway calls, then a connection', async () => {
    const fake = await startFakeDingTalk();
    fake.rejectNextUpgrades(5);
    const bot = await startBot(botEnv(fake));
    try {
      await fake.connected();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(fake.gatewayBodies.length).toBe(6);
      expect(bot.log().filter((line) => /^connection attempt \d failed/.test(line.msg))).toHaveLength(5);
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
      await fake.close();
    }
  });

  it('the server closing the socket → exactly one reconnect; a disconnect frame → a new connection that gets the next message', async () => {
    const fake = await startFakeDingTalk();
    const bot = await startBot(botEnv(fake));
    try {
      await fake.connected(1);
      fake.dropConnection();
      await fake.connected(2);
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(fake.connections).toBe(2);
      expect(fake.gatewayBodies).toHaveLength(2);

      fake.disconnect();
      const message = robotText(fake.base, ' 帮助');
      fake.pushRobotMessage(message); // pushed right after the disconnect frame
      await fake.connected(3);
      await until(() => fake.webhookCalls.some((call) => message.sessionWebhook.endsWith(call.path)));
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(fake.connections).toBe(3);
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
      await fake.close();
    }
  });

  it('SIGTERM → the process exits on its own and calls the gateway no more', async () => {
    const fake = await startFakeDingTalk();
    const bot = await startBot(botEnv(fake));
    await fake.connected();
    const calls = fake.gatewayBodies.length;
    const started = Date.now();
    bot.child.kill('SIGTERM');
    const code = await bot.exited;
    // On failure, show how the process ended and what it said.
    expect({
      code,
      signal: bot.child.signalCode,
      output: code === 0 ? '' : bot.stdout() + bot.stderr(),
    }).toEqual({
      code: 0,
      signal: null,
      output: '',
    });
    expect(Date.now() - started).toBeLessThan(4000);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(fake.gatewayBodies.length).toBe(calls);
    await fake.close();
  });

  it('serves /healthz and /metrics on PORT', async () => {
    const fake = await startFakeDingTalk();
    const port = await freePort();
    const bot = await startBot(botEnv(fake, { PORT: String(port) }));
    try {
      await fake.connected();
      await until(() => hasLogged(bot, 'connected'));
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true });
      expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).toEqual({
        ready: true,
        limits: { mode: 'local', detail: 'each process limits on its own (AXN_REDIS_URL is not set)' },
      });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('# TYPE axn_commands_total counter');
      expect(metrics).toContain('# TYPE axn_aliyun_call_seconds histogram');
      expect(metrics).toMatch(/^axn_bindings_active \d+$/m);
      expect(metrics).toMatch(/^process_resident_memory_bytes \d+$/m);
      // Stream mode is not ready while the DingTalk connection is down: readiness says why.
      await fake.close();
      let readiness = await fetch(`http://127.0.0.1:${port}/readyz`);
      for (let tries = 0; readiness.status !== 503 && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        readiness = await fetch(`http://127.0.0.1:${port}/readyz`);
      }
      expect(readiness.status).toBe(503);
      expect(await readiness.json()).toEqual({
        ready: false,
        reason: 'not connected to the DingTalk stream',
        limits: { mode: 'local', detail: 'each process limits on its own (AXN_REDIS_URL is not set)' },
      });
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
      await fake.close();
    }
  });
});

describe('configuration', () => {
  it.each([
    [{}, 'DINGTALK_CLIENT_ID is required'],
    [{ DINGTALK_CLIENT_ID: 'a' }, 'DINGTALK_CLIENT_SECRET is required'],
    [
      { DINGTALK_CLIENT_ID: 'a', DINGTALK_CLIENT_SECRET: 'b', DINGTALK_GATEWAY_URL: 'nope' },
      'DINGTALK_GATEWAY_URL must be an http(s) URL',
    ],
    [{ DINGTALK_CLIENT_ID: 'a', DINGTALK_CLIENT_SECRET: 'b' }, 'AXN_POOL_KEY is required'],
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
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(1);
    expect(stderr).toBe('');
    const log = parseLog(stdout);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ level: 'error', component: 'dingtalk-bot' });
    expect(log[0]?.msg.startsWith(message)).toBe(true);
  });
});
