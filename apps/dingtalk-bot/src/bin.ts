#!/usr/bin/env node
import { loggerFromEnv, runBotProcess } from '@axnbot/chatops';
import { startDingTalkBot } from './main.js';

// One JSON object a line on stdout (AXN_LOG_FORMAT=pretty for a terminal), from the bot, the stream
// client and the binding service alike.
const logger = loggerFromEnv(process.env, 'dingtalk-bot');

await runBotProcess(logger, async () => {
  const bot = await startDingTalkBot(process.env, logger);
  // Credentials refused after start-up (say, the secret was rotated): the same one line as at start,
  // then exit 1 — reconnecting forever could not help.
  void bot.failed.then(async (error) => {
    logger.error(error.message);
    await bot.stop().catch(() => {});
    process.exit(1);
  });
  return bot;
});
