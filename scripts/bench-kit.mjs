// Shared helpers for the benchmarks: timing, percentiles, child-process servers.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Runs fn repeatedly for about `ms` milliseconds after a warm-up; answers microseconds per call. */
export function microsPerOp(fn, { ms = 400, warmup = 2000 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  let iterations = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 200; i++) fn();
    iterations += 200;
    elapsed = process.hrtime.bigint() - start;
  }
  return Number(elapsed) / 1000 / iterations;
}

/** Best of several runs: the least disturbed figure, for both a subject and its anchor. */
export function bestOf(runs, measure) {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) best = Math.min(best, measure());
  return best;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Latencies (ms) of `total` async calls made by `concurrency` workers. */
export async function latencies(total, concurrency, call) {
  const results = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++;
        const t0 = performance.now();
        await call(index);
        results.push(performance.now() - t0);
      }
    }),
  );
  const wallMs = performance.now() - started;
  results.sort((a, b) => a - b);
  return {
    p50: percentile(results, 50),
    p99: percentile(results, 99),
    wallMs,
    perSecond: (total / wallMs) * 1000,
  };
}

/** Starts `node script args…`, waits for its first stdout line (its URL), answers { url, child, stop }. */
export async function startChild(script, args = [], env = {}, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const url = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  return {
    url: url.trim(),
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** Resident set size of a process in MiB (Linux /proc). */
export async function rssMiB(pid) {
  const { readFileSync } = await import('node:fs');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/**
 * Resident memory of a bot after a full garbage collection: the bot, started with --expose-gc, collects
 * on SIGUSR2. Without it a sample says more about when V8 last collected than about what is retained.
 * The least of five samples over a second after the collection.
 */
export async function collectedRssMiB(pid) {
  process.kill(pid, 'SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 500));
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    least = Math.min(least, await rssMiB(pid));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return least;
}

/** Heap in use, in MiB, as a bot's Prometheus /metrics reports it (read right after a collection). */
export async function heapUsedMiB(metricsUrl) {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith('nodejs_heap_size_used_bytes '));
  return Number(line?.split(' ')[1]) / 2 ** 20;
}

/** Memory rows of a bot benchmark: resident and heap-in-use after a full GC at 5k, 10k and 20k. */
export function memoryRows(what, samples) {
  const [at5, at10, at20] = samples;
  const growth = at10.rss / at5.rss - 1;
  return [
    [
      `Bot resident memory after a full GC, 5,000 → 10,000 → 20,000 ${what}`,
      `${fmt(at5.rss, 0)} → ${fmt(at10.rss, 0)} → ${fmt(at20.rss, 0)} MiB`,
      '—',
      `${fmt(growth * 100, 1)}% (5k→10k), ${fmt((at20.rss / at10.rss - 1) * 100, 1)}% (10k→20k)`,
      '≤ 10% (5k→10k)',
      growth <= 0.1,
    ],
    [
      `Bot V8 heap in use after a full GC, 5,000 → 10,000 → 20,000 ${what}`,
      `${fmt(at5.heap, 1)} → ${fmt(at10.heap, 1)} → ${fmt(at20.heap, 1)} MiB`,
      '—',
      `${fmt((at10.heap / at5.heap - 1) * 100, 1)}% (5k→10k)`,
      '—',
      undefined,
    ],
  ];
}

export const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
