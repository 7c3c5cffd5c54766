import { expectCity, extension, outId, poolKey, secretNumber } from '@axnbot/core';
import { type PhraseKey, type PhraseValues, phrase } from '../phrases.js';
import {
  type BindOptions,
  type Command,
  type ExpiryChange,
  isCallId,
  type Locale,
  type ParseContext,
  type ParseError,
  type Target,
  type Verb,
} from './commands.js';
import { parseDuration, parseExpiry } from './duration.js';
import { looksLikePhonePart, maskPhone, normalizePhone } from './phone.js';
import { closest } from './suggest.js';
import { normalizeText, type Token, tokenize } from './tokenize.js';
import { allUsage, USAGE } from './usage.js';

// Maps, not object literals: a user typing `__proto__` or `constructor` must find nothing.
const VERBS = new Map<string, { verb: Verb; zh: boolean }>(
  Object.entries({
    bind: { verb: 'bind', zh: false },
    unbind: { verb: 'unbind', zh: false },
    extend: { verb: 'extend', zh: false },
    info: { verb: 'info', zh: false },
    list: { verb: 'list', zh: false },
    calls: { verb: 'calls', zh: false },
    recording: { verb: 'recording', zh: false },
    pool: { verb: 'pool', zh: false },
    silence: { verb: 'silence', zh: false },
    help: { verb: 'help', zh: false },
    绑定: { verb: 'bind', zh: true },
    解绑: { verb: 'unbind', zh: true },
    延期: { verb: 'extend', zh: true },
    续期: { verb: 'extend', zh: true },
    查询: { verb: 'info', zh: true },
    列表: { verb: 'list', zh: true },
    通话: { verb: 'calls', zh: true },
    通话记录: { verb: 'calls', zh: true },
    录音: { verb: 'recording', zh: true },
    号池: { verb: 'pool', zh: true },
    不再提醒: { verb: 'silence', zh: true },
    帮助: { verb: 'help', zh: true },
  }),
);

type OptionKey = 'city' | 'expires' | 'ext' | 'x' | 'b' | 'record' | 'out' | 'pool';

const OPTION_ALIASES = new Map<string, OptionKey>(
  Object.entries({
    city: 'city',
    城市: 'city',
    expires: 'expires',
    exp: 'expires',
    ttl: 'expires',
    有效期: 'expires',
    ext: 'ext',
    分机: 'ext',
    x: 'x',
    号码: 'x',
    b: 'b',
    默认: 'b',
    record: 'record',
    录音: 'record',
    out: 'out',
    outid: 'out',
    业务号: 'out',
    pool: 'pool',
    号池: 'pool',
  } satisfies Record<string, OptionKey>),
);

/** The name of each option as shown to a user of each language. */
const OPTION_NAMES: Record<OptionKey, Record<Locale, string>> = {
  city: { en: 'city', zh: '城市' },
  expires: { en: 'expires', zh: '有效期' },
  ext: { en: 'ext', zh: '分机' },
  x: { en: 'x', zh: '号码' },
  b: { en: 'b', zh: '默认' },
  record: { en: 'record', zh: '录音' },
  out: { en: 'out', zh: '业务号' },
  pool: { en: 'pool', zh: '号池' },
};

const YES = new Set(['yes', 'y', 'true', 'on', '1', '是', '开', '开启', '要']);
const NO = new Set(['no', 'n', 'false', 'off', '0', '否', '关', '关闭', '不要']);

/** A refusal's phrase: `parse.<name>` in the catalogue. */
type RefusalKey = PhraseKey extends infer K ? (K extends `parse.${infer Name}` ? Name : never) : never;

/** A refusal's slots besides `{token}` (which is always the shown token). */
type RefusalVars<K extends RefusalKey> = Omit<PhraseValues<`parse.${K}`>, 'token'>;

/**
 * {@link phrase} for any refusal: every refusal phrase may show the token, and its other slots were
 * checked by the compiler where the {@link Refusal} was made.
 */
const fillRefusal = phrase as (
  key: `parse.${RefusalKey}`,
  locale: Locale,
  values: Readonly<Record<string, string | number>>,
) => string;

