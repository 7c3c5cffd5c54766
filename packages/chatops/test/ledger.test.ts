import { afterEach, describe, expect, it } from 'vitest';
import type { BindingRecord, Ledger, Reply } from '../src/index.js';
import { STORES } from './stores.js';

const base: BindingRecord = {
  ref: 'axn-aaaa',
  subsId: null,
  secretNo: null,
  extension: null,
  phoneMasked: '138****8000',
  phoneHash: 'h1',
  poolKey: 'FC-DEMO',
  city: '北京',
  expiresAt: 2_000_000_000_000,
  recording: false,
  outId: 'axn-aaaa',
  status: 'pending',
  platform: 'slack',
  userId: 'U1',
  userName: 'alice',
  channelId: 'C1',
  createdAt: 1_000,
  updatedAt: 1_000,
  requestId: null,
  deliveryKey: null,
  endedBy: null,
  locale: null,
  messageRef: null,
};

const open: Ledger[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ledger) => ledger.close()));
});

describe.each(STORES)('ledger on $name', (store) => {
  async function ledger(shared?: string) {
    const l = await store.open(shared);
    open.push(l);
    return l;
  }

  it('claims a delivery key once and hands back its reply', async () => {
    const l = await ledger();
    expect(await l.deliveryReply('k1')).toBeUndefined();
    expect(await l.claimDelivery('k1', 1)).toBe(true);
    expect(await l.claimDelivery('k1', 2)).toBe(false);
    expect(await l.deliveryReply('k1')).toBeNull();
    const reply: Reply = { kind: 'help', locale: 'zh' };
    await l.completeDelivery('k1', reply, 3);
    expect(await l.deliveryReply('k1')).toEqual(reply);
  });

  it('records a claim’s intended bindings in the same commit, and only for the winning claim', async () => {
    const l = await ledger();
    expect(await l.claimDelivery('k-intent', 1, [base])).toBe(true);
    expect((await l.bindingByRef('axn-aaaa'))?.status).toBe('pending');
    expect(await l.claimDelivery('k-intent', 2, [{ ...base, ref: 'axn-dup' }])).toBe(false);
    expect(await l.bindingByRef('axn-dup')).toBeUndefined();
    // A claim whose intents cannot be stored (a ref already there) leaves no claim behind either.
    await expect(l.claimDelivery('k-broken', 3, [base])).rejects.toThrow();
    expect(await l.deliveryReply('k-broken')).toBeUndefined();
  });

  it('completes a delivery with its binding changes and audit events in one commit', async () => {
    const l = await ledger();
    await l.claimDelivery('k-done', 1, [base]);
    const audit = {
      at: 5,
      platform: 'slack',
      userId: 'U1',
      userName: 'alice',
      channelId: 'C1',
      action: 'bind',
      target: 'axn-aaaa',
      result: 'OK',
      requestId: 'R',
      detail: null,
    };
    await l.completeDelivery('k-done', { kind: 'help', locale: 'en' }, 6, [
      { ref: 'axn-aaaa', patch: { status: 'active', subsId: '1000000000000000009' }, audit },
    ]);
    expect(await l.bindingByRef('axn-aaaa')).toMatchObject({
      status: 'active',
      subsId: '1000000000000000009',
    });
    expect((await l.auditEvents(1))[0]).toMatchObject({ target: 'axn-aaaa', requestId: 'R' });
    expect(await l.deliveryReply('k-done')).toEqual({ kind: 'help', locale: 'en' });
  });

  it('lets exactly one of 20 concurrent claims win', async () => {
    const l = await ledger();
    const wins = await Promise.all(Array.from({ length: 20 }, () => l.claimDelivery('same', 1)));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('stores, updates and finds bindings by ref, SubsId, slot and A hash', async () => {
    const l = await ledger();
    await l.insertBinding(base);
    await l.insertBinding({ ...base, ref: 'axn-bbbb', phoneHash: 'h2', createdAt: 2_000 });
    await l.updateBinding('axn-aaaa', {
      subsId: '1000000000000000001',
      secretNo: '17000000001',
      extension: '130',
      status: 'active',
      updatedAt: 5,
    });
    expect(await l.bindingByRef('axn-aaaa')).toEqual({
      ...base,
      subsId: '1000000000000000001',
      secretNo: '17000000001',
      extension: '130',
      status: 'active',
      updatedAt: 5,
    });
    expect((await l.bindingBySubsId('1000000000000000001'))?.ref).toBe('axn-aaaa');
    expect((await l.bindingsBySlot('17000000001', '130')).map((r) => r.ref)).toEqual(['axn-aaaa']);
    expect((await l.bindingsByPhoneHash('h2')).map((r) => r.ref)).toEqual(['axn-bbbb']);
    expect(await l.knownSecretNumbers('FC-DEMO')).toEqual(['17000000001']);
    expect(await l.bindingByRef('nope')).toBeUndefined();
  });

  it('refuses a second binding with the same SubsId or ref', async () => {
    const l = await ledger();
    await l.insertBinding({ ...base, subsId: '1' });
    await expect(l.insertBinding({ ...base, ref: 'axn-other', subsId: '1' })).rejects.toThrow();
    await expect(l.insertBinding({ ...base, subsId: '2' })).rejects.toThrow();
  });

  it('lists by owner and status, soonest expiry first', async () => {
    const l = await ledger();
    await l.insertBinding({ ...base, ref: 'r1', status: 'active', expiresAt: 30 });
    await l.insertBinding({ ...base, ref: 'r2', status: 'active', expiresAt: 10 });
    await l.insertBinding({ ...base, ref: 'r3', status: 'unbound', expiresAt: 20 });
    await l.insertBinding({ ...base, ref: 'r4', status: 'active', expiresAt: 40, userId: 'U2' });
    const mine = await l.listBindings({
      owner: { platform: 'slack', userId: 'U1' },
      statuses: ['active'],
      limit: 10,
    });
    expect(mine.map((r) => r.ref)).toEqual(['r2', 'r1']);
    const all = await l.listBindings({ statuses: ['active', 'unbound'], limit: 3 });
    expect(all.map((r) => r.ref)).toEqual(['r2', 'r3', 'r1']);
  });

  it('keeps the audit trail, newest first', async () => {
    const l = await ledger();
    for (let i = 0; i < 3; i++) {
      await l.recordAudit({
        at: i,
        platform: 'slack',
        userId: 'U1',
        userName: 'alice',
        channelId: 'C1',
        action: 'bind',
        target: `t${i}`,
        result: 'OK',
        requestId: null,
        detail: null,
      });
    }
    expect((await l.auditEvents(2)).map((e) => e.target)).toEqual(['t2', 't1']);
  });

  it('opens an existing database again without losing anything (migrations are idempotent)', async () => {
    const shared = store.name === 'postgres' ? `axn_test_reopen_${Date.now()}` : undefined;
    const dir =
      store.name === 'sqlite'
        ? (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/axn-reopen-`)
        : shared;
    const first = await ledger(dir);
    await first.insertBinding(base);
    const second = await ledger(dir);
    expect((await second.bindingByRef('axn-aaaa'))?.phoneMasked).toBe('138****8000');
  });
});
