import { BindAxnExtension } from '@axnbot/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Command, isParseError, parseCommand } from '../src/index.js';

// The parser checks bind options through core's field schemas: for any value, the parser accepts it
// exactly when the API model would.

const context = {
  now: Date.UTC(2026, 10, 28, 4),
  locale: 'en' as const,
  defaultExpiresMs: 86_400_000,
  maxExpiresMs: 90 * 86_400_000,
  maxBulk: 20,
};

/** Values with no quote, space or `=`, so that one option word carries them whole. */
const word = (chars: fc.Arbitrary<string>, maxLength: number) =>
  fc.string({ unit: chars, minLength: 1, maxLength });
const digitsOrNot = fc.constantFrom(...'0123456789x'.split(''));
const printable = fc.constantFrom(...'abcXYZ09_-.:#/~!@北京上海杭州😀é'.split(''));

function modelAccepts(input: Record<string, unknown>): boolean {
  const base = { poolKey: 'FC-1', phoneNoA: '13800138000', expiration: '2026-12-01 12:00:00' };
  return BindAxnExtension.input.safeParse({ ...base, ...input }).success;
}

function parserAccepts(option: string): boolean {
  const result = parseCommand(`bind 13800138000 ${option}`, context);
  if (isParseError(result)) return false;
  return (result as Command).verb === 'bind';
}

describe('parser and core agree on every bind option', () => {
  it.each([
    ['city', word(printable, 40), (v: string) => ({ expectCity: v })],
    ['out', word(printable, 300), (v: string) => ({ outId: v })],
    ['pool', word(printable, 80), (v: string) => ({ poolKey: v })],
    ['x', word(digitsOrNot, 24), (v: string) => ({ phoneNoX: v })],
  ] as const)('%s', (key, values, toInput) => {
    fc.assert(
      fc.property(values, (value) => {
        expect([key, value, parserAccepts(`${key}=${value}`)]).toEqual([
          key,
          value,
          modelAccepts(toInput(value)),
        ]);
      }),
      { numRuns: 2_000 },
    );
  });

  it('ext (given with an X number)', () => {
    fc.assert(
      fc.property(word(digitsOrNot, 5), (value) => {
        const parsed = parserAccepts(`x=17000000001 ext=${value}`);
        expect([value, parsed]).toEqual([value, modelAccepts({ phoneNoX: '17000000001', extension: value })]);
      }),
      { numRuns: 2_000 },
    );
  });
});
