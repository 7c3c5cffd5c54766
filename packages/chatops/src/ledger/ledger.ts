import type { Locale } from '../language/commands.js';
import type { LifecycleLedger } from '../lifecycle/lifecycle-ledger.js';
import type { CallEvent } from '../receipts/receipt-records.js';
import type { BindingStatus, Reply } from '../replies.js';

/** A binding as the ledger keeps it. A is never stored in clear: only masked, and as an HMAC. */
export interface BindingRecord {
  readonly ref: string;
  readonly subsId: string | null;
  readonly secretNo: string | null;
  readonly extension: string | null;
  readonly phoneMasked: string;
  /** HMAC-SHA256 of A's digits under `AXN_HASH_KEY`, for look-ups. */
  readonly phoneHash: string;
  readonly poolKey: string;
  readonly city: string | null;
  readonly expiresAt: number;
  readonly recording: boolean;
  readonly outId: string | null;
  readonly status: BindingStatus;
  readonly platform: string;
  readonly userId: string;
  readonly userName: string;
  readonly channelId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly requestId: string | null;
  /** The delivery that made it (null on bindings recorded before deliveries were tracked). */
  readonly deliveryKey: string | null;
  /** Who unbound it (a user's name), when someone did; `updatedAt` says when. */
  readonly endedBy: string | null;
  /** The language the binder spoke (what the binding's call lines are written in); absent on older records. */
  readonly locale?: Locale | null;
  /**
   * Where the binding's result card was posted (Slack channel and ts, a DingTalk conversation…), as the
   * front end wrote it ({@link Ledger.setBindingMessageRef}): opaque text, so calls can be posted beside it.
   */
  readonly messageRef?: string | null;
}

/** A change to one binding and the audit event that explains it, committed together. */
export interface BindingOutcome {
  readonly ref: string;
  readonly patch: BindingPatch;
  readonly audit: AuditEvent;
}

/** Fields a binding's later life may change. */
export type BindingPatch = Partial<
  Pick<
    BindingRecord,
    | 'subsId'
    | 'secretNo'
    | 'extension'
    | 'city'
    | 'expiresAt'
    | 'status'
    | 'requestId'
    | 'updatedAt'
    | 'endedBy'
  >
>;

/** Who did what, where, with what result. A is masked in `target`. */
export interface AuditEvent {
  readonly at: number;
  readonly platform: string;
  readonly userId: string;
  readonly userName: string;
  readonly channelId: string;
  /** The verb, or `deny`. */
  readonly action: string;
  /** What it acted on: a ref, a SubsId, a masked A. */
  readonly target: string;
  /** `OK` or the error / denial code. */
  readonly result: string;
  readonly requestId: string | null;
  readonly detail: string | null;
}

/** Whose bindings to list. */
export interface BindingQuery {
  readonly owner?: { readonly platform: string; readonly userId: string };
  readonly statuses: readonly BindingStatus[];
  readonly limit: number;
}

/**
 * The ledger: bindings, delivery idempotency and the audit trail. Two real stores implement it —
 * SQLite (one process) and PostgreSQL (several bot replicas on one database) — and one behaviour suite
 * runs against both.
 */
export interface Ledger {
  /**
   * Claims a delivery's idempotency key, recording in the same commit the bindings it intends to make
   * (status `pending`). `true`: this caller owns it and must complete it. `false`: it was claimed before
   * (a redelivery, or a concurrent duplicate) — nothing is recorded; wait for its reply instead.
   */
  claimDelivery(
    key: string,
    now: number,
    intents?: readonly BindingRecord[],
    leaseUntil?: number,
  ): Promise<boolean>;
  /** Extends the lease of a delivery still being handled (the owner's heartbeat). */
  renewDelivery(key: string, leaseUntil: number): Promise<void>;
  /**
   * Takes over a delivery whose owner's lease lapsed (its process died): a conditional update only one
   * caller can win. `true`: this caller now owns it and must complete it.
   */
  takeOverDelivery(key: string, now: number, leaseUntil: number): Promise<boolean>;
  /** Keys of deliveries still open whose lease has lapsed, oldest first. */
  lapsedDeliveries(now: number, limit: number): Promise<string[]>;
  /** The bindings a delivery set out to make. */
  bindingsOfDelivery(key: string): Promise<BindingRecord[]>;
  /** The reply a completed delivery gave; `null` while it is still being handled; `undefined` if unknown. */
  deliveryReply(key: string): Promise<Reply | null | undefined>;
  /** Stores a delivery's reply, and in the same commit the binding changes and audit events it made. */
  completeDelivery(
    key: string,
    reply: Reply,
    now: number,
    outcomes?: readonly BindingOutcome[],
  ): Promise<void>;

