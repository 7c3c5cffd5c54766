/** The languages replies are written in. */
export type Locale = 'en' | 'zh';

/** The verbs of the command language. */
export type Verb =
  | 'bind'
  | 'unbind'
  | 'extend'
  | 'info'
  | 'list'
  | 'calls'
  | 'recording'
  | 'pool'
  | 'silence'
  | 'help';

/** How unbind, extend, info and calls name a binding. */
export type Target =
  | { readonly kind: 'subsId'; readonly subsId: string }
  | { readonly kind: 'phone'; readonly phone: string }
  | { readonly kind: 'slot'; readonly secretNo: string; readonly extension: string };

/**
 * What `extend` does to a binding's expiry. A duration is added to the current expiry (`extend … 1d`:
 * one more day); a time sets it (`extend … 2026-12-05 18:00`, `extend … until …`). Bringing the expiry
 * forward takes an explicit `shorten` (缩短), and then a duration counts from now.
 */
export type ExpiryChange =
  | { readonly kind: 'add'; readonly ms: number }
  | { readonly kind: 'set'; readonly at: number; readonly shorten: boolean };

/** Options of `bind`, already validated; absent means "use the default". */
export interface BindOptions {
  readonly city?: string;
  /** The expiry instant (ms since the epoch). */
  readonly expiresAt: number;
  readonly extension?: string;
  readonly secretNo?: string;
  readonly phoneB?: string;
  readonly record?: boolean;
  readonly outId?: string;
  readonly poolKey?: string;
}

/** A parsed command: what to do, in which language to answer. */
export type Command =
  | {
      readonly verb: 'bind';
      readonly locale: Locale;
      readonly phones: readonly string[];
      readonly options: BindOptions;
    }
  | { readonly verb: 'unbind'; readonly locale: Locale; readonly target: Target }
  | {
      readonly verb: 'extend';
      readonly locale: Locale;
      readonly target: Target;
      readonly change: ExpiryChange;
    }
  | { readonly verb: 'info'; readonly locale: Locale; readonly target: Target }
  | { readonly verb: 'list'; readonly locale: Locale; readonly scope: 'mine' | 'all' }
  | { readonly verb: 'calls'; readonly locale: Locale; readonly target: Target }
  /** "▶ Recording" as a command (what a DingTalk quick link sends): a fresh link to a call's recording. */
  | { readonly verb: 'recording'; readonly locale: Locale; readonly callId: string }
  /**
   * `pool [city] [remain]`: the pool per city as the ledger has seen it; `remain` (admins, with a city)
   * also asks Aliyun how many numbers are for sale there.
   */
  | { readonly verb: 'pool'; readonly locale: Locale; readonly city?: string; readonly remain: boolean }
  /** "Let it expire" as a command (what a reminder's action sends): no more notices for this expiry. */
  | { readonly verb: 'silence'; readonly locale: Locale; readonly target: Target }
  | { readonly verb: 'help'; readonly locale: Locale; readonly topic?: Verb };

/**
 * Whether text can be a call id as `recording <call id>` takes it: 1 to 100 letters, digits, `.`, `_`, `:`
 * or `-` (Aliyun's `call_id`s, and the emulator's, are of this kind). A front end offers the command only
 * for such ids, so that what it offers parses.
 */
export function isCallId(text: string): boolean {
  return /^[A-Za-z0-9._:-]{1,100}$/.test(text);
}

/** The commands that change state, and so run once per delivery. */
export type StateChange = Extract<Command, { verb: 'bind' | 'unbind' | 'extend' | 'silence' }>;

/** Why text is not a command: the offending token, why, a suggestion, and the verb's usage. */
export interface ParseError {
  readonly kind: 'parse-error';
  readonly locale: Locale;
  readonly verb?: Verb;
  /** The token at fault, as the user typed it (shortened when huge). */
  readonly token?: string;
  /** What is wrong, in the user's language. */
  readonly message: string;
  /** "did you mean city?" — present when a near match exists. */
  readonly suggestion?: string;
  /** How the verb (or the language) is used, in the user's language. */
  readonly usage: string;
}

/** What the parser needs to know that is not in the text. */
export interface ParseContext {
  readonly now: number;
  readonly locale: Locale;
  /** Expiry used when `expires` is absent (ms). */
  readonly defaultExpiresMs: number;
  /** The furthest expiry allowed (ms from now). */
  readonly maxExpiresMs: number;
  /** Most A numbers in one bulk bind. */
  readonly maxBulk: number;
}

/**
 * The parse context a front end builds from its service config, at `now`: every front end parses with
 * the same defaults and limits.
 */
export function parseContextFor(
  config: {
    readonly locale: Locale;
    readonly defaultExpiresMs: number;
    readonly maxExpiresMs: number;
    readonly maxBulk: number;
  },
  now: number,
): ParseContext {
  const { locale, defaultExpiresMs, maxExpiresMs, maxBulk } = config;
  return { now, locale, defaultExpiresMs, maxExpiresMs, maxBulk };
}

/** Whether a parse result is an error. */
export function isParseError(value: Command | ParseError): value is ParseError {
  return 'kind' in value && value.kind === 'parse-error';
}
