import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BindingRecord, CallEvent, Ledger } from '../src/index.js';
import { freshSchema, STORES } from './stores.js';

const open: Ledger[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ledger) => ledger.close()));
});

function event(callId: string, type: CallEvent['type'], fields: Partial<CallEvent> = {}): CallEvent {
  return {
    callId,
    type,
    subsId: '1000000000000000123',
    poolKey: 'FC-DEMO',
    secretNo: '17000000001',
    extension: '123',
    phoneMasked: '138****8000',
    phoneHash: 's1:aa',
    peerMasked: '139****9001',
    peerHash: 's1:bb',
    callType: 1,
    direction: 'to-a',
    callTime: 1_000_000,
    ringTime: 1_002_000,
    startTime: 1_005_000,
    releaseTime: 1_077_000,
    talkSeconds: type === 'SecretReport' ? 72 : null,
    releaseCause: type === 'SecretReport' ? 16 : null,
    unconnectedCause: 0,
    releaseDir: type === 'SecretReport' ? 1 : null,
    recorded: type === 'SecretRecording',
    outId: 'axn-aaaa',
    controlMsg: 'OK',
    receivedAt: 2_000_000,
    notifiedAt: null,
    ...fields,
  };
}

const binding: BindingRecord = {
  ref: 'axn-aaaa',
  subsId: '1000000000000000123',
  secretNo: '17000000001',
  extension: '123',
  phoneMasked: '138****8000',
  phoneHash: 's1:aa',
  poolKey: 'FC-DEMO',
  city: '北京',
  expiresAt: 2_000_000_000_000,
  recording: true,
  outId: 'axn-aaaa',
  status: 'active',
  platform: 'slack',
  userId: 'U1',
  userName: 'alice',
  channelId: 'C1',
  createdAt: 1_000,
  updatedAt: 1_000,
  requestId: null,
  deliveryKey: null,
  endedBy: null,
  locale: 'zh',
  messageRef: null,
};