class Refusal<K extends RefusalKey = RefusalKey> {
  readonly vars: RefusalVars<K> | undefined;
  readonly suggestion: string | undefined;
  constructor(
    readonly key: K,
    readonly token?: string,
    // The compiler asks for exactly the phrase's other slots, and for none when it has none.
    ...rest: [keyof RefusalVars<K>] extends [never]
      ? [vars?: RefusalVars<K>, suggestion?: string]
      : [vars: RefusalVars<K>, suggestion?: string]
  ) {
    [this.vars, this.suggestion] = rest;
  }
}

/**
 * Masks every run of 7 or more digits in text shown back whole (the rest of a line after an unclosed
 * quote can hold a phone number), so a reply or a log never carries one in clear.
 */
function maskDigitRuns(text: string): string {
  return text.replace(/\d{7,}/g, (digits) => maskPhone(digits));
}

/** The verb a line starts with (after an optional `axn`), if it names one. */
function leadingVerb(tokens: readonly Token[]): { verb: Verb; zh: boolean } | undefined {
  const words = tokens.map((token) => stripSlash(token.text));
  const word = words[0]?.toLowerCase() === 'axn' ? words[1] : words[0];
  return word === undefined ? undefined : VERBS.get(word.toLowerCase());
}

/** Shortens a user's token before it is shown back (a 10,000-character token stays readable). */
function shown(token: string): string {
  return token.length > 40 ? `${token.slice(0, 40)}…` : token;
}

/**
 * Parses one line of chat into a {@link Command}, or a {@link ParseError} that says what is wrong and
 * how the verb is used — in the user's language (the verb's language, else the context's). Pure: the
 * clock is `context.now`. Never throws, whatever the input.
 */
export function parseCommand(text: string, context: ParseContext): Command | ParseError {
  let locale = context.locale;
  let verb: Verb | undefined;
  const fail = (refusal: Refusal): ParseError => {
    const token = refusal.token === undefined ? undefined : shown(refusal.token);
    return {
      kind: 'parse-error',
      locale,
      verb,
      token,
      message: fillRefusal(`parse.${refusal.key}`, locale, { token: token ?? '', ...refusal.vars }),
      suggestion:
        refusal.suggestion === undefined
          ? undefined
          : phrase('parse.didYouMean', locale, { token: refusal.suggestion }),
      usage: verb ? USAGE[verb][locale] : allUsage(locale),
    };
  };
  try {
    const normalized = normalizeText(text);
    const tokenized = tokenize(normalized);
    if (!tokenized.ok) {
      // Answer with the verb's usage when the words before the quote name one, not the whole help.
      const before = tokenize(normalized.slice(0, tokenized.offset));
      const entry = before.ok ? leadingVerb(before.tokens) : undefined;
      if (entry) {
        verb = entry.verb;
        if (entry.zh) locale = 'zh';
      }
      throw new Refusal('unclosedQuote', maskDigitRuns(tokenized.at));
    }
    let tokens = tokenized.tokens;
    if (tokens.length === 0) throw new Refusal('empty');
    const first = stripSlash(tokens[0]!.text);
    if (first.toLowerCase() === 'axn') {
      tokens = tokens.slice(1);
      if (tokens.length === 0) return { verb: 'help', locale };
    }
    const word = stripSlash(tokens[0]!.text);
    const entry = VERBS.get(word.toLowerCase());
    if (!entry) {
      if (/[\u4e00-\u9fff]/.test(word)) locale = 'zh';
      const suggestion = closest(
        word,
        [...VERBS.keys()].filter((alias) => /[\u4e00-\u9fff]/.test(alias) === (locale === 'zh')),
      );
      throw new Refusal('unknownVerb', word, {}, suggestion);
    }
    verb = entry.verb;
    if (entry.zh) locale = 'zh';
    const rest = tokens.slice(1);
    switch (verb) {
      case 'bind':
        return parseBind(rest, locale, context);
      case 'unbind':
        return { verb, locale, target: parseTarget(positionalsOnly(rest)) };
      case 'info':
        return { verb, locale, target: parseTarget(positionalsOnly(rest)) };
      case 'calls':
        return { verb, locale, target: parseTarget(positionalsOnly(rest)) };
      case 'recording':
        return { verb, locale, callId: parseCallId(positionalsOnly(rest)) };
      case 'silence':
        return { verb, locale, target: parseTarget(positionalsOnly(rest)) };
      case 'pool':
        return parsePool(rest, locale);
      case 'extend':
        return parseExtend(rest, locale, context);
      case 'list':
        return parseList(rest, locale);
      case 'help':
        return parseHelp(rest, locale);
    }
  } catch (error) {
    if (error instanceof Refusal) return fail(error);
    // Defensive: the grammar has no other failure, but a parser must never throw at a user.
    return fail(new Refusal('badTarget', text.slice(0, 40)));
  }
}

