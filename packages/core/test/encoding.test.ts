import { describe, expect, it } from 'vitest';
import { canonicalQuery, parseJsonLossless, percentEncode } from '../src/index.js';

describe('percentEncode', () => {
  it.each([
    ['', ''],
    ['abcXYZ019', 'abcXYZ019'],
    ['-_.~', '-_.~'],
    [' ', '%20'],
    ['*', '%2A'],
    ['!', '%21'],
    ["'", '%27'],
    ['(', '%28'],
    [')', '%29'],
    ['+', '%2B'],
    ['&', '%26'],
    ['=', '%3D'],
    ['/', '%2F'],
    [':', '%3A'],
    ['%', '%25'],
    ['北京', '%E5%8C%97%E4%BA%AC'],
    ['😀', '%F0%9F%98%80'],
    ['é', '%C3%A9'],
    ['\n', '%0A'],
  ])('%j → %s', (input, expected) => {
    expect(percentEncode(input)).toBe(expected);
  });

  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    expect(percentEncode('a\uD800b')).toBe('a%EF%BF%BDb');
  });
});

describe('canonicalQuery', () => {
  it('sorts by raw name in code-unit order, ExpectCity before Expiration, keeping empty values', () => {
    expect(canonicalQuery({ Expiration: 'x', ExpectCity: 'y', A: '', a: '1', Z: '2' })).toBe(
      'A=&ExpectCity=y&Expiration=x&Z=2&a=1',
    );
  });

  it('puts Signature* names after PoolKey', () => {
    expect(canonicalQuery({ SignatureNonce: 'n', PoolKey: 'p', SignatureMethod: 'm' })).toBe(
      'PoolKey=p&SignatureMethod=m&SignatureNonce=n',
    );
  });

  it('skips the named parameter', () => {
    expect(canonicalQuery({ Signature: 's', B: '1' }, 'Signature')).toBe('B=1');
  });
});

describe('parseJsonLossless', () => {
  it('keeps 20-digit and 19-digit integers as exact strings', () => {
    expect(parseJsonLossless('{"a":12345678901234567890,"b":-9223372036854775807,"c":1}')).toEqual({
      a: '12345678901234567890',
      b: '-9223372036854775807',
      c: 1,
    });
  });

  it('leaves strings, safe integers, floats and exponents alone', () => {
    expect(
      parseJsonLossless('{"s":"12345678901234567890","n":9007199254740991,"f":1.5e300,"x":[1,2.25]}'),
    ).toEqual({
      s: '12345678901234567890',
      n: 9007199254740991,
      f: 1.5e300,
      x: [1, 2.25],
    });
  });

  it('leaves long fractions and exponents to JSON.parse', () => {
    const text =
      '{"f":1.12345678901234567890,"e":1e-12345678901234567,"g":-2.5E+12345678901234567,"n":-12345678901234567890}';
    const parsed = parseJsonLossless(text) as Record<string, unknown>;
    const plain = JSON.parse(text) as Record<string, unknown>;
    expect(parsed.f).toBe(plain.f);
    expect(parsed.e).toBe(plain.e);
    expect(parsed.g).toBe(plain.g);
    expect(parsed.n).toBe('-12345678901234567890');
  });

  it('does not mistake digits after an escaped quote for a number', () => {
    expect(parseJsonLossless('{"s":"a\\"12345678901234567890","n":12345678901234567890}')).toEqual({
      s: 'a"12345678901234567890',
      n: '12345678901234567890',
    });
  });

  it('throws SyntaxError on malformed JSON, as JSON.parse does', () => {
    expect(() => parseJsonLossless('{"a":12345678901234567890')).toThrow(SyntaxError);
    expect(() => parseJsonLossless('<html>')).toThrow(SyntaxError);
  });
});
