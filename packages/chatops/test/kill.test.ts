import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createDyplsClient } from '@axnbot/core';
import { startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { BindingService, openLedger, parseCommand } from '../src/index.js';

// kill -9 in the middle of 40 binds, restart, redeliver all 40: nothing lost, nothing doubled, nothing
// left pending. The process is real (the built service in a child), the kill is SIGKILL. Then the same
// under a steady concurrent load, where the SQLite ledger commits its writes in groups: every write the
// service was told was done before the kill is in the ledger after it.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const COUNT = 40;
const CONFIG = {
  poolKey: 'FC-DEMO',
  hashKey: 'kill-key',
  allowUsers: [],
  allowChannels: [],
  admins: [],
  rateLimitPerMinute: 10_000,
};
const CONTEXT = () => ({
  now: Date.now(),
  locale: 'en' as const,
  defaultExpiresMs: 86_400_000,
  maxExpiresMs: 90 * 86_400_000,
  maxBulk: 20,
});
const LEASE_MS = 1_000;

describe('a bot killed mid-bind', () => {
  it('loses and doubles nothing once its deliveries are redelivered', async () => {
    // Every X in one city, in a fixed order, so the ledger has seen the X numbers the lost binds used.
    const emu = await startEmulator({ seed: 'demo', random: () => 0 });
    cleanups.push(() => emu.close());
    // Each bind is held 400 ms by the emulator, so many are in flight when the kill comes.
    await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'BindAxnExtension', delayMs: 400 }),
    });
    const dbPath = join(mkdtempSync(join(tmpdir(), 'axn-kill-')), 'ledger.db');
    // A working ledger: it has seen the pool's X numbers before (the search for a lost bind looks there).
    const seeding = await openLedger(dbPath);
    const seedClient = createDyplsClient({
      endpoint: emu.url,
      credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    });
    const seed = new BindingService({ client: seedClient, ledger: seeding, config: CONFIG });
    const seedReply = await seed.execute(parseCommand('bind 13700137000 city=北京', CONTEXT()), {
      platform: 'slack',
      userId: 'U0',
      userName: 'u0',
      channelId: 'C1',
      idempotencyKey: 'seed',
    });
    expect(seedReply.kind).toBe('bound');
    await seeding.close();
    await seedClient.close();
    const worker = spawn(
      process.execPath,
      [
        join(import.meta.dirname, 'fixtures/bind-worker.mjs'),
        emu.url,
        dbPath,
        String(COUNT),
        String(LEASE_MS),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      worker.on('exit', (_code, signal) => resolve(signal)),
    );
    // Kill once some binds have landed and others are still in flight.
    const started = Date.now();
    while (emu.store.listBindings({ limit: 1000, status: 'active' }, emu.clock.now()).bindings.length < 5) {
      if (Date.now() - started > 20_000) throw new Error('the worker bound nothing');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    worker.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });

    const ledger = await openLedger(dbPath);
    cleanups.push(() => ledger.close());
    const client = createDyplsClient({
      endpoint: emu.url,
      credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    });
    cleanups.push(() => client.close());
    const service = new BindingService({
      client,
      ledger,
      leaseMs: LEASE_MS,
      duplicateWaitMs: 3 * LEASE_MS,
      config: CONFIG,
    });
    const context = CONTEXT();
    // The restarted bot gets every delivery again (the platform redelivers what was never answered).
    const replies = await Promise.all(
      Array.from({ length: COUNT }, (_, i) =>
        service.execute(parseCommand(`bind 1390000${String(i).padStart(4, '0')} city=北京`, context), {
          platform: 'slack',
          userId: 'U1',
          userName: 'u1',
          channelId: 'C1',
          idempotencyKey: `kill-${i}`,
        }),
      ),
    );
    expect(replies.map((reply) => reply.kind)).toEqual(Array(COUNT).fill('bound'));
    const active = emu.store.listBindings({ limit: 1000, status: 'active' }, emu.clock.now()).bindings;
    const perNumber = new Map<string, number>();
    for (const binding of active) perNumber.set(binding.phoneA, (perNumber.get(binding.phoneA) ?? 0) + 1);
    expect(perNumber.size).toBe(COUNT + 1); // nothing lost (the seed's number besides)
    expect([...perNumber.values()].every((n) => n === 1)).toBe(true); // nothing doubled
    expect(await ledger.lapsedDeliveries(Date.now() + 10 * LEASE_MS, 100)).toEqual([]); // nothing pending
    // A bound for a stuck run, not a busy machine: spawning, the lease lapse and 40 binds take a few seconds.
  }, 60_000);
});

