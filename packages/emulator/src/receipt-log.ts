import type { MessageType } from './receipt-types.js';
import type { EmulatorStore } from './store.js';

/** A receipt as stored: its id, type, call and JSON text (`sub_id` a bare number, as pushed). */
export interface Receipt {
  readonly id: number;
  readonly type: MessageType;
  readonly callId: string;
  readonly json: string;
}

/** A stored receipt as the operator API shows it, with its delivery state. */
export interface ReceiptView {
  readonly id: number;
  readonly type: MessageType;
  readonly callId: string;
  /** The record, with `sub_id` as a string so that JSON readers lose no digits. */
  readonly receipt: unknown;
  readonly attempts: number;
  readonly delivered: boolean;
  /** Why the latest push failed (an HTTP status or an error name), or `null`. */
  readonly lastError: string | null;
}

interface ReceiptRow {
  id: number;
  type: MessageType;
  call_id: string;
  payload: string;
  attempts: number;
  delivered_at: number | null;
  last_error: string | null;
}

/** The `receipts` table: what was emitted, and how pushing it went. */
export class ReceiptLog {
  constructor(
    private readonly store: EmulatorStore,
    private readonly now: () => number,
  ) {}

  /** Stores a call's receipts in one transaction, in the given order. */
  add(drafts: ReadonlyArray<Omit<Receipt, 'id'>>): Receipt[] {
    const insert = this.store.db.prepare(
      'INSERT INTO receipts (type, call_id, payload, created_at) VALUES (?, ?, ?, ?)',
    );
    return this.store.transaction(() =>
      drafts.map((draft) => ({
        ...draft,
        id: Number(insert.run(draft.type, draft.callId, draft.json, this.now()).lastInsertRowid),
      })),
    );
  }

  /**
   * Counts one push of these receipts. A success marks them delivered (the first delivery time is
   * kept); a failure records why, and leaves an earlier delivery standing.
   */
  markAttempt(ids: readonly number[], outcome: true | string): void {
    const mark =
      outcome === true
        ? this.store.db.prepare(
            'UPDATE receipts SET attempts = attempts + 1, delivered_at = COALESCE(delivered_at, ?), last_error = NULL WHERE id = ?',
          )
        : this.store.db.prepare('UPDATE receipts SET attempts = attempts + 1, last_error = ? WHERE id = ?');
    for (const id of ids) mark.run(outcome === true ? this.now() : outcome, id);
  }

  /** One receipt, or `undefined`. */
  get(id: number): Receipt | undefined {
    const row = this.store.db.get<ReceiptRow>('SELECT * FROM receipts WHERE id = ?', id);
    return row && toReceipt(row);
  }

  /** Every receipt of a call, in emission order. */
  ofCall(callId: string): Receipt[] {
    return this.store.db
      .all<ReceiptRow>('SELECT * FROM receipts WHERE call_id = ? ORDER BY id', callId)
      .map(toReceipt);
  }

  /** Receipts in emission order, optionally of one type and/or one call. */
  list(filter: { type?: string; callId?: string } = {}): ReceiptView[] {
    const where: string[] = [];
    const values: string[] = [];
    if (filter.type !== undefined) {
      where.push('type = ?');
      values.push(filter.type);
    }
    if (filter.callId !== undefined) {
      where.push('call_id = ?');
      values.push(filter.callId);
    }
    const rows = this.store.db.all<ReceiptRow>(
      `SELECT * FROM receipts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
      ...values,
    );
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      callId: row.call_id,
      receipt: JSON.parse(row.payload.replace(/"sub_id":(\d+)/, '"sub_id":"$1"')),
      attempts: row.attempts,
      delivered: row.delivered_at !== null,
      lastError: row.last_error,
    }));
  }
}

function toReceipt(row: ReceiptRow): Receipt {
  return { id: row.id, type: row.type, callId: row.call_id, json: row.payload };
}
