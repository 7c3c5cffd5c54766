import type { EmulatorStore } from './store.js';

/** Aliyun's push rules: a 700 ms answer deadline, then retries after 1, 5 and 10 minutes. */
export const RECEIPT_TIMEOUT_MS = 700;
export const RECEIPT_RETRY_DELAYS_MS = [60_000, 300_000, 600_000] as const;

/** A receipt as stored and pushed: its type and its JSON text (SubsId as a bare number, as Aliyun sends it). */
export interface Receipt {
  readonly id: number;
  readonly type: string;
  readonly callId: string;
  readonly json: string;
}

/**
 * Delivers receipts to the configured URL as a JSON array, as Aliyun's HTTP push does: success is HTTP
 * 200 with a numeric `code` of 0; anything else (or no answer in 700 ms) is retried after 1, 5 and 10
 * minutes — multiplied by `retryScale` so tests need not wait.
 */
export class ReceiptPusher {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: EmulatorStore,
    private readonly url: string | undefined,
    private readonly retryScale: number,
    private readonly now: () => number,
  ) {}

  /** Records the receipts and starts pushing them (one POST per call's batch). */
  publish(receipts: ReadonlyArray<{ type: string; callId: string; json: string }>): Receipt[] {
    const insert = this.store.db.prepare(
      'INSERT INTO receipts (type, call_id, payload, created_at) VALUES (?, ?, ?, ?)',
    );
    const stored = this.store.transaction(() =>
      receipts.map((receipt) => ({
        ...receipt,
        id: insert.run(receipt.type, receipt.callId, receipt.json, this.now()).lastInsertRowid,
      })),
    );
    if (this.url) void this.attempt(stored, 0);
    return stored;
  }

  private async attempt(batch: Receipt[], retry: number): Promise<void> {
    const ok = await this.post(batch);
    const mark = this.store.db.prepare(
      'UPDATE receipts SET attempts = attempts + 1, delivered_at = ?, last_error = ? WHERE id = ?',
    );
    for (const receipt of batch)
      mark.run(ok === true ? this.now() : null, ok === true ? null : ok, receipt.id);
    if (ok === true || retry >= RECEIPT_RETRY_DELAYS_MS.length) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        void this.attempt(batch, retry + 1);
      },
      (RECEIPT_RETRY_DELAYS_MS[retry] as number) * this.retryScale,
    );
    timer.unref();
    this.timers.add(timer);
  }

  /** One push; true on acceptance, else the reason. */
  private async post(batch: Receipt[]): Promise<true | string> {
    try {
      const response = await fetch(this.url as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: `[${batch.map((receipt) => receipt.json).join(',')}]`,
        signal: AbortSignal.timeout(RECEIPT_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status !== 200) return `HTTP ${response.status}`;
      const answer = JSON.parse(text) as { code?: unknown };
      return typeof answer.code === 'number' && answer.code === 0 ? true : `answer ${text.slice(0, 80)}`;
    } catch (error) {
      return error instanceof Error ? error.name : 'failed';
    }
  }

  list(type?: string): Array<{
    id: number;
    type: string;
    callId: string;
    receipt: unknown;
    attempts: number;
    delivered: boolean;
  }> {
    const rows = this.store.db.all<{
      id: number;
      type: string;
      call_id: string;
      payload: string;
      attempts: number;
      delivered_at: number | null;
    }>(`SELECT * FROM receipts ${type ? 'WHERE type = ?' : ''} ORDER BY id`, ...(type ? [type] : []));
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      callId: row.call_id,
      // Served with sub_id as a string so that JSON readers of the operator API lose no digits.
      receipt: JSON.parse(row.payload.replace(/"sub_id":(\d+)/, '"sub_id":"$1"')),
      attempts: row.attempts,
      delivered: row.delivered_at !== null,
    }));
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
