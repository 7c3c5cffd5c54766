import { afterEach, describe, expect, it } from 'vitest';
import type { AlertChannel, LifecycleNotice, PoolAlertNotice } from '../src/index.js';
import {
  bind,
  expectNoClearNumbers,
  HOUR,
  type Instance,
  person,
  sharedName,
  type World,
  world,
} from './lifecycle-world.js';
import { STORES } from './stores.js';

// Pool health: binds that asked for a city and landed elsewhere, or found no number, counted per pool
// and city in the ledger; past the threshold within an hour, one alert to AXN_ALERT_CHANNEL — claimed in
// the ledger, so replicas send one — and at most one per pool and city per cooldown.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CHANNEL: AlertChannel = { platform: 'slack', channelId: 'C0ALERTS' };
const admin = () => person('ADMIN');
let next = 0;
/** A fresh A number each time. */
const phone = () => `1380013${String(8000 + next++).padStart(4, '0')}`;

/** A tiny pool: one number in 北京 and one in 上海, nine extensions each. */
async function tinyPool(w: World): Promise<void> {
  await w.addPool('FC-TINY', [
    { secretNo: '17300000001', city: '北京' },
    { secretNo: '17300000002', city: '上海' },
  ]);
}

/** Binds in FC-TINY asking for `city`; answers each reply's kind, and the A numbers used. */
async function binds(bot: Instance, city: string, count: number) {
  const outcomes: string[] = [];
  const used: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = phone();
    used.push(a);
    const reply = await bot.run(`bind ${a} pool=FC-TINY city=${city}`, admin());
    outcomes.push(
      reply.kind === 'bound'
        ? reply.binding.cityAsked
          ? `fallback:${reply.binding.city}`
          : `in:${reply.binding.city}`
        : reply.kind === 'error'
          ? reply.code
          : reply.kind,
    );
  }
  return { outcomes, used };
}

const alerts = (sent: readonly LifecycleNotice[]) =>
  sent.filter((notice): notice is PoolAlertNotice => notice.kind === 'pool-alert');

