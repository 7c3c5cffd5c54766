import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Logger,
  loadServiceConfig,
  openServiceRuntime,
  openSharedLimits,
  parseCommand,
  type ServiceRuntime,
} from '../src/index.js';

/** Redis runs are opted into by this variable (CI sets it when 127.0.0.1:6379 answers). */
const REDIS_URL = process.env.AXN_TEST_REDIS_URL;
const SKIPPED = REDIS_URL ? '' : ' — skipped: AXN_TEST_REDIS_URL is unset (e.g. redis://127.0.0.1:6379)';
if (!REDIS_URL)
  process.stderr.write('shared-limits: the Redis half is skipped: AXN_TEST_REDIS_URL is unset\n');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A logger that keeps its lines. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
  };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

/** The most timestamps (ms) in any window of `windowMs`. */
function mostInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

const prefix = () => `axn-test-${randomBytes(6).toString('hex')}`;

/** A TCP proxy to Redis that the test can cut and restore (the connection stops, Redis itself does not). */
async function cuttableProxy(
  target: URL,
): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket();
        sockets.add(client);
        sockets.add(upstream);
        upstream.connect(Number(target.port || 6379), target.hostname);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      const listening = server;
      listening.listen(port, '127.0.0.1', () => {
        port = (listening.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    url: `redis://127.0.0.1:${port}`,
    async cut() {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
    },
    restore: listen,
  };
}

const until = async (check: () => boolean, what: string, ms = 10_000) => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe.skipIf(!REDIS_URL)(`limits shared through Redis by two instances${SKIPPED}`, () => {
  it('holds AXN_MAX_QPS across both: no one-second window has more than the rate and a slot', async () => {
    const keyPrefix = prefix();
    const [a, b] = await Promise.all(
      [0, 1].map(() =>
        openSharedLimits({
          redisUrl: REDIS_URL as string,
          maxQps: 20,
          rateLimitPerMinute: 30,
          replicas: 2,
          keyPrefix,
        }),
      ),
    );
    cleanups.push(async () => {
      await a?.close();
      await b?.close();
    });
    expect(a?.status().mode).toBe('shared');
    const times: Record<'a' | 'b', number[]> = { a: [], b: [] };
    // 50 calls wanted at once, 25 by each: alone, each could make 20 a second.
    await Promise.all(
      (['a', 'b'] as const).flatMap((name) =>
        Array.from({ length: 25 }, async () => {
          await (name === 'a' ? a : b)?.calls.acquire();
          times[name].push(Date.now());
        }),
      ),
    );
    const all = [...times.a, ...times.b];
    expect(all).toHaveLength(50);
    // 20 a second in slots of 1 per 50 ms: any one second spans at most 21 slots (22 allows for a late timer).
    expect(mostInWindow(all, 1000)).toBeLessThanOrEqual(22);
    // Each instance got a share of the slots: the count was contended, not split beforehand.
    expect(times.a.length).toBe(25);
    expect(times.b.length).toBe(25);
  });

  it('one service instance’s binds count against the other’s allowance for the same user', async () => {
    const emu = await startEmulator({ seed: 'demo' });
    cleanups.push(() => emu.close());
    const runtimes: ServiceRuntime[] = [];
    cleanups.push(async () => {
      for (const runtime of runtimes) await runtime.close();
    });
    for (let i = 0; i < 2; i++) {
      const env = {
        AXN_ENDPOINT: emu.url,
        AXN_POOL_KEY: 'FC-DEMO',
        AXN_HASH_KEY: 'shared-limits-hash-key',
        AXN_DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'axn-shared-')), 'ledger.db'),
        AXN_RATE_LIMIT: '3',
        AXN_REDIS_URL: REDIS_URL,
        AXN_REPLICAS: '2',
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'testsecret',
      };
      // Counters live one minute: a fresh user (below) keeps runs apart.
      runtimes.push(
        await openServiceRuntime(loadServiceConfig(env), env, { logger: recordingLogger().logger }),
      );
    }
    const [first, second] = runtimes as [ServiceRuntime, ServiceRuntime];
    expect(first.limitsStatus().mode).toBe('shared');
    expect(second.limitsStatus().detail).toContain('shared through Redis');
    const user = `U${randomBytes(4).toString('hex')}`;
    let n = 0;
    const bind = (runtime: ServiceRuntime) => {
      const i = n++;
      return runtime.service.execute(
        parseCommand(`bind 1390001${String(i).padStart(4, '0')}`, {
          now: Date.now(),
          locale: 'en',
          defaultExpiresMs: 86_400_000,
          maxExpiresMs: 90 * 86_400_000,
          maxBulk: 20,
        }),
        { platform: 'slack', userId: user, userName: 'u', channelId: 'C1', idempotencyKey: `k-${user}-${i}` },
      );
    };
    // AXN_RATE_LIMIT=3 across both: two on the first, one on the second, then neither has any left.
    expect((await bind(first)).kind).toBe('bound');
    expect((await bind(first)).kind).toBe('bound');
    expect((await bind(second)).kind).toBe('bound');
    expect(await bind(second)).toMatchObject({ kind: 'denied', reason: 'rate-limited' });
    expect(await bind(first)).toMatchObject({ kind: 'denied', reason: 'rate-limited' });
    // Another user is not affected.
    const other = await runtimes[1]?.service.execute(
      parseCommand('bind 13900019999', {
        now: Date.now(),
        locale: 'en',
        defaultExpiresMs: 86_400_000,
        maxExpiresMs: 90 * 86_400_000,
        maxBulk: 20,
      }),
      {
        platform: 'slack',
        userId: `${user}-2`,
        userName: 'v',
        channelId: 'C1',
        idempotencyKey: `k-${user}-x`,
      },
    );
    expect(other?.kind).toBe('bound');
  });

  it('falls back when the connection is cut, says so once, and again once when it is back', async () => {
    const proxy = await cuttableProxy(new URL(REDIS_URL as string));
    const { logger, lines } = recordingLogger();
    const limits = await openSharedLimits({
      redisUrl: proxy.url,
      maxQps: 20,
      rateLimitPerMinute: 4,
      replicas: 2,
      keyPrefix: prefix(),
      logger,
      probeMs: 100,
    });
    cleanups.push(async () => {
      await limits.close();
      await proxy.cut();
    });
    expect(limits.status().mode).toBe('shared');
    expect(await limits.binds.take('slack:U1', 1)).toBe(true);
    await proxy.cut();
    await until(() => limits.status().mode === 'fallback', 'the fallback');
    // Binding goes on, at this process's share: AXN_RATE_LIMIT 4 / 2 replicas.
    expect(await limits.binds.take('slack:U2', 1)).toBe(true);
    expect(await limits.binds.take('slack:U2', 1)).toBe(true);
    expect(await limits.binds.take('slack:U2', 1)).toBe(false);
    await limits.calls.acquire();
    expect(limits.status().detail).toContain('AXN_MAX_QPS / AXN_REPLICAS = 10 calls a second');
    // ioredis keeps trying to reconnect (each try an error): the log says it once.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    await proxy.restore();
    await until(() => limits.status().mode === 'shared', 'the restore');
    expect(lines.filter((line) => line.message.startsWith('shared limits restored'))).toHaveLength(1);
    expect(await limits.binds.take('slack:U3', 1)).toBe(true);
  });
});

