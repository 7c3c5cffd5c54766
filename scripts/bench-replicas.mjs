// Three bot replicas on one PostgreSQL and one Redis (issue 16): AXN_MAX_QPS=20 shared through Redis,
// 300 binds sent across the replicas as fast as possible. The emulator (in this process) notes when each
// BindAxnExtension arrives: at most 22 in any one-second window, all 300 bound exactly once, and the whole
// run within 15% of 300 / 20 = 15 s. Then the same 300 with every delivery sent twice, to two different
// replicas: 300 bindings, and 300 replies a bot would post (its first delivery), once each.
// Needs PostgreSQL (AXN_TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test) and Redis
// (AXN_TEST_REDIS_URL, or redis://127.0.0.1:6379); without them the section says it was skipped.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { fmt } from './bench-kit.mjs';

const require = createRequire(new URL('../packages/chatops/package.json', import.meta.url));
const WORKER = fileURLToPath(new URL('./bench-replica-worker.mjs', import.meta.url));
const DATABASE_URL = process.env.AXN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.AXN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPLICAS = 3;
const MAX_QPS = 20;
const BINDS = 300;
const POOL = 'FC-REPLICAS';
const X_NUMBERS = 4;
const WARM_UP = 5;

const answers = (url, fallbackPort) =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port || fallbackPort), hostname);
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

