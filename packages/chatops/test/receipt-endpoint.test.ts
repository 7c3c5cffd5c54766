import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CallEvent,
  createReceiptEndpoint,
  jsonLineLogger,
  type Ledger,
  LedgerReceiptStore,
  openLedger,
  PhoneHasher,
  RECEIPT_MAX_BYTES,
  type ReceiptEndpointOptions,
} from '../src/index.js';
import { freshSchema, POSTGRES_URL, STORES, type StoreFactory, sqliteStore } from './stores.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TOKEN = 'receipt-token-9f8e7d6c5b4a';
const A = '13800138000';
const PEER = '13900139001';
const HASH_KEY = 'receipt-hash-key';

/** Receipts of one call, with numbers in clear, as Aliyun pushes them. */
function receipts(callId: string) {
  const base = {
    pool_key: 'FC-DEMO',
    sub_id: 1000000000000000123n.toString(),
    call_id: callId,
    phone_no: A,
    secret_no: '17000000001',
    peer_no: PEER,
    call_type: 1,
    call_time: '2026-05-12 14:05:00',
    out_id: 'axn-aaaa',
    unconnected_cause: 0,
    extension: '123',
  };
  return {
    SecretStartReport: { ...base, control_type: 'CONTINUE' },
    SecretReport: {
      ...base,
      start_time: '2026-05-12 14:05:08',
      release_time: '2026-05-12 14:06:20',
      release_cause: 16,
      release_dir: 1,
      record_url: '',
    },
    SecretRecording: {
      pool_key: 'FC-DEMO',
      call_id: callId,
      call_time: 1_778_565_900_000,
      subs_id: base.sub_id,
    },
  };
}

/** The JSON text Aliyun sends: `sub_id` as a bare number. */
const wire = (records: unknown[]) =>
  JSON.stringify(records).replace(/"(sub_id|subs_id)":"(\d+)"/g, '"$1":$2');

