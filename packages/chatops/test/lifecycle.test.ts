import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  LIFECYCLE_ACTION_IDS,
  LIFECYCLE_LEASE_MS,
  LIFECYCLE_MAX_TRIES,
  type LifecycleNotice,
  loadLifecycleConfig,
  parseCommand,
} from '../src/index.js';
import {
  bind,
  DAY,
  expectNoClearNumbers,
  HOUR,
  person,
  recordingLogger,
  sharedName,
  world,
} from './lifecycle-world.js';
import { POSTGRES_URL, postgresStore, STORES } from './stores.js';

// The binding lifecycle, run from the ledger: a reminder when a binding made from chat enters the
// reminder window, a notice when it expires — each claimed in the ledger so that it is sent once across
// ticks, restarts and replicas, retried when sending fails and given up after a bound.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const A_EN = '13800138000';
const A_ZH = '13900139000';

const kinds = (notices: readonly LifecycleNotice[]) => notices.map((notice) => notice.kind);

describe.each(STORES)('the lifecycle on $name', (store) => {
  it('reminds each binding made from chat once as it enters the window, in its binder’s language, with the four actions', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    const en = await bind(bot, `bind ${A_EN} expires=1d`, person('U1'));
    const zh = await bind(bot, `绑定 ${A_ZH} 有效期=1天`, person('D1', 'dingtalk', 'cidGroup1'), 'zh');
    await bot.service.setBindingMessageRef(en.ref, 'slack:C1:1700000000.000100');
    // Made from the console: never reminded (nowhere to send it).
    await bind(bot, 'bind 13700137000 expires=1d', person('local', 'console'));
    const { scheduler, sent } = bot.scheduler();

    expect(await scheduler.tick()).toMatchObject({ reminders: 0, expired: 0, marked: 0 });
    w.advance(22 * HOUR - 60_000); // a minute before the window opens
    expect((await scheduler.tick()).reminders).toBe(0);
    w.advance(2 * 60_000); // a minute inside it
    expect(await scheduler.tick()).toMatchObject({ reminders: 2, failed: 0 });
    expect(kinds(sent)).toEqual(['reminder', 'reminder']);
    const [first, second] = sent;
    if (first?.kind !== 'reminder' || second?.kind !== 'reminder') throw new Error('two reminders');
    const byLocale = first.locale === 'en' ? { en: first, zh: second } : { en: second, zh: first };

    expect(byLocale.en).toMatchObject({
      id: `reminder:${en.ref}:${en.expiresAt}`,
      attempt: 1,
      title: 'Binding expires soon',
      expiresAt: en.expiresAt,
      expiresAtText: '2026-06-02 09:00 (Beijing)',
      relative: 'in 2 hours',
      place: {
        platform: 'slack',
        channelId: 'C1',
        userId: 'U1',
        userName: 'user-U1',
        messageRef: 'slack:C1:1700000000.000100',
      },
      binding: { ref: en.ref, subsId: en.subsId, phoneMasked: '138****8000', status: 'active' },
    });
    expect(byLocale.en.lines[0]).toBe(
      `138****8000 at ${en.secretNo?.replace(/(\d{3})(\d{4})(\d{4})/, '$1 $2 $3')} ext ${en.extension} expires 2026-06-02 09:00 (Beijing), in 2 hours.`,
    );
    expect(byLocale.en.actions.map((action) => [action.id, action.label, action.command])).toEqual([
      [LIFECYCLE_ACTION_IDS.extendDay, 'Extend +1d', `extend ${en.subsId} 1d`],
      [LIFECYCLE_ACTION_IDS.extendWeek, 'Extend +7d', `extend ${en.subsId} 7d`],
      [LIFECYCLE_ACTION_IDS.unbind, 'Unbind now', `unbind ${en.subsId}`],
      [LIFECYCLE_ACTION_IDS.silence, 'Let it expire', `silence ${en.subsId}`],
    ]);
    expect(byLocale.en.actions[2]?.confirm?.title).toBe('Unbind this number?');

    expect(byLocale.zh).toMatchObject({
      title: '绑定即将过期',
      expiresAtText: '2026-06-02 09:00（北京时间）',
      relative: '2小时后',
      place: { platform: 'dingtalk', channelId: 'cidGroup1', userId: 'D1', messageRef: null },
    });
    expect(byLocale.zh.lines.join('\n')).toContain('将于 2026-06-02 09:00（北京时间）过期（2小时后）。');
    expect(byLocale.zh.actions.map((action) => [action.label, action.command])).toEqual([
      ['延期 1 天', `延期 ${zh.subsId} 1天`],
      ['延期 7 天', `延期 ${zh.subsId} 7天`],
      ['立即解绑', `解绑 ${zh.subsId}`],
      ['任其过期', `不再提醒 ${zh.subsId}`],
    ]);
    // Every action's command parses as the typed command it stands for, naming the binding.
    const context = {
      now: w.now(),
      locale: 'en' as const,
      defaultExpiresMs: DAY,
      maxExpiresMs: 90 * DAY,
      maxBulk: 20,
    };
    for (const action of [...byLocale.en.actions, ...byLocale.zh.actions].filter(
      (a) => a.id !== LIFECYCLE_ACTION_IDS.silence,
    ))
      expect(parseCommand(action.command, context)).toMatchObject({
        target: { kind: 'subsId', subsId: action.subsId },
      });

    // Sent: never again, on this tick or any later one.
    expect((await scheduler.tick()).reminders).toBe(0);
    w.advance(HOUR);
    expect((await scheduler.tick()).reminders).toBe(0);
    expect(sent).toHaveLength(2);
    expect(await bot.ledger.lifecycle.notice(en.ref, 'reminder')).toMatchObject({
      state: 'sent',
      tries: 1,
      expiresAt: en.expiresAt,
      messageRef: expect.stringMatching(/^msg-[12]$/),
    });
    expectNoClearNumbers(sent, [A_EN, A_ZH, '13700137000']);
  });

  it('never reminds a binding made inside the window, and notices its expiry once', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    const b = await bind(bot, `bind ${A_EN} expires=90m`, person('U1'));
    const { scheduler, sent } = bot.scheduler();
    for (const step of [0, 30 * 60_000, 30 * 60_000, 29 * 60_000]) {
      w.advance(step);
      expect((await scheduler.tick()).reminders).toBe(0);
    }
    expect(sent).toEqual([]);
    w.advance(2 * 60_000); // expired a minute ago
    expect(await scheduler.tick()).toMatchObject({ marked: 1, expired: 1, reminders: 0 });
    expect(kinds(sent)).toEqual(['expired']);
    expect(sent[0]).toMatchObject({
      kind: 'expired',
      id: `expired:${b.ref}`,
      title: 'Binding expired',
      reminderMessageRef: null,
      expiredAtText: '2026-06-01 10:30 (Beijing)',
      binding: { status: 'expired', endedAt: b.expiresAt },
    });
    expect((await scheduler.tick()).expired).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('marks an expired binding expired, audited, and its notice carries the card and the reminder it sent', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    const b = await bind(bot, `bind ${A_EN} expires=1d`, person('U1'));
    await bot.service.setBindingMessageRef(b.ref, 'slack:C1:1700000000.000200');
    const { scheduler, sent } = bot.scheduler();
    w.advance(23 * HOUR);
    expect((await scheduler.tick()).reminders).toBe(1);
    w.advance(HOUR + 60_000);
    expect(await scheduler.tick()).toMatchObject({ marked: 1, expired: 1 });
    expect(sent[1]).toMatchObject({
      kind: 'expired',
      reminderMessageRef: 'msg-1',
      place: { messageRef: 'slack:C1:1700000000.000200' },
      lines: [
        `138****8000 at ${b.secretNo?.replace(/(\d{3})(\d{4})(\d{4})/, '$1 $2 $3')} ext ${b.extension} expired 2026-06-02 09:00 (Beijing); dialing it reaches nobody now.`,
      ],
    });
    expect((await bot.ledger.bindingByRef(b.ref))?.status).toBe('expired');
    const audit = await bot.ledger.auditEvents(10);
    expect(audit.filter((event) => event.action === 'expire')).toEqual([
      expect.objectContaining({
        platform: 'system',
        target: `138****8000 ${b.ref} SubsId ${b.subsId}`,
        result: 'OK',
      }),
    ]);
    expect(await bot.ledger.lifecycle.notice(b.ref, 'expired')).toMatchObject({
      state: 'sent',
      messageRef: 'msg-2',
    });
    expect(await scheduler.tick()).toMatchObject({ marked: 0, expired: 0, reminders: 0 });
    expectNoClearNumbers(sent, [A_EN]);
  });

  it('reminds again for a new expiry once the binding is extended, but not before its new window', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    const owner = person('U1');
    const b = await bind(bot, `bind ${A_EN} expires=1d`, owner);
    const { scheduler, sent } = bot.scheduler();
    w.advance(22 * HOUR + 30 * 60_000);
    expect((await scheduler.tick()).reminders).toBe(1);
    const extended = await bot.run(
      sent[0]?.kind === 'reminder' ? (sent[0].actions[0]?.command as string) : '',
      { ...owner, idempotencyKey: 'press-1' },
    );
    expect(extended).toMatchObject({ kind: 'extended', binding: { expiresAt: b.expiresAt + DAY } });
    expect((await scheduler.tick()).reminders).toBe(0);
    // The new window opens at 46 h; now is 22.5 h.
    w.advance(23 * HOUR);
    expect((await scheduler.tick()).reminders).toBe(0);
    w.advance(HOUR);
    expect((await scheduler.tick()).reminders).toBe(1);
    expect(sent.map((notice) => (notice.kind === 'reminder' ? notice.expiresAt : 0))).toEqual([
      b.expiresAt,
      b.expiresAt + DAY,
    ]);
    expect((await scheduler.tick()).reminders).toBe(0);
  });

  it('silenced for an expiry, a binding gets no reminder and no expiry notice', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    const quiet = await bind(bot, `bind ${A_EN} expires=1d`, person('U1'));
    const loud = await bind(bot, `bind ${A_ZH} expires=1d`, person('U1'));
    expect(await bot.ledger.lifecycle.silence(quiet.ref, quiet.expiresAt, w.now())).toBe('silenced');
    expect(await bot.ledger.lifecycle.silence(quiet.ref, quiet.expiresAt, w.now())).toBe('already');
    const { scheduler, sent } = bot.scheduler();
    w.advance(23 * HOUR);
    await scheduler.tick();
    w.advance(2 * HOUR);
    await scheduler.tick();
    await scheduler.tick();
    expect(sent.map((notice) => [notice.kind, 'binding' in notice ? notice.binding.ref : ''])).toEqual([
      ['reminder', loud.ref],
      ['expired', loud.ref],
    ]);
    // Silenced or not, both are marked expired in the ledger.
    expect((await bot.ledger.bindingByRef(quiet.ref))?.status).toBe('expired');
  });

  it('retries a failed send on later ticks and gives it up, logged, after the bound', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    const flaky = await bind(bot, `bind ${A_EN} expires=1d`, person('U1'));
    // Made on DingTalk, whose (failing) scheduler below is the only one to serve it.
    const broken = await bind(bot, `bind ${A_ZH} expires=1d`, person('D2', 'dingtalk'));
    const { logger, lines } = recordingLogger();
    let failures = 2;
    const { scheduler, sent } = bot.scheduler({
      logger,
      platforms: ['slack'],
      send: async (notice) => {
        if (notice.kind === 'reminder' && notice.binding.ref === flaky.ref && failures-- > 0)
          throw new Error('ratelimited');
        return { messageRef: 'slack:C1:1.2' };
      },
    });
    w.advance(23 * HOUR);
    expect(await scheduler.tick()).toMatchObject({ reminders: 0, failed: 1, givenUp: 0 });
    expect(await scheduler.tick()).toMatchObject({ reminders: 0, failed: 1 });
    expect(await scheduler.tick()).toMatchObject({ reminders: 1, failed: 0 });
    expect(sent.map((notice) => notice.attempt)).toEqual([1, 2, 3]);
    expect(await bot.ledger.lifecycle.notice(flaky.ref, 'reminder')).toMatchObject({
      state: 'sent',
      tries: 3,
      lastError: null,
      messageRef: 'slack:C1:1.2',
    });
    expect(lines.filter((line) => line.startsWith('warn'))).toEqual([
      `warn could not send a lifecycle notice; the next tick tries again {"kind":"reminder","id":"reminder:${flaky.ref}:${flaky.expiresAt}","subsId":"${flaky.subsId}","platform":"slack","tries":1,"error":"ratelimited"}`,
      `warn could not send a lifecycle notice; the next tick tries again {"kind":"reminder","id":"reminder:${flaky.ref}:${flaky.expiresAt}","subsId":"${flaky.subsId}","platform":"slack","tries":2,"error":"ratelimited"}`,
    ]);

    // One that never goes through: tried LIFECYCLE_MAX_TRIES times, a tick apart, then given up.
    const { logger: brokenLogger, lines: brokenLines } = recordingLogger();
    const failing = bot.scheduler({
      logger: brokenLogger,
      platforms: ['dingtalk'],
      send: async () => {
        throw new Error('channel_not_found');
      },
    });
    const reports = [];
    for (let i = 0; i < LIFECYCLE_MAX_TRIES + 2; i++) reports.push(await failing.scheduler.tick());
    expect(reports.map((report) => [report.failed, report.givenUp])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 1],
      [0, 0],
      [0, 0],
    ]);
    expect(failing.sent).toHaveLength(LIFECYCLE_MAX_TRIES);
    expect(failing.sent.every((notice) => 'binding' in notice && notice.binding.ref === broken.ref)).toBe(
      true,
    );
    expect(await bot.ledger.lifecycle.notice(broken.ref, 'reminder')).toMatchObject({
      state: 'given-up',
      tries: LIFECYCLE_MAX_TRIES,
      lastError: 'channel_not_found',
      sentAt: null,
    });
    expect(brokenLines.filter((line) => line.startsWith('error'))).toEqual([
      `error gave up sending a lifecycle notice {"kind":"reminder","id":"reminder:${broken.ref}:${broken.expiresAt}","subsId":"${broken.subsId}","platform":"dingtalk","tries":${LIFECYCLE_MAX_TRIES},"error":"channel_not_found"}`,
    ]);
  });

  it('loses nothing across a restart: a claim whose process died lapses and a new instance sends it', async () => {
    const w = await world(cleanups);
    const shared = sharedName(store);
    const first = await w.instance(store, { shared });
    const b = await bind(first, `bind ${A_EN} expires=1d`, person('U1'));
    let claimed!: (notice: LifecycleNotice) => void;
    const handedOver = new Promise<LifecycleNotice>((resolve) => {
      claimed = resolve;
    });
    // The first process claims the reminder and dies while sending it: its send never answers.
    const dying = first.scheduler({
      send: (notice) => {
        claimed(notice);
        return new Promise(() => {});
      },
    });
    w.advance(23 * HOUR);
    void dying.scheduler.tick();
    expect((await handedOver).kind).toBe('reminder');

    const restarted = await w.instance(store, { shared });
    const { scheduler, sent } = restarted.scheduler();
    // Its claim holds until the lease lapses: nothing is sent twice meanwhile.
    expect((await scheduler.tick()).reminders).toBe(0);
    w.advance(LIFECYCLE_LEASE_MS - 1_000);
    expect((await scheduler.tick()).reminders).toBe(0);
    w.advance(2_000);
    expect((await scheduler.tick()).reminders).toBe(1);
    expect(sent[0]).toMatchObject({ kind: 'reminder', attempt: 2, binding: { ref: b.ref } });
    // And once sent, a third instance finds nothing to do.
    const third = await w.instance(store, { shared });
    const later = third.scheduler();
    expect((await later.scheduler.tick()).reminders).toBe(0);
    expect(later.sent).toEqual([]);
  });

  it('serves only its own platforms', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    await bind(bot, `bind ${A_EN} expires=1d`, person('U1', 'slack'));
    await bind(bot, `bind ${A_ZH} expires=1d`, person('D1', 'dingtalk'));
    const slack = bot.scheduler({ platforms: ['slack'] });
    const dingtalk = bot.scheduler({ platforms: ['dingtalk'] });
    w.advance(23 * HOUR);
    await slack.scheduler.tick();
    await dingtalk.scheduler.tick();
    expect(slack.sent.map((notice) => 'place' in notice && notice.place.platform)).toEqual(['slack']);
    expect(dingtalk.sent.map((notice) => 'place' in notice && notice.place.platform)).toEqual(['dingtalk']);
  });

  it('sends no reminders with AXN_REMIND_BEFORE=off, and still notices expiry', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    await bind(bot, `bind ${A_EN} expires=1d`, person('U1'));
    const { scheduler, sent } = bot.scheduler({ config: loadLifecycleConfig({ AXN_REMIND_BEFORE: 'off' }) });
    w.advance(23 * HOUR);
    await scheduler.tick();
    w.advance(2 * HOUR);
    await scheduler.tick();
    expect(kinds(sent)).toEqual(['expired']);
  });
});