describe.each(STORES)('call events in the ledger on $name', (store) => {
  async function ledger(shared?: string) {
    const l = await store.open(shared);
    open.push(l);
    return l;
  }

  it('stores each call and type once, answering only the events not seen before', async () => {
    const l = await ledger();
    const start = event('c1', 'SecretStartReport');
    const end = event('c1', 'SecretReport');
    expect(await l.recordCallEvents([start, end])).toEqual([start, end]);
    // A re-push, and a batch repeating a receipt of its own: stored once, answered once.
    expect(await l.recordCallEvents([start, end])).toEqual([]);
    const ring = event('c1', 'SecretRingReport');
    const other = event('c2', 'SecretStartReport');
    expect(await l.recordCallEvents([ring, end, other, { ...other, receivedAt: 9 }])).toEqual([ring, other]);
    expect(await l.recordCallEvents([])).toEqual([]);
    const stored = await l.callEvents('c1');
    expect(stored.map((e) => e.type)).toEqual(['SecretStartReport', 'SecretRingReport', 'SecretReport']);
    expect(stored[2]).toEqual(end);
    expect(
      (await l.storedCallEvents(['c2', 'c3', 'c1'])).map((key) => `${key.callId}/${key.type}`).sort(),
    ).toEqual(['c1/SecretReport', 'c1/SecretRingReport', 'c1/SecretStartReport', 'c2/SecretStartReport']);
  });

  it('keeps 19-digit SubsIds, nulls and numbers as they were given', async () => {
    const l = await ledger();
    const sparse = event('c-sparse', 'SecretRecording', {
      subsId: null,
      poolKey: null,
      secretNo: null,
      extension: null,
      phoneMasked: null,
      phoneHash: null,
      peerMasked: null,
      peerHash: null,
      callType: null,
      direction: 'unknown',
      ringTime: null,
      startTime: null,
      releaseTime: null,
      unconnectedCause: null,
      outId: null,
      controlMsg: null,
    });
    await l.recordCallEvents([sparse]);
    expect(await l.callEvents('c-sparse')).toEqual([sparse]);
  });

  it("answers a binding's newest calls first, every event of each, bounded by calls", async () => {
    const l = await ledger();
    const calls = ['a', 'b', 'c'].map((id, index) => [
      event(id, 'SecretStartReport', { callTime: 1_000 * (index + 1) }),
      event(id, 'SecretReport', { callTime: 1_000 * (index + 1) }),
    ]);
    // The recording receipt of the newest call came without the SubsId: it still belongs to the call.
    const recording = event('c', 'SecretRecording', { subsId: null });
    await l.recordCallEvents([
      ...calls.flat(),
      recording,
      event('elsewhere', 'SecretReport', { subsId: '9' }),
    ]);
    const newest = await l.callEventsForBinding('1000000000000000123', 2);
    expect(newest.map((e) => `${e.callId}/${e.type}`)).toEqual([
      'c/SecretStartReport',
      'c/SecretReport',
      'c/SecretRecording',
      'b/SecretStartReport',
      'b/SecretReport',
    ]);
    expect(await l.callEventsForBinding('nobody', 5)).toEqual([]);
  });

  it('records fingerprints computed later, keeping any already there', async () => {
    const l = await ledger();
    await l.recordCallEvents([event('f1', 'SecretReport', { phoneHash: 's1:known', peerHash: null })]);
    await l.setCallEventFingerprints([
      { callId: 'f1', type: 'SecretReport', phoneHash: 's1:other', peerHash: 's1:peer' },
      { callId: 'absent', type: 'SecretReport', phoneHash: 'x', peerHash: 'y' },
    ]);
    await l.setCallEventFingerprints([]);
    expect(await l.callEvents('f1')).toMatchObject([{ phoneHash: 's1:known', peerHash: 's1:peer' }]);
  });

  it('lets one claimant win the posting of a call, of its end and of its recording apart', async () => {
    const shared = store.name === 'postgres' ? freshSchema() : mkdtempSync(join(tmpdir(), 'axn-calls-'));
    const one = await ledger(shared);
    const two = await ledger(shared);
    await one.recordCallEvents([event('c1', 'SecretReport'), event('c1', 'SecretRecording')]);
    const claims = await Promise.all([
      one.claimCallNotification('c1', 10),
      two.claimCallNotification('c1', 11),
      one.claimCallNotification('c1', 12),
      two.claimCallNotification('c1', 13),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await two.claimCallNotification('c1', 14, 'SecretRecording')).toBe(true);
    expect(await one.claimCallNotification('c1', 15, 'SecretRecording')).toBe(false);
    expect(await one.claimCallNotification('unknown', 16)).toBe(false);
    const [end] = await two
      .callEvents('c1')
      .then((events) => events.filter((e) => e.type === 'SecretReport'));
    expect([10, 11, 12, 13]).toContain(end?.notifiedAt);
  });

  it('answers the end and recording events nobody claimed, oldest first, stored before a time', async () => {
    const l = await ledger();
    await l.recordCallEvents([
      event('late', 'SecretReport', { receivedAt: 300 }),
      event('old', 'SecretStartReport', { receivedAt: 100 }),
      event('old', 'SecretReport', { receivedAt: 100 }),
      event('old', 'SecretRecording', { receivedAt: 200 }),
      event('claimed', 'SecretReport', { receivedAt: 50 }),
    ]);
    await l.claimCallNotification('claimed', 60);
    const open = await l.unclaimedCallEvents(250, 10);
    expect(open.map((e) => `${e.callId}/${e.type}`)).toEqual(['old/SecretReport', 'old/SecretRecording']);
    expect(await l.unclaimedCallEvents(1_000, 1)).toHaveLength(1);
  });

  it("keeps a binding's locale from the bind, and where its card was posted", async () => {
    const l = await ledger();
    await l.insertBinding(binding);
    await l.insertBinding({
      ...binding,
      ref: 'axn-old',
      subsId: null,
      locale: undefined,
      messageRef: undefined,
    });
    expect(await l.bindingByRef('axn-aaaa')).toMatchObject({ locale: 'zh', messageRef: null });
    expect(await l.bindingByRef('axn-old')).toMatchObject({ locale: null, messageRef: null });
    await l.setBindingMessageRef('axn-aaaa', 'C1:1715500000.000100');
    expect((await l.bindingBySubsId('1000000000000000123'))?.messageRef).toBe('C1:1715500000.000100');
  });
});
