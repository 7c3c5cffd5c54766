import { afterEach, describe, expect, it } from 'vitest';
import {
  isParseError,
  LIFECYCLE_ACTION_IDS,
  type LifecycleAction,
  type ParseContext,
  parseCommand,
  type ReminderNotice,
  renderText,
} from '../src/index.js';
import { bind, DAY, HOUR, type Instance, person, world } from './lifecycle-world.js';
import { STORES } from './stores.js';

// What a reminder's four actions do, as the bots run them (the action's command through parseCommand and
// executeDelivery, with the press's own delivery key), `silence` and silenceReminders, and the `pool`
// command with its admin-only `remain`.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const A = '13800138000';

/** Presses an action as a bot does: its command, parsed, run once per press key. */
async function press(bot: Instance, action: LifecycleAction, who: ReturnType<typeof person>, now: number) {
  const context: ParseContext = {
    now,
    locale: 'en',
    defaultExpiresMs: DAY,
    maxExpiresMs: 90 * DAY,
    maxBulk: 20,
  };
  return bot.service.executeDelivery(parseCommand(action.command, context), who);
}

/** Binds, moves into the reminder window, and answers the reminder sent. */
async function reminded(store: (typeof STORES)[number], locale: 'en' | 'zh' = 'en') {
  const w = await world(cleanups);
  const bot = await w.instance(store);
  const owner = person('U1');
  const text = locale === 'en' ? `bind ${A} expires=1d` : `绑定 ${A} 有效期=1天`;
  const binding = await bind(bot, text, owner, locale);
  const lifecycle = bot.scheduler();
  w.advance(22 * HOUR + 30 * 60_000);
  await lifecycle.scheduler.tick();
  const reminder = lifecycle.sent[0] as ReminderNotice;
  expect(reminder.kind).toBe('reminder');
  const action = (id: string) => reminder.actions.find((candidate) => candidate.id === id) as LifecycleAction;
  return { w, bot, owner, binding, lifecycle, reminder, action };
}

