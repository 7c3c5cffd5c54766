#!/usr/bin/env node
import { runBotProcess } from '@axnbot/chatops';
import { startSlackBot } from './main.js';

await runBotProcess('slack-bot', () => startSlackBot(process.env));
