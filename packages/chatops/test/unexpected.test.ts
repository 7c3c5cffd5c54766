import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDyplsClient } from '@axnbot/core';
import { startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { BindingService, type Logger, openLedger, parseCommand, renderText } from '../src/index.js';

// An unexpected failure (here: the database gone) is logged once, with a correlation id the user's
// reply shows too, in the user's language — never "the error was recorded" with nothing recorded.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('unexpected errors', () => {
  it.each(['en', 'zh'] as const)('are logged once with the id the %s reply shows', async (locale) => {
    const emu = await startEmulator({ seed: 'demo' });
    cleanups.push(() => emu.close());
    const client = createDyplsClient({
      endpoint: emu.url,
      credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    });
    cleanups.push(() => client.close());
    const ledger = await openLedger(join(mkdtempSync(join(tmpdir(), 'axn-unexpected-')), 'l.db'));
    const errors: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (message, fields) => errors.push({ message, fields }),
    };
    const service = new BindingService({
      client,
      ledger,
      logger,
      config: {
        poolKey: 'FC-DEMO',
        hashKey: 'k',
        allowUsers: [],
        allowChannels: [],
        admins: [],
        rateLimitPerMinute: 10,
      },
    });
    await ledger.close(); // the database goes away under the service
    const text = locale === 'zh' ? '绑定 13800138000' : 'bind 13800138000';
    const reply = await service.execute(
      parseCommand(text, {
        now: Date.now(),
        locale,
        defaultExpiresMs: 86_400_000,
        maxExpiresMs: 90 * 86_400_000,
        maxBulk: 20,
      }),
      { platform: 'slack', userId: 'U1', userName: 'u1', channelId: 'C1', idempotencyKey: `x-${locale}` },
    );
    expect(reply).toMatchObject({ kind: 'error', code: 'local.INTERNAL', locale });
    if (reply.kind !== 'error') return;
    expect(reply.correlationId).toMatch(/^err-[a-z2-9]{10}$/);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fields).toMatchObject({ correlationId: reply.correlationId });
    expect(String(errors[0]?.fields?.error)).toMatch(/database|open/i);
    const shown = renderText(reply, { now: Date.now() });
    expect(shown).toContain(reply.correlationId);
    expect(shown).toContain(locale === 'zh' ? '错误编号' : 'error ref');
    expect(JSON.stringify(errors)).not.toContain('13800138000');
  });
});
