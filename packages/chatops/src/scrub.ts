import { maskPhone } from './language/phone.js';

/**
 * A phone number inside free text: a mainland mobile or a landline with area code, with an optional
 * 86 / +86 / 0086 prefix, standing alone (not part of a longer digit run such as a SubsId). It also
 * matches inside percent-encoded text (`PhoneNoB%3D13987654320`).
 */
const PHONE_IN_TEXT = /(?<!\d)(?:\+?86|0086)?(1[3-9]\d{9}|0[1-9]\d{8,10})(?!\d)/g;

/**
 * Masks every phone number in text that came from outside axnbot (server messages, error causes)
 * before a person, a log or the ledger sees it. X numbers are masked too: in free text nothing tells
 * them from A or B, and a masked X costs the reader nothing (replies show X in its own field).
 */
export function scrubPhones(text: string): string {
  return text.replace(PHONE_IN_TEXT, (_match, digits: string) => maskPhone(digits));
}
