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

/** Spawns the bot and resolves at once; wait with {@link until} or on `exited`. */
export function spawnBot(env: NodeJS.ProcessEnv): SpawnedBot {
  return spawnNode(BIN, env);
}
