import type { EmulatorStore, Pool } from '../store.js';

/** Extensions of a given length: 1–9 for one digit, 10–99 for two, 100–999 for three (no leading zeros). */
export function extensionRange(length: number): { first: number; last: number } {
  return length === 1 ? { first: 1, last: 9 } : { first: 10 ** (length - 1), last: 10 ** length - 1 };
}

/** Random probes before listing a number's taken extensions; keeps allocation O(1) until X is nearly full. */
const PROBES = 16;

/**
 * A free extension on X, or `undefined` when X has none. Probes random extensions by index look-up
 * first and lists the taken ones only when X is nearly full, so cost does not grow with the pool.
 */
export function freeExtension(
  store: EmulatorStore,
  pool: Pool,
  secretNo: string,
  now: number,
  random: () => number,
): string | undefined {
  const { first, last } = extensionRange(pool.extensionLength);
  const size = last - first + 1;
  for (let probe = 0; probe < PROBES; probe++) {
    const candidate = String(first + Math.floor(random() * size));
    if (!store.isSlotTaken(secretNo, candidate, now)) return candidate;
  }
  const taken = store.activeExtensions(secretNo, now);
  if (taken.size >= size) return undefined;
  const start = Math.floor(random() * size);
  for (let offset = 0; offset < size; offset++) {
    const candidate = String(first + ((start + offset) % size));
    if (!taken.has(candidate)) return candidate;
  }
  return undefined;
}

/** Visits a list from a random starting point, wrapping around: an even spread without shuffling. */
export function* fromRandomStart<T>(items: readonly T[], random: () => number): Generator<T> {
  const start = Math.floor(random() * items.length);
  for (let offset = 0; offset < items.length; offset++) yield items[(start + offset) % items.length] as T;
}
