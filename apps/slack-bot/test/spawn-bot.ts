import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  /** The bot's log so far: every stdout line parsed (a line that is not JSON throws). */
  log(): LogLine[];
}

/** One line of the bot's log, as pino writes it. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly time: string;
  readonly component: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Parses a log: one JSON object a line, each with a level, time, component and message. */
export function parseLog(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`a log line is not JSON: ${line.slice(0, 200)}`);
      }
      if (!parsed.level || !parsed.time || !parsed.component || typeof parsed.msg !== 'string')
        throw new Error(`a log line lacks level, time, component or msg: ${line.slice(0, 200)}`);
      return parsed;
    });
}

/** A mainland mobile number in clear: 11 digits from 13… to 19…, not part of a longer digit run. */
const CLEAR_PHONE = /(?<!\d)1[3-9]\d{9}(?!\d)/;

/**
 * What a bot wrote is a clean log: stderr empty, every stdout line a JSON log line, and none of
 * `secrets` nor any phone number in clear anywhere in it.
 */
export function expectCleanLog(
  bot: Pick<SpawnedBot, 'stdout' | 'stderr'>,
  secrets: readonly string[],
): LogLine[] {
  if (bot.stderr() !== '') throw new Error(`the bot wrote to stderr: ${bot.stderr().slice(0, 300)}`);
  const lines = parseLog(bot.stdout());
  for (const secret of secrets)
    if (bot.stdout().includes(secret)) throw new Error('a secret reached the log');
  const clear = CLEAR_PHONE.exec(bot.stdout());
  if (clear)
    throw new Error(
      `a phone number in clear reached the log: …${bot.stdout().slice(Math.max(0, clear.index - 80), clear.index)}`,
    );
  return lines;
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
  return { child, exited, stdout: () => stdout, stderr: () => stderr, log: () => parseLog(stdout) };
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

/** Polls until `check` holds, or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls until the asynchronous `check` holds, or fails after `ms`. */
export async function untilAsync(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
