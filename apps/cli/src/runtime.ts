import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import {
  type Actor,
  type BindingService,
  loadServiceConfig,
  openServiceRuntime,
  type ServiceConfig,
  type ServiceRuntime,
  silentLogger,
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
      makeStateDir();
      emulator = await startEmulator({ db: join(STATE_DIR, 'emulator.db'), seed: 'demo', port: 0 });
    }
    // The console is a person at a terminal, not an operator reading logs: nothing is printed unasked.
    runtime = await openServiceRuntime(
      config,
      env,
      emulator
        ? { endpoint: emulator.url, credentials: EMBEDDED_KEYS, logger: silentLogger }
        : { logger: silentLogger },
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

/** The state folder, readable by this user only (it holds the ledger, the history and the key). */
function makeStateDir(): void {
  mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
  // A folder made by an older version with the umask's 0755 is tightened too.
  chmodSync(STATE_DIR, 0o700);
}

/**
 * The embedded setup's fingerprint key: made once at random and kept in ./.axnbot/hash-key, so look-ups
 * by A keep working across runs. A key beside the ledger protects nothing against whoever can read both,
 * which is why this file is only for the embedded console: real deployments set AXN_HASH_KEY from the
 * environment or a secret store, apart from the database.
 */
function localHashKey(): string {
  const file = join(STATE_DIR, 'hash-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    makeStateDir();
    const key = randomBytes(32).toString('hex');
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}
