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

/** Everything the bot needs, against a fake DingTalk gateway and an emulator. */
export function botEnv(options: {
  gatewayBase: string;
  emulatorUrl: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(AXN_|DINGTALK_|ALIBABA_)/.test(key)) env[key] = value;
  return {
    ...env,
    DINGTALK_CLIENT_ID: 'ding-client-id',
    DINGTALK_CLIENT_SECRET: 'ding-client-secret-value',
    DINGTALK_GATEWAY_URL: `${options.gatewayBase}/v1.0/gateway/connections/open`,
    DINGTALK_API_URL: options.gatewayBase,
    DINGTALK_RECONNECT_BASE_MS: '100',
    DINGTALK_RECONNECT_MAX_MS: '400',
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'testsecret',
    AXN_ENDPOINT: options.emulatorUrl,
    AXN_POOL_KEY: 'FC-DEMO',
    AXN_HASH_KEY: 'dingtalk-hardening-hash-key-0123456789',
    AXN_DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'axn-ding-h-')), 'ledger.db'),
    ...options.extra,
  };
}

export interface SpawnedBot {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** Spawns the bot and resolves at once; wait with {@link until} or on `exited`. */
export function spawnBot(env: NodeJS.ProcessEnv): SpawnedBot {
  const child = spawn(process.execPath, [BIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Polls until `check` holds, or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
