import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDyplsClient, formatBeijingTime } from '@axnbot/core';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Actor,
  BindingService,
  type Ledger,
  type ParseContext,
  parseCommand,
  type Reply,
  renderText,
} from '../src/index.js';
import { STORES, sqliteStore } from './stores.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const HASH_KEY = 'test-hash-key-0123456789';
let delivery = 0;

function actor(userId = 'U1', extra: Partial<Actor> = {}): Actor {
  return {
    platform: 'slack',
    userId,
    userName: `user-${userId}`,
    channelId: 'C1',
    idempotencyKey: `d-${++delivery}`,
    ...extra,
  };
}

interface Setup {
  emu: Emulator;
  ledger: Ledger;
  service: BindingService;
  run(text: string, who?: Actor): Promise<Reply>;
}

async function setup(
  store = sqliteStore,
  options: {
    admins?: string[];
    allowUsers?: string[];
    allowChannels?: string[];
    rate?: number;
    ledger?: Ledger;
    emu?: Emulator;
  } = {},
): Promise<Setup> {
  const emu = options.emu ?? (await startEmulator({ seed: 'demo' }));
  if (!options.emu) cleanups.push(() => emu.close());
  const ledger = options.ledger ?? (await store.open());
  if (!options.ledger) cleanups.push(() => ledger.close());
  const client = createDyplsClient({
    endpoint: emu.url,
    credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    retry: { maxAttempts: 2, baseDelayMs: 1 },
    timeoutMs: 2000,
  });
  cleanups.push(() => client.close());
  const now = () => emu.clock.now();
  const service = new BindingService({
    client,
    ledger,
    now,
    config: {
      poolKey: 'FC-DEMO',
      hashKey: HASH_KEY,
      allowUsers: options.allowUsers ?? [],
      allowChannels: options.allowChannels ?? [],
      admins: options.admins ?? ['slack:ADMIN'],
      rateLimitPerMinute: options.rate ?? 30,
    },
  });
  const context = (): ParseContext => ({
    now: now(),
    locale: 'en',
    defaultExpiresMs: 86_400_000,
    maxExpiresMs: 90 * 86_400_000,
    maxBulk: 20,
  });
  return {
    emu,
    ledger,
    service,
    run: (text, who = actor()) => service.execute(parseCommand(text, context()), who),
  };
}

