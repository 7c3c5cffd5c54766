import { maskPhone } from '@axnbot/core';
import type { Ledger } from '../ledger/ledger.js';
import type { PhoneHasher } from '../phone-hash.js';
import { type CallEvent, type ReceiptRecord, toCallEvent } from './receipt-records.js';

/** Where the receipt endpoint puts a checked batch. */
export interface ReceiptStore {
  /**
   * Stores a batch durably, in one transaction, numbers masked and fingerprinted; answers the events not
   * seen before (a receipt re-pushed, or pushed twice in one batch, is stored once and answered once).
   * Throws when the ledger cannot store it.
   */
  storeReceipts(records: readonly ReceiptRecord[]): Promise<CallEvent[]>;
}

/**
 * The {@link ReceiptStore} over the ledger. A number's fingerprint is A's slow keyed one; to keep a push
 * fast it is computed once per number per batch, not at all for receipts already stored (a re-push), and
 * A's is taken from its binding when the ledger knows the binding.
 */
export class LedgerReceiptStore implements ReceiptStore {
  constructor(
    private readonly deps: {
      readonly ledger: Ledger;
      readonly hasher: PhoneHasher;
      readonly now?: () => number;
    },
  ) {}

  async storeReceipts(records: readonly ReceiptRecord[]): Promise<CallEvent[]> {
    if (records.length === 0) return [];
    const { ledger, hasher } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const stored = new Set(
      (await ledger.storedCallEvents(records.map((record) => record.callId))).map(
        (key) => `${key.type} ${key.callId}`,
      ),
    );
    const fresh = records.filter((record) => !stored.has(`${record.type} ${record.callId}`));
    if (fresh.length === 0) return [];
    // A's fingerprint as its binding holds it, when the receipt's A is the binding's (same mask).
    const knownA = new Map<string, { masked: string; hash: string }>();
    for (const subsId of new Set(fresh.map((record) => record.subsId).filter((id) => id !== null))) {
      const binding = await ledger.bindingBySubsId(subsId);
      if (binding) knownA.set(subsId, { masked: binding.phoneMasked, hash: binding.phoneHash });
    }
    const fingerprints = new Map<string, Promise<string>>();
    const fingerprint = (digits: string) => {
      let found = fingerprints.get(digits);
      if (!found) {
        found = hasher.current(digits);
        fingerprints.set(digits, found);
      }
      return found;
    };
    const events = await Promise.all(
      fresh.map((record) => {
        const binding = record.subsId === null ? undefined : knownA.get(record.subsId);
        const ofA = (digits: string) =>
          binding && record.phoneNo === digits && maskPhone(digits) === binding.masked
            ? Promise.resolve(binding.hash)
            : fingerprint(digits);
        return toCallEvent(
          record,
          (digits) => (digits === record.phoneNo ? ofA(digits) : fingerprint(digits)),
          now,
        );
      }),
    );
    fingerprints.clear();
    return ledger.recordCallEvents(events);
  }
}
