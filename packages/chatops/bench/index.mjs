// @axnbot/chatops benchmarks: parse throughput, and bind latency through the service against the bare
// core client on the same emulator.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BindAxnExtension, createDyplsClient, formatBeijingTime } from '@axnbot/core';
import { bestOf, fmt, latencies, microsPerOp, startChild } from '../../../scripts/bench-kit.mjs';
import {
  BindingService,
  createReceiptEndpoint,
  PhoneHasher,
  parseCommand,
  RECEIPT_ACCEPTED,
  SqlLedger,
  sqliteDriver,
} from '../dist/index.js';

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
    // The ledger on its driver, so the bench can read how many transactions its writes took.
    const driver = sqliteDriver(join(mkdtempSync(join(tmpdir(), 'axn-bench-ledger-')), 'ledger.db'));
    const ledger = await SqlLedger.open(driver);
    const config = {
      poolKey: 'FC-BENCH',
      hashKey: 'bench-hash-key-0123456789',
      allowUsers: [],
      allowChannels: [],
      admins: [],
      rateLimitPerMinute: 10_000_000,
    };
    const svc = new BindingService({ client, ledger, config });
    const hasher = new PhoneHasher(config.hashKey);
    const expiration = formatBeijingTime(Date.now() + 86_400_000);
    const call = (phoneNoA) =>
      client.call(BindAxnExtension, {
        poolKey: 'FC-BENCH',
        phoneNoA,
        expiration,
        outId: 'axn-benchmark',
      });
    const bare = () => call(nextPhone());
    // What any bind of a new A must do besides the call: its slow keyed fingerprint (scrypt, on the
    // thread pool). The second anchor isolates what the service adds on top of that.
    const fingerprinted = async () => {
      const phone = nextPhone();
      await hasher.current(phone);
      return call(phone);
    };
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
    // The emulator and every path need a few thousand calls before V8 has optimised them.
    await latencies(3000, 8, bare);
    await latencies(1000, 8, fingerprinted);
    await latencies(3000, 8, viaService);
    for (const concurrency of [1, 32]) {
      await latencies(300, concurrency, bare);
      await latencies(300, concurrency, fingerprinted);
      await latencies(300, concurrency, viaService);
      // Alternating rounds, best p50 and p99 of three for each side.
      const best = () => ({ p50: Number.POSITIVE_INFINITY, p99: Number.POSITIVE_INFINITY });
      const anchor = best();
      const floor = best();
      const subject = best();
      const keep = (into, from) => {
        into.p50 = Math.min(into.p50, from.p50);
        into.p99 = Math.min(into.p99, from.p99);
      };
      const stats = [];
      for (let round = 0; round < 3; round++) {
        keep(anchor, await latencies(1000, concurrency, bare));
        keep(floor, await latencies(1000, concurrency, fingerprinted));
        const before = driver.writeStats();
        keep(subject, await latencies(1000, concurrency, viaService));
        const after = driver.writeStats();
        stats.push({
          writes: after.writes - before.writes,
          transactions: after.transactions - before.transactions,
        });
      }
      rows.push([
        `Bind through the service, ${concurrency} concurrent: p50 / p99`,
        `${fmt(subject.p50, 3)} / ${fmt(subject.p99, 3)} ms`,
        `bare client ${fmt(anchor.p50, 3)} / ${fmt(anchor.p99, 3)} ms`,
        `${fmt(subject.p50 / anchor.p50)}× at p50`,
        '≤ 1.5× at p50',
        subject.p50 / anchor.p50 <= 1.5,
      ]);
      rows.push([
        `Bind through the service, ${concurrency} concurrent, against the bare client plus A’s fingerprint`,
        `${fmt(subject.p50, 3)} / ${fmt(subject.p99, 3)} ms`,
        `fingerprint + client ${fmt(floor.p50, 3)} / ${fmt(floor.p99, 3)} ms`,
        `${fmt(subject.p50 / floor.p50)}× at p50`,
        '≤ 1.5× at p50',
        subject.p50 / floor.p50 <= 1.5,
      ]);
      const writes = stats.reduce((sum, s) => sum + s.writes, 0);
      const transactions = stats.reduce((sum, s) => sum + s.transactions, 0);
      rows.push([
        `SQLite ledger commits per bind, ${concurrency} concurrent (group commit)`,
        `${fmt(transactions / 3000, 2)} transactions for ${fmt(writes / 3000, 2)} writes`,
        'one transaction per write before',
        `${fmt(writes / transactions, 1)} writes a transaction`,
        '—',
        undefined,
      ]);
    }
    await ledger.close();
    await client.close();
  } finally {
    await emu.stop();
  }
  return rows;
}

