#!/usr/bin/env node
import { runBotProcess } from '@axnbot/chatops';
import { describeError } from './log-line.js';
import { startSlackBot } from './main.js';

// Bolt and the Web API client start promises no one awaits; a rejection among them must not end the
// bot (Node's default) nor print a stack: one line, and the bot carries on serving.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`slack-bot: an operation failed in the background: ${describeError(reason)}\n`);
});

await runBotProcess('slack-bot', () => startSlackBot(process.env));
