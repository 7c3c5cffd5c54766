import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The bot's built entry point, as its start script runs it. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** A port nothing listens on (for a moment). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

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

export interface SpawnedBot {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** Spawns the bot; resolves at once (use {@link waitForReady} or {@link SpawnedBot.exited}). */
export function spawnBot(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): SpawnedBot {
  const child = spawn(process.execPath, [...nodeArgs, BIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Resolves when the bot prints its ready line; rejects with its output if it exits first. */
export async function waitForReady(bot: SpawnedBot): Promise<void> {
  const ready = await Promise.race([
    new Promise<string>((resolve) => createInterface({ input: bot.child.stdout! }).once('line', resolve)),
    bot.exited.then((code) => `exited ${code}: ${bot.stderr()}`),
  ]);
  if (!ready.startsWith('axnbot slack-bot ready')) throw new Error(ready);
}

/** Polls until `check` holds, or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
