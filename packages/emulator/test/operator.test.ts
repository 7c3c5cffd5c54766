import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AxnError,
  BindAxnExtension,
  formatBeijingTime,
  QueryRecordFileDownloadUrl,
  QuerySubsId,
} from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import { after, clientFor, DAY, emulator, operator } from './harness.js';

describe('operator API', () => {
  it('reports health, manages pools and numbers, and validates input with a clear error', async () => {
    const emu = await emulator({ seed: 'none' });
    expect((await operator(emu, 'GET', 'health')).body).toMatchObject({ ok: true, pools: 0 });
    expect(
      (
        await operator(emu, 'POST', 'pools', {
          key: 'FC-T',
          extensionLength: 2,
          cityMode: 'strict',
          callbackMode: 'default-b',
        })
      ).status,
    ).toBe(200);
    expect((await operator(emu, 'POST', 'pools', { key: 'FC-T' })).status).toBe(409);
    expect((await operator(emu, 'POST', 'pools', { key: 'FC-X', extensionLength: 4 })).body.error).toBe(
      'extensionLength must be 1, 2 or 3',
    );
    expect(
      (await operator(emu, 'POST', 'pools/FC-T/numbers', { numbers: [{ secretNo: '17', city: '北京' }] }))
        .body.error,
    ).toBe('numbers[0].secretNo must be 5-20 digits');
    expect(
      (
        await operator(emu, 'POST', 'pools/FC-T/numbers', {
          numbers: [{ secretNo: '17100000001', city: '北京' }],
        })
      ).body,
    ).toEqual({ added: 1 });
    expect((await operator(emu, 'GET', 'pools/FC-T/numbers')).body.numbers).toEqual([
      { secretNo: '17100000001', poolKey: 'FC-T', city: '北京', status: 'active' },
    ]);
    expect((await operator(emu, 'GET', 'pools')).body.pools).toEqual([
      { key: 'FC-T', name: 'FC-T', cityMode: 'strict', extensionLength: 2, callbackMode: 'default-b' },
    ]);
    expect((await operator(emu, 'DELETE', 'numbers/17100000001')).status).toBe(200);
    expect((await operator(emu, 'DELETE', 'pools/FC-T')).status).toBe(200);
    expect((await operator(emu, 'DELETE', 'pools/FC-T')).status).toBe(404);
    const notJson = await fetch(`${emu.url}/_emulator/pools`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: 'the body must be a JSON object' });
    expect((await operator(emu, 'GET', 'nothing-here')).status).toBe(404);
  });

  it('lists bindings by pool, X and state, paged', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    for (let i = 0; i < 5; i++) {
      await client.call(BindAxnExtension, {
        poolKey: 'FC-DEMO',
        phoneNoA: `1380013800${i}`,
        expiration: after(emu, (i + 1) * 120_000),
        phoneNoX: '17000000001',
      });
    }
    await operator(emu, 'POST', 'clock', { advanceMs: 150_000 });
    const active = await operator(emu, 'GET', 'bindings?pool=FC-DEMO&status=active&limit=2');
    expect(active.body.bindings).toHaveLength(2);
    const next = await operator(
      emu,
      'GET',
      `bindings?pool=FC-DEMO&status=active&limit=2&cursor=${active.body.next}`,
    );
    expect(next.body.bindings).toHaveLength(2);
    expect(next.body.next).toBeNull();
    expect(
      (await operator(emu, 'GET', 'bindings?secretNo=17000000001&status=expired')).body.bindings,
    ).toHaveLength(1);
    expect((await operator(emu, 'GET', 'bindings?status=bogus')).status).toBe(400);
  });

  it('injects a code for the next N calls, then clears', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    await operator(emu, 'POST', 'faults', {
      action: 'QuerySubsId',
      count: 2,
      code: 'isp.SYSTEM_ERROR',
      message: 'boom',
    });
    const query = () =>
      client.call(QuerySubsId, { poolKey: 'FC-DEMO', phoneNoX: '17000000001' }).then(
        () => 'OK',
        (e: AxnError) => e.code,
      );
    expect([await query(), await query(), await query()]).toEqual([
      'isp.SYSTEM_ERROR',
      'isp.SYSTEM_ERROR',
      'OK',
    ]);
    await operator(emu, 'POST', 'faults', { action: '*', code: 'Throttling.User' });
    const raw = await client
      .callRaw('QuerySubsId', { PoolKey: 'FC-DEMO', PhoneNoX: '17000000001' })
      .catch((e: AxnError) => e);
    expect(raw).toMatchObject({ code: 'Throttling.User', httpStatus: 400 });
    await operator(emu, 'DELETE', 'faults');
    expect(await query()).toBe('OK');
  });

  it('drops before (nothing happens) or after (the bind took effect) — both unknown to the client', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    await operator(emu, 'POST', 'faults', { action: 'BindAxnExtension', count: 1, drop: 'before' });
    const before = await client
      .call(BindAxnExtension, { poolKey: 'FC-DEMO', phoneNoA: '13800138000', expiration: after(emu, DAY) })
      .catch((e: AxnError) => e);
    expect(before).toMatchObject({ code: 'local.OUTCOME_UNKNOWN' });
    expect((await operator(emu, 'GET', 'bindings')).body.bindings).toHaveLength(0);
    await operator(emu, 'POST', 'faults', { action: 'BindAxnExtension', count: 1, drop: 'after' });
    const afterDrop = await client
      .call(BindAxnExtension, { poolKey: 'FC-DEMO', phoneNoA: '13800138000', expiration: after(emu, DAY) })
      .catch((e: AxnError) => e);
    expect(afterDrop).toMatchObject({ code: 'local.OUTCOME_UNKNOWN' });
    expect((await operator(emu, 'GET', 'bindings')).body.bindings).toHaveLength(1);
  });

  it('delays a call', async () => {
    const emu = await emulator();
    const client = clientFor(emu, { timeoutMs: 200 });
    await operator(emu, 'POST', 'faults', { action: 'BindAxnExtension', count: 1, delayMs: 600 });
    const slow = await client
      .call(BindAxnExtension, { poolKey: 'FC-DEMO', phoneNoA: '13800138000', expiration: after(emu, DAY) })
      .catch((e: AxnError) => e);
    expect(slow).toMatchObject({ code: 'local.OUTCOME_UNKNOWN' });
  });
});

