import { createServer } from 'node:net';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingTalk } from './fake-dingtalk.js';
import { botEnv, expectCleanLog, freePort, hasLogged, spawnBot, until } from './spawn-bot.js';

/**
 * Issue 10, item 6: credentials the gateway refuses stop the bot with one line naming them; a network
 * failure is retried with a line saying what the bot waits for.
 */

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo' });
});
afterAll(async () => {
  await emu?.close();
});

const REFUSED =
  /^DINGTALK_CLIENT_ID \/ DINGTALK_CLIENT_SECRET were refused by the DingTalk gateway \(HTTP (401|403)\): set them to /;

describe('start-up', () => {
  it.each([401, 403])(
    'credentials the gateway refuses (HTTP %i) stop the bot with one line naming them, after one try',
    async (status) => {
      const fake = await startFakeDingTalk();
      fake.refuseCredentials(status);
      try {
        const bot = spawnBot(botEnv({ gatewayBase: fake.base, emulatorUrl: emu.url }));
        expect(await bot.exited).toBe(1);
        const lines = expectCleanLog(bot, ['ding-client-secret-value']);
        expect(lines).toHaveLength(1);
        expect(lines[0]?.level).toBe('error');
        expect(lines[0]?.msg).toMatch(REFUSED);
        expect(lines[0]?.msg).toContain(`HTTP ${status}`);
        expect(fake.gatewayBodies).toHaveLength(1);
      } finally {
        await fake.close();
      }
    },
  );

  it('credentials refused later (after a reconnect) stop the bot with the same line', async () => {
    const fake = await startFakeDingTalk();
    const bot = spawnBot(botEnv({ gatewayBase: fake.base, emulatorUrl: emu.url }));
    try {
      await fake.connected();
      await until(() => hasLogged(bot, 'axnbot dingtalk-bot started'));
      fake.refuseCredentials(401);
      fake.dropConnection();
      expect(await bot.exited).toBe(1);
      const errors = expectCleanLog(bot, ['ding-client-secret-value']).filter(
        (line) => line.level === 'error',
      );
      expect(errors.map((line) => line.msg)).toEqual([expect.stringMatching(REFUSED)]);
      expect(fake.gatewayBodies).toHaveLength(2);
    } finally {
      bot.child.kill('SIGTERM');
      await fake.close();
    }
  });

  it('an unreachable gateway is waited for, one line per try saying what for, and then connected to', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const bot = spawnBot(botEnv({ gatewayBase: base, emulatorUrl: emu.url }));
    let fake: Awaited<ReturnType<typeof startFakeDingTalk>> | undefined;
    try {
      await until(() => hasLogged(bot, 'axnbot dingtalk-bot started'), 10_000);
      await until(() => /connection attempt 2 failed/.test(bot.stdout()), 5_000);
      expect(bot.child.exitCode).toBeNull();
      fake = await startFakeDingTalk({ port });
      await fake.connected();
      await until(() => hasLogged(bot, 'connected'));
      const failures = bot.log().filter((line) => line.msg.includes('failed'));
      expect(failures.length).toBeGreaterThanOrEqual(2);
      for (const line of failures)
        expect(line.msg).toMatch(
          new RegExp(
            `^connection attempt \\d+ failed \\(could not reach the gateway: fetch failed \\(ECONNREFUSED\\)\\); waiting for the DingTalk gateway at ${base}/v1\\.0/gateway/connections/open, next try in \\d+ ms$`,
          ),
        );
      expect(bot.stderr()).toBe('');
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
      await fake?.close();
    }
  });

  it('a busy PORT stops the bot with one line naming PORT', async () => {
    const fake = await startFakeDingTalk();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, resolve));
    const { port } = squatter.address() as { port: number };
    try {
      const bot = spawnBot(
        botEnv({ gatewayBase: fake.base, emulatorUrl: emu.url, extra: { PORT: String(port) } }),
      );
      expect(await bot.exited).toBe(1);
      const errors = expectCleanLog(bot, []).filter((line) => line.level === 'error');
      expect(errors.map(({ level, msg }) => ({ level, msg }))).toEqual([
        { level: 'error', msg: `PORT ${port} is already in use: set PORT to a free port, or leave it unset` },
      ]);
    } finally {
      squatter.close();
      await fake.close();
    }
  });
});
