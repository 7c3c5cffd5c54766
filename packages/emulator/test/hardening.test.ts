import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createDyplsClient, QuerySecretNoRemain } from '@axnbot/core';
import { inParallel, MALFORMED_REQUESTS, type RawRequest, rawClient, sendBytes } from '@axnbot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 9, item 1, for the emulator: against a real emulator process, a fuzz of methods × paths ×
 * bodies × headers over the API and the operator routes is answered — never a 5xx, never a dropped
 * connection — and the process still serves signed calls afterwards, with its state unchanged.
 */

let child: ChildProcess;
let exited: Promise<number | null>;
let url: string;
let port: number;
let client: ReturnType<typeof rawClient>;

beforeAll(async () => {
  const script = fileURLToPath(new URL('./fixtures/serve.mjs', import.meta.url));
  child = spawn(process.execPath, [script, ':memory:'], { stdio: ['ignore', 'pipe', 'pipe'] });
  exited = new Promise((resolve) => child.on('exit', resolve));
  url = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  port = Number(new URL(url).port);
  client = rawClient(port, 16);
});

afterAll(async () => {
  client?.close();
  child?.kill('SIGTERM');
  await exited;
});

describe('the emulator answers anything and keeps serving', () => {
  it('answers a fuzz of API and operator requests without a 5xx, and changes nothing it refused', async () => {
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
    const paths = [
      '/',
      '/?Action=QuerySubsId&Version=2017-05-25',
      '/?Format=XML&Action=%ZZ',
      `/?${'a=1&'.repeat(500)}`,
      '/favicon.ico',
      '/_emulator',
      '/_emulator/',
      '/_emulator/health',
      '/_emulator/pools',
      '/_emulator/pools/FC-DEMO/numbers',
      '/_emulator/pools/%ZZ/numbers',
      '/_emulator/numbers/%E0%A4%A',
      '/_emulator/bindings?limit=abc&cursor=-1&status=x',
      '/_emulator/faults',
      '/_emulator/faults/qps',
      '/_emulator/clock',
      '/_emulator/calls',
      '/_emulator/receipts?type=%00',
      '/_emulator/inventory',
      '/_emulator/recordings/x.wav?expires=abc&signature=zz',
      '/_emulator/recordings/%ZZ',
      '/_emulator/../etc/passwd',
    ];
    // Bodies that no route accepts, so the state must come out as it went in.
    const bodies = [
      '',
      'null',
      '{}',
      '[]',
      '"x"',
      '{"key":7}',
      '{"numbers":[null]}',
      '{"action":7,"qps":-1}',
      '{"advanceMs":-5}',
      '{"advance":"soon"}',
      '{"caller":1}',
      '{"specId":9}',
      'Action=BindAxnExtension&Version=2017-05-25&PoolKey=FC-DEMO',
      '{',
      '\u0000\u00ff',
    ];
    const host = `127.0.0.1:${port}`;
    const headerSets: Array<Record<string, string>> = [
      {},
      { 'content-type': 'application/json' },
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'application/json', host: 'attacker.example' },
      { 'content-type': 'application/json', host, authorization: 'Bearer nothing' },
      {
        'content-type': 'application/json',
        authorization: 'ACS3-HMAC-SHA256 Credential=x,SignedHeaders=,Signature=',
      },
    ];
    const cases: RawRequest[] = [];
    for (const method of methods)
      for (const path of paths)
        for (const body of bodies)
          for (const headers of headerSets)
            cases.push({
              method,
              path,
              headers: body ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers,
              body,
            });
    const answers = await inParallel(cases, 16, (request) => client.send(request));
    const bad = cases
      .map((request, index) => ({ request, answer: answers[index]! }))
      .filter(({ answer }) => answer.status === 0 || answer.status >= 500)
      .map(
        ({ request, answer }) =>
          `${request.method} ${request.path.slice(0, 50)} ${JSON.stringify(request.headers)} ${JSON.stringify(request.body)} → ${answer.status} ${answer.body.slice(0, 80)}`,
      );
    expect(bad.slice(0, 10)).toEqual([]);
    const statusLines = await Promise.all(MALFORMED_REQUESTS.map((bytes) => sendBytes(port, bytes)));
    for (const line of statusLines) expect(line).toMatch(/^(HTTP\/1\.1 \d{3} .*)?$/);
    console.info(
      `emulator fuzz: ${cases.length} requests (methods × paths × bodies × headers) and ${MALFORMED_REQUESTS.length} malformed ones, 0 crashes, 0 5xx`,
    );

    expect(child.exitCode).toBeNull();
    const get = async (path: string) => JSON.parse((await client.send({ method: 'GET', path })).body);
    expect(await get('/_emulator/health')).toMatchObject({ ok: true, pools: 1 });
    expect(await get('/_emulator/faults')).toEqual({ faults: [], caps: [] });
    expect((await get('/_emulator/clock')).offsetMs).toBe(0);
    expect((await get('/_emulator/bindings')).bindings).toEqual([]);
    const api = createDyplsClient({
      endpoint: url,
      credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
      retry: { maxAttempts: 1 },
    });
    try {
      expect((await api.call(QuerySecretNoRemain, { specId: 1, city: '北京' })).amount).toBe(100);
    } finally {
      await api.close();
    }
  }, 60_000);
});
