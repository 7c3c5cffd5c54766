import { describe, expect, it } from 'vitest';
import { isParseError, type ParseContext, type ParseError } from '../src/language/commands.js';
import { parseCommand } from '../src/language/parse-command.js';
import { allUsage, USAGE } from '../src/language/usage.js';

const ctx: ParseContext = {
  now: Date.UTC(2026, 10, 27, 12, 0, 0),
  locale: 'en',
  defaultExpiresMs: 86_400_000,
  maxExpiresMs: 90 * 86_400_000,
  maxBulk: 20,
};

function bad(text: string, context: ParseContext = ctx): ParseError {
  const result = parseCommand(text, context);
  if (!isParseError(result)) throw new Error(`expected a parse error for ${text}`);
  return result;
}

describe('option errors name the key as the user typed it', () => {
  it.each([
    [`bind 13800138000 out=${'x'.repeat(900)}`, 'out is 900 bytes; at most 255.', 'out'],
    [`bind 13800138000 outid=${'x'.repeat(300)}`, 'outid is 300 bytes; at most 255.', 'outid'],
    [`bind 13800138000 OUT=${'x'.repeat(256)}`, 'OUT is 256 bytes; at most 255.', 'OUT'],
    [`绑定 13800138000 业务号=${'号'.repeat(100)}`, '业务号 有 300 字节，最多 255 字节。', '业务号'],
    [`绑定 13800138000 out=${'x'.repeat(256)}`, 'out 有 256 字节，最多 255 字节。', 'out'],
  ])('%#: out too long', (text, message, token) => {
    const error = bad(text);
    expect(error.message).toBe(message);
    expect(error.token).toBe(token);
    expect(error.message).not.toContain('business id');
  });

  it.each([
    ['bind 13800138000 x=17000000001 ext=1300', 'ext: the extension "1300" must be 1–3 digits.'],
    ['bind 13800138000 x=17000000001 分机=1300', '分机: the extension "1300" must be 1–3 digits.'],
    ['bind 13800138000 x=abc', 'x: "abc" is not an X number (digits only).'],
    ['bind 13800138000 号码=abc', '号码: "abc" is not an X number (digits only).'],
    [
      'bind 13800138000 b=123',
      'b: "123" is not a phone number (11-digit mobile, or landline with area code).',
    ],
    [
      'bind 13800138000 默认=123',
      '默认: "123" is not a phone number (11-digit mobile, or landline with area code).',
    ],
    ['bind 13800138000 record=maybe', 'record: "maybe" is not yes or no.'],
    ['bind 13800138000 录音=maybe', '录音: "maybe" is not yes or no.'],
    [`bind 13800138000 城市=${'长'.repeat(33)}`, `城市: the city "${'长'.repeat(33)}" is too long`],
    ['bind 13800138000 pool=键', 'pool: the pool key "键" is not valid.'],
    ['绑定 13800138000 号池=键', '号池：号池“键”无效。'],
    ['绑定 13800138000 record=也许', 'record：“也许”应为“是”或“否”。'],
  ])('%s', (text, message) => {
    expect(bad(text).message).toContain(message);
  });
});

describe('an unclosed quote', () => {
  it('shows the text from the quote, marked … when shortened, and the verb’s usage', () => {
    const text = 'bind 13800138000 out="order 42 for the customer who called about the late parcel';
    const error = bad(text);
    expect(error.verb).toBe('bind');
    expect(error.usage).toBe(USAGE.bind.en);
    expect(error.usage).not.toBe(allUsage('en'));
    expect(error.token).toBe(
      `${'"order 42 for the customer who called about the late parcel'.slice(0, 40)}…`,
    );
    expect(error.message).toBe(`A quote is not closed: ${error.token}`);
  });

  it('shows a short one whole, without …', () => {
    const error = bad('bind 13800138000 out="order 42');
    expect(error.token).toBe('"order 42');
    expect(error.message).toBe('A quote is not closed: "order 42');
  });

  it('answers in the verb’s language with its usage, after /, after axn', () => {
    const zh = bad('绑定 13800138000 业务号=“订单 42');
    expect(zh.locale).toBe('zh');
    expect(zh.usage).toBe(USAGE.bind.zh);
    expect(zh.message).toBe('引号没有闭合："订单 42');
    expect(bad('/axn extend 1000000000000000001 "2d').usage).toBe(USAGE.extend.en);
    expect(bad('/info "13800138000').usage).toBe(USAGE.info.en);
  });

  it('falls back to the whole help when no verb comes before the quote', () => {
    expect(bad('"bind 13800138000').usage).toBe(allUsage('en'));
  });

  it('never shows a phone number from the rest of the line in clear', () => {
    const error = bad('bind out="note for 13800138000 and 057188992688');
    expect(error.message).not.toMatch(/\d{7,}/);
    expect(error.message).toContain('138****8000');
    expect(error.message).toContain('0571****88');
  });
});