describe.each(STORES)('pool health on $name', (store) => {
  it('records each bind that landed in another city or found no number, once per bind', async () => {
    const w = await world(cleanups);
    await tinyPool(w);
    const bot = await w.instance(store);
    expect((await binds(bot, '北京', 9)).outcomes).toEqual(Array(9).fill('in:北京'));
    expect((await binds(bot, '北京', 2)).outcomes).toEqual(['fallback:上海', 'fallback:上海']);
    expect((await binds(bot, '广州', 1)).outcomes).toEqual(['fallback:上海']);
    expect((await binds(bot, '上海', 6)).outcomes).toEqual(Array(6).fill('in:上海'));
    expect((await binds(bot, '北京', 1)).outcomes).toEqual(['isv.NO_AVAILABLE_NUMBER']);
    const refused = await bot.run(`bind ${phone()} pool=FC-TINY`, admin());
    expect(refused).toMatchObject({ kind: 'error', code: 'isv.NO_AVAILABLE_NUMBER' });
    expect(await bot.ledger.lifecycle.poolEventCounts(w.now() - HOUR)).toEqual([
      { poolKey: 'FC-TINY', city: '', fallbacks: 0, refusals: 1 },
      { poolKey: 'FC-TINY', city: '北京', fallbacks: 2, refusals: 1 },
      { poolKey: 'FC-TINY', city: '广州', fallbacks: 1, refusals: 0 },
    ]);
    // A bind in the demo pool that got the city it asked for counts nothing.
    await bind(bot, `bind ${phone()} city=杭州`, person('U1'));
    expect(await bot.ledger.lifecycle.poolEventCounts(w.now() - HOUR, 1)).toHaveLength(3);
    // An hour later, none of them counts any more.
    w.advance(HOUR);
    expect(await bot.ledger.lifecycle.poolEventCounts(w.now() - HOUR)).toEqual([]);
  });

  it('alerts once at the threshold, names the pool, city and idle bindings, and waits out the cooldown', async () => {
    const w = await world(cleanups);
    await tinyPool(w);
    const bot = await w.instance(store);
    const { scheduler, sent } = bot.scheduler({ config: { alertChannel: CHANNEL } });
    const used = (await binds(bot, '北京', 9)).used;
    used.push(...(await binds(bot, '北京', 2)).used);
    expect((await scheduler.tick()).alerts).toBe(0);
    used.push(...(await binds(bot, '北京', 1)).used);
    expect((await scheduler.tick()).alerts).toBe(1);
    const [alert] = alerts(sent);
    expect(alert).toMatchObject({
      kind: 'pool-alert',
      id: 'pool-alert:FC-TINY:北京:0',
      locale: 'en',
      attempt: 1,
      channel: CHANNEL,
      poolKey: 'FC-TINY',
      city: '北京',
      fallbacks: 3,
      refusals: 0,
      windowMs: HOUR,
      title: 'Pool FC-TINY is short of numbers in 北京',
    });
    expect(alert?.lines.slice(0, 3)).toEqual([
      'In the last hour 3 binds asking for 北京 got no number there: 3 got one from another city, 0 were refused for want of a free number.',
      'Buy more numbers for 北京 in the Alibaba Cloud console, or unbind idle bindings to free their extensions.',
      'The oldest idle bindings (no calls in the last 24 hours):',
    ]);
    expect(alert?.idle).toHaveLength(5);
    expect(
      alert?.idle.every((view) => view.city === '北京' && /^138\*{4}\d{4}$/.test(view.phoneMasked)),
    ).toBe(true);
    expect(alert?.lines.slice(3)).toHaveLength(5);
    expect(alert?.lines[3]).toMatch(
      /^138\*{4}\d{4} → 173 0000 0001 ext \d · SubsId \d+ · bound by user-ADMIN · until 2026-06-02 09:00$/,
    );
    expect(await bot.ledger.lifecycle.poolAlert('FC-TINY', '北京')).toMatchObject({
      alertedAt: w.now(),
      tries: 0,
      messageRef: 'msg-1',
    });

    // Within the cooldown: no second alert, however many more.
    used.push(...(await binds(bot, '北京', 3)).used);
    expect((await scheduler.tick()).alerts).toBe(0);
    w.advance(5 * HOUR);
    expect((await scheduler.tick()).alerts).toBe(0);
    // Past it, a new burst alerts again: the pool is now full, so these are refusals.
    w.advance(HOUR + 60_000);
    expect((await binds(bot, '上海', 3)).outcomes).toEqual(Array(3).fill('in:上海'));
    const refused = await binds(bot, '北京', 3);
    used.push(...refused.used);
    expect(refused.outcomes).toEqual(Array(3).fill('isv.NO_AVAILABLE_NUMBER'));
    expect((await scheduler.tick()).alerts).toBe(1);
    expect(alerts(sent)[1]).toMatchObject({ city: '北京', fallbacks: 0, refusals: 3, attempt: 1 });
    expect(alerts(sent)).toHaveLength(2);
    expectNoClearNumbers(sent, used);
  });

  it('two instances on one ledger, ticking together, send one alert', async () => {
    const w = await world(cleanups);
    await tinyPool(w);
    const shared = sharedName(store);
    const one = await w.instance(store, { shared });
    const two = await w.instance(store, { shared });
    await binds(one, '北京', 9);
    await binds(two, '北京', 4);
    const a = one.scheduler({ config: { alertChannel: CHANNEL } });
    const b = two.scheduler({ config: { alertChannel: CHANNEL } });
    for (let round = 0; round < 3; round++) await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    expect(alerts([...a.sent, ...b.sent]).map((alert) => [alert.city, alert.fallbacks])).toEqual([
      ['北京', 4],
    ]);
  });

  it('is sent by the process of the alert channel’s platform only, in the service’s language, and retried when it fails', async () => {
    const w = await world(cleanups);
    await tinyPool(w);
    const bot = await w.instance(store, { locale: 'zh' });
    await binds(bot, '北京', 12);
    const dingtalk = bot.scheduler({ platforms: ['dingtalk'], config: { alertChannel: CHANNEL } });
    expect((await dingtalk.scheduler.tick()).alerts).toBe(0);
    expect(dingtalk.sent).toEqual([]);
    let fail = true;
    const slack = bot.scheduler({
      platforms: ['slack'],
      config: { alertChannel: CHANNEL },
      send: async () => {
        if (fail) throw new Error('not_in_channel');
        return { messageRef: 'slack:C0ALERTS:1.1' };
      },
    });
    expect(await slack.scheduler.tick()).toMatchObject({ alerts: 0, failed: 1 });
    fail = false;
    expect(await slack.scheduler.tick()).toMatchObject({ alerts: 1, failed: 0 });
    const [first, second] = alerts(slack.sent);
    expect(first?.id).toBe(second?.id);
    expect(second).toMatchObject({
      attempt: 2,
      locale: 'zh',
      title: '号池 FC-TINY 的北京号码不足',
      lines: expect.arrayContaining([
        '过去一小时内有 3 次要求北京号码的绑定没有拿到该城市的号码：3 次分配了其他城市的号码，0 次因无可用号码被拒绝。',
        '请在阿里云控制台为北京购买更多号码，或解绑闲置的绑定以释放分机号。',
        '最早的闲置绑定（24小时内无通话）：',
      ]),
    });
    expect(await bot.ledger.lifecycle.poolAlert('FC-TINY', '北京')).toMatchObject({
      messageRef: 'slack:C0ALERTS:1.1',
      lastError: null,
    });
  });

  it('sends no alert without AXN_ALERT_CHANNEL', async () => {
    const w = await world(cleanups);
    await tinyPool(w);
    const bot = await w.instance(store);
    await binds(bot, '北京', 13);
    const { scheduler, sent } = bot.scheduler();
    expect(await scheduler.tick()).toMatchObject({ alerts: 0, failed: 0 });
    expect(sent).toEqual([]);
    expect(await bot.ledger.lifecycle.poolAlert('FC-TINY', '北京')).toBeUndefined();
  });
});
