import {
  type Credentials,
  type CredentialsProvider,
  createDyplsClient,
  type DyplsClient,
  defaultCredentialChain,
} from '@axnbot/core';
import { BindingService } from './binding-service.js';
import { ConfigError, type ServiceConfig } from './config.js';
import type { Ledger } from './ledger/ledger.js';
import { openLedger } from './ledger/open-ledger.js';
import {
  type LimitsStatus,
  LOCAL_LIMITS,
  openSharedLimits,
  type SharedLimits,
} from './limits/shared-limits.js';
import { jsonLineLogger, type Logger } from './logger.js';
import type { BotMetrics } from './observability/metrics.js';
import { timedLedger } from './observability/timed-ledger.js';
import { PhoneHasher } from './phone-hash.js';

/**
 * Keys in the environment are used as they are; otherwise Alibaba Cloud's default chain is asked once
 * now (a CLI profile, OIDC, the ECS RAM role, a credentials URI…), so that a process with no usable
 * credentials stops at start-up with one line, not at the first bind.
 */
async function chosenCredentials(
  env: Readonly<Record<string, string | undefined>>,
): Promise<CredentialsProvider | undefined> {
  if (env.ALIBABA_CLOUD_ACCESS_KEY_ID) return undefined;
  const chain = defaultCredentialChain();
  await chain.getCredentials();
  return chain;
}

/** How long a delivery's claim holds without its owner's heartbeat (the service's default). */
const LEASE_MS = 30_000;

/** A binding service with the client and ledger it was built on, and one way to close them. */
export interface ServiceRuntime {
  readonly service: BindingService;
  readonly client: DyplsClient;
  readonly ledger: Ledger;
  /**
   * Where the Aliyun call rate and the per-user limit are kept: `local` (no `AXN_REDIS_URL`), `shared`
   * (Redis), or `fallback` (Redis unreachable: this process's share). For `/readyz` detail; a fallback
   * never makes the process unready.
   */
  limitsStatus(): LimitsStatus;
  close(): Promise<void>;
}

/**
 * Builds what every front end runs: the dyplsapi client (endpoint, signature, deadline and rate limit
 * from config; credentials from the environment unless given) and the ledger, wired into a
 * {@link BindingService}. Whatever was opened is closed again if a later step fails.
 */
export async function openServiceRuntime(
  config: ServiceConfig,
  env: Readonly<Record<string, string | undefined>>,
  overrides: {
    endpoint?: string;
    credentials?: Credentials | CredentialsProvider;
    logger?: Logger;
    /** Where Aliyun calls, ledger timings and the active-binding count are reported. */
    metrics?: BotMetrics;
  } = {},
): Promise<ServiceRuntime> {
  const logger = overrides.logger ?? jsonLineLogger();
  const credentials = overrides.credentials ?? (await chosenCredentials(env));
  const { metrics } = overrides;
  // With AXN_REDIS_URL the call rate and the per-user limit hold across replicas; Redis being away at
  // start is no reason not to start (each process then keeps its share until it answers).
  const limits: SharedLimits | undefined = config.redisUrl
    ? await openSharedLimits({
        redisUrl: config.redisUrl,
        maxQps: config.maxQps,
        rateLimitPerMinute: config.rateLimitPerMinute,
        replicas: config.replicas ?? 1,
        keyPrefix: `axn:${config.poolKey}`,
        logger,
      })
    : undefined;
  let client: DyplsClient;
  try {
    client = createDyplsClient({
      logger,
      onCall: metrics ? (call) => metrics.aliyunCall(call) : undefined,
      endpoint: overrides.endpoint ?? config.endpoint,
      credentials,
      signature: config.signature,
      timeoutMs: config.timeoutMs,
      maxQps: config.maxQps,
      limiter: limits?.calls,
      env,
    });
  } catch (error) {
    await limits?.close();
    throw error;
  }
  let ledger: Ledger;
  try {
    const opened = await openLedger(config.databaseUrl, { logger });
    ledger = metrics
      ? timedLedger(opened, (operation, seconds) => metrics.ledgerCall(operation, seconds))
      : opened;
    metrics?.countActiveWith(() => opened.countActiveBindings(Date.now()));
    // A changed AXN_HASH_KEY would silently make every binding unfindable by its A number: refuse.
    if ((await ledger.checkFingerprintKey(new PhoneHasher(config.hashKey).keyCheck())) === 'different') {
      await ledger.close();
      throw new ConfigError(
        'AXN_HASH_KEY is not the key this ledger was created with; set the original key again (with another one no binding can be found by its A number).',
      );
    }
  } catch (error) {
    await client.close();
    await limits?.close();
    throw error;
  }
  const service = new BindingService({ client, ledger, config, logger, bindAllowance: limits?.binds });
  // Deliveries a stopped process left open: those whose lease already lapsed now, the rest once theirs
  // has (a redelivery finishes any sooner).
  const sweep = () =>
    service.recoverInterrupted().catch((error: unknown) =>
      logger.error('could not finish deliveries left open by a stopped process', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  let sweeping = sweep();
  const later = setTimeout(() => {
    sweeping = sweep();
  }, LEASE_MS + 1_000);
  later.unref();
  return {
    service,
    client,
    ledger,
    limitsStatus: () => limits?.status() ?? LOCAL_LIMITS,
    async close() {
      clearTimeout(later);
      await sweeping;
      await ledger.close();
      await client.close();
      await limits?.close();
    },
  };
}