describe.skipIf(!POSTGRES_URL)('two bot processes on one PostgreSQL ledger', () => {
  it('tick concurrently and send each reminder and expiry notice exactly once, a restart in between', async () => {
    const w = await world(cleanups);
    const schema = sharedName(postgresStore);
    const one = await w.instance(postgresStore, { shared: schema });
    const two = await w.instance(postgresStore, { shared: schema });
    const made = [];
    for (let i = 0; i < 12; i++)
      made.push(
        await bind(one, `bind 1380013${String(8000 + i).padStart(4, '0')} expires=1d`, person(`U${i}`)),
      );
    const a = one.scheduler();
    const b = two.scheduler();
    w.advance(23 * HOUR);
    for (let round = 0; round < 3; round++) await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    const reminders = [...a.sent, ...b.sent].filter((notice) => notice.kind === 'reminder');
    expect(reminders).toHaveLength(12);
    expect(new Set(reminders.map((notice) => notice.id)).size).toBe(12);
    // Nothing else was handed to either front end.
    expect(a.sent.length + b.sent.length).toBe(12);

    // One restarts (a new instance on the same ledger); then every binding expires.
    const three = await w.instance(postgresStore, { shared: schema });
    const c = three.scheduler();
    expect((await c.scheduler.tick()).reminders).toBe(0);
    w.advance(2 * HOUR);
    for (let round = 0; round < 3; round++) await Promise.all([a.scheduler.tick(), c.scheduler.tick()]);
    const expired = [...a.sent, ...b.sent, ...c.sent].filter((notice) => notice.kind === 'expired');
    expect(expired).toHaveLength(12);
    expect(new Set(expired.map((notice) => notice.id)).size).toBe(12);
    const audit = await one.ledger.auditEvents(100);
    expect(audit.filter((event) => event.action === 'expire')).toHaveLength(12);
    expectNoClearNumbers(
      [...a.sent, ...b.sent, ...c.sent],
      made.map((_, i) => `1380013${String(8000 + i).padStart(4, '0')}`),
    );
  });
});

