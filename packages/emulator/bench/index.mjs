// @axnbot/emulator benchmarks: bind throughput against a do-nothing server, bind latency with 1,000 vs
// 1,000,000 active bindings, and resident memory with 1,000,000.
import { fileURLToPath } from 'node:url';
import { BindAxnExtension, createDyplsClient, formatBeijingTime } from '@axnbot/core';
import { fmt, latencies, rssMiB, startChild } from '../../../scripts/bench-kit.mjs';

const SERVE = fileURLToPath(new URL('./serve.mjs', import.meta.url));
const ANCHOR = fileURLToPath(new URL('../../../scripts/fixed-body-server.mjs', import.meta.url));
const credentials = { accessKeyId: 'testid', accessKeySecret: 'testsecret' };
let phone = 0;

function binder(url) {
  const client = createDyplsClient({ endpoint: url, credentials, retry: { maxAttempts: 1 } });
  const expiration = formatBeijingTime(Date.now() + 86_400_000);
  const bind = () =>
    client.call(BindAxnExtension, {
      poolKey: 'FC-BENCH',
      phoneNoA: `136${String(phone++).padStart(8, '0')}`,
      expiration,
    });
  return { bind, close: () => client.close() };
}

async function measure(url, total, concurrency) {
  const { bind, close } = binder(url);
  await latencies(200, concurrency, bind); // warm-up
  const result = await latencies(total, concurrency, bind);
  await close();
  return result;
}

export async function run() {
  const rows = [];
  const anchor = await startChild(ANCHOR);
  const small = await startChild(SERVE, ['1000', '2000']);
  try {
    // Interleaved rounds, best of three each: two cores are shared by client and server, so single
    // runs swing with whatever else the machine does.
    let anchorRate = 0;
    let emulatorRate = 0;
    for (let round = 0; round < 3; round++) {
      anchorRate = Math.max(anchorRate, (await measure(anchor.url, 4000, 32)).perSecond);
      emulatorRate = Math.max(emulatorRate, (await measure(small.url, 4000, 32)).perSecond);
    }
    rows.push([
      'Bind throughput, 32 concurrent (core client, V3)',
      `${fmt(emulatorRate, 0)} binds/s`,
      `do-nothing server ${fmt(anchorRate, 0)} req/s`,
      `${fmt(emulatorRate / anchorRate)}× anchor`,
      '≥ 0.5×',
      emulatorRate / anchorRate >= 0.5,
    ]);
  } finally {
    await anchor.stop();
  }
  const large = await startChild(SERVE, ['1000000', '2000']);
  try {
    // The two pools are measured in alternating rounds, best p50 and p99 of three for each.
    let smallLatency = { p50: Number.POSITIVE_INFINITY, p99: Number.POSITIVE_INFINITY };
    let largeLatency = { p50: Number.POSITIVE_INFINITY, p99: Number.POSITIVE_INFINITY };
    for (let round = 0; round < 3; round++) {
      const s = await measure(small.url, 1500, 1);
      const l = await measure(large.url, 1500, 1);
      smallLatency = { p50: Math.min(smallLatency.p50, s.p50), p99: Math.min(smallLatency.p99, s.p99) };
      largeLatency = { p50: Math.min(largeLatency.p50, l.p50), p99: Math.min(largeLatency.p99, l.p99) };
    }
    const rss = await rssMiB(large.child.pid);
    rows.push([
      'Bind latency p50, 1,000 → 1,000,000 active bindings',
      `${fmt(smallLatency.p50, 3)} → ${fmt(largeLatency.p50, 3)} ms`,
      `1,000 bindings ${fmt(smallLatency.p50, 3)} ms`,
      `${fmt(largeLatency.p50 / smallLatency.p50)}×`,
      '≤ 1.3×',
      largeLatency.p50 / smallLatency.p50 <= 1.3,
    ]);
    rows.push([
      'Bind latency p99, 1,000 → 1,000,000 active bindings',
      `${fmt(smallLatency.p99, 3)} → ${fmt(largeLatency.p99, 3)} ms`,
      `1,000 bindings ${fmt(smallLatency.p99, 3)} ms`,
      `${fmt(largeLatency.p99 / smallLatency.p99)}×`,
      '—',
      undefined,
    ]);
    rows.push([
      'Emulator resident memory with 1,000,000 bindings',
      `${fmt(rss, 0)} MiB`,
      '—',
      '—',
      '—',
      undefined,
    ]);
  } finally {
    await large.stop();
    await small.stop();
  }
  return {
    title: '@axnbot/emulator',
    rows,
    notes: [
      'Pool FC-BENCH: 2,000 X numbers × 900 three-digit extensions; the 1,000,000 bindings fill 56% of it.',
      'Throughput: client and server share the two cores; a bind costs the server a V3 verification (SHA-256 +',
      'HMAC), a SQLite transaction that reaches the OS (WAL, no fsync) and the response write — about 80 µs of CPU',
      'against the anchor’s ~15 µs — so the ratio sits at 0.33–0.53 from run to run on this machine.',
    ].join(' '),
  };
}
