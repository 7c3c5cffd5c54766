import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDyplsClient } from '@axnbot/core';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Actor,
  BindingService,
  LOOKUP_MISS_BURST,
  type Logger,
  openLedger,
  parseCommand,
  type Reply,
  renderText,
} from '../src/index.js';

// The privacy promises, attacked: no clear number or string to sign reaches a reply, the audit trail or
// the database file; a look-up by full number is no oracle for the hidden digits of a masked one.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let delivery = 0;
const person = (userId: string, channelId = 'C1'): Actor => ({
  platform: 'slack',
  userId,
  userName: userId,
  channelId,
  idempotencyKey: `p-${++delivery}`,
});

async function setup(options: { secret?: string; signature?: 'v2' | 'v3'; rate?: number } = {}) {
  const emu: Emulator = await startEmulator({ seed: 'demo' });
  cleanups.push(() => emu.close());
  const dir = mkdtempSync(join(tmpdir(), 'axn-privacy-'));
  const ledger = await openLedger(join(dir, 'ledger.db'));
  cleanups.push(() => ledger.close());
  const client = createDyplsClient({
    endpoint: emu.url,
    signature: options.signature ?? 'v3',
    credentials: { accessKeyId: 'testid', accessKeySecret: options.secret ?? 'testsecret' },
    retry: { maxAttempts: 1 },
  });
  cleanups.push(() => client.close());
  const alerts: Array<{ message: string; fields?: unknown }> = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message, fields) => alerts.push({ message, fields }),
    error: (message, fields) => alerts.push({ message, fields }),
  };
  const now = () => emu.clock.now();
  const service = new BindingService({
    client,
    ledger,
    now,
    logger,
    config: {
      poolKey: 'FC-DEMO',
      hashKey: 'privacy-key',
      allowUsers: [],
      allowChannels: [],
      admins: ['slack:ADMIN'],
      rateLimitPerMinute: options.rate ?? 1000,
    },
  });
  const run = (text: string, who: Actor): Promise<Reply> =>
    service.execute(
      parseCommand(text, {
        now: now(),
        locale: 'en',
        defaultExpiresMs: 86_400_000,
        maxExpiresMs: 90 * 86_400_000,
        maxBulk: 20,
      }),
      who,
    );
  return { emu, ledger, dir, run, alerts };
}

/** Every byte of every file in the folder, as text (SQLite pages hold the rows as written). */
function stateText(dir: string): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

describe('privacy', () => {
  it.each(['v2', 'v3'] as const)(
    'a refused %s bind shows neither A nor B nor the string to sign, in the reply, the audit or the file',
    async (signature) => {
      const { run, ledger, dir } = await setup({ secret: 'wrong-secret', signature });
      const reply = await run('bind 13300005670 b=13987654320', person('U1'));
      expect(reply).toMatchObject({ kind: 'error', code: 'SignatureDoesNotMatch' });
      const shown = [
        JSON.stringify(reply),
        renderText(reply, { now: Date.now() }),
        JSON.stringify(await ledger.auditEvents(50)),
      ].join('\n');
      await ledger.close();
      for (const text of [shown, stateText(dir)]) {
        expect(text).not.toContain('13300005670');
        expect(text).not.toContain('13987654320');
        expect(text).not.toMatch(/string to sign/i);
      }
    },
  );

  it("someone else's binding in another channel answers exactly as no binding does", async () => {
    const { run } = await setup();
    expect((await run('bind 13800138000', person('OWNER', 'C-OPS'))).kind).toBe('bound');
    const stranger = await run('info 13800138000', person('STRANGER', 'C-ELSEWHERE'));
    const nobody = await run('info 13800138001', person('STRANGER', 'C-ELSEWHERE'));
    expect(stranger).toMatchObject({ kind: 'error', code: 'local.NOT_FOUND' });
    expect(nobody).toMatchObject({ kind: 'error', code: 'local.NOT_FOUND' });
    // Unbind and extend are no oracle either: not "not yours", just "no binding".
    expect(await run('unbind 13800138000', person('STRANGER', 'C-ELSEWHERE'))).toMatchObject({
      code: 'local.NOT_FOUND',
    });
    expect(await run('extend 13800138000 1d', person('STRANGER', 'C-ELSEWHERE'))).toMatchObject({
      code: 'local.NOT_FOUND',
    });
    // The channel that saw the bind, the owner and an admin still see it.
    expect((await run('info 13800138000', person('COLLEAGUE', 'C-OPS'))).kind).toBe('info');
    expect((await run('info 13800138000', person('OWNER', 'C-DM'))).kind).toBe('info');
    expect((await run('info 13800138000', person('ADMIN', 'C-ANY'))).kind).toBe('info');
  });

  it('guessing the hidden digits is refused after a burst of misses, audited, and alerted', async () => {
    const { run, ledger, alerts } = await setup();
    expect((await run('bind 13800139006', person('OWNER', 'C-OPS'))).kind).toBe('bound');
    const replies: Reply[] = [];
    // The attacker walks the 10,000 candidates behind 138****9006, in order.
    for (let middle = 0; middle < 40; middle++) {
      replies.push(await run(`info 138${String(middle).padStart(4, '0')}9006`, person('GUESSER', 'C-OPS2')));
    }
    const denied = replies.filter((reply) => reply.kind === 'denied');
    expect(replies.slice(0, LOOKUP_MISS_BURST).every((reply) => reply.kind === 'error')).toBe(true);
    expect(denied).toHaveLength(40 - LOOKUP_MISS_BURST);
    expect(denied[0]).toMatchObject({ reason: 'rate-limited' });
    // Even the right guess, once blocked, is refused like every other.
    expect(await run('info 13800139006', person('GUESSER', 'C-OPS2'))).toMatchObject({ kind: 'denied' });
    expect(alerts).toHaveLength(1);
    expect(JSON.stringify(alerts)).toContain('GUESSER');
    const audit = await ledger.auditEvents(100);
    expect(
      audit.filter((event) => event.userId === 'GUESSER' && event.action === 'look-up:info'),
    ).toHaveLength(LOOKUP_MISS_BURST);
    expect(JSON.stringify(audit)).not.toMatch(/138\d{4}9006/);
  });

  it('look-ups by full number count against the rate limit', async () => {
    const { run } = await setup({ rate: 3 });
    expect((await run('bind 13800138000', person('U1'))).kind).toBe('bound');
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await run('info 13800138000', person('U1')));
    expect(replies.map((reply) => reply.kind)).toEqual(['info', 'info', 'denied']);
  });
});

describe('state files', () => {
  it('the ledger folder is 0700 and its database, WAL and shared-memory files 0600', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'axn-perm-')), 'state');
    const ledger = await openLedger(join(dir, 'axnbot.db'));
    await ledger.recordAudit({
      at: 0,
      platform: 'slack',
      userId: 'U1',
      userName: 'u',
      channelId: 'C',
      action: 'test',
      target: '-',
      result: 'OK',
      requestId: null,
      detail: null,
    });
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['axnbot.db', 'axnbot.db-wal', 'axnbot.db-shm']));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of files) expect([file, statSync(join(dir, file)).mode & 0o777]).toEqual([file, 0o600]);
    await ledger.close();
  });

  it('an existing world-readable ledger is made private when opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axn-perm-'));
    const path = join(dir, 'old.db');
    writeFileSync(path, '', { mode: 0o644 });
    chmodSync(path, 0o644);
    const ledger = await openLedger(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await ledger.close();
  });
});