/** The most timestamps (ms) in any window of `windowMs`. */
function mostInWindow(times, windowMs) {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** A fresh schema on the shared database, named in the URL so each replica's ledger uses it. */
async function freshSchemaUrl() {
  const pg = (await import(require.resolve('pg'))).default;
  const schema = `axn_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const again = new pg.Client({ connectionString: DATABASE_URL });
      await again.connect();
      await again.query(`DROP SCHEMA ${schema} CASCADE`);
      await again.end();
    },
  };
}

async function startReplicas(env) {
  const replicas = [];
  for (let i = 0; i < REPLICAS; i++) {
    const child = fork(WORKER, [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const pending = new Map();
    const ready = new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`replica ${i} exited with ${code}`)));
      child.on('message', (message) => {
        if (message.ready) return resolve(message.limits);
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      });
    });
    const limits = await ready;
    let next = 0;
    replicas.push({
      limits,
      send(text, actor) {
        const id = next++;
        return new Promise((resolve) => {
          pending.set(id, resolve);
          child.send({ id, text, actor });
        });
      },
      stop: () =>
        new Promise((resolve) => {
          child.removeAllListeners('exit');
          child.once('exit', resolve);
          child.send({ close: true });
        }),
    });
  }
  return replicas;
}

/** One run: `BINDS` deliveries, each sent to `copies` different replicas at once. */
async function run(emu, env, copies, tag) {
  const seen = [];
  const others = [];
  let counting = false;
  const onRequest = (req) => {
    if (!counting || req.url?.startsWith('/_emulator')) return;
    (req.headers['x-acs-action'] === 'BindAxnExtension' ? seen : others).push(performance.now());
  };
  emu.server.on('request', onRequest);
  const replicas = await startReplicas(env);
  try {
    // A warm-up, as a running bot has had: each replica binds a few numbers (its connections to
    // PostgreSQL open, its code compiled) before the measured run; then a second for the rate to clear.
    await Promise.all(
      replicas.flatMap((replica, r) =>
        Array.from({ length: WARM_UP }, (_, i) =>
          replica.send(`bind 13${tag}9${r}${String(i).padStart(6, '0')}`, {
            platform: 'slack',
            userId: `U${tag}warm`,
            userName: 'bench',
            channelId: 'C1',
            idempotencyKey: `T1:${tag}-warm-${r}-${i}`,
          }),
        ),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    counting = true;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: BINDS }, (_, i) =>
        Promise.all(
          Array.from({ length: copies }, (_, copy) =>
            replicas[(i + copy) % REPLICAS].send(`bind 13${tag}${String(i).padStart(8, '0')}`, {
              platform: 'slack',
              userId: `U${tag}${i % 20}`,
              userName: 'bench',
              channelId: 'C1',
              idempotencyKey: `T1:${tag}-${i}`,
            }),
          ),
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const flat = results.flat();
    const phones = emu.store
      .listBindings({ limit: 10_000 }, emu.clock.now())
      .bindings.filter((binding) => binding.phoneA.startsWith(`13${tag}00000`))
      .map((binding) => binding.phoneA);
    return {
      seconds,
      calls: seen.length,
      otherCalls: others.length,
      most: mostInWindow(seen, 1000),
      mostAll: mostInWindow([...seen, ...others], 1000),
      bound: new Set(phones).size,
      bindings: phones.length,
      boundReplies: flat.filter((r) => r.kind === 'bound').length,
      posted: flat.filter((r) => r.firstDelivery).length,
      limits: replicas.map((r) => r.limits.mode),
    };
  } finally {
    emu.server.off('request', onRequest);
    await Promise.all(replicas.map((r) => r.stop()));
  }
}

export async function run3() {
  const title = 'Three replicas on PostgreSQL + Redis (AXN_MAX_QPS=20 shared)';
  if (!(await answers(DATABASE_URL, 5432)) || !(await answers(REDIS_URL, 6379))) {
    return {
      title,
      rows: [],
      notes: `Skipped: PostgreSQL (${DATABASE_URL}) or Redis (${REDIS_URL}) did not answer.`,
    };
  }
  const { startEmulator } = await import(require.resolve('@axnbot/emulator'));
  const emu = await startEmulator({ seed: 'none' });
  // A pool as AXN extension pools are: a few X numbers, each shared by hundreds of A numbers through
  // extensions. Each replica also looks up each X's city once (QuerySecretNoDetail, in the same rate).
  emu.store.createPool({
    key: POOL,
    name: 'replicas bench',
    cityMode: 'fallback',
    extensionLength: 3,
    callbackMode: 'latest-peer',
  });
  emu.store.addNumbers(
    POOL,
    Array.from({ length: X_NUMBERS }, (_, i) => ({
      secretNo: `1700000${String(i).padStart(4, '0')}`,
      city: '北京',
    })),
  );
  const schema = await freshSchemaUrl();
  const env = {
    AXN_ENDPOINT: emu.url,
    AXN_POOL_KEY: POOL,
    AXN_HASH_KEY: 'bench-replicas-hash-key',
    AXN_DATABASE_URL: schema.url,
    AXN_REDIS_URL: REDIS_URL,
    AXN_REPLICAS: String(REPLICAS),
    AXN_MAX_QPS: String(MAX_QPS),
    AXN_RATE_LIMIT: '1000',
    AXN_LOG_LEVEL: 'silent',
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'testsecret',
  };
  try {
    const once = await run(emu, env, 1, '5');
    const twice = await run(emu, env, 2, '6');
    const ideal = BINDS / MAX_QPS;
    const within = Math.abs(once.seconds / ideal - 1);
    return {
      title,
      rows: [
        [
          `BindAxnExtension calls in any one second, ${BINDS} binds over ${REPLICAS} replicas`,
          `at most ${once.most} (${once.calls} calls; ${once.mostAll} counting ${once.otherCalls} city look-ups)`,
          `AXN_MAX_QPS ${MAX_QPS}`,
          `${fmt(once.most / MAX_QPS)}× the rate`,
          '≤ 22',
          once.most <= 22,
        ],
        [
          `${BINDS} binds bound exactly once`,
          `${once.bound} numbers, ${once.bindings} bindings, ${once.boundReplies} bound replies`,
          `${BINDS}`,
          '—',
          `${BINDS} each`,
          once.bound === BINDS && once.bindings === BINDS && once.boundReplies === BINDS,
        ],
        [
          `Total time of the ${BINDS} binds (${once.calls + once.otherCalls} Aliyun calls)`,
          `${fmt(once.seconds, 2)} s`,
          `${BINDS} / ${MAX_QPS} = ${fmt(ideal, 1)} s`,
          `${fmt((once.seconds / ideal) * 100, 1)}%`,
          'within 15%',
          within <= 0.15,
        ],
        [
          `The same ${BINDS}, each delivery sent to two replicas at once`,
          `${twice.bindings} bindings, ${twice.posted} replies posted, at most ${twice.most} calls a second`,
          `${BINDS}`,
          '—',
          `${BINDS} and ${BINDS}`,
          twice.bound === BINDS && twice.bindings === BINDS && twice.posted === BINDS,
        ],
      ],
      notes: [
        'Each replica is a process like a bot (openServiceRuntime from AXN_* variables), its ledger one PostgreSQL',
        `schema shared by all three, its limits in Redis (mode at start: ${once.limits.join(', ')}). The emulator`,
        'runs in the benchmark’s process and notes each call as it arrives. The pool has',
        `${X_NUMBERS} X numbers shared through extensions; each replica looks up each X’s city once`,
        '(QuerySecretNoDetail), and those calls count against the same rate. The shared rate is counted in slots',
        'of 1 call per 50 ms (ceil(20 / 20) per 1000 × 1 / 20 ms) on Redis’s clock: a caller reserves the',
        'earliest slot with room and waits for it, so any one second spans at most 21 counted calls, the calls',
        'take one slot each whatever replica makes them, and a replica that wakes late loses no slot. The time',
        'includes the start: 300 fingerprints (scrypt) and 300 claims in PostgreSQL before the first calls (each',
        `replica warmed up with ${WARM_UP} binds first, not counted).`,
        'A delivery sent twice is claimed once in the ledger; the other replica waits for the reply and does not',
        'post it (it is not its first delivery).',
      ].join(' '),
    };
  } finally {
    await emu.close();
    await schema.drop().catch(() => {});
  }
}

export { run3 as run };

// Run alone: `node scripts/bench-replicas.mjs`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const section = await run3();
  console.log(JSON.stringify(section, null, 2));
}
