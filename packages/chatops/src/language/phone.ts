/**
 * Phone numbers as people type them, per ARCHITECTURE.md: mainland mobiles (11 digits, `1[3-9]…`) and
 * landlines with area code (`0` + 10–11 digits), with `+86` / `86` / `0086` prefixes, spaces, dashes
 * and parentheses stripped.
 */

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{10,11}$/;

/** The bare digits of a valid number, or `undefined`. */
export function normalizePhone(text: string): string | undefined {
  let digits = text.replace(/[\s\-()（）]/g, '');
  if (digits.startsWith('+86')) digits = digits.slice(3);
  else if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  if (!/^\d+$/.test(digits)) return undefined;
  return MOBILE.test(digits) || LANDLINE.test(digits) ? digits : undefined;
}

/** Whether text could be (part of) a phone number as typed: digits with the usual separators. */
export function looksLikePhonePart(text: string): boolean {
  return /^\+?[\d\-()（）]+$/.test(text) && /\d/.test(text);
}

/**
 * Masks a number for anything a person or a log sees: a mobile keeps its first 3 and last 4 digits
 * (`138****8000`); a landline its area code and last 4. Anything else keeps only its last 2.
 */
export function maskPhone(digits: string): string {
  if (MOBILE.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (LANDLINE.test(digits)) {
    const area = digits.startsWith('01') || digits.startsWith('02') ? 3 : 4;
    return `${digits.slice(0, area)}****${digits.slice(-4)}`;
  }
  return digits.length <= 2
    ? '*'.repeat(digits.length)
    : `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
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
