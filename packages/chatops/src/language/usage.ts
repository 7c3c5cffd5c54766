import { phrase } from '../phrases.js';
import type { Locale, Verb } from './commands.js';

/** The verbs `help` lists, in its order. */
const LISTED: readonly Verb[] = ['bind', 'unbind', 'extend', 'info', 'list', 'calls', 'pool', 'help'];
/**
 * Every verb. `recording` is what the "▶ Recording" action sends (a DingTalk quick link can only send
 * text), and `silence` what a reminder's "Let it expire" sends: their usage is shown when they are
 * mistyped and by `help recording` / `help silence`, but the help lists the verbs people type.
 */
const VERBS: readonly Verb[] = [...LISTED, 'recording', 'silence'];

/** How each verb is used, in both languages; shown with parse errors and by `help` (from the catalogue). */
export const USAGE: Readonly<Record<Verb, Readonly<Record<Locale, string>>>> = Object.fromEntries(
  VERBS.map((verb) => [verb, { en: phrase(`usage.${verb}`, 'en'), zh: phrase(`usage.${verb}`, 'zh') }]),
) as Record<Verb, Record<Locale, string>>;

/** The usage of every verb `help` lists, one per line. */
export function allUsage(locale: Locale): string {
  return LISTED.map((verb) => phrase(`usage.${verb}`, locale)).join('\n');
}
