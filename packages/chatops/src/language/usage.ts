import { phrase } from '../phrases.js';
import type { Locale, Verb } from './commands.js';

const VERBS: readonly Verb[] = ['bind', 'unbind', 'extend', 'info', 'list', 'calls', 'help'];

/** How each verb is used, in both languages; shown with parse errors and by `help` (from the catalogue). */
export const USAGE: Readonly<Record<Verb, Readonly<Record<Locale, string>>>> = Object.fromEntries(
  VERBS.map((verb) => [verb, { en: phrase(`usage.${verb}`, 'en'), zh: phrase(`usage.${verb}`, 'zh') }]),
) as Record<Verb, Record<Locale, string>>;

/** Every verb's usage, one per line. */
export function allUsage(locale: Locale): string {
  return VERBS.map((verb) => phrase(`usage.${verb}`, locale)).join('\n');
}
