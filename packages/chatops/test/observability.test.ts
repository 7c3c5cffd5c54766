import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServiceConfig, openServiceRuntime, parseCommand } from '../src/index.js';
import { reportCommand } from '../src/observability/command-report.js';
import { correlationFields, withCorrelation } from '../src/observability/correlation.js';
import { createLogger, loggerFromEnv } from '../src/observability/log.js';
import { BotMetrics } from '../src/observability/metrics.js';
import { startStatusServer } from '../src/observability/status-server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function capture() {
  const stream = new PassThrough();
  const lines: string[] = [];
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  return { stream, lines };
}

function get(
  port: number,
  method: string,
  path: string,
): Promise<{ status: number; body: string; allow?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, allow: res.headers.allow }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('logs', () => {
  it('are JSON lines with level, time, msg and component, and never a secret or a clear number', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ component: 'test', level: 'debug', destination: stream });
    logger.info('bound 13800138000 for the caller 13987654320', {
      phone: '13700137000',
      nested: { list: ['tel 02088886666'] },
    });
    logger.warn('aliyun call failed', {
      accessKeySecret: 'S3CRET',
      authorization: 'Bearer xyz',
      detail: { token: 'T0KEN' },
    });
    logger.child('ledger').debug('query', { ms: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(3);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({
      level: 'info',
      component: 'test',
      msg: 'bound 138****8000 for the caller 139****4320',
    });
    expect(typeof parsed[0]?.time).toBe('string');
    expect(parsed[2]).toMatchObject({ level: 'debug', component: 'ledger', msg: 'query' });
    const all = lines.join('\n');
    for (const leak of [
      '13800138000',
      '13987654320',
      '13700137000',
      '02088886666',
      'S3CRET',
      'Bearer xyz',
      'T0KEN',
    ]) {
      expect(all).not.toContain(leak);
    }
  });
});

describe("the environment's log settings", () => {
  it('AXN_LOG_LEVEL sets the level; an unknown level or format is said once and the default used', async () => {
    const quiet = capture();
    const warnOnly = loggerFromEnv({ AXN_LOG_LEVEL: ' WARN ' }, 'bot', quiet.stream);
    warnOnly.info('not written');
    warnOnly.warn('written');
    const odd = capture();
    const fallback = loggerFromEnv({ AXN_LOG_LEVEL: 'verbose', AXN_LOG_FORMAT: 'xml' }, 'bot', odd.stream);
    fallback.debug('below info: not written');
    fallback.info('at info');
    await new Promise((resolve) => setImmediate(resolve));
    expect(quiet.lines.map((line) => JSON.parse(line).msg)).toEqual(['written']);
    const said = odd.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(said.map(({ level, msg, got }) => ({ level, msg, got }))).toEqual([
      {
        level: 'warn',
        msg: 'AXN_LOG_LEVEL must be one of debug, info, warn, error, silent; logging at info',
        got: 'verbose',
      },
      { level: 'warn', msg: 'AXN_LOG_FORMAT must be json or pretty; writing JSON lines', got: 'xml' },
      { level: 'info', msg: 'at info', got: undefined },
    ]);
  });
});

describe("a command's correlation id", () => {
  it('is on every line logged while the command is handled, across awaits, and on no other', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ component: 'bot', destination: stream });
    const metrics = new BotMetrics('slack');
    logger.info('before');
    await Promise.all([
      withCorrelation('T1:trigger-a', async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        logger.info('aliyun call', { requestId: 'R-1' });
        reportCommand({ logger, metrics }, { verb: 'bind', outcome: 'ok', seconds: 0.0421 });
      }),
      withCorrelation('T1:trigger-b', async () => {
        logger.warn('aliyun call failed');
        expect(correlationFields()).toEqual({ correlationId: 'T1:trigger-b' });
      }),
    ]);
    logger.info('after');
    expect(correlationFields()).toEqual({});
    await new Promise((resolve) => setImmediate(resolve));
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map(({ msg, correlationId }) => [msg, correlationId])).toEqual([
      ['before', undefined],
      ['aliyun call failed', 'T1:trigger-b'],
      ['aliyun call', 'T1:trigger-a'],
      ['command handled', 'T1:trigger-a'],
      ['after', undefined],
    ]);
    expect(parsed[3]).toMatchObject({ level: 'info', verb: 'bind', outcome: 'ok', durationMs: 42 });
    expect((await metrics.render()).body).toMatch(
      /^axn_commands_total\{platform="slack",verb="bind",outcome="ok"\} 1$/m,
    );
  });
});