describe('lifecycle configuration', () => {
  it('has defaults, and reads each variable', () => {
    expect(loadLifecycleConfig({})).toEqual({
      remindBeforeMs: 2 * HOUR,
      intervalMs: 30_000,
      poolAlertThreshold: 3,
      poolAlertCooldownMs: 6 * HOUR,
    });
    expect(
      loadLifecycleConfig({
        AXN_REMIND_BEFORE: '90m',
        AXN_SCHEDULER_INTERVAL: '10s',
        AXN_POOL_ALERT_THRESHOLD: '5',
        AXN_POOL_ALERT_COOLDOWN: '1d',
        AXN_ALERT_CHANNEL: 'slack:C0123ABCD',
        AXN_OTHER: 'ignored',
      }),
    ).toEqual({
      remindBeforeMs: 90 * 60_000,
      intervalMs: 10_000,
      poolAlertThreshold: 5,
      poolAlertCooldownMs: DAY,
      alertChannel: { platform: 'slack', channelId: 'C0123ABCD' },
    });
    expect(loadLifecycleConfig({ AXN_REMIND_BEFORE: '0' }).remindBeforeMs).toBe(0);
    expect(loadLifecycleConfig({ AXN_REMIND_BEFORE: 'OFF' }).remindBeforeMs).toBe(0);
    expect(loadLifecycleConfig({ AXN_ALERT_CHANNEL: 'dingtalk:cidAbC+dEf/gh==' }).alertChannel).toEqual({
      platform: 'dingtalk',
      channelId: 'cidAbC+dEf/gh==',
    });
  });

  it.each([
    [
      'AXN_REMIND_BEFORE',
      'soon',
      'AXN_REMIND_BEFORE must be a duration such as 2h or 30m, or 0 / off (got "soon")',
    ],
    [
      'AXN_REMIND_BEFORE',
      '10s',
      'AXN_REMIND_BEFORE must be a duration such as 2h or 30m, or 0 / off (got "10s")',
    ],
    [
      'AXN_SCHEDULER_INTERVAL',
      '0s',
      'AXN_SCHEDULER_INTERVAL must be a duration such as 30s or 1m (1s to 1h) (got "0s")',
    ],
    [
      'AXN_SCHEDULER_INTERVAL',
      '2h',
      'AXN_SCHEDULER_INTERVAL must be a duration such as 30s or 1m (1s to 1h) (got "2h")',
    ],
    [
      'AXN_POOL_ALERT_THRESHOLD',
      '0',
      'AXN_POOL_ALERT_THRESHOLD must be a whole number from 1 to 10000 (got "0")',
    ],
    [
      'AXN_POOL_ALERT_THRESHOLD',
      '2.5',
      'AXN_POOL_ALERT_THRESHOLD must be a whole number from 1 to 10000 (got "2.5")',
    ],
    [
      'AXN_POOL_ALERT_COOLDOWN',
      'never',
      'AXN_POOL_ALERT_COOLDOWN must be a duration such as 6h or 1d (got "never")',
    ],
    [
      'AXN_ALERT_CHANNEL',
      '#ops',
      'AXN_ALERT_CHANNEL must be slack:<channel id> (slack:C0123ABCD) or dingtalk:<openConversationId> (dingtalk:cid…) (got "#ops")',
    ],
    [
      'AXN_ALERT_CHANNEL',
      'slack:U0123ABCD',
      'AXN_ALERT_CHANNEL must be slack:<channel id> (slack:C0123ABCD) or dingtalk:<openConversationId> (dingtalk:cid…) (got "slack:U0123ABCD")',
    ],
  ])('refuses %s=%s with one line naming it', (name, value, message) => {
    const read = () => loadLifecycleConfig({ [name]: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
    expect(message.split('\n')).toHaveLength(1);
  });
});