function stripSlash(word: string): string {
  return word.startsWith('/') ? word.slice(1) : word;
}

/** Splits `key=value` (or `key:value` for a known key); `undefined` for a positional token. */
function splitOption(token: Token): { key: string; value: string } | undefined {
  const eq = token.text.indexOf('=');
  if (eq > 0) return { key: token.text.slice(0, eq), value: token.text.slice(eq + 1) };
  const colon = token.text.indexOf(':');
  if (colon > 0) {
    const key = token.text.slice(0, colon);
    if (OPTION_ALIASES.has(key.toLowerCase())) return { key, value: token.text.slice(colon + 1) };
  }
  return undefined;
}

/** Reads `key=value` options (joining a date with a following `HH:mm`) and the positional words. */
function readOptions(tokens: readonly Token[]): {
  options: Map<OptionKey, { raw: string; value: string }>;
  positionals: string[];
} {
  const options = new Map<OptionKey, { raw: string; value: string }>();
  const positionals: string[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const option = splitOption(token);
    if (!option) {
      positionals.push(token.text);
      continue;
    }
    const key = OPTION_ALIASES.get(option.key.toLowerCase());
    if (!key) {
      const english = closest(option.key, [...OPTION_ALIASES.keys()]);
      throw new Refusal('unknownKey', option.key, {}, english);
    }
    if (options.has(key)) throw new Refusal('repeatedKey', option.key);
    let value = option.value;
    const next = tokens[index + 1];
    if (
      key === 'expires' &&
      /^(?:\d{4}-)?\d{1,2}-\d{1,2}$/.test(value) &&
      next &&
      /^\d{1,2}:\d{2}(?::\d{2})?$/.test(next.text)
    ) {
      value = `${value} ${next.text}`;
      index++;
    }
    options.set(key, { raw: option.key, value });
  }
  return { options, positionals };
}

function positionalsOnly(tokens: readonly Token[]): string[] {
  const { options, positionals } = readOptions(tokens);
  const [first] = options.values();
  if (first) throw new Refusal('extraWords', `${first.raw}=${first.value}`);
  return positionals;
}

/** Collects phone numbers from words, joining pieces typed with spaces (`138 0013 8000`). */
function readPhones(words: readonly string[]): string[] {
  const phones: string[] = [];
  let pending = '';
  for (const word of words) {
    if (!looksLikePhonePart(word)) throw new Refusal('notPhone', pending ? `${pending} ${word}` : word);
    pending = pending ? `${pending} ${word}` : word;
    const phone = normalizePhone(pending);
    if (phone) {
      phones.push(phone);
      pending = '';
    } else if (pending.replace(/\D/g, '').length > 15) {
      throw new Refusal('notPhone', pending);
    }
  }
  if (pending) throw new Refusal('notPhone', pending);
  return phones;
}

function readExpiry(raw: string, value: string, context: ParseContext, locale: Locale): number {
  if (!value) throw new Refusal('emptyValue', raw, { example: phrase('parse.exampleExpires', locale) });
  const at = parseExpiry(value, context.now);
  if (at === undefined) throw new Refusal('badExpiry', value);
  if (at - context.now <= 60_000) throw new Refusal('tooSoon', value);
  if (at - context.now > context.maxExpiresMs) {
    throw new Refusal('tooLate', value, {
      max: phrase('parse.days', locale, { days: Math.round(context.maxExpiresMs / 86_400_000) }),
    });
  }
  return at;
}