  insertBinding(record: BindingRecord): Promise<void>;
  /** Changes a binding and, in the same transaction, records the audit event that explains it. */
  updateBinding(ref: string, patch: BindingPatch, audit?: AuditEvent): Promise<void>;
  bindingByRef(ref: string): Promise<BindingRecord | undefined>;
  bindingBySubsId(subsId: string): Promise<BindingRecord | undefined>;
  /** Bindings on X with that extension, newest first. */
  bindingsBySlot(secretNo: string, extension: string): Promise<BindingRecord[]>;
  /** Bindings of an A (by its HMAC), newest first. */
  bindingsByPhoneHash(phoneHash: string): Promise<BindingRecord[]>;
  listBindings(query: BindingQuery): Promise<BindingRecord[]>;
  /** How many bindings are active and unexpired at `now` (for the `axn_bindings_active` gauge). */
  countActiveBindings(now: number): Promise<number>;
  /** X numbers this ledger has seen in a pool: where to look for a binding of unknown outcome. */
  knownSecretNumbers(poolKey: string): Promise<string[]>;

  /** Records where a binding's result card was posted (opaque to the ledger), for posting its calls there. */
  setBindingMessageRef(ref: string, messageRef: string): Promise<void>;

  /**
   * Stores call receipts in one transaction, each once per call and type (a re-pushed receipt is a
   * duplicate); answers the events stored now, in their order — those not seen before.
   */
  recordCallEvents(events: readonly CallEvent[]): Promise<CallEvent[]>;
  /**
   * Records the fingerprints of stored events' numbers (computed after the push was answered); a
   * fingerprint already recorded is kept.
   */
  setCallEventFingerprints(
    events: ReadonlyArray<Pick<CallEvent, 'callId' | 'type' | 'phoneHash' | 'peerHash'>>,
  ): Promise<void>;
  /** The call ids and types among `callIds` already stored (to skip work on a re-push). */
  storedCallEvents(callIds: readonly string[]): Promise<Array<{ callId: string; type: string }>>;
  /** Every stored event of one call, in the order of the call. */
  callEvents(callId: string): Promise<CallEvent[]>;
  /** The events of a binding's newest `limit` calls (by SubsId), newest call first. */
  callEventsForBinding(subsId: string, limit: number): Promise<CallEvent[]>;
  /**
   * Claims the posting of a call's event (its end record by default): a conditional update only one
   * caller wins, across processes and restarts. `true`: this caller posts it; `false`: someone already
   * did (or it is not stored).
   */
  claimCallNotification(
    callId: string,
    now: number,
    type?: 'SecretReport' | 'SecretRecording',
  ): Promise<boolean>;
  /** End and recording events stored at or before `before` that no one has claimed yet, oldest first. */
  unclaimedCallEvents(before: number, limit: number): Promise<CallEvent[]>;

  /**
   * Checks the fingerprint key against the one this ledger was first used with (by a check value, never
   * the key): `first` when none was recorded (it is now), `same`, or `different`.
   */
  checkFingerprintKey(checkValue: string): Promise<'first' | 'same' | 'different'>;

  /** The binding lifecycle's records: reminders and expiry notices, pool events and alerts. */
  readonly lifecycle: LifecycleLedger;

  recordAudit(event: AuditEvent): Promise<void>;
  /** The newest audit events first. */
  auditEvents(limit: number): Promise<AuditEvent[]>;

  close(): Promise<void>;
}
