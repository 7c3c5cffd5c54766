import { beijingToEpoch } from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import {
  type Command,
  isCallId,
  isParseError,
  type ParseContext,
  type ParseError,
  parseCommand,
  phrase,
} from '../src/index.js';
import { parseDuration, parseExpiry } from '../src/language/duration.js';
import { dialLink, groupNumber, maskPhone, normalizePhone } from '../src/language/phone.js';

const NOW = beijingToEpoch(2026, 11, 28, 12, 0, 0);
const ctx: ParseContext = {
  now: NOW,
  locale: 'en',
  defaultExpiresMs: 86_400_000,
  maxExpiresMs: 90 * 86_400_000,
  maxBulk: 20,
};
const H = 3_600_000;
const D = 24 * H;

function ok(text: string, context: ParseContext = ctx): Command {
  const result = parseCommand(text, context);
  if (isParseError(result)) throw new Error(`expected a command for ${text}, got: ${result.message}`);
  return result;
}
function bad(text: string, context: ParseContext = ctx): ParseError {
  const result = parseCommand(text, context);
  if (!isParseError(result)) throw new Error(`expected a parse error for ${text}`);
  expect(result.message.length).toBeGreaterThan(5);
  expect(result.usage.length).toBeGreaterThan(5);
  return result;
}

describe('verbs and their forms', () => {
  it.each([
    ['bind 13800138000', 'bind', 'en'],
    ['/bind 13800138000', 'bind', 'en'],
    ['/axn bind 13800138000', 'bind', 'en'],
    ['axn bind 13800138000', 'bind', 'en'],
    ['BIND 13800138000', 'bind', 'en'],
    ['绑定 13800138000', 'bind', 'zh'],
    ['/绑定 13800138000', 'bind', 'zh'],
    ['unbind 1000000000000000001', 'unbind', 'en'],
    ['解绑 1000000000000000001', 'unbind', 'zh'],
    ['extend 1000000000000000001 1d', 'extend', 'en'],
    ['延期 1000000000000000001 1天', 'extend', 'zh'],
    ['续期 1000000000000000001 1天', 'extend', 'zh'],
    ['info 13800138000', 'info', 'en'],
    ['查询 13800138000', 'info', 'zh'],
    ['list', 'list', 'en'],
    ['列表', 'list', 'zh'],
    ['calls 13800138000', 'calls', 'en'],
    ['通话 13800138000', 'calls', 'zh'],
    ['recording 9f86d081884c7d65', 'recording', 'en'],
    ['录音 9f86d081884c7d65', 'recording', 'zh'],
    ['help', 'help', 'en'],
    ['帮助', 'help', 'zh'],
    ['/axn', 'help', 'en'],
  ])('%s → %s (%s)', (text, verb, locale) => {
    const command = ok(text);
    expect(command.verb).toBe(verb);
    expect(command.locale).toBe(locale);
  });

  it('answers an English verb in the configured locale', () => {
    expect(ok('list', { ...ctx, locale: 'zh' }).locale).toBe('zh');
  });
});

