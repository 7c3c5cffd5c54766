import type { EmulatorClock } from './clock.js';
import { ClockTimers } from './clock-timers.js';
import { type Receipt, ReceiptLog, type ReceiptView } from './receipt-log.js';
import { postReceipts } from './receipt-post.js';
import type { ReceiptDraft } from './receipt-records.js';
import type { ReceiptTarget } from './receipt-target.js';
import { SerialQueues } from './serial-queues.js';
import type { EmulatorStore } from './store.js';

export type { Receipt, ReceiptView } from './receipt-log.js';
export { RECEIPT_TIMEOUT_MS } from './receipt-post.js';

/** Aliyun's re-push schedule after a failed push: 1, 5 and 10 minutes, then it gives up. */
export const RECEIPT_RETRY_DELAYS_MS = [60_000, 300_000, 600_000] as const;

/** What a re-push did. */
export type RepushResult =
  | { readonly status: 'pushed'; readonly receipt: Receipt; readonly outcome: true | string }
  | { readonly status: 'unknown' | 'no-target' | 'busy' };

/**
 * Stores call receipts and pushes them as Aliyun's HTTP batch push does: each POST a JSON array, each
 * message type to its own URL when the target has a `{type}` placeholder (else one array per call to
 * the one URL). A call's POSTs go out one after another, each waiting until the previous one was
 * accepted or given up, so a later type never overtakes an earlier one. A refused push (or none in
 * 700 ms) is retried after 1, 5 and 10 minutes of emulator time — × `retryScale`, and at once when
 * the operator moves the clock past it.
 */
export class ReceiptPusher {
  private readonly log: ReceiptLog;
  private readonly timers: ClockTimers;
  private readonly queues = new SerialQueues();
  private closed = false;

  constructor(
    store: EmulatorStore,
    private readonly target: ReceiptTarget | undefined,
    private readonly retryScale: number,
    clock: EmulatorClock,
  ) {
    this.log = new ReceiptLog(store, () => clock.now());
    this.timers = new ClockTimers(clock);
  }

  /**
   * Stores a call's receipts (those the target carries; all of them when nothing is pushed) and starts
   * pushing them in order.
   */
  publish(drafts: readonly ReceiptDraft[]): Receipt[] {
    const { target } = this;
    const stored = this.log.add(drafts.filter((draft) => !target || target.carries(draft.type)));
    if (target) {
      for (const batch of target.batches(stored)) {
        // Nothing awaits a push; a failure to record its outcome must not take the emulator down.
        this.queues.run(batch[0]!.callId, () => this.deliver(target, batch)).catch(() => undefined);
      }
    }
    return stored;
  }

  /**
   * Pushes a stored receipt again, in the very POST body that first carried it, as Aliyun does when it
   * did not get its answer. Refused (`busy`) while that call's receipts are still being pushed, so a
   * duplicate never jumps the queue or waits behind a retry; it is one POST, not retried.
   */
  async repush(id: number): Promise<RepushResult> {
    const receipt = this.log.get(id);
    if (!receipt) return { status: 'unknown' };
    const { target } = this;
    if (!target || this.closed) return { status: 'no-target' };
    if (this.queues.pending(receipt.callId) > 0) return { status: 'busy' };
    const batch = target
      .batches(this.log.ofCall(receipt.callId).filter((each) => target.carries(each.type)))
      .find((each) => each.some((member) => member.id === id));
    // Stored under another target (a database reopened with a different URL): push it alone.
    const body = batch ?? [receipt];
    const outcome = await this.queues.run(receipt.callId, () => this.push(target, body));
    return { status: 'pushed', receipt, outcome };
  }

  /** Stored receipts and their delivery state, optionally of one type and/or one call. */
  list(filter: { type?: string; callId?: string } = {}): ReceiptView[] {
    return this.log.list(filter);
  }

  /** Stops pushing: pending retries are dropped and nothing more is sent or recorded. */
  close(): void {
    this.closed = true;
    this.timers.close();
  }

  /** Pushes one batch until it is accepted or the retries are spent. */
  private async deliver(target: ReceiptTarget, batch: Receipt[]): Promise<void> {
    for (let retry = 0; ; retry++) {
      const outcome = await this.push(target, batch);
      if (outcome === true || this.closed || retry >= RECEIPT_RETRY_DELAYS_MS.length) return;
      const waited = await this.timers.wait((RECEIPT_RETRY_DELAYS_MS[retry] as number) * this.retryScale);
      if (!waited) return;
    }
  }

  /** One POST of a batch, counted against each of its receipts. */
  private async push(target: ReceiptTarget, batch: readonly Receipt[]): Promise<true | string> {
    if (this.closed) return 'closed';
    const outcome = await postReceipts(
      target.urlFor(batch[0]!.type),
      `[${batch.map((receipt) => receipt.json).join(',')}]`,
    );
    // The database is closed with the emulator; an answer arriving after that changes nothing.
    if (!this.closed)
      this.log.markAttempt(
        batch.map((receipt) => receipt.id),
        outcome,
      );
    return outcome;
  }
}
