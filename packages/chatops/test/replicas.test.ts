import { createDyplsClient } from '@axnbot/core';
import { startEmulator } from '@axnbot/emulator';
import { describe, expect, it } from 'vitest';
import { BindingService, parseCommand } from '../src/index.js';
import { freshSchema, POSTGRES_URL, postgresStore } from './stores.js';

describe.skipIf(!POSTGRES_URL)('two bot replicas on one PostgreSQL database', () => {
  it('the same 200 deliveries sent to both concurrently make exactly 200 bindings, none twice', async () => {
    const emu = await startEmulator({ seed: 'demo' });
    const schema = freshSchema();
    const ledgers = [await postgresStore.open(schema), await postgresStore.open(schema)];
    const clients = ledgers.map(() =>
      createDyplsClient({
        endpoint: emu.url,
        credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
        timeoutMs: 10_000,
      }),
    );
    try {
      const config = {
        poolKey: 'FC-DEMO',
        hashKey: 'replica-test-hash-key',
        allowUsers: [],
        allowChannels: [],
        admins: [],
        rateLimitPerMinute: 1_000,
      };
      const replicas = ledgers.map(
        (ledger, i) => new BindingService({ client: clients[i]!, ledger, config }),
      );
      const context = {
        now: Date.now(),
        locale: 'en' as const,
        defaultExpiresMs: 86_400_000,
        maxExpiresMs: 90 * 86_400_000,
        maxBulk: 20,
      };
      const deliveries = Array.from({ length: 200 }, (_, i) => ({
        command: parseCommand(`bind 139${String(i).padStart(8, '0')}`, context),
        actor: {
          platform: 'slack',
          userId: `U${i % 7}`,
          userName: 'ops',
          channelId: 'C1',
          idempotencyKey: `T1:trigger-${i}`,
        },
      }));
      const replies = await Promise.all(
        deliveries.flatMap((d) => replicas.map((service) => service.execute(d.command, d.actor))),
      );
      expect(replies.every((reply) => reply.kind === 'bound')).toBe(true);
      // Both replicas answered each delivery with the same binding.
      for (let i = 0; i < 200; i++) expect(replies[2 * i]).toEqual(replies[2 * i + 1]);
      const emulated = emu.store.listBindings({ limit: 1_000 }, emu.clock.now()).bindings;
      expect(emulated).toHaveLength(200);
      expect(new Set(emulated.map((b) => b.phoneA)).size).toBe(200);
      const recorded = await ledgers[0]!.listBindings({
        statuses: ['active', 'pending', 'unknown', 'failed'],
        limit: 1_000,
      });
      expect(recorded).toHaveLength(200);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(ledgers.map((ledger) => ledger.close()));
      await emu.close();
    }
  });
});