async function fault(emu: Emulator, body: unknown) {
  const response = await fetch(`${emu.url}/_emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

describe.each(STORES)('binding service on the emulator, ledger on $name', (store) => {
  it('binds: masked A, X, extension, SubsId; ledger active; audited', async () => {
    const { run, ledger, emu } = await setup(store);
    const reply = await run('/bind 13800138000 city=北京 expires=2d');
    expect(reply.kind).toBe('bound');
    if (reply.kind !== 'bound') return;
    expect(reply.binding).toMatchObject({
      phoneMasked: '138****8000',
      city: '北京',
      status: 'active',
      recording: false,
    });
    expect(emu.store.number(reply.binding.secretNo as string)?.city).toBe('北京');
    expect(reply.binding.extension).toMatch(/^\d{3}$/);
    expect(reply.binding.subsId).toMatch(/^\d{19}$/);
    const record = await ledger.bindingByRef(reply.binding.ref);
    expect(record).toMatchObject({
      status: 'active',
      subsId: reply.binding.subsId,
      outId: reply.binding.ref,
      phoneMasked: '138****8000',
    });
    const [event] = await ledger.auditEvents(1);
    expect(event).toMatchObject({ action: 'bind', result: 'OK', userId: 'U1', platform: 'slack' });
    expect(event?.target).toContain('138****8000');
    expect(event?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    const text = renderText(reply, { now: emu.clock.now() });
    expect(text).toContain(`tel:+86${reply.binding.secretNo},,${reply.binding.extension}`);
    expect(text).toContain('in 2 days');
    expect(text).not.toContain('13800138000');
  });

  it('bulk-binds several numbers and reports each', async () => {
    const { run } = await setup(store);
    const reply = await run('bind 13800138000 13900139000 13700137000 expires=3h');
    expect(reply.kind).toBe('bulk');
    if (reply.kind !== 'bulk') return;
    expect(reply.items.map((item) => item.outcome)).toEqual(['bound', 'bound', 'bound']);
    expect(reply.items.map((item) => item.phoneMasked)).toEqual([
      '138****8000',
      '139****9000',
      '137****7000',
    ]);
  });

  it('reports a conflict, and an exhausted pool, with the taxonomy code', async () => {
    const { run, emu } = await setup(store);
    expect((await run('bind 13800138000 x=17000000001 ext=130')).kind).toBe('bound');
    const conflict = await run('bind 13900139000 x=17000000001 ext=130');
    expect(conflict).toMatchObject({ kind: 'error', code: 'isv.BIND_CONFLICT' });
    expect(renderText(conflict, { now: emu.clock.now() })).toContain('already bound');
    await fetch(`${emu.url}/_emulator/pools`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'FC-TINY', extensionLength: 1 }),
    });
    await fetch(`${emu.url}/_emulator/pools/FC-TINY/numbers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ numbers: [{ secretNo: '17300000001', city: '北京' }] }),
    });
    const admin = () => actor('ADMIN');
    for (let i = 1; i <= 9; i++)
      expect((await run(`bind 1380013800${i} pool=FC-TINY`, admin())).kind).toBe('bound');
    expect(await run('bind 13900139001 pool=FC-TINY', admin())).toMatchObject({
      kind: 'error',
      code: 'isv.NO_AVAILABLE_NUMBER',
    });
  });

  it('unbinds and extends by SubsId, A number and X#ext, keeping the ledger in step', async () => {
    const { run, ledger, emu } = await setup(store);
    const bound = await run('bind 13800138000 x=17000000002 ext=222 expires=1d');
    if (bound.kind !== 'bound') throw new Error('bind failed');
    const extended = await run('extend 17000000002#222 3d');
    expect(extended).toMatchObject({ kind: 'extended', previousExpiresAt: bound.binding.expiresAt });
    const detail = await ledger.bindingByRef(bound.binding.ref);
    // Three days added to the day it had.
    expect(detail?.expiresAt).toBe(bound.binding.expiresAt + 3 * 86_400_000);
    const info = await run('info 13800138000');
    expect(info).toMatchObject({
      kind: 'info',
      bindings: [{ status: 'active', subsId: bound.binding.subsId }],
    });
    const unbound = await run(`unbind ${bound.binding.subsId}`);
    expect(unbound).toMatchObject({ kind: 'unbound', binding: { status: 'unbound', endedBy: 'user-U1' } });
    // An unbound binding no longer looks live: when it ended, and no dial link.
    const unboundText = renderText(unbound, { now: emu.clock.now() });
    expect(unboundText).toContain('🔓 Unbound');
    expect(unboundText).toMatch(/unbound \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Beijing\) · .* by user-U1/);
    expect(unboundText).not.toContain('tel:');
    expect(unboundText).not.toContain('until');
    expect((await ledger.bindingByRef(bound.binding.ref))?.status).toBe('unbound');
    // Unbinding it again says when and by whom it was unbound, with no dial link.
    const again = await run('unbind 13800138000');
    expect(again).toMatchObject({
      kind: 'unbound',
      already: true,
      binding: { endedBy: 'user-U1', status: 'unbound' },
    });
    const againText = renderText(again, { now: emu.clock.now() });
    expect(againText).toContain('Already unbound');
    expect(againText).toContain('by user-U1');
    expect(againText).not.toContain('tel:');
    expect(againText).not.toContain('until');
    expect(emu.store.binding(bound.binding.subsId as string)?.status).toBe('unbound');
  });

  it('shows the city the X number is really in, and says so when it is not the one asked for', async () => {
    const { run, ledger, emu } = await setup(store);
    const reply = await run('bind 13800138000 city=火星');
    expect(reply.kind).toBe('bound');
    if (reply.kind !== 'bound') return;
    const real = emu.store.number(reply.binding.secretNo as string)?.city;
    expect(real).toBeDefined();
    expect(real).not.toBe('火星');
    expect(reply.binding).toMatchObject({ city: real, cityAsked: '火星' });
    expect(renderText(reply, { now: emu.clock.now() })).toContain(
      `no numbers left in 火星; this one is in ${real}`,
    );
    expect((await ledger.bindingByRef(reply.binding.ref))?.city).toBe(real);
    const asked = await run('bind 13900139000 city=上海');
    expect(asked).toMatchObject({ kind: 'bound', binding: { city: '上海' } });
    if (asked.kind === 'bound') expect(asked.binding.cityAsked).toBeUndefined();
  });

  it('extend with a duration never shortens: it adds to the current expiry', async () => {
    const { run, emu } = await setup(store);
    const bound = await run('bind 13800138300 expires=3d');
    if (bound.kind !== 'bound') throw new Error('bind failed');
    const extended = await run('extend 13800138300 1d');
    expect(extended).toMatchObject({
      kind: 'extended',
      previousExpiresAt: bound.binding.expiresAt,
      binding: { expiresAt: bound.binding.expiresAt + 86_400_000 },
    });
    const zh = await run('延期 13800138300 1天');
    expect(zh).toMatchObject({
      kind: 'extended',
      binding: { expiresAt: bound.binding.expiresAt + 2 * 86_400_000 },
    });
    const onService = emu.store.binding(bound.binding.subsId as string);
    expect(onService?.expireAt).toBe(bound.binding.expiresAt + 2 * 86_400_000);
  });

  it('an earlier expiry is refused, showing the current one, unless the user says shorten', async () => {
    const { run, emu } = await setup(store);
    const bound = await run('bind 13800138300 expires=3d');
    if (bound.kind !== 'bound') throw new Error('bind failed');
    const tomorrow = formatBeijingTime(emu.clock.now() + 86_400_000).slice(0, 16);
    const refused = await run(`extend 13800138300 until ${tomorrow}`);
    expect(refused).toMatchObject({ kind: 'error', code: 'local.VALIDATION' });
    if (refused.kind === 'error') {
      expect(refused.detail).toContain(formatBeijingTime(bound.binding.expiresAt).slice(0, 16));
      expect(refused.detail).toContain('shorten');
    }
    expect(emu.store.binding(bound.binding.subsId as string)?.expireAt).toBe(bound.binding.expiresAt);
    const shortened = await run(`extend 13800138300 shorten ${tomorrow}`);
    expect(shortened).toMatchObject({ kind: 'extended' });
    const zhRefused = await run(
      `延期 13800138300 到 ${formatBeijingTime(emu.clock.now() + 3_600_000).slice(0, 16)}`,
    );
    expect(zhRefused).toMatchObject({ kind: 'error', locale: 'zh' });
    if (zhRefused.kind === 'error') expect(zhRefused.detail).toContain('缩短');
  });

  it('an extension past the longest allowed expiry is refused', async () => {
    const { run } = await setup(store);
    expect((await run('bind 13800138300 expires=80d')).kind).toBe('bound');
    expect(await run('extend 13800138300 20d')).toMatchObject({ kind: 'error', code: 'local.VALIDATION' });
  });

  it('notices expiry (clock shift): info marks it expired, list leaves it out', async () => {
    const { run, ledger, emu } = await setup(store);
    const bound = await run('bind 13800138000 expires=5m');
    if (bound.kind !== 'bound') throw new Error('bind failed');
    expect(await run('list')).toMatchObject({ kind: 'list', bindings: [{ ref: bound.binding.ref }] });
    emu.clock.advance(6 * 60_000);
    expect(await run('list')).toMatchObject({ kind: 'list', bindings: [] });
    expect((await ledger.bindingByRef(bound.binding.ref))?.status).toBe('expired');
    const info = await run(`info ${bound.binding.subsId}`);
    expect(info).toMatchObject({ kind: 'info', bindings: [{ status: 'expired' }] });
  });

  it('a bind whose answer was lost is found on the service, not sent again', async () => {
    const { run, ledger, emu } = await setup(store);
    expect((await run('bind 13700137000 x=17000000003')).kind).toBe('bound');
    await fault(emu, { action: 'BindAxnExtension', count: 1, drop: 'after' });
    const reply = await run('bind 13800138000 x=17000000003');
    expect(reply).toMatchObject({ kind: 'bound', binding: { phoneMasked: '138****8000', status: 'active' } });
    if (reply.kind !== 'bound') return;
    const ofA = emu.store
      .listBindings({ limit: 100, status: 'active' }, emu.clock.now())
      .bindings.filter((b) => b.phoneA === '13800138000');
    expect(ofA).toHaveLength(1);
    expect(ofA[0]?.subsId).toBe(reply.binding.subsId);
    const [event] = await ledger.auditEvents(1);
    expect(event).toMatchObject({ action: 'bind', result: 'OK' });
    expect(event?.detail).toContain('reconciliation');
  });

  it('an unknown outcome is recorded as unknown, said so, and reconciled by info', async () => {
    const { run, ledger, emu } = await setup(store);
    // The ledger learns X numbers from earlier bindings; the lost bind lands on one of them.
    expect((await run('bind 13700137000 x=17000000003')).kind).toBe('bound');
    await fault(emu, { action: 'BindAxnExtension', count: 1, drop: 'after' });
    // …and the service cannot be searched right now (both tries of the look-up fail).
    await fault(emu, { action: 'QuerySubsId', count: 2, code: 'isp.SYSTEM_ERROR' });
    const lost = await run('bind 13800138000 x=17000000003');
    expect(lost).toMatchObject({ kind: 'outcome-unknown', phoneMasked: '138****8000' });
    if (lost.kind !== 'outcome-unknown') return;
    expect(renderText(lost, { now: emu.clock.now() })).toContain('info <A number>');
    expect((await ledger.bindingByRef(lost.ref))?.status).toBe('unknown');
    const info = await run('info 13800138000');
    expect(info).toMatchObject({
      kind: 'info',
      bindings: [{ ref: lost.ref, status: 'active', secretNo: '17000000003' }],
    });
    const record = await ledger.bindingByRef(lost.ref);
    expect(record?.subsId).toMatch(/^\d{19}$/);
    expect(emu.store.binding(record?.subsId as string)?.phoneA).toBe('13800138000');
  });

  it('a redelivered message returns the first reply; 10 concurrent duplicates bind once', async () => {
    const { service, emu } = await setup(store);
    const who = actor('U1', { idempotencyKey: 'team1:trigger-42' });
    const context: ParseContext = {
      now: emu.clock.now(),
      locale: 'en',
      defaultExpiresMs: 86_400_000,
      maxExpiresMs: 90 * 86_400_000,
      maxBulk: 20,
    };
    const command = parseCommand('bind 13800138000', context);
    const replies = await Promise.all(Array.from({ length: 10 }, () => service.execute(command, who)));
    expect(new Set(replies.map((reply) => JSON.stringify(reply))).size).toBe(1);
    expect(replies[0]?.kind).toBe('bound');
    const again = await service.execute(command, who);
    expect(again).toEqual(replies[0]);
    const all = (await (await fetch(`${emu.url}/_emulator/bindings?limit=100`)).json()) as {
      bindings: unknown[];
    };
    expect(all.bindings).toHaveLength(1);
  });

  it('a redelivery near the rate limit replays the first reply instead of being refused', async () => {
    const { service, emu } = await setup(store, { rate: 1 });
    const who = actor('U7', { idempotencyKey: 'team1:trigger-rate' });
    const context: ParseContext = {
      now: emu.clock.now(),
      locale: 'en',
      defaultExpiresMs: 86_400_000,
      maxExpiresMs: 90 * 86_400_000,
      maxBulk: 20,
    };
    const first = await service.executeDelivery(parseCommand('bind 13800138000', context), who);
    expect(first).toMatchObject({ firstDelivery: true, reply: { kind: 'bound' } });
    const again = await service.executeDelivery(parseCommand('bind 13800138000', context), who);
    expect(again).toEqual({ reply: first.reply, firstDelivery: false });
    const other = await service.execute(parseCommand('bind 13900139000', context), actor('U7'));
    expect(other).toMatchObject({ kind: 'denied', reason: 'rate-limited' });
  });

  it('refuses by policy, says why, and audits each refusal', async () => {
    const { run, ledger } = await setup(store, {
      allowUsers: ['slack:U1', 'slack:U2'],
      allowChannels: ['slack:C1'],
      rate: 3,
    });
    expect(await run('bind 13800138000', actor('U9'))).toMatchObject({
      kind: 'denied',
      reason: 'user-not-allowed',
    });
    expect(await run('bind 13800138000', actor('U1', { channelId: 'C9' }))).toMatchObject({
      kind: 'denied',
      reason: 'channel-not-allowed',
    });
    expect(await run('bind 13800138000 pool=FC-DEMO')).toMatchObject({
      kind: 'denied',
      reason: 'admin-only',
    });
    expect(await run('list all')).toMatchObject({ kind: 'denied', reason: 'admin-only' });
    expect((await run('bind 13800138000 13900139000')).kind).toBe('bulk');
    expect(await run('bind 13700137000 13600136000')).toMatchObject({
      kind: 'denied',
      reason: 'rate-limited',
    });
    const mine = await run('bind 13500135000', actor('U2'));
    if (mine.kind !== 'bound') throw new Error('bind failed');
    expect(await run(`unbind ${mine.binding.subsId}`, actor('U1'))).toMatchObject({
      kind: 'denied',
      reason: 'not-owner',
    });
    expect(await run(`unbind ${mine.binding.subsId}`, actor('ADMIN', { channelId: 'C7' }))).toMatchObject({
      kind: 'unbound',
    });
    const denials = (await ledger.auditEvents(50)).filter((event) => event.action === 'deny');
    expect(denials.map((event) => event.result).sort()).toEqual(
      ['admin-only', 'admin-only', 'channel-not-allowed', 'not-owner', 'rate-limited', 'user-not-allowed']
        .map((r) => `local.POLICY_DENIED:${r}`)
        .sort(),
    );
  });

  it('answers parse errors with the usage, without touching the API', async () => {
    const { run } = await setup(store);
    expect(await run('bind 13800138000 citty=北京')).toMatchObject({
      kind: 'error',
      code: 'local.VALIDATION',
      suggestion: 'did you mean city?',
    });
  });
});

