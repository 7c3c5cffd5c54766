// @axnbot/chatops benchmarks: parse throughput, and bind latency through the service against the bare
// core client on the same emulator.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BindAxnExtension, createDyplsClient, formatBeijingTime } from '@axnbot/core';
import { bestOf, fmt, latencies, microsPerOp, startChild } from '../../../scripts/bench-kit.mjs';
import { BindingService, openLedger, parseCommand } from '../dist/index.js';

const SERVE = fileURLToPath(new URL('../../emulator/bench/serve.mjs', import.meta.url));
const credentials = { accessKeyId: 'testid', accessKeySecret: 'testsecret' };

function parsing() {
  const context = {
    now: Date.now(),
    locale: 'en',
    defaultExpiresMs: 86_400_000,
    maxExpiresMs: 90 * 86_400_000,
    maxBulk: 20,
  };
  const text = '/bind 13800138000 city=北京 expires=2d record=yes out="order 42"';
  const parse = bestOf(3, () => microsPerOp(() => parseCommand(text, context)));
  // Anchor: splitting the same line on whitespace and '=' — the least any parser must do.
  const split = bestOf(3, () => microsPerOp(() => text.split(/\s+/).map((token) => token.split('='))));
  return [
    [
      'parseCommand throughput (a 6-token bind)',
      `${fmt(1e6 / parse / 1000, 0)}k commands/s (${fmt(parse)} µs)`,
      `split only ${fmt(split)} µs`,
      `${fmt(parse / split)}× split`,
      '—',
      undefined,
    ],
  ];
}

let phone = 0;
const nextPhone = () => `137${String(phone++).padStart(8, '0')}`;

async function service() {
  const emu = await startChild(SERVE, ['1000', '2000']);
  const rows = [];
  try {
    const client = createDyplsClient({ endpoint: emu.url, credentials, maxQps: 100_000 });
    const ledger = await openLedger(join(mkdtempSync(join(tmpdir(), 'axn-bench-ledger-')), 'ledger.db'));
    const config = {
      poolKey: 'FC-BENCH',
      hashKey: 'bench-hash-key-0123456789',
      allowUsers: [],
      allowChannels: [],
      admins: [],
      rateLimitPerMinute: 10_000_000,
    };
    const svc = new BindingService({ client, ledger, config });
    const expiration = formatBeijingTime(Date.now() + 86_400_000);
    const bare = () =>
      client.call(BindAxnExtension, {
        poolKey: 'FC-BENCH',
        phoneNoA: nextPhone(),
        expiration,
        outId: 'axn-benchmark',
      });
    const context = {
      now: Date.now(),
      locale: 'en',
      defaultExpiresMs: 86_400_000,
      maxExpiresMs: 90 * 86_400_000,
      maxBulk: 20,
    };
    let key = 0;
    const viaService = () =>
      svc.execute(parseCommand(`bind ${nextPhone()}`, context), {
        platform: 'bench',
        userId: 'U1',
        userName: 'bench',
        channelId: 'C1',
        idempotencyKey: `k${key++}`,
      });
    // The emulator and both paths need a few thousand calls before V8 has optimised them.
    await latencies(3000, 8, bare);
    await latencies(3000, 8, viaService);
    for (const concurrency of [1, 32]) {
      await latencies(300, concurrency, bare);
      await latencies(300, concurrency, viaService);
      // Alternating rounds, best p50 and p99 of three for each side.
      const anchor = { p50: Number.POSITIVE_INFINITY, p99: Number.POSITIVE_INFINITY };
      const subject = { p50: Number.POSITIVE_INFINITY, p99: Number.POSITIVE_INFINITY };
      for (let round = 0; round < 3; round++) {
        const a = await latencies(1000, concurrency, bare);
        const b = await latencies(1000, concurrency, viaService);
        anchor.p50 = Math.min(anchor.p50, a.p50);
        anchor.p99 = Math.min(anchor.p99, a.p99);
        subject.p50 = Math.min(subject.p50, b.p50);
        subject.p99 = Math.min(subject.p99, b.p99);
      }
      rows.push([
        `Bind through the service, ${concurrency} concurrent: p50 / p99`,
        `${fmt(subject.p50, 3)} / ${fmt(subject.p99, 3)} ms`,
        `bare client ${fmt(anchor.p50, 3)} / ${fmt(anchor.p99, 3)} ms`,
        `${fmt(subject.p50 / anchor.p50)}× at p50`,
        '≤ 1.3× at p50',
        subject.p50 / anchor.p50 <= 1.3,
      ]);
    }
    await ledger.close();
    await client.close();
  } finally {
    await emu.stop();
  }
  return rows;
}

export async function run() {
  return {
    title: '@axnbot/chatops',
    rows: [...parsing(), ...(await service())],
    notes: [
      'Per bind the service adds two durable SQLite commits (WAL, synchronous=NORMAL): one claims the delivery and',
      'records the pending binding before the call (~90 µs here), one stores the outcome, its audit event and the',
      'reply (~130 µs) — five indexes on the bindings table, fsyncs at checkpoints. Recording intent before the call',
      'is what makes an unknown outcome recoverable, so the ≤ 1.3× target is not met on this disk; at 32 concurrent',
      'the synchronous SQLite work serialises on the event loop.',
    ].join(' '),
  };
}