describe('bind', () => {
  it('reads the issue example', () => {
    expect(ok('/bind 13800138000 city=北京 expires=2d')).toEqual({
      verb: 'bind',
      locale: 'en',
      phones: ['13800138000'],
      options: { city: '北京', expiresAt: NOW + 2 * D },
    });
  });

  it('reads the Chinese example with full-width punctuation', () => {
    expect(ok('绑定 13800138000 城市＝北京 有效期＝2天')).toMatchObject({
      locale: 'zh',
      phones: ['13800138000'],
      options: { city: '北京', expiresAt: NOW + 2 * D },
    });
    expect(ok('绑定 13800138000，13900139000 城市：上海')).toMatchObject({
      phones: ['13800138000', '13900139000'],
      options: { city: '上海' },
    });
  });

  it.each([
    ['+86 138 0013 8000', '13800138000'],
    ['+8613800138000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['008613800138000', '13800138000'],
    ['138-0013-8000', '13800138000'],
    ['138—0013—8000', '13800138000'],
    ['１３８００１３８０００', '13800138000'],
    ['010 1234 5678', '01012345678'],
    ['0571-8899-2688', '057188992688'],
  ])('accepts the phone %s', (phone, digits) => {
    expect(ok(`bind ${phone}`)).toMatchObject({ phones: [digits] });
  });

  it('binds several numbers, options in any order, duplicates once', () => {
    expect(ok('bind city=杭州 13800138000 13900139000 expires=3h 13800138000')).toMatchObject({
      phones: ['13800138000', '13900139000'],
      options: { city: '杭州', expiresAt: NOW + 3 * H },
    });
  });

  it.each([
    ['expires=30m', 30 * 60_000],
    ['exp=2h', 2 * H],
    ['ttl=1w', 7 * D],
    ['expires=1d12h', 36 * H],
    ['expires=90min', 90 * 60_000],
    ['有效期=2天', 2 * D],
    ['有效期=3小时', 3 * H],
    ['有效期=30分钟', 30 * 60_000],
    ['有效期=1周', 7 * D],
  ])('%s is a duration', (option, ms) => {
    expect((ok(`bind 13800138000 ${option}`) as Extract<Command, { verb: 'bind' }>).options.expiresAt).toBe(
      NOW + ms,
    );
  });

  it.each([
    ['expires=2026-12-01', beijingToEpoch(2026, 12, 1, 23, 59, 59)],
    ['expires=2026-12-01 18:00', beijingToEpoch(2026, 12, 1, 18, 0)],
    ['expires="2026-12-01 18:00"', beijingToEpoch(2026, 12, 1, 18, 0)],
    ['expires=12-01 18:00', beijingToEpoch(2026, 12, 1, 18, 0)],
    ['expires=11-28 18:00', beijingToEpoch(2026, 11, 28, 18, 0)],
  ])('%s is a Beijing time', (option, at) => {
    expect((ok(`bind 13800138000 ${option}`) as Extract<Command, { verb: 'bind' }>).options.expiresAt).toBe(
      at,
    );
  });

  it('applies the default expiry', () => {
    expect((ok('bind 13800138000') as Extract<Command, { verb: 'bind' }>).options.expiresAt).toBe(NOW + D);
  });

  it('reads every option in both languages', () => {
    const en = ok(
      'bind 13800138000 x=17000000001 ext=130 b=13900139000 record=yes out="order 42" pool=FC-X city=北京',
    );
    const zh = ok(
      '绑定 13800138000 号码=17000000001 分机=130 默认=13900139000 录音=是 业务号=“order 42” 号池=FC-X 城市=北京',
    );
    const expected = {
      secretNo: '17000000001',
      extension: '130',
      phoneB: '13900139000',
      record: true,
      outId: 'order 42',
      poolKey: 'FC-X',
      city: '北京',
    };
    expect(en).toMatchObject({ options: expected });
    expect(zh).toMatchObject({ options: expected });
  });

  it.each(['yes', 'true', 'on', '是', '开'])('record=%s is on', (value) => {
    expect(ok(`bind 13800138000 record=${value}`)).toMatchObject({ options: { record: true } });
  });
  it.each(['no', 'false', 'off', '否', '关'])('record=%s is off', (value) => {
    expect(ok(`bind 13800138000 record=${value}`)).toMatchObject({ options: { record: false } });
  });

  it('accepts an OutId of exactly 255 bytes', () => {
    expect(ok(`bind 13800138000 out=${'号'.repeat(85)}`)).toMatchObject({
      options: { outId: '号'.repeat(85) },
    });
  });
});

describe('bind errors name the token, say why, and show usage in the user’s language', () => {
  it.each([
    ['bind 13800138000 citty=北京', 'citty', 'did you mean city?'],
    ['bind 13800138000 expirse=2d', 'expirse', 'did you mean expires?'],
    ['bind 13800138000 colour=red', 'colour', undefined],
  ])('%s', (text, token, suggestion) => {
    const error = bad(text);
    expect(error.token).toBe(token);
    expect(error.message).toBe(`"${token}" is not an option of bind.`);
    expect(error.suggestion).toBe(suggestion);
    expect(error.usage).toContain('bind <A number>');
  });

  it.each([
    ['bind 1380013800', 'is not a phone number'],
    ['bind 12345678901', 'is not a phone number'],
    ['bind 北京', 'is not a phone number'],
    ['bind', 'Give at least one A number'],
    ['bind 13800138000 expires=30s', 'must be more than a minute from now'],
    ['bind 13800138000 expires=1m', 'must be more than a minute from now'],
    ['bind 13800138000 expires=91d', 'beyond the limit of 90d'],
    ['bind 13800138000 expires=2026-11-27', 'must be more than a minute from now'],
    ['bind 13800138000 expires=soon', 'is not a duration'],
    ['bind 13800138000 expires=2026-02-30', 'is not a duration'],
    ['bind 13800138000 expires=', 'needs a value'],
    ['bind 13800138000 ext=130', 'An extension needs an X number'],
    ['bind 13800138000 x=17000000001 ext=1300', 'must be 1–3 digits'],
    ['bind 13800138000 13900139000 x=17000000001', 'bind a single number'],
    ['bind 13800138000 x=abc', 'is not an X number'],
    ['bind 13800138000 b=123', 'is not a phone number'],
    ['bind 13800138000 record=maybe', 'is not yes or no'],
    [`bind 13800138000 out=${'x'.repeat(256)}`, 'is 256 bytes; at most 255'],
    ['bind 13800138000 city=北京 city=上海', 'is given twice'],
    ['bind 13800138000 out="order 42', 'A quote is not closed'],
    ['bind 13800138000 pool=has space', 'is not a phone number'],
  ])('%s → %s', (text, fragment) => {
    expect(bad(text).message).toContain(fragment);
  });

  it('refuses more numbers than the bulk maximum', () => {
    const phones = Array.from({ length: 3 }, (_, i) => `1380013800${i}`).join(' ');
    expect(bad(`bind ${phones}`, { ...ctx, maxBulk: 2 }).message).toBe(
      'At most 2 numbers in one bind; you gave 3.',
    );
  });

  it('answers in Chinese for a Chinese verb', () => {
    const error = bad('绑定 13800138000 城巿=北京');
    expect(error.locale).toBe('zh');
    expect(error.message).toBe('“城巿”不是绑定的选项。');
    expect(error.suggestion).toBe('您是不是想输入 城市？');
    expect(error.usage).toContain('绑定 <A号码>');
    expect(bad('绑定 123').message).toContain('不是有效的电话号码');
  });

  it('shortens a huge token before showing it', () => {
    const error = bad(`bind ${'9'.repeat(10_000)}`);
    expect(error.token?.length).toBeLessThanOrEqual(41);
  });
});

describe('targets, extend, list and help', () => {
  it.each([
    ['info 1000000000000000001', { kind: 'subsId', subsId: '1000000000000000001' }],
    ['info 13800138000', { kind: 'phone', phone: '13800138000' }],
    ['info +86 138 0013 8000', { kind: 'phone', phone: '13800138000' }],
    ['info 17000000001#130', { kind: 'slot', secretNo: '17000000001', extension: '130' }],
    ['info 170 0000 0001 # 130', { kind: 'slot', secretNo: '17000000001', extension: '130' }],
    ['unbind 17000000001＃7', { kind: 'slot', secretNo: '17000000001', extension: '7' }],
  ])('%s', (text, target) => {
    expect(ok(text)).toMatchObject({ target });
  });

  // A duration adds to the binding's current expiry; a time sets it; shorten allows an earlier one.
  it.each([
    ['extend 1000000000000000001 2d', { kind: 'add', ms: 2 * D }],
    ['extend 1000000000000000001 expires=3h', { kind: 'add', ms: 3 * H }],
    ['延期 17000000001#130 1周', { kind: 'add', ms: 7 * D }],
    ['延期 13800138000 1天', { kind: 'add', ms: D }],
    [
      'extend 13800138000 2026-12-01 18:00',
      { kind: 'set', at: beijingToEpoch(2026, 12, 1, 18, 0), shorten: false },
    ],
    [
      'extend 13800138000 until 2026-12-05 18:00',
      { kind: 'set', at: beijingToEpoch(2026, 12, 5, 18, 0), shorten: false },
    ],
    [
      '延期 13800138000 到 2026-12-05 18:00',
      { kind: 'set', at: beijingToEpoch(2026, 12, 5, 18, 0), shorten: false },
    ],
    [
      'extend 13800138000 shorten 2026-11-29 08:00',
      { kind: 'set', at: beijingToEpoch(2026, 11, 29, 8, 0), shorten: true },
    ],
    ['extend 13800138000 2h shorten', { kind: 'set', at: NOW + 2 * H, shorten: true }],
    ['延期 13800138000 缩短 2小时', { kind: 'set', at: NOW + 2 * H, shorten: true }],
  ])('%s', (text, change) => {
    expect(ok(text)).toMatchObject({ verb: 'extend', change });
  });

  it.each([
    ['unbind', 'Say which binding'],
    ['info abc', 'is not a SubsId'],
    ['info 12345', 'is not a SubsId'],
    ['extend 1000000000000000001', 'Say until when'],
    ['extend 1000000000000000001 forever', 'is not a duration'],
    ['extend 1000000000000000001 30s', 'more than a minute'],
    ['extend 1000000000000000001 2d city=北京', 'was not expected'],
    ['unbind 1000000000000000001 city=x', 'was not expected'],
    ['list everything', 'must be mine or all'],
    ['list mine all', 'was not expected'],
    ['help nothing', 'is not a command to explain'],
    ['lsit', 'is not a command'],
    ['', 'Type a command'],
    ['__proto__', 'is not a command'],
    ['constructor 1', 'is not a command'],
    ['bind 13800138000 __proto__=1', 'is not an option of bind'],
    ['bind 13800138000 toString=1', 'is not an option of bind'],
    ['   ', 'Type a command'],
  ])('%s → %s', (text, fragment) => {
    expect(bad(text).message).toContain(fragment);
  });

  it('suggests the closest verb', () => {
    expect(bad('lsit').suggestion).toBe('did you mean list?');
    expect(bad('unbnd 1').suggestion).toBe('did you mean unbind?');
    expect(bad('帮主').suggestion).toBe('您是不是想输入 帮助？');
  });

  it.each([
    ['list', 'mine'],
    ['list mine', 'mine'],
    ['list all', 'all'],
    ['列表 全部', 'all'],
    ['列表 我的', 'mine'],
  ])('%s → %s', (text, scope) => {
    expect(ok(text)).toMatchObject({ verb: 'list', scope });
  });

  it('help takes a verb in either language', () => {
    expect(ok('help extend')).toMatchObject({ topic: 'extend' });
    expect(ok('帮助 绑定')).toMatchObject({ topic: 'bind', locale: 'zh' });
  });
});

describe('recording', () => {
  it.each([
    ['recording 9f86d081884c7d65', 'en'],
    ['/recording 9f86d081884c7d65', 'en'],
    ['录音 9f86d081884c7d65', 'zh'],
    ['axn 录音 9f86d081884c7d65', 'zh'],
  ])('%s names the call (%s)', (text, locale) => {
    expect(ok(text)).toEqual({ verb: 'recording', locale, callId: '9f86d081884c7d65' });
  });

  it('takes call ids as Aliyun writes them', () => {
    for (const callId of ['100000076879001', 'a1b2-c3d4_e5.f6:7', 'x'.repeat(100)])
      expect(ok(`recording ${callId}`)).toMatchObject({ verb: 'recording', callId });
  });

  it.each([
    ['recording', 'Give the call id', 'recording <call id>'],
    ['录音', '请给出通话ID。', '录音 <通话ID>'],
    ['recording 9f86d081884c7d65 again', '"again" was not expected here.', 'recording <call id>'],
    ['recording 9f86d081884c7d65 city=北京', 'was not expected here', 'recording <call id>'],
    ['录音 通话', '“通话”不是通话ID。', '录音 <通话ID>'],
    [`recording ${'x'.repeat(101)}`, 'is not a call id', 'recording <call id>'],
  ])('%s → %s, with the usage', (text, fragment, usage) => {
    const error = bad(text);
    expect(error.message).toContain(fragment);
    expect(error.usage).toBe(usage);
    expect(error.verb).toBe('recording');
  });

  it('refuses a phone number as a call id, and never shows it back', () => {
    for (const text of [
      'recording 13800138000',
      '录音 +86 138 0013 8000',
      'recording 13800138000 13900139000',
    ]) {
      const error = bad(text);
      expect(JSON.stringify(error)).not.toMatch(/13800138000|13900139000/);
    }
    expect(bad('recording 13800138000').message).toBe('"138****8000" is not a call id.');
  });

  it('suggests it, and explains it', () => {
    expect(bad('recordng 1').suggestion).toBe('did you mean recording?');
    expect(bad('录影 1').suggestion).toBe('您是不是想输入 录音？');
    expect(ok('help recording')).toEqual({ verb: 'help', locale: 'en', topic: 'recording' });
    expect(ok('帮助 录音')).toEqual({ verb: 'help', locale: 'zh', topic: 'recording' });
  });

  it('the command "▶ Recording" sends parses back to the same call, in either language', () => {
    for (const locale of ['en', 'zh'] as const) {
      const text = phrase('command.recording', locale, { callId: '9f86d081884c7d65' });
      expect(ok(text, { ...ctx, locale })).toEqual({ verb: 'recording', locale, callId: '9f86d081884c7d65' });
    }
    expect(isCallId('9f86d081884c7d65')).toBe(true);
    expect(isCallId('')).toBe(false);
    expect(isCallId('a b')).toBe(false);
    expect(isCallId('x'.repeat(101))).toBe(false);
  });

  it('keeps 录音 as the bind option it always was', () => {
    expect(ok('绑定 13800138000 录音=是')).toMatchObject({ verb: 'bind', options: { record: true } });
  });
});

describe('phones and durations', () => {
  it.each([
    ['13800138000', '138****8000'],
    ['01012345678', '010****78'],
    ['057188992688', '0571****88'],
  ])('masks %s as %s', (digits, masked) => {
    expect(maskPhone(digits)).toBe(masked);
  });

  it('groups X and builds a dial link that keys the extension', () => {
    expect(groupNumber('17000000001')).toBe('170 0000 0001');
    expect(dialLink('17000000001', '130')).toBe('tel:+8617000000001,,130');
    expect(dialLink('057188992688', null)).toBe('tel:+8657188992688');
  });

  it.each(['', '+86', '1380013800', '23800138000', '138001380000', '0123', 'abc'])(
    'refuses %j as a phone',
    (text) => {
      expect(normalizePhone(text)).toBeUndefined();
    },
  );

  it.each(['', 'd', '2', '2x', '-1d', '1.5d', 'd2'])('refuses %j as a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('takes 12-01 18:00 as next year once this year’s has passed', () => {
    expect(parseExpiry('01-05 10:00', NOW)).toBe(beijingToEpoch(2027, 1, 5, 10, 0));
  });
});