describe('a bot killed under a steady concurrent load (ledger writes committed in groups)', () => {
  it('keeps every write it acknowledged before the kill, and loses and doubles nothing after', async () => {
    const total = 160;
    const emu = await startEmulator({ seed: 'demo', random: () => 0 });
    cleanups.push(() => emu.close());
    // Short, uneven holds: claims and outcomes of many binds arrive while others are being committed.
    await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'BindAxnExtension', delayMs: 30 }),
    });
    const dbPath = join(mkdtempSync(join(tmpdir(), 'axn-kill-load-')), 'ledger.db');
    const seeding = await openLedger(dbPath);
    const seedClient = createDyplsClient({
      endpoint: emu.url,
      credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    });
    const seed = new BindingService({ client: seedClient, ledger: seeding, config: CONFIG });
    expect(
      (
        await seed.execute(parseCommand('bind 13700137000 city=北京', CONTEXT()), {
          platform: 'slack',
          userId: 'U0',
          userName: 'u0',
          channelId: 'C1',
          idempotencyKey: 'seed',
        })
      ).kind,
    ).toBe('bound');
    await seeding.close();
    await seedClient.close();
    const worker = spawn(
      process.execPath,
      [
        join(import.meta.dirname, 'fixtures/bind-worker.mjs'),
        emu.url,
        dbPath,
        String(total),
        String(LEASE_MS),
        '32',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      worker.on('exit', (_code, signal) => resolve(signal)),
    );
    const claimed = new Set<string>();
    const completed = new Set<string>();
    let killed = false;
    const lines = createInterface({ input: worker.stdout });
    // Killed in the middle of the load: 40 outcomes acknowledged, 32 binds in flight.
    const reachedKill = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker acknowledged too little')), 30_000);
      lines.on('line', (line) => {
        if (killed) return;
        const [what, key] = line.split(' ');
        if (what === 'claimed') claimed.add(key as string);
        if (what === 'completed') completed.add(key as string);
        if (completed.size >= 40) {
          killed = true;
          worker.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await reachedKill;
    expect(await exited).toBe('SIGKILL');
    await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
    // Whatever the worker was told is done is there: a claim for every claimed key, a reply for every
    // completed one.
    const ledger = await openLedger(dbPath);
    cleanups.push(() => ledger.close());
    expect(completed.size).toBeLessThan(total); // it died with work left
    for (const key of claimed) expect(await ledger.deliveryReply(key), key).not.toBeUndefined();
    for (const key of completed) expect(await ledger.deliveryReply(key), key).not.toBeNull();

    const client = createDyplsClient({
      endpoint: emu.url,
      credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    });
    cleanups.push(() => client.close());
    const service = new BindingService({
      client,
      ledger,
      leaseMs: LEASE_MS,
      duplicateWaitMs: 3 * LEASE_MS,
      config: CONFIG,
    });
    const context = CONTEXT();
    const replies = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        service.execute(parseCommand(`bind 1390000${String(i).padStart(4, '0')} city=北京`, context), {
          platform: 'slack',
          userId: 'U1',
          userName: 'u1',
          channelId: 'C1',
          idempotencyKey: `kill-${i}`,
        }),
      ),
    );
    expect(replies.map((reply) => reply.kind)).toEqual(Array(total).fill('bound'));
    const active = emu.store.listBindings({ limit: 1000, status: 'active' }, emu.clock.now()).bindings;
    const perNumber = new Map<string, number>();
    for (const binding of active) perNumber.set(binding.phoneA, (perNumber.get(binding.phoneA) ?? 0) + 1);
    expect(perNumber.size).toBe(total + 1);
    expect([...perNumber.values()].every((n) => n === 1)).toBe(true);
    expect(await ledger.lapsedDeliveries(Date.now() + 10 * LEASE_MS, 1000)).toEqual([]);
  }, 60_000);
});
