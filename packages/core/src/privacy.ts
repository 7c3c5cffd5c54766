import { MAINLAND_LANDLINE, MAINLAND_MOBILE } from './operations/fields.js';

/**
 * Masks a number for anything a person or a log sees: a mobile keeps its first 3 and last 4 digits
 * (`138****8000`); a landline its area code and last 2 (never more than a mobile shows); anything else
 * only its last 2.
 */
export function maskPhone(digits: string): string {
  if (MAINLAND_MOBILE.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (MAINLAND_LANDLINE.test(digits)) {
    const area = /^0(?:10|2)/.test(digits) ? 3 : 4;
    return `${digits.slice(0, area)}****${digits.slice(-2)}`;
  }
  return digits.length <= 2
    ? '*'.repeat(digits.length)
    : `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
}

/**
 * A phone number inside free text: a mainland mobile or a landline with area code, with an optional
 * 86 / +86 / 0086 prefix, standing alone (not part of a longer digit run such as a SubsId). It also
 * matches inside percent-encoded text (`PhoneNoB%3D13987654320`).
 */
const PHONE_IN_TEXT = /(?<!\d)(?:\+?86|0086)?(1[3-9]\d{9}|0[1-9]\d{8,10})(?!\d)/g;

/**
 * Masks every phone number in text that came from outside (server messages, error causes, a string to
 * sign) before a person, a log or a file sees it. X numbers are masked too: in free text nothing tells
 * them from A or B, and a masked X costs the reader nothing (replies show X in its own field).
 */
export function scrubPhones(text: string): string {
  return text.replace(PHONE_IN_TEXT, (_match, digits: string) => maskPhone(digits));
}
