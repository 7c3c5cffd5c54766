import { createDyplsClient, describeError, KNOWN_ERROR_CODES } from '@axnbot/core';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { type Actor, BindingService, type Ledger, parseCommand, type Reply } from '../src/index.js';
import { type ProxyFault, startFaultyProxy } from './faulty-proxy.js';
import { sqliteStore } from './stores.js';

// A bind must leave exactly one binding on the service, whatever fails between axnbot and Aliyun —
// proved here with a real proxy in front of the emulator that fails calls after (or instead of) the
// real effect, for every code the taxonomy calls retryable, on both signature versions.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const A = '13800138000';
let delivery = 0;

async function setup(signature: 'v2' | 'v3', emulatorOptions: { random?: () => number } = {}) {
  const emu: Emulator = await startEmulator({ seed: 'demo', ...emulatorOptions });
  cleanups.push(() => emu.close());
  const proxy = await startFaultyProxy(emu.url);
  cleanups.push(() => proxy.close());
  const ledger: Ledger = await sqliteStore.open();
  cleanups.push(() => ledger.close());
  const client = createDyplsClient({
    endpoint: proxy.url,
    signature,
    credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    retry: { maxAttempts: 3, baseDelayMs: 1 },
    timeoutMs: 3000,
  });
  cleanups.push(() => client.close());
  const now = () => emu.clock.now();
  const service = new BindingService({
    client,
    ledger,
    now,
    config: {
      poolKey: 'FC-DEMO',
      hashKey: 'k',
      allowUsers: [],
      allowChannels: [],
      admins: [],
      rateLimitPerMinute: 100,
    },
  });
  const who = (): Actor => ({
    platform: 'slack',
    userId: 'U1',
    userName: 'u1',
    channelId: 'C1',
    idempotencyKey: `d-${++delivery}`,
  });
  const run = (text: string): Promise<Reply> =>
    service.execute(
      parseCommand(text, {
        now: now(),
        locale: 'en',
        defaultExpiresMs: 86_400_000,
        maxExpiresMs: 90 * 86_400_000,
        maxBulk: 20,
      }),
      who(),
    );
  const activeOf = (phone: string) =>
    emu.store
      .listBindings({ limit: 1000, status: 'active' }, now())
      .bindings.filter((b) => b.phoneA === phone);
  return { emu, proxy, ledger, run, activeOf };
}

/** How a failure of this code reaches the client: V2 business codes come with HTTP 200, gateway codes with their status. */
function failure(code: string, when: ProxyFault['when']): ProxyFault {
  const business = code.startsWith('isp.') || code.startsWith('isv.');
  const status = business ? 200 : describeError(code).category === 'throttle' ? 400 : 503;
  return {
    action: 'BindAxnExtension',
    count: 1,
    when,
    status,
    body: { Code: code, Message: 'injected', RequestId: 'PROXY' },
  };
}

const RETRYABLE = KNOWN_ERROR_CODES.filter(
  (code) => describeError(code).retryable && !code.startsWith('local.'),
);
const AFTER_EFFECT = RETRYABLE.filter((code) => describeError(code).mayHaveTakenEffect);
const REFUSED = RETRYABLE.filter((code) => !describeError(code).mayHaveTakenEffect);

describe.each(['v3', 'v2'] as const)('exactly one binding per bind (%s signatures)', (signature) => {
  it.each(AFTER_EFFECT)(
    'the bind took effect, then the answer was %s: found, not bound again',
    async (code) => {
      const { proxy, run, activeOf, ledger } = await setup(signature);
      // The ledger already knows an X of the pool; the lost bind is looked for there.
      expect((await run('bind 13700137000 x=17000000003')).kind).toBe('bound');
      proxy.fail(failure(code, 'after'));
      const reply = await run(`bind ${A} x=17000000003`);
      expect(reply.kind).toBe('bound');
      const active = activeOf(A);
      expect(active).toHaveLength(1);
      if (reply.kind === 'bound') {
        expect(reply.binding.subsId).toBe(active[0]?.subsId);
        expect((await ledger.bindingByRef(reply.binding.ref))?.status).toBe('active');
      }
      expect(proxy.seen.filter((action) => action === 'BindAxnExtension')).toHaveLength(2);
    },
  );

  it.each(REFUSED)('the bind was refused with %s before it ran: tried again, bound once', async (code) => {
    const { proxy, run, activeOf } = await setup(signature);
    proxy.fail(failure(code, 'instead'));
    expect((await run(`bind ${A}`)).kind).toBe('bound');
    expect(activeOf(A)).toHaveLength(1);
  });

  it('a lost bind that comes to light after the second bind is unbound again, and audited', async () => {
    // The emulator offers X numbers in order, so the lost bind lands on 170 0000 0001, which the ledger
    // has not seen; the search finds nothing and a second bind goes out (to the next X: one A, one
    // binding per X). Meanwhile another user's bind reveals 170 0000 0001, so the check after the
    // second bind finds the lost one.
    const { proxy, run, activeOf, ledger } = await setup(signature, { random: () => 0 });
    proxy.fail(failure('ServiceUnavailable', 'after'));
    let binds = 0;
    proxy.hooks.beforeForward = async (action) => {
      if (action === 'BindAxnExtension' && ++binds === 2) {
        expect((await run('bind 13900139000 x=17000000001')).kind).toBe('bound');
      }
    };
    const reply = await run(`bind ${A} city=北京`);
    expect(reply.kind).toBe('bound');
    const active = activeOf(A);
    expect(active).toHaveLength(1);
    if (reply.kind === 'bound') expect(active[0]?.subsId).toBe(reply.binding.subsId);
    const events = await ledger.auditEvents(10);
    const duplicate = events.find((event) => event.action === 'unbind-duplicate');
    expect(duplicate).toMatchObject({ result: 'OK', platform: 'system' });
    expect(JSON.stringify(events)).not.toContain(A);
  });

  it('two lost answers in a row: the outcome stays unknown and the service keeps one binding', async () => {
    const { proxy, run, activeOf, ledger } = await setup(signature, { random: () => 0 });
    proxy.fail({ ...failure('InternalError', 'after'), count: 2 });
    const reply = await run(`bind ${A} city=北京`);
    // The second bind's answer was lost too, and the first search could see neither: unknown, said so.
    expect(reply.kind).toBe('outcome-unknown');
    if (reply.kind !== 'outcome-unknown') return;
    expect((await ledger.bindingByRef(reply.ref))?.status).toBe('unknown');
    // The second bind was only sent because the search found nothing; `info` settles what is there.
    expect(activeOf(A).length).toBeGreaterThanOrEqual(1);
    const info = await run(`info ${A}`);
    expect(info.kind).toBe('info');
  });
});
