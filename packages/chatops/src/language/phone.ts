/**
 * Phone numbers as people type them. What is accepted is exactly what Aliyun accepts for A and B — core's
 * {@link isMainlandPhone}: mainland mobiles (11 digits, `1[3-9]…`) and landlines with their area code
 * (`010`/`02x` + 8 digits, `0[3-9]xx` + 7–8 digits) — so the parser and the SDK's field rule never
 * disagree. Around that: `+86` / `86` / `0086` prefixes, spaces, dashes and parentheses are stripped, and
 * full-width digits (what a Chinese keyboard types) are read as ASCII digits — the same mapping the rest of
 * the command line gets — and then held to the same rules. Digits of other scripts are refused.
 */
import { isMainlandPhone, MAINLAND_LANDLINE } from '@axnbot/core';
import { normalizeText } from './tokenize.js';

/** The bare digits of a valid number, or `undefined`. */
export function normalizePhone(text: string): string | undefined {
  let digits = normalizeText(text).replace(/[\s\-()]/g, '');
  let international = false;
  if (digits.startsWith('+86')) {
    digits = digits.slice(3);
    international = true;
  } else if (digits.startsWith('0086')) {
    digits = digits.slice(4);
    international = true;
  } else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  if (!/^\d+$/.test(digits)) return undefined;
  if (isMainlandPhone(digits)) return digits;
  // Written internationally a landline drops its trunk 0: +86 571 8899 2688 is 0571 8899 2688.
  if (international && !digits.startsWith('0') && MAINLAND_LANDLINE.test(`0${digits}`)) return `0${digits}`;
  return undefined;
}

/** Whether text could be (part of) a phone number as typed: digits with the usual separators. */
export function looksLikePhonePart(text: string): boolean {
  return /^\+?[\d\-()（）]+$/.test(text) && /\d/.test(text);
}

/** Masks a number for anything a person or a log sees (the rule lives in core, beside the phone rules). */
export { maskPhone } from '@axnbot/core';

/** The fewest digits a line may hold before it is treated as possibly holding a phone number. */
const PHONE_DIGITS = 7;

/**
 * Whether a line of text may hold a phone number, for keeping such lines out of files (the console's
 * history). Errs towards yes: any line with 7 or more digits in all, of any script, full-width included.
 * Every number {@link normalizePhone} accepts has at least 11 digits, and the command parser joins a number
 * typed in pieces even across options (`bind 138 city=北京 0013 8000`), so counting the whole line's digits
 * is the only test that catches every way of typing one; 7 also covers a landline typed without its area
 * code.
 */
export function mayHoldPhoneNumber(text: string): boolean {
  return (normalizeText(text).match(/\p{Nd}/gu)?.length ?? 0) >= PHONE_DIGITS;
}

/** X grouped for reading: `170 0000 0001` (3-4-4 for 11 digits). */
export function groupNumber(digits: string): string {
  if (digits.length === 11) return `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`;
  return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** A link that dials X, waits, then keys the extension (`,,` is a pause on phones). */
export function dialLink(secretNo: string, extension: string | null | undefined): string {
  const international = secretNo.startsWith('0') ? `+86${secretNo.slice(1)}` : `+86${secretNo}`;
  return extension ? `tel:${international},,${extension}` : `tel:${international}`;
}