describe.each(STORES)('a reminder’s actions on $name', (store) => {
  it('Extend +1d moves the expiry a day later on the service, once per press', async () => {
    const { w, bot, owner, binding, action } = await reminded(store);
    const tap = { ...owner, idempotencyKey: 'T1:trigger-1' };
    const first = await press(bot, action(LIFECYCLE_ACTION_IDS.extendDay), tap, w.now());
    expect(first).toMatchObject({
      firstDelivery: true,
      reply: {
        kind: 'extended',
        previousExpiresAt: binding.expiresAt,
        binding: { expiresAt: binding.expiresAt + DAY },
      },
    });
    // Slack retries an unacknowledged press with the same trigger: nothing happens twice.
    const again = await press(bot, action(LIFECYCLE_ACTION_IDS.extendDay), tap, w.now());
    expect(again).toEqual({ reply: first.reply, firstDelivery: false });
    expect(w.emu.store.binding(binding.subsId as string)?.expireAt).toBe(binding.expiresAt + DAY);
    const week = await press(
      bot,
      action(LIFECYCLE_ACTION_IDS.extendWeek),
      { ...owner, idempotencyKey: 'T1:trigger-2' },
      w.now(),
    );
    expect(week.reply).toMatchObject({
      kind: 'extended',
      binding: { expiresAt: binding.expiresAt + 8 * DAY },
    });
    expect(w.emu.store.binding(binding.subsId as string)?.expireAt).toBe(binding.expiresAt + 8 * DAY);
  });

  it('Unbind now unbinds, and then nothing more is sent for the binding', async () => {
    const { w, bot, owner, binding, lifecycle, action } = await reminded(store);
    const result = await press(
      bot,
      action(LIFECYCLE_ACTION_IDS.unbind),
      { ...owner, idempotencyKey: 'T1:u' },
      w.now(),
    );
    expect(result.reply).toMatchObject({
      kind: 'unbound',
      binding: { status: 'unbound', endedBy: 'user-U1' },
    });
    expect(w.emu.store.binding(binding.subsId as string)?.status).toBe('unbound');
    w.advance(2 * HOUR);
    expect(await lifecycle.scheduler.tick()).toMatchObject({ marked: 0, expired: 0, reminders: 0 });
    expect(lifecycle.sent).toHaveLength(1);
  });

  it('Let it expire silences the binding: no expiry notice; refused to others, allowed to an admin, audited', async () => {
    const { w, bot, owner, binding, lifecycle, action, reminder } = await reminded(store, 'zh');
    expect(action(LIFECYCLE_ACTION_IDS.silence).command).toBe(`不再提醒 ${binding.subsId}`);
    const stranger = await press(bot, action(LIFECYCLE_ACTION_IDS.silence), person('U2'), w.now());
    expect(stranger.reply).toMatchObject({ kind: 'denied', reason: 'not-owner', locale: 'zh' });
    const tap = { ...owner, idempotencyKey: 'T1:s' };
    const silenced = await press(bot, action(LIFECYCLE_ACTION_IDS.silence), tap, w.now());
    expect(silenced).toMatchObject({
      firstDelivery: true,
      reply: {
        kind: 'silenced',
        locale: 'zh',
        already: false,
        binding: { ref: binding.ref, expiresAt: binding.expiresAt },
      },
    });
    expect(renderText(silenced.reply, { now: w.now() }).split('\n')[0]).toBe(
      `🔕 已关闭提醒：138****8000 将按原定时间于 ${reminder.expiresAtText} 过期。`,
    );
    expect(await press(bot, action(LIFECYCLE_ACTION_IDS.silence), tap, w.now())).toEqual({
      reply: silenced.reply,
      firstDelivery: false,
    });
    // An admin may too; it was silenced already.
    const byAdmin = await bot.service.silenceReminders(person('ADMIN'), binding.subsId as string, 'en');
    expect(byAdmin).toMatchObject({ kind: 'silenced', already: true, locale: 'en' });
    expect(renderText(byAdmin, { now: w.now() })).toContain(
      'Reminders were off already: 138****8000 expires',
    );
    const audit = (await bot.ledger.auditEvents(50)).filter((event) => event.action === 'silence');
    expect(audit.map((event) => [event.userId, event.result, event.detail])).toEqual([
      ['ADMIN', 'OK', 'silenced already'],
      ['U1', 'OK', null],
    ]);
    w.advance(2 * HOUR);
    expect(await lifecycle.scheduler.tick()).toMatchObject({ marked: 1, expired: 0 });
    expect(lifecycle.sent).toHaveLength(1);
  });

  it('silenceReminders answers in the binder’s language, and no binding as not found', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    const owner = person('D1', 'dingtalk');
    const binding = await bind(bot, `绑定 ${A} 有效期=3天`, owner, 'zh');
    // Each press carries its own delivery key (the bind's would replay the bind's reply).
    const reply = await bot.service.silenceReminders(
      { ...owner, idempotencyKey: 'press-1' },
      binding.subsId as string,
    );
    expect(reply).toMatchObject({ kind: 'silenced', locale: 'zh', already: false });
    expect(await bot.ledger.lifecycle.notice(binding.ref, 'reminder')).toMatchObject({
      state: 'silenced',
      expiresAt: binding.expiresAt,
    });
    expect(
      await bot.service.silenceReminders({ ...owner, idempotencyKey: 'press-2' }, '1234567890123456789'),
    ).toMatchObject({
      kind: 'error',
      code: 'local.NOT_FOUND',
    });
    // Silenced well before the window: the window passes quietly, and expiry too.
    const { scheduler, sent } = bot.scheduler();
    w.advance(2 * DAY + 23 * HOUR);
    await scheduler.tick();
    w.advance(2 * HOUR);
    await scheduler.tick();
    expect(sent).toEqual([]);
  });
});

