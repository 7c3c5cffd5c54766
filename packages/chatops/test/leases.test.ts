import { BindAxnExtension, createDyplsClient, formatBeijingTime } from '@axnbot/core';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Actor,
  type BindingRecord,
  BindingService,
  type Ledger,
  type ParseContext,
  PhoneHasher,
  parseCommand,
} from '../src/index.js';
import { STORES } from './stores.js';

// A delivery whose process died mid-way (kill -9, a crashed host) is finished by the next redelivery or
// by the start-up sweep, with the true outcome: never left pending, never bound twice.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const HASH_KEY = 'lease-key';
const A = '13800138000';

async function setup(open: () => Promise<Ledger>) {
  // The emulator offers X numbers in a fixed order, so a bind in 北京 lands on an X the ledger has seen
  // (as in a working ledger, which knows the pool's numbers from earlier bindings).
  const emu: Emulator = await startEmulator({ seed: 'demo', random: () => 0 });
  cleanups.push(() => emu.close());
  const ledger = await open();
  cleanups.push(() => ledger.close());
  const client = createDyplsClient({
    endpoint: emu.url,
    credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    retry: { maxAttempts: 1 },
  });
  cleanups.push(() => client.close());
  const now = () => emu.clock.now();
  const service = new BindingService({
    client,
    ledger,
    now,
    duplicateWaitMs: 300,
    leaseMs: 200,
    config: {
      poolKey: 'FC-DEMO',
      hashKey: HASH_KEY,
      allowUsers: [],
      allowChannels: [],
      admins: [],
      rateLimitPerMinute: 100,
    },
  });
  const context = (): ParseContext => ({
    now: now(),
    locale: 'en',
    defaultExpiresMs: 86_400_000,
    maxExpiresMs: 90 * 86_400_000,
    maxBulk: 20,
  });
  const actor: Actor = {
    platform: 'slack',
    userId: 'U1',
    userName: 'u1',
    channelId: 'C1',
    idempotencyKey: 'T-1',
  };
  const key = 'slack:T-1';
  const expiresAt = Math.floor((now() + 86_400_000) / 1000) * 1000;
  /** What the dead process had recorded when it claimed the delivery: one pending intent for A. */
  async function deadClaim(leaseUntil: number): Promise<BindingRecord> {
    const intent: BindingRecord = {
      ref: 'axn-deadbeef00',
      subsId: null,
      secretNo: null,
      extension: null,
      phoneMasked: '138****8000',
      phoneHash: await new PhoneHasher(HASH_KEY).current(A),
      poolKey: 'FC-DEMO',
      city: '北京',
      expiresAt,
      recording: false,
      outId: 'axn-deadbeef00',
      status: 'pending',
      platform: 'slack',
      userId: 'U1',
      userName: 'u1',
      channelId: 'C1',
      createdAt: now(),
      updatedAt: now(),
      requestId: null,
      deliveryKey: key,
      endedBy: null,
    };
    expect(await ledger.claimDelivery(key, now(), [intent], leaseUntil)).toBe(true);
    return intent;
  }
  /** The bind the dead process had sent, which the service carried out. */
  const bindOnService = () =>
    client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: A,
      expiration: formatBeijingTime(expiresAt),
      expectCity: '北京',
      outId: 'axn-deadbeef00',
    });
  const redeliver = () =>
    service.executeDelivery(parseCommand(`bind ${A} city=北京 expires=1d`, context()), actor);
  // An earlier binding in 北京 taught the ledger the X number the dead bind lands on.
  const warmUp = { ...actor, idempotencyKey: 'warm-up' };
  expect((await service.execute(parseCommand('bind 13700137000 city=北京', context()), warmUp)).kind).toBe(
    'bound',
  );
  const activeOfA = () =>
    emu.store.listBindings({ limit: 100, status: 'active' }, now()).bindings.filter((b) => b.phoneA === A);
  return { emu, ledger, service, now, key, deadClaim, bindOnService, redeliver, activeOfA };
}

