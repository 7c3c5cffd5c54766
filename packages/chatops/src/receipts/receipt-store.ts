import { maskPhone } from '@axnbot/core';
import type { Ledger } from '../ledger/ledger.js';
import type { PhoneHasher } from '../phone-hash.js';
import { type CallEvent, type ReceiptRecord, toCallEvent } from './receipt-records.js';

/** A batch just stored: its new events, and the slow part of storing them, for after the answer. */
export interface StoredReceipts {
  /**
   * The events stored now (not seen before), in their order: numbers masked; a fingerprint that needs
   * computing is still `null` until {@link complete}.
   */
  readonly events: readonly CallEvent[];
  /**
   * Fingerprints the numbers of the new events and records the fingerprints; answers the events complete.
   * Run after answering the pusher: it is the slow part.
   */
  complete(): Promise<CallEvent[]>;
}

/** Where the receipt endpoint puts a checked batch. */
export interface ReceiptStore {
  /**
   * Stores a batch durably, in one transaction, numbers masked (never in clear); answers the events not
   * seen before (a receipt re-pushed, or pushed twice in one batch, is stored once and answered once).
   * Throws when the ledger cannot store it.
   */
  storeReceipts(records: readonly ReceiptRecord[]): Promise<StoredReceipts>;
}

/**
 * The {@link ReceiptStore} over the ledger. Numbers are fingerprinted as A is in the ledger (the slow keyed
 * fingerprint, {@link PhoneHasher}), which is too slow for Aliyun's 700 ms answer deadline when hundreds of
 * receipts arrive at once: so a batch is stored with its numbers masked, answered, and then fingerprinted
 * ({@link StoredReceipts.complete}), each number once per batch and never for a receipt already stored. A's
 * fingerprint is taken from its binding at once when the ledger has the binding. The clear digits wait in
 * memory only; a process stopped in between leaves those fingerprints empty, the masked numbers kept.
 */
export class LedgerReceiptStore implements ReceiptStore {
  /** Fingerprints waiting for their turn: one is computed at a time, so answering pushes keeps a core. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      readonly ledger: Ledger;
      readonly hasher: PhoneHasher;
      readonly now?: () => number;
    },
  ) {}

  async storeReceipts(records: readonly ReceiptRecord[]): Promise<StoredReceipts> {
    const nothing: StoredReceipts = { events: [], complete: async () => [] };
    if (records.length === 0) return nothing;
    const { ledger, hasher } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const stored = new Set(
      (await ledger.storedCallEvents(records.map((record) => record.callId))).map(
        (key) => `${key.type} ${key.callId}`,
      ),
    );
    const fresh = records.filter((record) => !stored.has(`${record.type} ${record.callId}`));
    if (fresh.length === 0) return nothing;
    // A's fingerprint as its binding holds it, when the receipt's A is the binding's (same SubsId and mask).
    const knownA = new Map<string, { masked: string; hash: string }>();
    for (const subsId of new Set(fresh.map((record) => record.subsId).filter((id) => id !== null))) {
      const binding = await ledger.bindingBySubsId(subsId);
      if (binding) knownA.set(subsId, { masked: binding.phoneMasked, hash: binding.phoneHash });
    }
    const fromBinding = (record: ReceiptRecord, digits: string) => {
      const binding = record.subsId === null ? undefined : knownA.get(record.subsId);
      return binding && digits === record.phoneNo && maskPhone(digits) === binding.masked
        ? binding.hash
        : undefined;
    };
    // Now: masked numbers, and only the fingerprints known already.
    const events = await Promise.all(
      fresh.map((record) => toCallEvent(record, async (digits) => fromBinding(record, digits) ?? null, now)),
    );
    const inserted = new Set(await ledger.recordCallEvents(events));
    const kept = events.flatMap((event, index) =>
      inserted.has(event) ? [{ event, record: fresh[index] as ReceiptRecord }] : [],
    );
    return {
      events: kept.map((entry) => entry.event),
      // After the answer: every fingerprint, each number once.
      complete: async () => {
        const fingerprints = new Map<string, Promise<string>>();
        const fingerprint = (digits: string) => {
          let found = fingerprints.get(digits);
          if (!found) {
            found = this.queue.then(() => hasher.current(digits));
            this.queue = found.catch(() => undefined);
            fingerprints.set(digits, found);
          }
          return found;
        };
        const done = await Promise.all(
          kept.map(async ({ event, record }) => {
            const full = await toCallEvent(
              record,
              async (digits) => fromBinding(record, digits) ?? fingerprint(digits),
              event.receivedAt,
            );
            return full.phoneHash === event.phoneHash && full.peerHash === event.peerHash
              ? event
              : { ...event, phoneHash: full.phoneHash, peerHash: full.peerHash };
          }),
        );
        fingerprints.clear();
        await ledger.setCallEventFingerprints(done.filter((event, index) => event !== kept[index]?.event));
        return done;
      },
    };
  }
}
