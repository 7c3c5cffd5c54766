import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isParseError, type ParseContext, parseCommand } from '../src/index.js';

const ctx: ParseContext = {
  now: Date.UTC(2026, 10, 28),
  locale: 'en',
  defaultExpiresMs: 86_400_000,
  maxExpiresMs: 90 * 86_400_000,
  maxBulk: 20,
};

/** Seeds that mutation starts from: every form of the language. */
const SEEDS = [
  '/bind 13800138000 city=北京 expires=2d',
  '绑定 13800138000 城市＝北京 有效期＝2天',
  'bind +86 138 0013 8000 x=17000000001 ext=130 out="order 42" record=yes',
  'extend 1000000000000000001 2026-12-01 18:00',
  'unbind 17000000001#130',
  'info 13800138000',
  '/axn list all',
  '帮助 绑定',
  '通话 17000000001#130',
  '录音 9f86d081884c7d65',
  'recording 100000076879001',
];

const ALPHABET = [
  '=',
  '"',
  "'",
  '“',
  '”',
  '＝',
  '，',
  ' ',
  '#',
  '/',
  '-',
  '—',
  '\u0000',
  '\u001b',
  '\n',
  '\t',
  '\u202e',
  '\uD800',
  '😀',
  '北',
  'a',
  '9',
  ':',
  ',',
];

/** A seed with characters inserted, deleted and replaced at random. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...ALPHABET)),
      { maxLength: 8 },
    ),
  )
  .map(([seed, edits]) => {
    let text = seed;
    for (const [position, edit, char] of edits) {
      const at = text.length === 0 ? 0 : position % text.length;
      if (edit === 'insert') text = text.slice(0, at) + char + text.slice(at);
      else if (edit === 'delete') text = text.slice(0, at) + text.slice(at + 1);
      else text = text.slice(0, at) + char + text.slice(at + 1);
    }
    return text;
  });

const random = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 100 }),
  fc
    .tuple(
      fc.constantFrom('bind ', '绑定 ', 'extend 1 ', 'info '),
      fc.string({ unit: 'grapheme', maxLength: 5_000 }),
    )
    .map(([a, b]) => a + b),
  fc.nat({ max: 20_000 }).map((n) => `bind ${'9'.repeat(n)}`),
);

describe('parseCommand never throws', () => {
  it('on 100,000 random and mutated inputs it returns a command or a parse error with a message', () => {
    let commands = 0;
    fc.assert(
      fc.property(fc.oneof(mutated, random), (text) => {
        const result = parseCommand(text, ctx);
        if (isParseError(result)) {
          expect(result.message.length).toBeGreaterThan(0);
          expect(result.usage.length).toBeGreaterThan(0);
          // Nothing the user typed comes back longer than a short excerpt.
          expect(result.message.length).toBeLessThan(400);
        } else {
          commands++;
          expect([
            'bind',
            'unbind',
            'extend',
            'info',
            'list',
            'calls',
            'recording',
            'pool',
            'silence',
            'help',
          ]).toContain(result.verb);
          // A call id never carries a phone number in clear back to a reply or the audit trail.
          if (result.verb === 'recording') expect(result.callId).not.toMatch(/^1[3-9]\d{9}$/);
        }
      }),
      { numRuns: 100_000 },
    );
    // The mutations keep a good share of inputs valid, so both paths are exercised.
    expect(commands).toBeGreaterThan(1_000);
    // 100,000 runs take 15 s on a quiet 2-core machine: the limit is for a stuck run, not a slow one.
  }, 120_000);
});
