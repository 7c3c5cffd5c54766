#!/usr/bin/env node
import { ConfigError } from '@axnbot/chatops';
import { AxnError } from '@axnbot/core';
import { startSlackBot } from './main.js';

// Started with --expose-gc (benchmarks, memory investigations), SIGUSR2 runs a full collection, so that
// resident memory can be read without garbage in it.
const collect = (globalThis as { gc?: () => void }).gc;
if (collect) process.on('SIGUSR2', () => collect());

try {
  const bot = await startSlackBot(process.env);
  const where = bot.port !== undefined ? `http://0.0.0.0:${bot.port}/slack/events` : 'Socket Mode';
  process.stdout.write(`axnbot slack-bot ready on ${where}\n`);
  const stop = () => {
    bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  // One line that names what is wrong; never a stack trace, never a secret.
  const known = error instanceof ConfigError || (error instanceof AxnError && error.code === 'local.CONFIG');
  process.stderr.write(
    `slack-bot: ${known ? '' : 'could not start: '}${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