describe('calls, receipts and recordings', () => {
  async function receiver(answers: Array<{ status: number; body: string }>) {
    const received: unknown[][] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => {
        text += chunk;
      });
      req.on('end', () => {
        received.push(JSON.parse(text));
        const answer = answers.shift() ?? { status: 200, body: '{"code":0,"msg":"接收成功"}' };
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/receipts`,
      received,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it('routes N → A by extension, then A → N (latest peer), and pushes receipts with sub_id as a number', async () => {
    const hook = await receiver([]);
    const emu = await emulator({ receiptUrl: hook.url });
    const client = clientFor(emu);
    const b = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
      phoneNoX: '17000000001',
      extension: '130',
      outId: 'order-42',
    });
    const inbound = await operator(emu, 'POST', 'calls', {
      caller: '13900139000',
      secretNo: '17000000001',
      digits: '130',
    });
    expect(inbound.body).toMatchObject({
      connected: true,
      callee: '13800138000',
      subsId: b.subsId,
      unconnectedCause: 0,
    });
    const callback = await operator(emu, 'POST', 'calls', { caller: '13800138000', secretNo: '17000000001' });
    expect(callback.body).toMatchObject({ connected: true, callee: '13900139000' });
    const wrong = await operator(emu, 'POST', 'calls', {
      caller: '13700137000',
      secretNo: '17000000001',
      digits: '999',
    });
    expect(wrong.body).toMatchObject({ connected: false, unconnectedCause: 2, controlMsg: 'NO_SUBS_EXIST' });
    await expect.poll(() => hook.received.length).toBe(3);
    const [start, report] = hook.received[0] as Array<Record<string, unknown>>;
    expect(start).toMatchObject({
      pool_key: 'FC-DEMO',
      secret_no: '17000000001',
      phone_no: '13800138000',
      peer_no: '13900139000',
      call_type: 1,
      out_id: 'order-42',
    });
    expect(report).toMatchObject({
      unconnected_cause: 0,
      release_cause: 16,
      extension: '130',
      control_type: 'CONTINUE',
    });
    const rawText = (await (await fetch(`${emu.url}/_emulator/receipts?type=SecretReport`)).json()) as {
      receipts: Array<{ receipt: { sub_id: string } }>;
    };
    expect(rawText.receipts[0]?.receipt.sub_id).toBe(b.subsId);
    await hook.close();
  });

  it('in default-b mode A reaches B; without B or a peer the call does not connect', async () => {
    const emu = await emulator();
    await operator(emu, 'POST', 'pools', { key: 'FC-B', callbackMode: 'default-b' });
    await operator(emu, 'POST', 'pools/FC-B/numbers', {
      numbers: [{ secretNo: '17500000001', city: '北京' }],
    });
    const client = clientFor(emu);
    await client.call(BindAxnExtension, {
      poolKey: 'FC-B',
      phoneNoA: '13800138000',
      phoneNoB: '13600136000',
      expiration: after(emu, DAY),
    });
    await client.call(BindAxnExtension, {
      poolKey: 'FC-B',
      phoneNoA: '13900139000',
      expiration: after(emu, DAY),
    });
    expect(
      (await operator(emu, 'POST', 'calls', { caller: '13800138000', secretNo: '17500000001' })).body,
    ).toMatchObject({ connected: true, callee: '13600136000' });
    expect(
      (await operator(emu, 'POST', 'calls', { caller: '13900139000', secretNo: '17500000001' })).body,
    ).toMatchObject({ connected: false, unconnectedCause: 4 });
  });

  it('retries a refused push after the scaled 1/5/10-minute delays, then gives up', async () => {
    const hook = await receiver([
      { status: 500, body: 'no' },
      { status: 200, body: '{"code":1}' },
      { status: 200, body: '{"code":0}' },
    ]);
    const emu = await emulator({ receiptUrl: hook.url, receiptRetryScale: 0.0005 });
    await clientFor(emu).call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
      phoneNoX: '17000000001',
      extension: '130',
    });
    await operator(emu, 'POST', 'calls', { caller: '13900139000', secretNo: '17000000001', digits: '130' });
    await expect.poll(() => hook.received.length, { timeout: 3000 }).toBe(3);
    await expect
      .poll(
        async () =>
          (await operator(emu, 'GET', 'receipts')).body.receipts as Array<{
            attempts: number;
            delivered: boolean;
          }>,
      )
      .toEqual([
        expect.objectContaining({ attempts: 3, delivered: true }),
        expect.objectContaining({ attempts: 3, delivered: true }),
      ]);
    await hook.close();
  });

  it('serves a recording through QueryRecordFileDownloadUrl for a recorded call, valid 2 hours', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: after(emu, DAY),
      phoneNoX: '17000000001',
      extension: '130',
      isRecordingEnabled: true,
    });
    const callTime = formatBeijingTime(emu.clock.now());
    const call = await operator(emu, 'POST', 'calls', {
      caller: '13900139000',
      secretNo: '17000000001',
      digits: '130',
    });
    const { downloadUrl } = await client.call(QueryRecordFileDownloadUrl, {
      poolKey: 'FC-DEMO',
      callId: String(call.body.callId),
      callTime,
    });
    const audio = await fetch(downloadUrl);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    expect(
      Buffer.from(await audio.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('RIFF');
    expect(
      (await fetch(downloadUrl.replace(/signature=[0-9a-f]+/, `signature=${'x'.repeat(32)}`))).status,
    ).toBe(403);
    await operator(emu, 'POST', 'clock', { advance: '2h' });
    expect((await fetch(downloadUrl)).status).toBe(403);
  });
});
