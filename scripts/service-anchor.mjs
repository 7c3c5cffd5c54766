// The anchor of the bot benchmarks: the binding service's own bind latency, in-process, on the same
// emulator, at the same concurrency.
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latencies } from './bench-kit.mjs';

const require = createRequire(new URL('../packages/chatops/package.json', import.meta.url));
const { BindingService, openLedger, parseCommand } = await import(require.resolve('@axnbot/chatops'));
const { createDyplsClient } = await import(require.resolve('@axnbot/core'));

export async function serviceBindLatency(
  emulatorUrl,
  { total = 200, concurrency = 20, phonePrefix = '133' } = {},
) {
  const client = createDyplsClient({
    endpoint: emulatorUrl,
    credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    maxQps: 100_000,
  });
  const ledger = await openLedger(join(mkdtempSync(join(tmpdir(), 'axn-anchor-')), 'ledger.db'));
  const service = new BindingService({
    client,
    ledger,
    config: {
      poolKey: 'FC-BENCH',
      hashKey: 'bench-hash-key-0123456789',
      allowUsers: [],
      allowChannels: [],
      admins: [],
      rateLimitPerMinute: 10_000_000,
    },
  });
  let n = 0;
  const context = () => ({
    now: Date.now(),
    locale: 'en',
    defaultExpiresMs: 86_400_000,
    maxExpiresMs: 90 * 86_400_000,
    maxBulk: 20,
  });
  const bind = () => {
    const i = n++;
    return service.execute(parseCommand(`bind ${phonePrefix}${String(i).padStart(8, '0')}`, context()), {
      platform: 'bench',
      userId: `U${i % 50}`,
      userName: 'bench',
      channelId: 'C1',
      idempotencyKey: `anchor-${phonePrefix}-${i}`,
    });
  };
  await latencies(100, concurrency, bind);
  const result = await latencies(total, concurrency, bind);
  await ledger.close();
  await client.close();
  return result;
}
