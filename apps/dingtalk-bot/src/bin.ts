#!/usr/bin/env node
import { runBotProcess } from '@axnbot/chatops';
import { startDingTalkBot } from './main.js';

// dingtalk-stream prints "connect success" and raw socket errors with console.info/warn; the bot logs
// its own connection events instead, without the SDK's objects.
console.info = () => {};
console.warn = () => {};

await runBotProcess('dingtalk-bot', () => startDingTalkBot(process.env));
