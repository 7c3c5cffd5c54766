import { BindAxnExtension, isMainlandPhone } from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import { type Command, isParseError, type ParseContext, type ParseError } from '../src/language/commands.js';
import { parseCommand } from '../src/language/parse-command.js';
import { maskPhone, mayHoldPhoneNumber, normalizePhone } from '../src/language/phone.js';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const ctx: ParseContext = {
  now: NOW,
  locale: 'en',
  defaultExpiresMs: 86_400_000,
  maxExpiresMs: 90 * 86_400_000,
  maxBulk: 20,
};

function parse(text: string): Command | ParseError {
  return parseCommand(text, ctx);
}

/** As typed → the digits Aliyun is sent. */
const VALID: ReadonlyArray<readonly [string, string]> = [
  ['13800138000', '13800138000'],
  ['19912345678', '19912345678'],
  ['+86 138 0013 8000', '13800138000'],
  ['+86-138-0013-8000', '13800138000'],
  ['8613800138000', '13800138000'],
  ['008613800138000', '13800138000'],
  ['(010) 1234-5678', '01012345678'],
  ['010-12345678', '01012345678'],
  ['021 8888 8888', '02188888888'],
  ['0571-88992688', '057188992688'],
  ['0755-2345678', '07552345678'],
  ['+86 571 8899 2688', '057188992688'],
  ['0086 10 1234 5678', '01012345678'],
  // Full-width digits and punctuation are read as ASCII, then held to the same rules.
  ['１３８００１３８０００', '13800138000'],
  ['＋８６ １３８ ００１３ ８０００', '13800138000'],
  ['０５７１－８８９９２６８８', '057188992688'],
];

/** Typed phone-like text that is not a number Aliyun accepts. */
const INVALID: readonly string[] = [
  '00000000000',
  '013800138006',
  '０１３８００１３８００６',
  '12345678901',
  '10012345678',
  '1380013800',
  '138001380000',
  '0101234567',
  '010123456789',
  '01112345678',
  '01001234567',
  '0571012345678',
  '057112345',
  '+86 013800138006',
  '+86 0000000000',
  '86 00000000000',
  // Arabic-Indic digits are digits, but not ones Aliyun reads.
  '١٣٨٠٠١٣٨٠٠٠',
  '',
  '+86',
];

describe('phone numbers the parser accepts', () => {
  it.each(VALID)('reads %j as %s', (typed, digits) => {
    expect(normalizePhone(typed)).toBe(digits);
    expect(parse(`bind ${typed}`)).toMatchObject({ verb: 'bind', phones: [digits] });
    expect(parse(`info ${typed}`)).toMatchObject({ target: { kind: 'phone', phone: digits } });
    expect(parse(`bind 13900139000 b=${typed.replace(/[\s ]/g, '')}`)).toMatchObject({
      options: { phoneB: digits },
    });
  });

  it.each(INVALID)('refuses %j', (typed) => {
    expect(normalizePhone(typed)).toBeUndefined();
    if (typed.trim() === '') return;
    const error = parse(`bind ${typed}`) as ParseError;
    expect(error.kind).toBe('parse-error');
    expect(error.message).toMatch(/is not a phone number|Give at least one A number/);
    const b = parse(`bind 13900139000 b=${typed.replace(/\s/g, '')}`) as ParseError;
    expect(b.kind).toBe('parse-error');
  });

  it('agrees with core’s field rule on every number, so the SDK never refuses what the parser took', () => {
    const bind = { poolKey: 'FC1', expiration: '2030-01-01 12:00:00' };
    for (const [, digits] of VALID) {
      expect(isMainlandPhone(digits)).toBe(true);
      expect(BindAxnExtension.input.safeParse({ ...bind, phoneNoA: digits }).success).toBe(true);
    }
    // Bare digit strings: the parser accepts exactly those the field rule accepts.
    const candidates = [...INVALID, ...VALID.map(([, digits]) => digits)].filter((text) =>
      /^\d+$/.test(text),
    );
    for (let area = 0; area < 100; area++) {
      candidates.push(
        `0${String(area).padStart(2, '0')}12345678`,
        `0${String(area).padStart(2, '0')}1234567`,
      );
      candidates.push(`0${String(area).padStart(2, '0')}912345678`);
    }
    for (let prefix = 10; prefix < 20; prefix++) candidates.push(`${prefix}012345678`);
    for (const digits of candidates) {
      const parsed = normalizePhone(digits);
      const accepted = BindAxnExtension.input.safeParse({ ...bind, phoneNoA: digits }).success;
      expect(parsed !== undefined, digits).toBe(accepted);
      if (parsed !== undefined) expect(parsed).toBe(digits);
    }
  });

  it('refuses all zeros, which used to pass as a landline', () => {
    const error = parse('bind 00000000000') as ParseError;
    expect(error.kind).toBe('parse-error');
    expect(error.message).toBe(
      '"00000000000" is not a phone number (11-digit mobile, or landline with area code).',
    );
  });
});

describe('masks', () => {
  it.each([
    ['13800138000', '138****8000'],
    ['19912345678', '199****5678'],
    ['01012345678', '010****78'],
    ['02188888888', '021****88'],
    ['057188992688', '0571****88'],
    ['07552345678', '0755****78'],
    ['00000000000', '*********00'],
    ['12', '**'],
  ])('masks %s as %s', (digits, masked) => {
    expect(maskPhone(digits)).toBe(masked);
  });

  it.each(VALID.map(([, digits]) => digits))(
    'never shows more digits of %s than a mobile mask does',
    (digits) => {
      const shown = maskPhone(digits).replace(/\*/g, '').length;
      expect(shown).toBeLessThanOrEqual(7);
      if (!digits.startsWith('1')) expect(shown).toBeLessThan(7);
      // The hidden middle is really hidden: no run of 5 of the number's digits survives.
      const masked = maskPhone(digits);
      for (let start = 0; start + 5 <= digits.length; start++)
        expect(masked.includes(digits.slice(start, start + 5)), `${digits} ${start}`).toBe(false);
    },
  );
});

describe('mayHoldPhoneNumber', () => {
  it.each([
    'bind 13800138000',
    '/bind 138 0013 8000 city=北京',
    'bind 138 city=北京 0013 8000',
    'bind 138,0013,8000',
    'info "138" "0013" "8000"',
    '绑定 １３８００１３８０００',
    'info 0571-88992688',
    'extend 1000000000000000001 2d',
    'call 2345678',
    '١٣٨٠٠١٣٨٠٠٠',
  ])('says yes for %j', (line) => {
    expect(mayHoldPhoneNumber(line)).toBe(true);
  });

  it.each(['list', 'help bind', 'list all', '列表 全部', 'extend 12345 2d', 'bind city=北京 expires=2d', ''])(
    'says no for %j',
    (line) => {
      expect(mayHoldPhoneNumber(line)).toBe(false);
    },
  );

  it('says yes for every line the parser reads a phone number from', () => {
    for (const [typed] of VALID) {
      for (const line of [
        `bind ${typed}`,
        `info ${typed}`,
        `bind 13900139000 b=${typed.replace(/\s/g, '')}`,
      ]) {
        const command = parse(line);
        expect(isParseError(command), line).toBe(false);
        expect(mayHoldPhoneNumber(line), line).toBe(true);
      }
    }
  });
});
