import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BindingRecord, type Reply, SqlLedger, sqliteDriver } from '../src/index.js';

// The SQLite ledger commits concurrent writes in groups: fewer transactions than writes, and each write
// there once its caller resumed. (That acknowledged writes survive a SIGKILL is kill.test.ts.)

const record = (i: number, key: string): BindingRecord => ({
  ref: `axn-${i}`,
  subsId: null,
  secretNo: null,
  extension: null,
  phoneMasked: '138****8000',
  phoneHash: `h${i}`,
  poolKey: 'FC-DEMO',
  city: null,
  expiresAt: 2_000_000_000_000,
  recording: false,
  outId: `axn-${i}`,
  status: 'pending',
  platform: 'slack',
  userId: 'U1',
  userName: 'alice',
  channelId: 'C1',
  createdAt: 1_000,
  updatedAt: 1_000,
  requestId: null,
  deliveryKey: key,
  endedBy: null,
  locale: 'en',
  messageRef: null,
});

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

describe('the SQLite ledger under concurrent writes', () => {
  it('commits them in groups, fewer transactions than writes, each there once its caller resumed', async () => {
    const driver = sqliteDriver(join(mkdtempSync(join(tmpdir(), 'axn-group-ledger-')), 'ledger.db'));
    const ledger = await SqlLedger.open(driver);
    closing.push(() => ledger.close());
    const before = driver.writeStats?.() ?? { writes: 0, transactions: 0 };
    const reply: Reply = { kind: 'help', locale: 'en' };
    // 64 binds at once: each claims its delivery with its intent, then stores its outcome and reply;
    // each checks its own write right after it resumes.
    const seen = await Promise.all(
      Array.from({ length: 64 }, async (_, i) => {
        const key = `slack:k${i}`;
        const claimed = await ledger.claimDelivery(key, 1, [record(i, key)], 10_000);
        const claimVisible = (await ledger.bindingByRef(`axn-${i}`))?.status === 'pending';
        await ledger.completeDelivery(key, reply, 2, [
          {
            ref: `axn-${i}`,
            patch: { status: 'active', subsId: `S${i}`, updatedAt: 2 },
            audit: {
              at: 2,
              platform: 'slack',
              userId: 'U1',
              userName: 'alice',
              channelId: 'C1',
              action: 'bind',
              target: `axn-${i}`,
              result: 'OK',
              requestId: null,
              detail: null,
            },
          },
        ]);
        const completed = (await ledger.deliveryReply(key)) !== null;
        return claimed && claimVisible && completed;
      }),
    );
    expect(seen.every(Boolean)).toBe(true);
    const after = driver.writeStats?.() as { writes: number; transactions: number };
    const writes = after.writes - before.writes;
    const transactions = after.transactions - before.transactions;
    expect(writes).toBe(128);
    // Grouped: the 64 claims went together, and so did the 64 outcomes (a handful at most here).
    expect(transactions).toBeLessThan(writes / 4);
    expect(
      await ledger.listBindings({ statuses: ['active'], limit: 1_000 }).then((rows) => rows.length),
    ).toBe(64);
    expect((await ledger.auditEvents(1_000)).length).toBe(64);
  });

  it('a claim that loses is refused alone; the claims grouped with it stand', async () => {
    const driver = sqliteDriver(join(mkdtempSync(join(tmpdir(), 'axn-group-ledger-')), 'ledger.db'));
    const ledger = await SqlLedger.open(driver);
    closing.push(() => ledger.close());
    // The same key twice in one group: the first claim wins, the second is refused, the others stand.
    const results = await Promise.all([
      ledger.claimDelivery('slack:a', 1, [record(1, 'slack:a')]),
      ledger.claimDelivery('slack:a', 1, [record(2, 'slack:a')]),
      ledger.claimDelivery('slack:b', 1, [record(3, 'slack:b')]),
      // A ref already taken: this claim fails with its intent, and leaves no claim behind.
      ledger.claimDelivery('slack:c', 1, [record(1, 'slack:c')]).catch(() => 'failed'),
    ]);
    expect(results).toEqual([true, false, true, 'failed']);
    expect(await ledger.deliveryReply('slack:c')).toBeUndefined();
    expect(await ledger.bindingByRef('axn-2')).toBeUndefined();
    expect((await ledger.bindingByRef('axn-3'))?.deliveryKey).toBe('slack:b');
  });
});
