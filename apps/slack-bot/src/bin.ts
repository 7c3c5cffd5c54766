#!/usr/bin/env node
import { loggerFromEnv, runBotProcess } from '@axnbot/chatops';
import { describeError } from './log-line.js';
import { startSlackBot } from './main.js';

// One JSON object a line on stdout (AXN_LOG_FORMAT=pretty for a terminal), from the bot, Bolt and
// the binding service alike.
const logger = loggerFromEnv(process.env, 'slack-bot');

// Bolt and the Web API client start promises no one awaits; a rejection among them must not end the
// bot (Node's default) nor print a stack: one line, and the bot carries on serving.
process.on('unhandledRejection', (reason) => {
  logger.error('an operation failed in the background', { error: describeError(reason) });
});

await runBotProcess(logger, () => startSlackBot(process.env, logger));