describe.each(STORES)('delivery leases, ledger on $name', (store) => {
  it('lets exactly one of 10 concurrent takers have a lapsed delivery, and none a live one', async () => {
    const ledger = await store.open();
    cleanups.push(() => ledger.close());
    expect(await ledger.claimDelivery('k-live', 1_000, [], 10_000)).toBe(true);
    expect(await ledger.claimDelivery('k-dead', 1_000, [], 2_000)).toBe(true);
    expect(await ledger.lapsedDeliveries(5_000, 10)).toEqual(['k-dead']);
    const takers = await Promise.all(
      Array.from({ length: 10 }, () => ledger.takeOverDelivery('k-dead', 5_000, 9_000)),
    );
    expect(takers.filter(Boolean)).toHaveLength(1);
    expect(await ledger.takeOverDelivery('k-live', 5_000, 9_000)).toBe(false);
    await ledger.renewDelivery('k-dead', 20_000);
    expect(await ledger.takeOverDelivery('k-dead', 15_000, 30_000)).toBe(false);
    await ledger.completeDelivery('k-dead', { kind: 'help', locale: 'en' }, 16_000);
    expect(await ledger.lapsedDeliveries(100_000, 10)).toEqual(['k-live']);
    expect(await ledger.takeOverDelivery('k-dead', 100_000, 110_000)).toBe(false);
  });

  it('a redelivery after the owner died finds the bind it made, and binds nothing more', async () => {
    const { deadClaim, bindOnService, redeliver, activeOfA, ledger } = await setup(store.open);
    const intent = await deadClaim(0);
    const made = await bindOnService();
    const { reply, firstDelivery } = await redeliver();
    expect(firstDelivery).toBe(true); // the dead process never posted it
    expect(reply).toMatchObject({ kind: 'bound', binding: { subsId: made.subsId, ref: intent.ref } });
    expect(activeOfA()).toHaveLength(1);
    expect(await ledger.bindingByRef(intent.ref)).toMatchObject({ status: 'active', subsId: made.subsId });
  });

  it('a redelivery after the owner died before sending binds the number now, once', async () => {
    const { deadClaim, redeliver, activeOfA, ledger } = await setup(store.open);
    const intent = await deadClaim(0);
    const { reply } = await redeliver();
    expect(reply.kind).toBe('bound');
    expect(activeOfA()).toHaveLength(1);
    expect((await ledger.bindingByRef(intent.ref))?.status).toBe('active');
    // A further redelivery replays that reply.
    const again = await redeliver();
    expect(again).toEqual({ reply, firstDelivery: false });
  });

  it('the start-up sweep finishes a dead delivery with the true outcome; a redelivery then replays it', async () => {
    const { deadClaim, bindOnService, redeliver, service, ledger, activeOfA } = await setup(store.open);
    const intent = await deadClaim(0);
    const made = await bindOnService();
    expect(await service.recoverInterrupted()).toBe(1);
    expect(await ledger.bindingByRef(intent.ref)).toMatchObject({ status: 'active', subsId: made.subsId });
    const { reply, firstDelivery } = await redeliver();
    expect(firstDelivery).toBe(false);
    expect(reply).toMatchObject({ kind: 'bound', binding: { subsId: made.subsId } });
    expect(activeOfA()).toHaveLength(1);
    expect(await service.recoverInterrupted()).toBe(0);
  });

  it('the sweep records a dead bind it cannot find as unknown, and list shows it so', async () => {
    const { deadClaim, service, ledger, now } = await setup(store.open);
    const intent = await deadClaim(0);
    expect(await service.recoverInterrupted()).toBe(1);
    expect((await ledger.bindingByRef(intent.ref))?.status).toBe('unknown');
    const list = await service.execute(
      parseCommand('list', { now: now(), locale: 'en', defaultExpiresMs: 1, maxExpiresMs: 2, maxBulk: 1 }),
      { platform: 'slack', userId: 'U1', userName: 'u1', channelId: 'C1', idempotencyKey: 'L-1' },
    );
    expect(list.kind).toBe('list');
    if (list.kind !== 'list') return;
    expect(list.bindings.find((binding) => binding.ref === intent.ref)?.status).toBe('unknown');
  });

  it('a delivery whose owner is alive (lease current) is not taken over: the redelivery waits', async () => {
    const { deadClaim, redeliver, now, activeOfA, service } = await setup(store.open);
    await deadClaim(now() + 60_000);
    const { reply, firstDelivery } = await redeliver();
    expect(firstDelivery).toBe(false);
    expect(reply).toMatchObject({ kind: 'error', code: 'local.OUTCOME_UNKNOWN' });
    expect(activeOfA()).toHaveLength(0);
    expect(await service.recoverInterrupted()).toBe(0);
  });

  it('an owner that is working keeps its lease alive with a heartbeat', async () => {
    const { service, ledger, now, emu } = await setup(store.open);
    // The bind takes 700 ms, over three 200 ms leases: without renewals a redelivery would take over.
    await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'BindAxnExtension', count: 1, delayMs: 700 }),
    });
    const who: Actor = {
      platform: 'slack',
      userId: 'U2',
      userName: 'u2',
      channelId: 'C1',
      idempotencyKey: 'HB',
    };
    const ctx = {
      now: now(),
      locale: 'en' as const,
      defaultExpiresMs: 86_400_000,
      maxExpiresMs: 90 * 86_400_000,
      maxBulk: 20,
    };
    const first = service.executeDelivery(parseCommand('bind 13900139000', ctx), who);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await ledger.lapsedDeliveries(now(), 10)).toEqual([]);
    expect((await first).reply.kind).toBe('bound');
  });
});
