import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDyplsClient } from '@axnbot/core';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { expect } from 'vitest';
import {
  type Actor,
  BindingService,
  type Ledger,
  LIFECYCLE_DEFAULTS,
  type LifecycleConfig,
  type LifecycleNotice,
  LifecycleScheduler,
  type Locale,
  type LogFields,
  type Logger,
  parseCommand,
  type Reply,
} from '../src/index.js';
import { freshSchema, type StoreFactory } from './stores.js';

/** 2026-06-01 09:00 Beijing: the emulator's clock starts here and moves only when a test says so. */
export const BASE = Date.UTC(2026, 5, 1, 1, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

let delivery = 0;
/** A chat user; every call is a new delivery. */
export function person(userId: string, platform = 'slack', channelId = 'C1'): Actor {
  return { platform, userId, userName: `user-${userId}`, channelId, idempotencyKey: `lc-${++delivery}` };
}

/** A logger that keeps its lines, `level message {fields}`. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/** What a name for a ledger several instances open together looks like, per store. */
export function sharedName(store: StoreFactory): string {
  return store.name === 'postgres' ? freshSchema() : mkdtempSync(join(tmpdir(), 'axn-lifecycle-'));
}

/** One bot process: its service on a ledger (shared with others when `shared` is given) and the emulator. */
export interface Instance {
  readonly ledger: Ledger;
  readonly service: BindingService;
  run(text: string, who: Actor, locale?: Locale): Promise<Reply>;
  /** A scheduler over this service, its sends kept in `sent`. */
  scheduler(options?: SchedulerOptions): TestScheduler;
}

export interface SchedulerOptions {
  readonly config?: Partial<LifecycleConfig>;
  readonly platforms?: readonly string[];
  /** The front end's send (default: answers a message ref `msg-<n>`). */
  readonly send?: (notice: LifecycleNotice) => Promise<{ messageRef?: string }>;
  readonly logger?: Logger;
}

export interface TestScheduler {
  readonly scheduler: LifecycleScheduler;
  /** Every notice handed to send, in order (sent or not). */
  readonly sent: LifecycleNotice[];
}

/** The emulator on a fixed clock, and a way to start bot instances against it. */
export interface World {
  readonly emu: Emulator;
  instance(
    store: StoreFactory,
    options?: { shared?: string; admins?: string[]; locale?: Locale },
  ): Promise<Instance>;
  /** Adds a pool to the emulator: one-digit extensions (9 per number), its numbers and their cities. */
  addPool(key: string, numbers: ReadonlyArray<{ secretNo: string; city: string }>): Promise<void>;
  advance(ms: number): void;
  now(): number;
}

export async function world(cleanups: Array<() => Promise<void>>): Promise<World> {
  const emu = await startEmulator({ seed: 'demo', now: () => BASE });
  cleanups.push(() => emu.close());
  const now = () => emu.clock.now();
  return {
    emu,
    now,
    advance: (ms) => emu.clock.advance(ms),
    async addPool(key, numbers) {
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`${emu.url}/_emulator/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status).toBeLessThan(300);
      };
      await post('pools', { key, extensionLength: 1 });
      await post(`pools/${key}/numbers`, { numbers });
    },
    async instance(store, options = {}) {
      const ledger = await store.open(options.shared);
      cleanups.push(() => ledger.close());
      const client = createDyplsClient({
        endpoint: emu.url,
        credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
        retry: { maxAttempts: 1 },
        timeoutMs: 5_000,
        // Signed on the emulator's clock, so moving it by days keeps requests within its skew.
        now,
      });
      cleanups.push(() => client.close());
      const service = new BindingService({
        client,
        ledger,
        now,
        config: {
          poolKey: 'FC-DEMO',
          hashKey: 'lifecycle-test-hash-key',
          allowUsers: [],
          allowChannels: [],
          admins: options.admins ?? ['slack:ADMIN'],
          rateLimitPerMinute: 1_000,
          locale: options.locale ?? 'en',
        },
      });
      return {
        ledger,
        service,
        run: (text, who, locale = 'en') =>
          service.execute(
            parseCommand(text, {
              now: now(),
              locale,
              defaultExpiresMs: DAY,
              maxExpiresMs: 90 * DAY,
              maxBulk: 20,
            }),
            who,
          ),
        scheduler(schedulerOptions = {}) {
          const sent: LifecycleNotice[] = [];
          let count = 0;
          const scheduler = new LifecycleScheduler({
            source: service,
            config: { ...LIFECYCLE_DEFAULTS, ...schedulerOptions.config },
            platforms: schedulerOptions.platforms ?? ['slack', 'dingtalk'],
            logger: schedulerOptions.logger ?? recordingLogger().logger,
            // No real timers: each test ticks by hand, and a claim's heartbeat never beats.
            timers: { every: () => () => {} },
            send: async (notice) => {
              sent.push(notice);
              if (schedulerOptions.send) return schedulerOptions.send(notice);
              count += 1;
              return { messageRef: `msg-${count}` };
            },
          });
          return { scheduler, sent };
        },
      };
    },
  };
}

/** Binds and answers the binding, failing the test otherwise. */
export async function bind(instance: Instance, text: string, who: Actor, locale: Locale = 'en') {
  const reply = await instance.run(text, who, locale);
  if (reply.kind !== 'bound') throw new Error(`bind failed: ${JSON.stringify(reply)}`);
  return reply.binding;
}

/**
 * The privacy scan: no A number given in clear anywhere in what was handed to a front end, and no other
 * phone-shaped number but the (public) X numbers.
 */
export function expectNoClearNumbers(notices: readonly unknown[], aNumbers: readonly string[]): void {
  const text = JSON.stringify(notices);
  expect(text.length).toBeGreaterThan(2);
  for (const a of aNumbers) expect(text).not.toContain(a);
  const xs = new Set<string>();
  for (const notice of notices as LifecycleNotice[]) {
    const views = notice.kind === 'pool-alert' ? notice.idle : [notice.binding];
    for (const view of views) if (view.secretNo) xs.add(view.secretNo);
  }
  const phoneShaped = text.match(/(?<!\d)(?:1[3-9]\d{9}|0\d{9,11})(?!\d)/g) ?? [];
  for (const number of phoneShaped) expect(xs.has(number), `${number} is shown in clear`).toBe(true);
}