describe('limits when Redis is configured but never answers', () => {
  it('start on the process’s share (limit / AXN_REPLICAS), bind on, and say so once', async () => {
    // A port nothing listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { logger, lines } = recordingLogger();
    let clock = 1_000_000;
    const slept: number[] = [];
    const limits = await openSharedLimits({
      redisUrl: `redis://127.0.0.1:${port}`,
      maxQps: 20,
      rateLimitPerMinute: 30,
      replicas: 3,
      keyPrefix: prefix(),
      logger,
      connectTimeoutMs: 300,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    cleanups.push(() => limits.close());
    expect(limits.status()).toMatchObject({ mode: 'fallback' });
    expect(limits.status().detail).toContain('AXN_MAX_QPS / AXN_REPLICAS = 6.67 calls a second');
    expect(limits.status().detail).toContain('AXN_RATE_LIMIT / AXN_REPLICAS = 10 binds a user a minute');
    // 30 binds a minute over 3 replicas: 10 for this one.
    for (let i = 0; i < 10; i++) expect(await limits.binds.take('slack:U1', 1)).toBe(true);
    expect(await limits.binds.take('slack:U1', 1)).toBe(false);
    // 20 calls a second over 3 replicas: 21 calls take a little under three seconds of waiting here.
    for (let i = 0; i < 21; i++) await limits.calls.acquire();
    const waited = slept.reduce((sum, ms) => sum + ms, 0);
    expect(waited).toBeGreaterThan((19 / (20 / 3)) * 1000 - 1);
    expect(waited).toBeLessThanOrEqual((21 / (20 / 3)) * 1000);
    // ioredis retries meanwhile; every failure is one more 'error' event, and the log says it once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/falling back/);
    expect(JSON.stringify(warnings[0]?.fields)).toContain('"replicas":3');
  });

  it('never shows the Redis password', async () => {
    const { logger, lines } = recordingLogger();
    const limits = await openSharedLimits({
      redisUrl: 'redis://:s3cret-pass@127.0.0.1:9/0',
      maxQps: 5,
      rateLimitPerMinute: 5,
      replicas: 1,
      keyPrefix: prefix(),
      logger,
      connectTimeoutMs: 200,
    });
    cleanups.push(() => limits.close());
    expect(limits.status().detail).not.toContain('s3cret');
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });
});