/**
 * Aliyun's push deadline: 200 receipts arrive at once (200 concurrent POSTs of one SecretReport each, as
 * its batch push may send them), each answered after its batch is stored in the SQLite ledger. Anchor:
 * the same server answering the same body without storing anything.
 */
async function receiptPush() {
  const ledger = await SqlLedger.open(
    sqliteDriver(join(mkdtempSync(join(tmpdir(), 'axn-bench-receipts-')), 'ledger.db')),
  );
  // No Aliyun call is made here: the client only completes the service.
  const client = createDyplsClient({ endpoint: 'http://127.0.0.1:9', credentials });
  const svc = new BindingService({
    client,
    ledger,
    config: {
      poolKey: 'FC-BENCH',
      hashKey: 'bench-hash-key-0123456789',
      allowUsers: [],
      allowChannels: [],
      admins: [],
      rateLimitPerMinute: 1000,
    },
  });
  const token = 'bench-receipt-token-0123456789';
  const endpoint = createReceiptEndpoint({ token, store: svc.receiptStore() });
  const accepted = JSON.stringify(RECEIPT_ACCEPTED);
  const anchor = (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(accepted));
  };
  let callNo = 0;
  const receipt = () =>
    JSON.stringify([
      {
        pool_key: 'FC-BENCH',
        sub_id: 1000000000000 + callNo,
        call_id: `bench-${callNo++}`,
        phone_no: '13800138000',
        secret_no: '17000000001',
        peer_no: `139${String(callNo).padStart(8, '0')}`,
        call_type: 1,
        call_time: '2026-11-28 12:00:00',
        start_time: '2026-11-28 12:00:05',
        release_time: '2026-11-28 12:01:17',
        release_dir: 1,
        release_cause: 16,
        unconnected_cause: 0,
      },
    ]);
  const measure = async (handler) => {
    const server = createServer((req, res) => void handler(req, res));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${server.address().port}/aliyun/receipts/SecretReport?token=${token}`;
    const p99s = [];
    for (let round = 0; round < 5; round++) {
      const times = await Promise.all(
        Array.from({ length: 200 }, async () => {
          const body = receipt();
          const t0 = performance.now();
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          await response.text();
          if (response.status !== 200) throw new Error(`receipt push answered ${response.status}`);
          return performance.now() - t0;
        }),
      );
      times.sort((a, b) => a - b);
      p99s.push(times[Math.floor(0.99 * times.length)]);
    }
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    return Math.min(...p99s);
  };
  try {
    const base = await measure(anchor);
    const stored = await measure(endpoint);
    return [
      [
        'Receipt push: 200 receipts at once, p99 answer time (best of 5)',
        `${fmt(stored, 1)} ms`,
        `answer without storing ${fmt(base, 1)} ms`,
        `${fmt(stored / base)}× anchor`,
        '≤ 700 ms (Aliyun’s deadline)',
        stored <= 700,
      ],
    ];
  } finally {
    await ledger.close();
    await client.close();
  }
}

export async function run() {
  return {
    title: '@axnbot/chatops',
    rows: [...parsing(), ...(await service()), ...(await receiptPush())],
    notes: [
      'Per bind the service adds A’s fingerprint — a keyed scrypt (N=2048, r=8) of ~3.5 ms CPU on the thread',
      'pool, paid once per new number, deliberately slow so a stolen ledger and key cost half a minute per',
      'masked number — and two ledger commits: the claim with the intended binding before the call, and the',
      'outcome, audit event and reply after it. Against the bare client the fingerprint alone exceeds the ≤ 1.5×',
      'target many times over (at 32 concurrent, 32 scrypts queue on 4 pool threads and 2 cores), so the',
      'second row of each pair measures what the service adds beyond it: against a bare call preceded by the',
      'same fingerprint. The SQLite ledger commits in groups (writes asked for while the process is busy share',
      'the next transaction; each caller resumes after it committed), so at 32 concurrent a commit carries',
      'several binds’ writes; at 1 concurrent there is nothing to group.',
      'Receipts: each push is checked whole and stored masked in one ledger transaction before it is answered;',
      'the peers’ keyed fingerprints (the slow part) are computed after the answer, so the deadline is met by',
      'a wide margin; the anchor answers the same 200 requests without storing anything.',
    ].join(' '),
  };
}