function parseBind(tokens: readonly Token[], locale: Locale, context: ParseContext): Command {
  const { options, positionals } = readOptions(tokens);
  const phones = [...new Set(readPhones(positionals))];
  if (phones.length === 0) throw new Refusal('noPhone');
  if (phones.length > context.maxBulk)
    throw new Refusal('tooMany', undefined, { max: context.maxBulk, count: phones.length });
  const get = (key: OptionKey) => {
    const option = options.get(key);
    if (option && option.value === '') {
      throw new Refusal('emptyValue', option.raw, { example: `${OPTION_NAMES[key][locale]}=…` });
    }
    return option;
  };
  const result: { -readonly [K in keyof BindOptions]: BindOptions[K] } = {
    expiresAt: context.now + context.defaultExpiresMs,
  };
  const expires = options.get('expires');
  if (expires) result.expiresAt = readExpiry(expires.raw, expires.value, context, locale);
  // Each refusal names the option as the user typed it (`out`, `outid`, `业务号`), in {key}.
  const city = get('city');
  if (city) {
    if (!expectCity.safeParse(city.value).success)
      throw new Refusal('badCity', city.value, { key: city.raw });
    result.city = city.value;
  }
  const x = get('x');
  if (x) {
    const digits = x.value.replace(/[\s-]/g, '');
    if (!secretNumber.safeParse(digits).success) throw new Refusal('badX', x.value, { key: x.raw });
    result.secretNo = digits;
  }
  const ext = get('ext');
  if (ext) {
    if (!extension.safeParse(ext.value).success)
      throw new Refusal('badExtension', ext.value, { key: ext.raw });
    if (!x) throw new Refusal('extensionNeedsX');
    result.extension = ext.value;
  }
  if ((ext || x) && phones.length > 1) throw new Refusal('extensionBulk');
  const b = get('b');
  if (b) {
    const phone = normalizePhone(b.value);
    if (!phone) throw new Refusal('badB', b.value, { key: b.raw });
    result.phoneB = phone;
  }
  const record = get('record');
  if (record) {
    const lower = record.value.toLowerCase();
    if (YES.has(lower)) result.record = true;
    else if (NO.has(lower)) result.record = false;
    else throw new Refusal('badRecord', record.value, { key: record.raw });
  }
  const out = get('out');
  if (out) {
    if (!outId.safeParse(out.value).success) {
      throw new Refusal('outTooLong', out.raw, { bytes: Buffer.byteLength(out.value, 'utf8') });
    }
    result.outId = out.value;
  }
  const pool = get('pool');
  if (pool) {
    if (!poolKey.safeParse(pool.value).success) throw new Refusal('badPool', pool.value, { key: pool.raw });
    result.poolKey = pool.value;
  }
  return { verb: 'bind', locale, phones, options: result };
}

/** Reads a target from the words that name it: `X#ext`, an A number (maybe typed with spaces), or a SubsId. */
function parseTarget(words: readonly string[]): Target {
  if (words.length === 0) throw new Refusal('noTarget');
  const joined = words.join(' ');
  const slot = /^(\d[\d\s-]{3,24})#(\d{1,3})$/.exec(joined.replace(/\s*#\s*/, '#'));
  if (slot) return { kind: 'slot', secretNo: slot[1]!.replace(/[\s-]/g, ''), extension: slot[2]! };
  const phone = normalizePhone(joined);
  if (phone) return { kind: 'phone', phone };
  if (words.length === 1 && /^\d{6,19}$/.test(joined)) return { kind: 'subsId', subsId: joined };
  if (words.length > 1 && !looksLikePhonePart(words[0]!)) throw new Refusal('badTarget', words[0]);
  throw new Refusal('badTarget', joined);
}

/**
 * Reads the one call id of `recording`. A word shaped like a phone number is refused (and shown masked):
 * it is no call id, and a number in clear must not reach a reply, a log or the audit trail.
 */
function parseCallId(words: readonly string[]): string {
  const [word] = words;
  if (word === undefined) throw new Refusal('noCallId');
  if (words.length > 1) throw new Refusal('extraWords', maskDigitRuns(words[1]!));
  if (!isCallId(word) || normalizePhone(word) !== undefined)
    throw new Refusal('badCallId', maskDigitRuns(word));
  return word;
}

/** Words that allow `extend` to bring an expiry forward, and words that may stand before a time. */
const SHORTEN_WORDS = new Set(['shorten', '缩短', '提前']);
const UNTIL_WORDS = new Set(['until', 'to', '到', '至', '直到']);