describe.each(STORES)('the pool command on $name', (store) => {
  it('shows per city the X numbers seen, active bindings, fallbacks and refusals of the last 24 hours', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    for (const [i, city] of ['北京', '北京', '上海', '成都', '成都'].entries())
      await bind(bot, `bind 1390013900${i} city=${city} expires=2d`, person('U1'));
    const empty = await bot.run('pool', person('U1'));
    expect(empty).toMatchObject({ kind: 'pool', poolKey: 'FC-DEMO', since: w.now() - DAY });
    if (empty.kind !== 'pool') throw new Error('pool reply');
    const byCity = Object.fromEntries(empty.cities.map((row) => [row.city, row]));
    // The two binds for 成都 (no numbers there) landed on numbers of other cities, wherever the pool chose.
    expect(byCity.成都).toEqual({ city: '成都', numbers: 0, active: 0, fallbacks: 2, refusals: 0 });
    expect(byCity.北京).toMatchObject({ fallbacks: 0, refusals: 0 });
    expect(byCity.北京?.active).toBeGreaterThanOrEqual(2);
    expect(byCity.上海?.active).toBeGreaterThanOrEqual(1);
    expect(empty.cities.reduce((sum, row) => sum + row.active, 0)).toBe(5);
    expect(empty.cities.reduce((sum, row) => sum + row.fallbacks, 0)).toBe(2);
    for (const row of empty.cities) {
      expect(row.numbers).toBeGreaterThanOrEqual(row.active > 0 ? 1 : 0);
      expect(row.numbers).toBeLessThanOrEqual(row.active);
    }

    // A day later the fallbacks fall out of the window; the bindings are still active.
    w.advance(DAY + 60_000);
    const later = await bot.run('号池 成都', person('U1'), 'en');
    expect(later).toMatchObject({
      kind: 'pool',
      locale: 'zh',
      city: '成都',
      cities: [{ city: '成都', numbers: 0, active: 0, fallbacks: 0, refusals: 0 }],
    });
    expect(renderText(later, { now: w.now() })).toBe(
      '📊 号池 FC-DEMO\n  成都：已用隐私号 0 个 · 生效绑定 0 个 · 24小时内分配到其他城市 0 次，无号可用 0 次',
    );
    const text = renderText(await bot.run('pool 北京', person('U1')), { now: w.now() });
    expect(text).toMatch(
      /^📊 Pool FC-DEMO\n {2}北京: \d X numbers seen · \d active · in 24 h 0 landed elsewhere, 0 refused$/,
    );
  });

  it('asks Aliyun what is for sale in a city for admins only (pool 北京 remain)', async () => {
    const w = await world(cleanups);
    const bot = await w.instance(store);
    const remain = await bot.run('pool 北京 remain', person('ADMIN'));
    expect(remain).toMatchObject({
      kind: 'pool',
      city: '北京',
      remain: { city: '北京', virtual: 100, carrier: 50 },
    });
    expect(renderText(remain, { now: w.now() })).toContain(
      'For sale in 北京 (Alibaba Cloud): 100 virtual-operator numbers, 50 carrier numbers',
    );
    expect(renderText(await bot.run('号池 杭州 余量', person('ADMIN')), { now: w.now() })).toContain(
      '杭州可购买的号码（阿里云）：虚商号码 500 个，运营商号码 250 个',
    );
    const refused = await bot.run('pool 北京 remain', person('U1'));
    expect(refused).toMatchObject({ kind: 'denied', reason: 'admin-only', detail: 'remain' });
    const audit = await bot.ledger.auditEvents(10);
    expect(
      audit.filter((event) => event.action === 'pool-remain').map((event) => [event.target, event.result]),
    ).toEqual([
      ['杭州', 'OK'],
      ['北京', 'OK'],
    ]);
    expect(audit.find((event) => event.action === 'deny')).toMatchObject({
      userId: 'U1',
      target: 'pool',
      result: 'local.POLICY_DENIED:admin-only',
    });
  });
});

describe('the pool and silence verbs', () => {
  const context: ParseContext = {
    now: 0,
    locale: 'en',
    defaultExpiresMs: DAY,
    maxExpiresMs: 90 * DAY,
    maxBulk: 20,
  };
  it.each([
    ['pool', { verb: 'pool', locale: 'en', remain: false }],
    ['/axn pool 北京', { verb: 'pool', locale: 'en', city: '北京', remain: false }],
    ['pool 北京 remain', { verb: 'pool', locale: 'en', city: '北京', remain: true }],
    ['号池', { verb: 'pool', locale: 'zh', remain: false }],
    ['号池 余量 上海', { verb: 'pool', locale: 'zh', city: '上海', remain: true }],
    [
      'silence 1234567890123456789',
      { verb: 'silence', locale: 'en', target: { kind: 'subsId', subsId: '1234567890123456789' } },
    ],
    [
      '不再提醒 17000000001#130',
      { verb: 'silence', locale: 'zh', target: { kind: 'slot', secretNo: '17000000001', extension: '130' } },
    ],
    ['help pool', { verb: 'help', locale: 'en', topic: 'pool' }],
    ['帮助 不再提醒', { verb: 'help', locale: 'zh', topic: 'silence' }],
  ])('%s', (text, command) => {
    expect(parseCommand(text, context)).toEqual(command);
  });

  it.each([
    ['pool remain', 'Say which city to ask about, e.g. pool 北京 remain.'],
    ['pool 北京 上海', '"上海" was not expected here.'],
    ['pool 13800138000', '"138****8000" is not a city name.'],
    ['silence', 'Say which binding: a SubsId, an A number, or X#ext.'],
    ['pooll', '"pooll" is not a command.'],
  ])('refuses %s', (text, message) => {
    const result = parseCommand(text, context);
    if (!isParseError(result)) throw new Error('a parse error');
    expect(result.message).toBe(message);
    expect(JSON.stringify(result)).not.toContain('13800138000');
  });

  it('suggests pool for a near miss, and lists it in the help; silence is not listed', () => {
    const result = parseCommand('pooll', context);
    expect(isParseError(result) && result.suggestion).toBe('did you mean pool?');
    const help = renderText({ kind: 'help', locale: 'zh' }, { now: 0 });
    expect(help).toContain('号池 [城市] [余量]');
    expect(help).not.toContain('不再提醒');
    expect(renderText({ kind: 'help', locale: 'en', topic: 'silence' }, { now: 0 })).toContain(
      'silence <SubsId | A number | X#ext>',
    );
  });
});
