#!/usr/bin/env node
import { runBotProcess } from '@axnbot/chatops';
import { startDingTalkBot } from './main.js';

// dingtalk-stream prints "connect success" and raw socket errors with console.info/warn; the bot logs
// its own connection events instead, without the SDK's objects.
console.info = () => {};
console.warn = () => {};

await runBotProcess('dingtalk-bot', async () => {
  const bot = await startDingTalkBot(process.env);
  // Credentials refused after start-up (say, the secret was rotated): the same one line as at start,
  // then exit 1 — reconnecting forever could not help.
  void bot.failed.then(async (error) => {
    process.stderr.write(`dingtalk-bot: ${error.message}\n`);
    await bot.stop().catch(() => {});
    process.exit(1);
  });
  return bot;
});
