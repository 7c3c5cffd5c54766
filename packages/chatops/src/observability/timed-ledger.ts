import type { Ledger } from '../ledger/ledger.js';

/**
 * The same ledger, with each operation's duration reported to `observe` (for `axn_ledger_seconds`).
 * Every method of a ledger is async, so a Proxy times them all without listing them.
 */
export function timedLedger(
  ledger: Ledger,
  observe: (operation: string, seconds: number) => void,
  now: () => number = () => performance.now(),
): Ledger {
  return new Proxy(ledger, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return async (...args: unknown[]) => {
        const started = now();
        try {
          return await value.apply(target, args);
        } finally {
          observe(property, (now() - started) / 1000);
        }
      };
    },
  });
}
