import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import {
  type Actor,
  type BindingService,
  loadServiceConfig,
  openServiceRuntime,
  type ServiceConfig,
  type ServiceRuntime,
} from '@axnbot/chatops';
import { DEMO_POOL_KEY, type Emulator, startEmulator } from '@axnbot/emulator';
import { requireCredentials } from './credentials.js';

/** Where the console keeps its files by default. */
export const STATE_DIR = './.axnbot';

/** A ready binding service for the terminal, with whatever it started. */
export interface Runtime {
  readonly service: BindingService;
  readonly config: ServiceConfig;
  readonly actor: Omit<Actor, 'idempotencyKey'>;
  /** Set when `AXN_ENDPOINT=embedded` started an emulator in this process. */
  readonly emulator?: Emulator;
  close(): Promise<void>;
}

/** The embedded emulator's key pair; it only ever listens on 127.0.0.1. */
const EMBEDDED_KEYS = { accessKeyId: 'testid', accessKeySecret: 'testsecret' };

/**
 * Builds the console's service. Defaults suit a newcomer: `AXN_ENDPOINT=embedded` (an emulator in this
 * process, demo pool seeded, files under ./.axnbot/), the console user an admin. Any endpoint and
 * ledger can be configured through the `AXN_*` and `ALIBABA_CLOUD_*` variables.
 */
export async function createRuntime(env: NodeJS.ProcessEnv): Promise<Runtime> {
  const endpointSetting = env.AXN_ENDPOINT || 'embedded';
  const embedded = endpointSetting === 'embedded';
  const user = consoleUser();
  const config = loadServiceConfig(
    {
      ...env,
      AXN_ENDPOINT: endpointSetting,
      AXN_ADMINS: [env.AXN_ADMINS, `console:${user}`].filter(Boolean).join(','),
    },
    embedded ? { poolKey: DEMO_POOL_KEY, hashKey: localHashKey() } : {},
  );
  // The embedded emulator brings its own keys; any other endpoint needs the user's.
  if (!embedded) requireCredentials(env);
  let emulator: Emulator | undefined;
  let runtime: ServiceRuntime;
  try {
    if (embedded) {
      mkdirSync(STATE_DIR, { recursive: true });
      emulator = await startEmulator({ db: join(STATE_DIR, 'emulator.db'), seed: 'demo', port: 0 });
    }
    runtime = await openServiceRuntime(
      config,
      env,
      emulator ? { endpoint: emulator.url, credentials: EMBEDDED_KEYS } : {},
    );
  } catch (error) {
    await emulator?.close();
    throw error;
  }
  return {
    service: runtime.service,
    config,
    emulator,
    actor: { platform: 'console', userId: user, userName: user, channelId: 'terminal' },
    async close() {
      await runtime.close();
      await emulator?.close();
    },
  };
}

function consoleUser(): string {
  try {
    return userInfo().username || 'console';
  } catch {
    return 'console';
  }
}

/**
 * The embedded setup's HMAC key: made once at random and kept in ./.axnbot/hash-key, so look-ups by A
 * keep working across runs. Real deployments set AXN_HASH_KEY instead.
 */
function localHashKey(): string {
  const file = join(STATE_DIR, 'hash-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(STATE_DIR, { recursive: true });
    const key = randomBytes(32).toString('hex');
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}
