#!/usr/bin/env node
import { ConfigError } from '@axnbot/chatops';
import { AxnError } from '@axnbot/core';
import { startDingTalkBot } from './main.js';

// dingtalk-stream prints "connect success" and raw socket errors with console.info/warn; the bot logs
// its own connection events instead, without the SDK's objects.
console.info = () => {};
console.warn = () => {};

// Started with --expose-gc (benchmarks, memory investigations), SIGUSR2 runs a full collection, so that
// resident memory can be read without garbage in it.
const collect = (globalThis as { gc?: () => void }).gc;
if (collect) process.on('SIGUSR2', () => collect());

try {
  const bot = await startDingTalkBot(process.env);
  process.stdout.write('axnbot dingtalk-bot started\n');
  const stop = () => {
    bot.stop().then(
      () => {
        // Nothing is left scheduled, so the process ends on its own; this only guards a stuck socket.
        setTimeout(() => process.exit(0), 5_000).unref();
      },
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  const known = error instanceof ConfigError || (error instanceof AxnError && error.code === 'local.CONFIG');
  process.stderr.write(
    `dingtalk-bot: ${known ? '' : 'could not start: '}${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