function parseExtend(tokens: readonly Token[], locale: Locale, context: ParseContext): Command {
  const { options, positionals: words } = readOptions(tokens);
  const stray = [...options.entries()].find(([key]) => key !== 'expires');
  if (stray) throw new Refusal('extraWords', `${stray[1].raw}=${stray[1].value}`);
  const shorten = words.some((word) => SHORTEN_WORDS.has(word.toLowerCase()));
  const positionals = words.filter(
    (word) => !SHORTEN_WORDS.has(word.toLowerCase()) && !UNTIL_WORDS.has(word.toLowerCase()),
  );
  const expires = options.get('expires');
  let target: readonly string[];
  let raw: string;
  let value: string;
  if (expires) {
    [target, raw, value] = [positionals, expires.raw, expires.value];
  } else {
    if (positionals.length < 2) throw new Refusal(positionals.length === 0 ? 'noTarget' : 'noExpiry');
    // The expiry is the last word, or the last two (a date and a time).
    const lastTwo = positionals.slice(-2).join(' ');
    const two =
      positionals.length >= 3 && parseExpiry(lastTwo, context.now) !== undefined && /:/.test(lastTwo);
    [target, raw, value] = two
      ? [positionals.slice(0, -2), 'expires', lastTwo]
      : [positionals.slice(0, -1), 'expires', positionals[positionals.length - 1]!];
  }
  const duration = parseDuration(value);
  const change: ExpiryChange =
    duration !== undefined && !shorten
      ? { kind: 'add', ms: readAddition(value, duration) }
      : { kind: 'set', at: readExpiry(raw, value, context, locale), shorten };
  return { verb: 'extend', locale, target: parseTarget(target), change };
}

/** A duration to add to an expiry: at least a minute (a shorter one is surely a typo). */
function readAddition(value: string, ms: number): number {
  if (ms < 60_000) throw new Refusal('tooSoon', value);
  return ms;
}

function parseList(tokens: readonly Token[], locale: Locale): Command {
  const words = positionalsOnly(tokens);
  if (words.length > 1) throw new Refusal('extraWords', words[1]);
  const scope = words[0]?.toLowerCase();
  if (scope === undefined || scope === 'mine' || scope === '我的')
    return { verb: 'list', locale, scope: 'mine' };
  if (scope === 'all' || scope === '全部' || scope === '所有') return { verb: 'list', locale, scope: 'all' };
  throw new Refusal('badScope', words[0], {}, closest(scope, ['mine', 'all']));
}

/** Words that ask `pool` for Aliyun's count of numbers for sale. */
const REMAIN_WORDS = new Set(['remain', 'remaining', '余量', '剩余']);

/** `pool [city] [remain]`: at most one city; `remain` needs one. */
function parsePool(tokens: readonly Token[], locale: Locale): Command {
  const words = positionalsOnly(tokens);
  const remain = words.some((word) => REMAIN_WORDS.has(word.toLowerCase()));
  const cities = words.filter((word) => !REMAIN_WORDS.has(word.toLowerCase()));
  if (cities.length > 1) throw new Refusal('extraWords', maskDigitRuns(cities[1]!));
  const [city] = cities;
  // A city has no digits: a number typed here is refused, and shown masked.
  if (city !== undefined && /\p{Nd}/u.test(city)) throw new Refusal('notCity', maskDigitRuns(city));
  if (city !== undefined && !expectCity.safeParse(city).success)
    throw new Refusal('badCity', city, { key: phrase('label.city', locale) });
  if (remain && city === undefined) throw new Refusal('remainNeedsCity');
  return city === undefined ? { verb: 'pool', locale, remain } : { verb: 'pool', locale, city, remain };
}

function parseHelp(tokens: readonly Token[], locale: Locale): Command {
  const words = tokens.map((token) => stripSlash(token.text));
  if (words.length === 0) return { verb: 'help', locale };
  const entry = VERBS.get(words[0]!.toLowerCase());
  if (!entry || words.length > 1)
    throw new Refusal(
      'badTopic',
      words[entry ? 1 : 0],
      {},
      entry ? undefined : closest(words[0]!, [...VERBS.keys()]),
    );
  return { verb: 'help', locale, topic: entry.verb };
}