describe('no clear A number anywhere in the ledger file', () => {
  it('scans the SQLite database and its WAL for every A bound', async () => {
    const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'axn-scan-'));
    const { openLedger } = await import('../src/index.js');
    const ledger = await openLedger(join(dir, 'ledger.db'));
    cleanups.push(() => ledger.close());
    const { run, emu } = await setup(sqliteStore, { ledger });
    const phones = ['13800138000', '13912345678', '057188992688'];
    for (const phone of phones) expect((await run(`bind ${phone} out=note`)).kind).toBe('bound');
    await fault(emu, {
      action: 'BindAxnExtension',
      count: 1,
      code: 'isv.MOBILE_NUMBER_ILLEGAL',
      message: 'PhoneNoA 13600136000 is not valid',
    });
    expect(await run('bind 13600136000')).toMatchObject({
      kind: 'error',
      detail: 'PhoneNoA 136****6000 is not valid',
    });
    await run('info 13800138000');
    const bytes = readdirSync(dir)
      .map((file) => readFileSync(join(dir, file)).toString('latin1'))
      .join('');
    expect(bytes.length).toBeGreaterThan(1000);
    for (const phone of [...phones, '13600136000']) expect(bytes.includes(phone)).toBe(false);
    expect(bytes.includes('138****8000')).toBe(true);
  });
});

describe('the service on fuzzed input', () => {
  it('answers 2,000 random and mutated commands with a Reply, never an exception', async () => {
    const fc = (await import('fast-check')).default;
    const { run } = await setup(sqliteStore, { rate: 100_000 });
    const seeds = [
      'bind 13800138000 city=北京',
      'info 13800138000',
      'unbind 17000000001#130',
      'extend 13800138000 2d',
      'list',
      '绑定 13900139000 有效期=2天',
    ];
    const inputs = fc.sample(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc
          .tuple(
            fc.constantFrom(...seeds),
            fc.string({
              unit: fc.constantFrom('1', '3', '8', '#', '=', ' ', '"', 'x', '北', '\u0000'),
              maxLength: 12,
            }),
          )
          .map(([a, b]) => a + b),
      ),
      { numRuns: 2_000, seed: 42 },
    );
    const kinds = new Set<string>();
    for (const text of inputs) {
      const reply = await run(text);
      expect(typeof reply.kind).toBe('string');
      kinds.add(reply.kind);
    }
    expect(kinds.has('error')).toBe(true);
    expect(kinds.size).toBeGreaterThan(2);
  });
});
