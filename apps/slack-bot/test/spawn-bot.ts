import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SpawnedProcess, spawnNode } from '@axnbot/test-kit';

export {
  expectCleanLog,
  freePort,
  hasLogged,
  type LogLine,
  parseLog,
  until,
  untilAsync,
} from '@axnbot/test-kit';

/** The bot, started from its built entry point. */
export type SpawnedBot = SpawnedProcess;

/** The bot's built entry point, as its start script runs it. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** This process's environment without any AXN_, SLACK_ or ALIBABA_ settings of the machine. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('AXN_') && !key.startsWith('SLACK_') && !key.startsWith('ALIBABA_')) env[key] = value;
  return env;
}

/** Everything an HTTP-mode bot needs, against a fake Slack and an emulator. */
export function httpBotEnv(options: {
  secret: string;
  slackBase: string;
  emulatorUrl: string;
  port: number;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: options.secret,
    SLACK_API_URL: `${options.slackBase}/api/`,
    SLACK_BOT_ID: 'BBOT',
    SLACK_BOT_USER_ID: 'UBOT',
    PORT: String(options.port),
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'testsecret',
    AXN_ENDPOINT: options.emulatorUrl,
    AXN_POOL_KEY: 'FC-DEMO',
    AXN_HASH_KEY: 'slack-hardening-hash-key-0123456789',
    AXN_DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'axn-slack-h-')), 'ledger.db'),
    ...options.extra,
  };
}

/** Spawns the bot; resolves at once (use {@link waitForReady} or {@link SpawnedBot.exited}). */
export function spawnBot(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): SpawnedBot {
  return spawnNode(BIN, env, nodeArgs);
}

/** Resolves when the bot logs that it is ready; rejects with its output if it exits first. */
export async function waitForReady(bot: SpawnedBot): Promise<void> {
  // Watches the output collected so far rather than a readline over stdout: closing a readline
  // interface pauses its input, and the log after the ready line would never arrive.
  const isReady = () => bot.stdout().includes('"msg":"axnbot slack-bot ready');
  let exited = false;
  void bot.exited.then(() => {
    exited = true;
  });
  while (!isReady()) {
    if (exited) throw new Error(`exited ${bot.child.exitCode}: ${bot.stdout()}${bot.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
