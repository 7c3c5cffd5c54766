import { createServer } from 'node:net';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from './fake-slack.js';
import { freePort, httpBotEnv, spawnBot, until, waitForReady } from './spawn-bot.js';

/** Issue 10, item 6: start-up failures are one line — a setting to fix, or what the bot is waiting for. */

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo' });
});
afterAll(async () => {
  await emu?.close();
});

/** An HTTP-mode environment without the bot ids, so the bot must ask Slack (auth.test) who it is. */
async function envWithoutIds(slackBase: string, extra: Record<string, string> = {}) {
  const env = httpBotEnv({
    secret: 'startup-signing-secret',
    slackBase,
    emulatorUrl: emu.url,
    port: await freePort(),
    extra,
  });
  delete env.SLACK_BOT_ID;
  delete env.SLACK_BOT_USER_ID;
  return env;
}

describe('start-up', () => {
  it('a bot token Slack refuses stops the bot with one line naming SLACK_BOT_TOKEN', async () => {
    const fake = await startFakeSlack({ refuse: { 'auth.test': 'invalid_auth' } });
    try {
      const bot = spawnBot(await envWithoutIds(fake.base));
      expect(await bot.exited).toBe(1);
      expect(bot.stderr()).toBe('');
      expect(bot.log()).toEqual([
        expect.objectContaining({
          level: 'error',
          msg: expect.stringMatching(/^SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\): set it to /),
        }),
      ]);
      expect(bot.stdout()).not.toContain('xoxb-test-token');
      expect(fake.calls.map((call) => call.path)).toEqual(['/api/auth.test']);
    } finally {
      await fake.close();
    }
  });

  it('with Slack unreachable it waits, saying for what in one line per try, and starts once Slack answers', async () => {
    const port = await freePort();
    const bot = spawnBot(await envWithoutIds(`http://127.0.0.1:${port}`));
    let fake: Awaited<ReturnType<typeof startFakeSlack>> | undefined;
    try {
      await until(() => bot.stdout().includes('\n'), 8_000);
      expect(bot.child.exitCode).toBeNull();
      fake = await startFakeSlack({ port });
      await waitForReady(bot);
      const [ready, ...waits] = bot.log().reverse();
      expect(ready?.msg).toMatch(/^axnbot slack-bot ready on http:/);
      expect(waits.length).toBeGreaterThanOrEqual(1);
      for (const line of waits) {
        expect(line.level).toBe('warn');
        expect(line.msg).toMatch(
          /^waiting for Slack's Web API at http:\/\/127\.0\.0\.1:\d+\/api\/ \(auth\.test: .*ECONNREFUSED.*\); trying again in \d+ s$/,
        );
      }
      expect(bot.stderr()).toBe('');
      expect(fake.calls.some((call) => call.path === '/api/auth.test')).toBe(true);
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
      await fake?.close();
    }
  });

  it('a busy PORT stops the bot with one line naming PORT', async () => {
    const fake = await startFakeSlack();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, resolve));
    const { port } = squatter.address() as { port: number };
    try {
      const bot = spawnBot({ ...(await envWithoutIds(fake.base)), PORT: String(port) });
      expect(await bot.exited).toBe(1);
      expect(bot.stderr()).toBe('');
      expect(bot.log().map(({ level, msg }) => ({ level, msg }))).toEqual([
        { level: 'error', msg: `PORT ${port} is already in use: set PORT to a free port` },
      ]);
    } finally {
      squatter.close();
      await fake.close();
    }
  });

  it('an app-level token Slack refuses stops Socket Mode with one line naming SLACK_APP_TOKEN', async () => {
    const fake = await startFakeSlack({ socket: true, refuse: { 'apps.connections.open': 'invalid_auth' } });
    try {
      const env = await envWithoutIds(fake.base, { SLACK_APP_TOKEN: 'xapp-test-token' });
      const bot = spawnBot(env);
      expect(await bot.exited).toBe(1);
      expect(bot.stderr()).toBe('');
      expect(bot.log()).toEqual([
        expect.objectContaining({
          level: 'error',
          msg: expect.stringMatching(/^SLACK_APP_TOKEN was refused by Slack \(invalid_auth\)/),
        }),
      ]);
      expect(bot.stdout()).not.toContain('xapp-test-token');
    } finally {
      await fake.close();
    }
  });
});