describe('the status server', () => {
  it('answers health, readiness and metrics, and anything else without dying', async () => {
    const metrics = new BotMetrics('test');
    metrics.record('bind', 'ok', 0.2);
    let reason: string | undefined = 'the ledger is not reachable';
    const server = await startStatusServer({
      port: 0,
      host: '127.0.0.1',
      notReady: async () => reason,
      metrics,
      logger: createLogger({ component: 'status', destination: new PassThrough() }),
    });
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    expect(await get(port, 'GET', '/healthz')).toMatchObject({ status: 200 });
    expect(await get(port, 'GET', '/readyz')).toMatchObject({
      status: 503,
      body: '{"ready":false,"reason":"the ledger is not reachable"}',
    });
    reason = undefined;
    expect(await get(port, 'GET', '/readyz')).toMatchObject({ status: 200, body: '{"ready":true}' });
    // With detail to give (the limits' mode, say), readiness carries it either way.
    const detailed = await startStatusServer({
      port: 0,
      host: '127.0.0.1',
      notReady: async () => reason,
      metrics,
      logger: createLogger({ component: 'status', destination: new PassThrough() }),
      readyDetail: () => ({ limits: { mode: 'fallback', detail: 'Redis is not answering' } }),
    });
    cleanups.push(() => new Promise((resolve) => detailed.close(() => resolve())));
    const detailedPort = (detailed.address() as AddressInfo).port;
    expect(JSON.parse((await get(detailedPort, 'GET', '/readyz')).body)).toEqual({
      ready: true,
      limits: { mode: 'fallback', detail: 'Redis is not answering' },
    });
    reason = 'starting';
    expect(JSON.parse((await get(detailedPort, 'GET', '/readyz')).body)).toEqual({
      ready: false,
      reason: 'starting',
      limits: { mode: 'fallback', detail: 'Redis is not answering' },
    });
    reason = undefined;
    const scraped = await get(port, 'GET', '/metrics');
    expect(scraped.status).toBe(200);
    for (const name of [
      'axn_commands_total{platform="test",verb="bind",outcome="ok"} 1',
      'axn_aliyun_calls_total',
      'axn_aliyun_call_seconds',
      'axn_ledger_seconds',
      'axn_bindings_active',
      'process_cpu_user_seconds_total',
    ]) {
      expect(scraped.body).toContain(name);
    }
    let answered = 0;
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'BREW']) {
      for (const path of [
        '/',
        '/healthz',
        '/readyz',
        '/metrics',
        '/metrics/',
        '/favicon.ico',
        '/%',
        '/..%2f..',
        `/${'a'.repeat(4000)}`,
        '/healthz?x=1',
      ]) {
        const { status } = await get(port, method, path);
        expect([200, 400, 404, 405, 501]).toContain(status);
        answered += 1;
      }
    }
    expect(answered).toBe(90);
    expect(await get(port, 'POST', '/healthz')).toMatchObject({ status: 405, allow: 'GET, HEAD' });
    expect(await get(port, 'GET', '/healthz')).toMatchObject({ status: 200 });
  });

  it('counts Aliyun calls, ledger operations and active bindings from a real runtime', async () => {
    const emu = await startEmulator({ seed: 'demo' });
    cleanups.push(() => emu.close());
    const env = {
      AXN_ENDPOINT: emu.url,
      AXN_POOL_KEY: 'FC-DEMO',
      AXN_HASH_KEY: 'observability-key-01',
      AXN_DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'axn-obs-')), 'ledger.db'),
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'testsecret',
    };
    const metrics = new BotMetrics('slack');
    const { stream } = capture();
    const runtime = await openServiceRuntime(loadServiceConfig(env), env, {
      metrics,
      logger: createLogger({ component: 'runtime', destination: stream }),
    });
    cleanups.push(() => runtime.close());
    const reply = await runtime.service.execute(
      parseCommand('bind 13800138000', {
        now: Date.now(),
        locale: 'en',
        defaultExpiresMs: 86_400_000,
        maxExpiresMs: 90 * 86_400_000,
        maxBulk: 20,
      }),
      { platform: 'slack', userId: 'U1', userName: 'u1', channelId: 'C1', idempotencyKey: 'obs-1' },
    );
    expect(reply.kind).toBe('bound');
    const { body } = await metrics.render();
    expect(body).toContain('axn_aliyun_calls_total{action="BindAxnExtension",code="OK"} 1');
    expect(body).toMatch(/axn_ledger_seconds_count\{operation="claimDelivery"\} 1/);
    expect(body).toContain('axn_bindings_active 1');
  });
});
