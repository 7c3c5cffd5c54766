import { describe, expect, it } from 'vitest';
import {
  allUsage,
  type BindingStatus,
  type DenialReason,
  PHRASES,
  type PhraseKey,
  phrase,
  statusLabel,
  USAGE,
} from '../src/index.js';

const keys = Object.keys(PHRASES) as PhraseKey[];

/** The `{slot}` names of a template, sorted (a slot used twice counts once). */
function slots(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!))].sort();
}

const HAN = '\\p{Script=Han}';
/** ASCII punctuation right after a Chinese character: prose that should use the full-width form. */
const HALF_WIDTH_AFTER_HAN = new RegExp(`${HAN}[,:;?!()]`, 'u');
/** An ASCII parenthesis right before a Chinese character: `(北京` should be `（北京`. */
const HALF_WIDTH_BEFORE_HAN = new RegExp(`[()]${HAN}`, 'u');
/** Full-width punctuation has no place in English text. */
const FULL_WIDTH = /[，。：；？！（）“”、]/;

describe('the phrase catalogue', () => {
  it('has keys', () => {
    expect(keys.length).toBeGreaterThan(100);
  });

  it.each(keys)('%s: both languages, non-empty, the same slots, well-formed braces', (key) => {
    const { en, zh } = PHRASES[key] as { en: string; zh: string };
    expect(en.trim()).not.toBe('');
    expect(zh.trim()).not.toBe('');
    expect(slots(zh)).toEqual(slots(en));
    // Every brace belongs to a `{slot}`: a stray one would be shown to users as it is.
    for (const text of [en, zh]) expect(text.replace(/\{\w+\}/g, '')).not.toMatch(/[{}]/);
  });

  it.each(keys)('%s: Chinese prose uses full-width punctuation, English none', (key) => {
    const { en, zh } = PHRASES[key] as { en: string; zh: string };
    expect(zh).not.toMatch(HALF_WIDTH_AFTER_HAN);
    expect(zh).not.toMatch(HALF_WIDTH_BEFORE_HAN);
    expect(en).not.toMatch(FULL_WIDTH);
  });

  it('speaks the glossary in Chinese: 绑定ID and 参考号, never SubsId or ref', () => {
    for (const key of keys) {
      const zh = (PHRASES[key] as { zh: string }).zh.replace(/\{\w+\}/g, '');
      expect(zh, key).not.toMatch(/SubsId|\bref\b/);
      // One word for the extension: 分机号 (the `分机=` option and the `分机=<…>` usage keep the keyword).
      expect(zh.replace(/分机=/g, ''), key).not.toMatch(/分机(?!号)/);
    }
  });

  it('fills slots, leaves unknown ones, and never reads a value as a template', () => {
    expect(phrase('parse.tooMany', 'en', { max: 20, count: 21 })).toBe(
      'At most 20 numbers in one bind; you gave 21.',
    );
    expect(phrase('parse.tooMany', 'zh', { max: 20, count: 21 })).toBe(
      '一次最多绑定 20 个号码，您给了 21 个。',
    );
    expect(phrase('parse.unknownVerb', 'en', { token: '{token}$&' })).toBe('"{token}$&" is not a command.');
    expect(phrase('reply.bound', 'zh')).toBe('绑定成功');
  });

  it('checks slot names at compile time', () => {
    // These lines are here for `tsc` (the package typecheck covers test/): each must fail to compile.
    const wrong = () => [
      // @ts-expect-error a slot is missing
      phrase('parse.tooMany', 'en', { max: 20 }),
      // @ts-expect-error a slot the phrase does not have
      phrase('reply.bound', 'en', { phone: '138****8000' }),
      // @ts-expect-error a key that does not exist
      phrase('reply.nope', 'en'),
    ];
    expect(typeof wrong).toBe('function');
  });

  it('gives every status, refusal and verb its words', () => {
    const statuses: BindingStatus[] = ['pending', 'active', 'unknown', 'unbound', 'expired', 'failed'];
    for (const status of statuses) expect(statusLabel(status, 'zh')).toBe(PHRASES[`status.${status}`].zh);
    expect(statusLabel('active', 'en')).toBe('active');
    const reasons: DenialReason[] = [
      'user-not-allowed',
      'channel-not-allowed',
      'admin-only',
      'rate-limited',
      'not-owner',
    ];
    for (const reason of reasons) expect(keys).toContain(`denied.${reason}`);
    for (const verb of Object.keys(USAGE) as Array<keyof typeof USAGE>) {
      expect(USAGE[verb]).toEqual(PHRASES[`usage.${verb}`]);
      expect(keys).toContain(`help.detail.${verb}`);
    }
    expect(Object.keys(USAGE)).toHaveLength(10);
    // The help lists the verbs people type; `recording` is what "▶ Recording" sends, `silence` what a
    // reminder's "Let it expire" sends.
    expect(allUsage('zh').split('\n')).toHaveLength(8);
    expect(allUsage('en')).not.toContain(USAGE.recording.en);
    expect(allUsage('en')).not.toContain(USAGE.silence.en);
    expect(allUsage('en')).toContain(USAGE.pool.en);
  });
});