interface Setup {
  url: string;
  ledger: Ledger;
  logs: string[];
  stored: CallEvent[][];
  /** Settles once every request so far was handled (its `onStored` included). */
  settled(): Promise<void>;
  push(
    type: string,
    body: string,
    options?: { token?: string | null; method?: string },
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
}

async function setup(
  store: StoreFactory,
  options: { ledger?: Ledger; onStored?: ReceiptEndpointOptions['onStored'] } = {},
): Promise<Setup> {
  const ledger = options.ledger ?? (await store.open());
  if (!options.ledger) cleanups.push(() => ledger.close());
  const logs: string[] = [];
  const stored: CallEvent[][] = [];
  const handler = createReceiptEndpoint({
    token: TOKEN,
    store: new LedgerReceiptStore({ ledger, hasher: new PhoneHasher(HASH_KEY), now: () => 1_000 }),
    logger: jsonLineLogger(
      (line) => logs.push(line),
      () => 0,
      'debug',
    ),
    onStored:
      options.onStored ??
      ((events) => {
        stored.push([...events]);
      }),
  });
  const pending: Promise<void>[] = [];
  const server = createServer((req, res) => {
    pending.push(handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ledger,
    logs,
    stored,
    settled: async () => {
      await Promise.all(pending);
    },
    async push(type, body, { token = TOKEN, method = 'POST' } = {}) {
      const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
      const response = await fetch(`${url}/aliyun/receipts/${type}${query}`, {
        method,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: method === 'GET' || method === 'HEAD' ? undefined : body,
      });
      const text = await response.text();
      await Promise.all(pending);
      return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
    },
  };
}

/** Sends a body of `size` bytes with node:http, declared or chunked; answers the status and body. */
function sendLarge(url: string, size: number, chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/aliyun/receipts/SecretReport?token=${TOKEN}`,
      { method: 'POST', headers: chunked ? {} : { 'content-length': String(size) } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    // A JSON array that is valid but for its size: `[` + spaces + `]`.
    const piece = Buffer.alloc(64 * 1024, 0x20);
    req.write('[');
    let left = size - 2;
    while (left > 0) {
      const n = Math.min(left, piece.length);
      req.write(piece.subarray(0, n));
      left -= n;
    }
    req.end(']');
  });
}

describe.each(STORES)('the receipt endpoint, ledger on $name', (store) => {
  it('stores a batch once, answers Aliyun’s success, then hands over only the new events', async () => {
    const s = await setup(store);
    const r = receipts('call-1');
    const first = await s.push('SecretReport', wire([r.SecretReport]));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ code: 0, msg: '接收成功' });
    expect(s.stored).toHaveLength(1);
    expect(s.stored[0]).toMatchObject([
      {
        callId: 'call-1',
        type: 'SecretReport',
        subsId: '1000000000000000123',
        talkSeconds: 72,
        phoneMasked: '138****8000',
        peerMasked: '139****9001',
      },
    ]);
    // Fingerprinted after the answer, as A is in the ledger: handed over, and recorded.
    const hasher = new PhoneHasher(HASH_KEY);
    expect(s.stored[0]?.[0]).toMatchObject({
      peerHash: await hasher.current(PEER),
      phoneHash: await hasher.current(A),
    });
    expect((await s.ledger.callEvents('call-1'))[0]).toEqual(s.stored[0]?.[0]);
    // Aliyun re-pushes after 1, 5 and 10 minutes when unsure: each time accepted, nothing new handed over.
    for (let retry = 0; retry < 3; retry++) {
      const again = await s.push('SecretReport', wire([r.SecretReport]));
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ code: 0, msg: '接收成功' });
    }
    expect(s.stored).toHaveLength(1);
    // A batch mixing a receipt seen, a new one, and the new one twice: the new one once.
    const mixed = await s.push('SecretStartReport', wire([r.SecretStartReport, r.SecretStartReport]));
    expect(mixed.status).toBe(200);
    expect(s.stored[1]?.map((event) => event.type)).toEqual(['SecretStartReport']);
    const recording = await s.push('SecretRecording', wire([r.SecretRecording]));
    expect(recording.status).toBe(200);
    expect(s.stored[2]).toMatchObject([
      { type: 'SecretRecording', subsId: '1000000000000000123', recorded: true },
    ]);
    expect((await s.ledger.callEvents('call-1')).map((event) => event.type)).toEqual([
      'SecretStartReport',
      'SecretReport',
      'SecretRecording',
    ]);
  });

  it("takes A's fingerprint from its binding when the ledger has it", async () => {
    const s = await setup(store);
    await s.ledger.insertBinding({
      ref: 'axn-known',
      subsId: '1000000000000000123',
      secretNo: '17000000001',
      extension: '123',
      phoneMasked: '138****8000',
      phoneHash: 's1:the-binding-fingerprint',
      poolKey: 'FC-DEMO',
      city: null,
      expiresAt: 2_000_000_000_000,
      recording: false,
      outId: null,
      status: 'active',
      platform: 'slack',
      userId: 'U1',
      userName: 'alice',
      channelId: 'C1',
      createdAt: 1,
      updatedAt: 1,
      requestId: null,
      deliveryKey: null,
      endedBy: null,
    });
    await s.push('SecretStartReport', wire([receipts('known-a').SecretStartReport]));
    const [event] = await s.ledger.callEvents('known-a');
    expect(event).toMatchObject({
      phoneHash: 's1:the-binding-fingerprint',
      peerHash: await new PhoneHasher(HASH_KEY).current(PEER),
    });
  });

  it('answers an empty array with success, and stores nothing', async () => {
    const s = await setup(store);
    const answer = await s.push('SecretReport', '[]');
    expect(answer).toMatchObject({ status: 200, body: { code: 0, msg: '接收成功' } });
    expect(s.stored).toEqual([]);
  });

  describe('refuses, and stores nothing', () => {
    const good = () => receipts('refused-call').SecretReport;

    async function expectNothingStored(s: Setup) {
      await s.settled();
      expect(s.stored).toEqual([]);
      expect(await s.ledger.storedCallEvents(['refused-call'])).toEqual([]);
    }

    it.each([
      ['no token', null],
      ['an empty token', ''],
      ['a wrong token of the same length', TOKEN.replace(/.$/, 'x')],
      ['the token with more after it', `${TOKEN}x`],
    ])('%s: 401', async (_name, token) => {
      const s = await setup(store);
      const answer = await s.push('SecretReport', wire([good()]), { token });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ code: 401, msg: 'missing or wrong token' });
      await expectNothingStored(s);
    });

    it('a method other than POST: 405, saying which is allowed', async () => {
      const s = await setup(store);
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const answer = await s.push('SecretReport', wire([good()]), { method });
        expect(answer.status).toBe(405);
        expect(answer.headers.get('allow')).toBe('POST');
      }
      await expectNothingStored(s);
    });

    it('a body of 1 MiB + 1 byte, declared or chunked: 413', async () => {
      const s = await setup(store);
      for (const chunked of [false, true]) {
        const answer = await sendLarge(s.url, RECEIPT_MAX_BYTES + 1, chunked);
        expect(answer.status).toBe(413);
        expect(JSON.parse(answer.body)).toEqual({ code: 413, msg: 'the body is over 1048576 bytes' });
      }
      await expectNothingStored(s);
      // Exactly 1 MiB is read (and, being an empty array, accepted).
      expect((await sendLarge(s.url, RECEIPT_MAX_BYTES, false)).status).toBe(200);
    });

    it('a body that is not JSON: 400', async () => {
      const s = await setup(store);
      const answer = await s.push('SecretReport', `${wire([good()]).slice(0, -2)}`);
      expect(answer).toMatchObject({ status: 400, body: { code: 400, msg: 'the body is not valid JSON' } });
      await expectNothingStored(s);
    });

    it('a body that is not an array: 400', async () => {
      const s = await setup(store);
      const answer = await s.push('SecretReport', JSON.stringify(good()));
      expect(answer.body).toEqual({ code: 400, msg: 'the body must be a JSON array of receipts' });
      expect(answer.status).toBe(400);
      await expectNothingStored(s);
    });

    it.each(['SecretAsrReport', 'SmartLogisticsReport', 'secretreport', '..%2F..%2Fetc'])(
      'a type axnbot does not take (%s): 404',
      async (type) => {
        const s = await setup(store);
        const answer = await s.push(type, wire([good()]));
        expect(answer).toMatchObject({
          status: 404,
          body: { code: 404, msg: 'not a message type axnbot accepts' },
        });
        await expectNothingStored(s);
      },
    );

    it('an invalid record anywhere in the batch: 400 naming its index and field; no record of it kept', async () => {
      const s = await setup(store);
      const answer = await s.push(
        'SecretReport',
        wire([
          good(),
          { ...good(), call_id: 'second' },
          { ...good(), call_id: 'third', release_time: 'soon' },
        ]),
      );
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        code: 400,
        msg: 'record 2: release_time must be a yyyy-MM-dd HH:mm:ss time',
        index: 2,
        field: 'release_time',
      });
      await expectNothingStored(s);
      expect(await s.ledger.storedCallEvents(['second', 'third'])).toEqual([]);
    });
  });

  it('answers 503 when the ledger cannot store, so that Aliyun pushes again', async () => {
    const broken = await store.open();
    await broken.close();
    const s = await setup(store, { ledger: broken });
    const answer = await s.push('SecretReport', wire([receipts('c-down').SecretReport]));
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: 503 });
    expect(s.stored).toEqual([]);
    expect(s.logs.some((line) => JSON.parse(line).msg.startsWith('could not store call receipts'))).toBe(
      true,
    );
  });

  it('keeps answering when what runs after storing fails: the failure is logged', async () => {
    const s = await setup(store, {
      onStored: () => {
        throw new Error(`posting failed for ${A}`);
      },
    });
    const answer = await s.push('SecretReport', wire([receipts('c-after').SecretReport]));
    expect(answer).toMatchObject({ status: 200, body: { code: 0 } });
    const failure = s.logs.map((line) => JSON.parse(line)).find((line) => line.level === 'error');
    expect(failure).toMatchObject({
      msg: 'handling stored call receipts failed',
      error: 'posting failed for 138****8000',
    });
    expect(await s.ledger.storedCallEvents(['c-after'])).toHaveLength(1);
  });
});

describe('a flood of refused pushes', () => {
  it('is summarised in the log, not written line by line (anyone may send them)', async () => {
    const s = await setup(sqliteStore);
    for (let i = 0; i < 300; i++) {
      const answer = await s.push(i % 2 ? 'SecretReport' : `Nope${'x'.repeat(500)}`, '[]', {
        token: i % 3 ? 'wrong-token-0123456789' : null,
      });
      expect(answer.status).toBe(401);
    }
    const refusals = s.logs.filter((line) => JSON.parse(line).msg.startsWith('refused a receipt push'));
    expect(refusals).toHaveLength(1);
    expect(JSON.parse(refusals[0] as string)).toMatchObject({ level: 'warn', status: 401 });
    // The type from the URL is cut short in the line: a long path cannot make long lines.
    expect((refusals[0] as string).length).toBeLessThan(300);
  });
});

describe('no clear number, and no token, in the ledger, the logs or an answer', () => {
  async function push(s: Setup) {
    const answers: string[] = [];
    for (const id of ['p-1', 'p-2']) {
      const r = receipts(id);
      for (const [type, record] of Object.entries(r)) {
        const answer = await s.push(type, wire([record]));
        expect(answer.status).toBe(200);
        answers.push(JSON.stringify(answer.body));
      }
    }
    // And the refusals, which must not echo what was sent.
    answers.push(JSON.stringify((await s.push('SecretReport', `[{"call_id":"x","phone_no":${A}`)).body));
    answers.push(JSON.stringify((await s.push('SecretReport', wire([{ call_id: A, call_time: A }]))).body));
    answers.push(JSON.stringify((await s.push('SecretReport', '[]', { token: `${TOKEN}-wrong` })).body));
    return answers;
  }

  function expectClean(text: string) {
    expect(text).not.toContain(A);
    expect(text).not.toContain(PEER);
    expect(text).not.toContain(TOKEN);
  }

  it('on SQLite: the database files hold neither number in clear', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'axn-receipt-scan-'));
    const ledger = await openLedger(join(folder, 'ledger.db'));
    const s = await setup(STORES[0] as StoreFactory, { ledger });
    const answers = await push(s);
    expect(await ledger.storedCallEvents(['p-1', 'p-2'])).toHaveLength(6);
    await ledger.close();
    const files = readdirSync(folder);
    expect(files).toContain('ledger.db');
    for (const file of files) {
      const bytes = readFileSync(join(folder, file));
      expect(bytes.includes(A), file).toBe(false);
      expect(bytes.includes(PEER), file).toBe(false);
    }
    for (const line of [...s.logs, ...answers]) expectClean(line);
    expect(s.logs.length).toBeGreaterThan(6);
  });

  it.runIf(POSTGRES_URL)('on PostgreSQL: no row holds either number in clear', async () => {
    const schema = freshSchema();
    const ledger = await openLedger(POSTGRES_URL as string, { schema });
    cleanups.push(() => ledger.close());
    const s = await setup(STORES[1] as StoreFactory, { ledger });
    const answers = await push(s);
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT row_to_json(e)::text AS row FROM ${schema}.axn_call_events e`,
      );
      expect(rows).toHaveLength(6);
      for (const { row } of rows) expectClean(row);
    } finally {
      await client.end();
    }
    for (const line of [...s.logs, ...answers]) expectClean(line);
  });
});
