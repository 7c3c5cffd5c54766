import { type CallLimiter, TokenBucket } from '@axnbot/core';
import type { Redis, RedisOptions } from 'ioredis';
import type { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { type Logger, silentLogger } from '../logger.js';

/**
 * The per-user allowance of binds (`AXN_RATE_LIMIT` a minute) when it is kept outside the process:
 * counts `count` binds against `user`; `false`, and nothing counted, when that would pass the limit.
 */
export interface BindAllowance {
  take(user: string, count: number): Promise<boolean>;
}

/**
 * Where a process's limits stand, for the log and `/readyz`:
 * - `local`: no `AXN_REDIS_URL`, each process limits on its own (as every process did before);
 * - `shared`: the Aliyun call rate and the per-user limit are counted in Redis, across every replica;
 * - `fallback`: Redis is configured but not answering, so each process keeps its share of the limits
 *   (the limit divided by `AXN_REPLICAS`) until it answers again. Binding goes on; readiness is not failed.
 */
export interface LimitsStatus {
  readonly mode: 'local' | 'shared' | 'fallback';
  /** One line for an operator (no secret: the Redis URL's password is never in it). */
  readonly detail: string;
  /** When the mode last changed (ms since the epoch); absent for `local`. */
  readonly since?: number;
}

/** The Aliyun call rate and the per-user bind allowance, shared by every replica through Redis. */
export interface SharedLimits {
  readonly calls: CallLimiter;
  readonly binds: BindAllowance;
  status(): LimitsStatus;
  /** Disconnects from Redis; the limits fall back to the process's share (nothing waits on Redis again). */
  close(): Promise<void>;
}

/** Options of {@link openSharedLimits}. */
export interface SharedLimitsOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…`. */
  readonly redisUrl: string;
  /** Aliyun calls a second, across every replica (`AXN_MAX_QPS`). */
  readonly maxQps: number;
  /** Binds a user may make a minute, across every replica (`AXN_RATE_LIMIT`). */
  readonly rateLimitPerMinute: number;
  /** How many replicas share the limits (`AXN_REPLICAS`): a process's share while Redis is away. */
  readonly replicas: number;
  /** What the counters are named under in Redis: deployments sharing one Redis keep apart by it. */
  readonly keyPrefix: string;
  readonly logger?: Logger;
  /** How long one Redis command may take before the process falls back (1,000 ms). */
  readonly commandTimeoutMs?: number;
  /** How long start-up waits for Redis before it begins on its fallback share (2,000 ms). */
  readonly connectTimeoutMs?: number;
  /** How often, while falling back, Redis is asked whether it answers again (1,000 ms). */
  readonly probeMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How far ahead of its slot a call may reserve it: past that, callers wait before they queue. */
const RESERVE_AHEAD_MS = 60_000;

/** The Redis URL as it may be shown: its password masked. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://…';
  }
}

/**
 * The limits of one process when `AXN_REDIS_URL` is set, on `rate-limiter-flexible`'s Redis limiter over
 * `ioredis`:
 *
 * - **Aliyun calls**: at most `ceil(maxQps / 20)` calls in each slot of `1000 × ceil(maxQps / 20) / maxQps` ms
 *   (at 20 a second: 1 call each 50 ms), counted in Redis per slot, so no one-second window holds more
 *   than `maxQps` + one slot's few, whichever replica makes them; short slots also leave room for calls
 *   that reach Aliyun a little later than they were counted. A caller reserves the earliest slot with room
 *   (up to a minute ahead) and waits for it to begin, so callers queue in order and a replica that wakes
 *   late (by less than a slot) wastes no slot; one woken later than that queues again rather than join
 *   the next slot's calls. A caller over the slot's count waits for
 *   the next slot. Slots follow Redis's clock (its offset is read on each connection), not each host's.
 * - **Binds a user may make**: `rateLimitPerMinute` in one-minute windows counted from the user's first
 *   bind in them; a refused request counts nothing.
 *
 * Redis is never allowed to stall or stop binding: commands fail at once while disconnected (no offline
 * queue) and after `commandTimeoutMs` otherwise; the first failure switches the process to its share of
 * both limits (a {@link TokenBucket} at `maxQps / replicas`, `rateLimitPerMinute / replicas` a user), said
 * once in the log, and the switch back is said once when Redis answers again.
 */
export async function openSharedLimits(options: SharedLimitsOptions): Promise<SharedLimits> {
  const { Redis: RedisClient } = await import('ioredis');
  const flexible = await import('rate-limiter-flexible');
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const replicas = Math.max(1, Math.floor(options.replicas));
  const where = redactRedisUrl(options.redisUrl);
  const redisOptions: RedisOptions = {
    // Without a connection a command fails at once instead of queueing: a bind never waits on Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 1_000,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    // Reconnects in the background for as long as the process runs, at most every 2 s.
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    lazyConnect: true,
  };
  const redis: Redis = new RedisClient(options.redisUrl, redisOptions);

  // --- the call rate -------------------------------------------------------------------------------
  const perSlot = Math.max(1, Math.ceil(options.maxQps / 20));
  const slotMs = (1000 * perSlot) / options.maxQps;
  const callCounter: RateLimiterRedis = new flexible.RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${options.keyPrefix}:calls`,
    points: perSlot,
    // A slot may be reserved up to RESERVE_AHEAD_MS before it starts; its key is gone soon after it ends.
    duration: Math.ceil((RESERVE_AHEAD_MS + 2 * slotMs) / 1000) + 1,
    rejectIfRedisNotReady: true,
  });
  const localCalls = new TokenBucket(options.maxQps / replicas, now, sleep);

  // --- the per-user allowance ----------------------------------------------------------------------
  const bindCounter: RateLimiterRedis = new flexible.RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${options.keyPrefix}:binds`,
    points: options.rateLimitPerMinute,
    duration: 60,
    rejectIfRedisNotReady: true,
  });
  const localShare = Math.max(1, Math.floor(options.rateLimitPerMinute / replicas));
  const localBinds: RateLimiterMemory = new flexible.RateLimiterMemory({
    keyPrefix: `${options.keyPrefix}:binds`,
    points: localShare,
    duration: 60,
  });
  const isRefusal = (error: unknown): error is RateLimiterRes => error instanceof flexible.RateLimiterRes;

  // --- health --------------------------------------------------------------------------------------
  let mode: 'shared' | 'fallback' = 'fallback';
  let since = now();
  let said = false; // whether the current fallback was logged (once per outage)
  let closing = false;
  /** Redis's clock minus this process's, so every replica cuts the same slots. */
  let offsetMs = 0;
  let probe: NodeJS.Timeout | undefined;

  const fallbackDetail = () =>
    `Redis at ${where} is not answering: this process keeps its share of the limits (AXN_MAX_QPS / AXN_REPLICAS = ${fmt(options.maxQps / replicas)} calls a second, AXN_RATE_LIMIT / AXN_REPLICAS = ${localShare} binds a user a minute)`;

  function fallBack(reason: unknown): void {
    if (closing) return;
    if (mode === 'fallback' && said) return;
    if (mode === 'shared') since = now();
    mode = 'fallback';
    said = true;
    logger.warn('shared limits unavailable: falling back to this process’s share', {
      redis: where,
      replicas,
      maxQps: fmt(options.maxQps / replicas),
      rateLimitPerMinute: localShare,
      error: reason instanceof Error ? reason.message : String(reason),
    });
    startProbe();
  }

  async function restore(): Promise<void> {
    if (closing || mode === 'shared') return;
    try {
      await syncClock();
    } catch (error) {
      fallBack(error);
      return;
    }
    // Another restore may have finished while this one waited for Redis's clock.
    if (closing || (mode as LimitsStatus['mode']) === 'shared') return;
    const wasSaid = said;
    mode = 'shared';
    since = now();
    said = false;
    stopProbe();
    if (wasSaid) logger.info('shared limits restored: Redis answers again', { redis: where });
    else logger.info('limits shared across replicas through Redis', { redis: where });
  }

  async function syncClock(): Promise<void> {
    const before = now();
    const [seconds, micros] = await redis.time();
    const after = now();
    offsetMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - (before + after) / 2;
  }

  function startProbe(): void {
    if (probe || closing) return;
    probe = setInterval(() => {
      if (redis.status === 'ready') void restore();
    }, options.probeMs ?? 1_000);
    probe.unref();
  }

  function stopProbe(): void {
    if (probe) clearInterval(probe);
    probe = undefined;
  }

  // ioredis reports every failed (re)connection as an 'error' event: without a listener it would be thrown.
  redis.on('error', (error: Error) => fallBack(error));
  redis.on('close', () => fallBack(new Error('connection closed')));
  redis.on('ready', () => void restore());

  // Start-up waits a little for Redis, then begins on its share if it is not there (never fails for it).
  await Promise.race([
    redis.connect().then(
      () => restore(),
      (error: unknown) => fallBack(error),
    ),
    new Promise<void>((resolve) => setTimeout(resolve, options.connectTimeoutMs ?? 2_000).unref()),
  ]);
  if (mode === 'fallback' && !said) fallBack(new Error('no answer at start-up'));

  // Each call reserves a slot, then waits for it to begin. Reservations are made in order, one Redis
  // round trip at a time per process, from the earliest slot that may still have room: every slot
  // before `cursor` was found full (by this process; the count in Redis is what decides). A process
  // that wakes late for its slot sends late, but the slot was its own: a busy machine spreads the
  // calls, it does not lose the rate.
  let cursor = 0;
  let queue: Promise<unknown> = Promise.resolve();
  /** The local time at which a call may go. */
  async function reserve(): Promise<number> {
    for (;;) {
      if (mode !== 'shared') return now() + localCalls.reserve();
      const current = Math.floor((now() + offsetMs) / slotMs);
      if (cursor < current) cursor = current;
      const ahead = (cursor - current) * slotMs - RESERVE_AHEAD_MS;
      if (ahead > 0) {
        await sleep(ahead);
        continue;
      }
      try {
        await callCounter.consume(String(cursor));
        return cursor * slotMs - offsetMs;
      } catch (error) {
        if (isRefusal(error)) cursor++;
        else fallBack(error);
      }
    }
  }

  return {
    calls: {
      async acquire() {
        for (;;) {
          const turn = queue.then(reserve);
          queue = turn.catch(() => {});
          const goAt = await turn;
          const wait = goAt - now();
          if (wait > 0) await sleep(wait);
          // Woken more than a slot late (the machine too busy to run this process): sent now, the call
          // would join the next slot's and exceed the rate in that second. Its slot is let go, and it
          // queues again.
          if (mode !== 'shared' || now() - goAt <= slotMs) return;
        }
      },
    },
    binds: {
      async take(user, count) {
        if (mode === 'shared') {
          try {
            await bindCounter.consume(user, count);
            return true;
          } catch (error) {
            if (isRefusal(error)) {
              // Over the limit: what this request added is taken back, so a refusal counts nothing.
              await bindCounter.reward(user, count).catch(() => {});
              return false;
            }
            fallBack(error);
          }
        }
        try {
          await localBinds.consume(user, count);
          return true;
        } catch (error) {
          if (!isRefusal(error)) throw error;
          await localBinds.reward(user, count);
          return false;
        }
      },
    },
    status() {
      return mode === 'shared'
        ? {
            mode,
            since,
            detail: `limits shared through Redis at ${where} (AXN_MAX_QPS ${options.maxQps}, AXN_RATE_LIMIT ${options.rateLimitPerMinute} across all replicas)`,
          }
        : { mode, since, detail: fallbackDetail() };
    },
    async close() {
      closing = true;
      stopProbe();
      mode = 'fallback';
      redis.disconnect();
    },
  };
}

const fmt = (value: number) => String(Math.round(value * 100) / 100);

/** The status of a process without `AXN_REDIS_URL`. */
export const LOCAL_LIMITS: LimitsStatus = {
  mode: 'local',
  detail: 'each process limits on its own (AXN_REDIS_URL is not set)',
};
