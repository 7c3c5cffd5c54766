import { randomUUID } from 'node:crypto';
import type { Locale } from '../language/commands.js';
import { type LifecycleLedger, SqlLifecycleLedger } from '../lifecycle/lifecycle-ledger.js';
import type { CallEvent, ReceiptType } from '../receipts/receipt-records.js';
import type { Reply } from '../replies.js';
import type {
  AuditEvent,
  BindingOutcome,
  BindingPatch,
  BindingQuery,
  BindingRecord,
  Ledger,
} from './ledger.js';
import { LEDGER_MIGRATIONS } from './migrations.js';
import type { SqlDriver } from './sql-driver.js';

interface BindingRow {
  ref: string;
  subs_id: string | null;
  secret_no: string | null;
  extension: string | null;
  phone_masked: string;
  phone_hash: string;
  pool_key: string;
  city: string | null;
  expires_at: number | string;
  recording: number;
  out_id: string | null;
  status: BindingRecord['status'];
  platform: string;
  user_id: string;
  user_name: string;
  channel_id: string;
  created_at: number | string;
  updated_at: number | string;
  request_id: string | null;
  delivery_key?: string | null;
  ended_by?: string | null;
  locale?: string | null;
  message_ref?: string | null;
}

// PostgreSQL answers BIGINT as a string; both become numbers here (ms timestamps fit exactly).
const toRecord = (row: BindingRow): BindingRecord => ({
  ref: row.ref,
  subsId: row.subs_id,
  secretNo: row.secret_no,
  extension: row.extension,
  phoneMasked: row.phone_masked,
  phoneHash: row.phone_hash,
  poolKey: row.pool_key,
  city: row.city,
  expiresAt: Number(row.expires_at),
  recording: Number(row.recording) === 1,
  outId: row.out_id,
  status: row.status,
  platform: row.platform,
  userId: row.user_id,
  userName: row.user_name,
  channelId: row.channel_id,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  requestId: row.request_id,
  deliveryKey: row.delivery_key ?? null,
  endedBy: row.ended_by ?? null,
  locale: row.locale === 'zh' || row.locale === 'en' ? (row.locale as Locale) : null,
  messageRef: row.message_ref ?? null,
});

const PATCH_COLUMNS: Record<keyof BindingPatch, string> = {
  subsId: 'subs_id',
  secretNo: 'secret_no',
  extension: 'extension',
  city: 'city',
  expiresAt: 'expires_at',
  status: 'status',
  requestId: 'request_id',
  updatedAt: 'updated_at',
  endedBy: 'ended_by',
};

type Statement = readonly [sql: string, params: readonly unknown[]];

function insertStatement(r: BindingRecord): Statement {
  return [
    `INSERT INTO axn_bindings (ref, subs_id, secret_no, extension, phone_masked, phone_hash, pool_key, city, expires_at,
       recording, out_id, status, platform, user_id, user_name, channel_id, created_at, updated_at, request_id,
       delivery_key, ended_by, locale, message_ref)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      r.ref,
      r.subsId,
      r.secretNo,
      r.extension,
      r.phoneMasked,
      r.phoneHash,
      r.poolKey,
      r.city,
      r.expiresAt,
      r.recording ? 1 : 0,
      r.outId,
      r.status,
      r.platform,
      r.userId,
      r.userName,
      r.channelId,
      r.createdAt,
      r.updatedAt,
      r.requestId,
      r.deliveryKey,
      r.endedBy,
      r.locale ?? null,
      r.messageRef ?? null,
    ],
  ];
}

/** The UPDATE for a patch; none when it changes nothing. */
function patchStatements(ref: string, patch: BindingPatch): Statement[] {
  const keys = (Object.keys(patch) as Array<keyof BindingPatch>).filter((key) => patch[key] !== undefined);
  if (keys.length === 0) return [];
  const sets = keys.map((key) => `${PATCH_COLUMNS[key]} = ?`).join(', ');
  return [[`UPDATE axn_bindings SET ${sets} WHERE ref = ?`, [...keys.map((key) => patch[key]), ref]]];
}

function auditStatement(e: AuditEvent): Statement {
  return [
    `INSERT INTO axn_audit (id, at, platform, user_id, user_name, channel_id, action, target, result, request_id, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      randomUUID(),
      e.at,
      e.platform,
      e.userId,
      e.userName,
      e.channelId,
      e.action,
      e.target,
      e.result,
      e.requestId,
      e.detail,
    ],
  ];
}

interface CallEventRow {
  call_id: string;
  type: ReceiptType;
  subs_id: string | null;
  pool_key: string | null;
  secret_no: string | null;
  extension: string | null;
  phone_masked: string | null;
  phone_hash: string | null;
  peer_masked: string | null;
  peer_hash: string | null;
  call_type: number | string | null;
  call_time: number | string | null;
  ring_time: number | string | null;
  start_time: number | string | null;
  release_time: number | string | null;
  talk_seconds: number | string | null;
  release_cause: number | string | null;
  unconnected_cause: number | string | null;
  release_dir: number | string | null;
  recorded: number | string;
  out_id: string | null;
  control_msg: string | null;
  received_at: number | string;
  notified_at: number | string | null;
}

const orNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

const toCallEvent = (row: CallEventRow): CallEvent => {
  const callType = orNull(row.call_type);
  return {
    callId: row.call_id,
    type: row.type,
    subsId: row.subs_id,
    poolKey: row.pool_key,
    secretNo: row.secret_no,
    extension: row.extension,
    phoneMasked: row.phone_masked,
    phoneHash: row.phone_hash,
    peerMasked: row.peer_masked,
    peerHash: row.peer_hash,
    callType,
    direction:
      callType === 0 ? 'from-a' : callType === 1 ? 'to-a' : callType === 4 ? 'intercepted' : 'unknown',
    callTime: orNull(row.call_time),
    ringTime: orNull(row.ring_time),
    startTime: orNull(row.start_time),
    releaseTime: orNull(row.release_time),
    talkSeconds: orNull(row.talk_seconds),
    releaseCause: orNull(row.release_cause),
    unconnectedCause: orNull(row.unconnected_cause),
    releaseDir: orNull(row.release_dir),
    recorded: Number(row.recorded) === 1,
    outId: row.out_id,
    controlMsg: row.control_msg,
    receivedAt: Number(row.received_at),
    notifiedAt: orNull(row.notified_at),
  };
};

function insertCallEvent(e: CallEvent): Statement {
  return [
    `INSERT INTO axn_call_events (call_id, type, subs_id, pool_key, secret_no, extension, phone_masked, phone_hash,
       peer_masked, peer_hash, call_type, call_time, ring_time, start_time, release_time, talk_seconds, release_cause,
       unconnected_cause, release_dir, recorded, out_id, control_msg, received_at, notified_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (call_id, type) DO NOTHING`,
    [
      e.callId,
      e.type,
      e.subsId,
      e.poolKey,
      e.secretNo,
      e.extension,
      e.phoneMasked,
      e.phoneHash,
      e.peerMasked,
      e.peerHash,
      e.callType,
      e.callTime,
      e.ringTime,
      e.startTime,
      e.releaseTime,
      e.talkSeconds,
      e.releaseCause,
      e.unconnectedCause,
      e.releaseDir,
      e.recorded ? 1 : 0,
      e.outId,
      e.controlMsg,
      e.receivedAt,
      null,
    ],
  ];
}

/** The order of a call's receipts, for events that share a time (or have none). */
const TYPE_ORDER = `CASE type WHEN 'SecretStartReport' THEN 0 WHEN 'SecretRingReport' THEN 1
  WHEN 'SecretPickUpReport' THEN 2 WHEN 'SecretReport' THEN 3 ELSE 4 END`;

/** The ledger over any {@link SqlDriver}; the SQL is the same for SQLite and PostgreSQL. */
export class SqlLedger implements Ledger {
  readonly lifecycle: LifecycleLedger;

  private constructor(private readonly db: SqlDriver) {
    this.lifecycle = new SqlLifecycleLedger(db);
  }

  /** Opens a ledger on a driver, bringing its schema up to date under the migration lock. */
  static async open(db: SqlDriver): Promise<SqlLedger> {
    await db.withMigrationLock(async () => {
      await db.run('CREATE TABLE IF NOT EXISTS axn_schema (version INTEGER NOT NULL)');
      const [row] = await db.query<{ version: number }>('SELECT MAX(version) AS version FROM axn_schema');
      const current = Number(row?.version ?? 0);
      for (let index = current; index < LEDGER_MIGRATIONS.length; index++) {
        for (const statement of (LEDGER_MIGRATIONS[index] as string)
          .split(';')
          .map((s) => s.trim())
          .filter(Boolean)) {
          await db.run(statement);
        }
        await db.run('INSERT INTO axn_schema (version) VALUES (?)', [index + 1]);
      }
    });
    return new SqlLedger(db);
  }

  async claimDelivery(
    key: string,
    now: number,
    intents: readonly BindingRecord[] = [],
    leaseUntil: number | null = null,
  ): Promise<boolean> {
    const claim = [
      'INSERT INTO axn_deliveries (key, created_at, lease_until) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING',
      [key, now, leaseUntil],
    ] as const;
    if (intents.length === 0) return (await this.db.run(claim[0], claim[1])) === 1;
    return this.db.batchIfFirst(claim, intents.map(insertStatement));
  }

  async deliveryReply(key: string): Promise<Reply | null | undefined> {
    const [row] = await this.db.query<{ reply: string | null }>(
      'SELECT reply FROM axn_deliveries WHERE key = ?',
      [key],
    );
    if (!row) return undefined;
    return row.reply === null ? null : (JSON.parse(row.reply) as Reply);
  }

  async completeDelivery(
    key: string,
    reply: Reply,
    now: number,
    outcomes: readonly BindingOutcome[] = [],
  ): Promise<void> {
    const statements = outcomes.flatMap((outcome) => [
      ...patchStatements(outcome.ref, outcome.patch),
      auditStatement(outcome.audit),
    ]);
    statements.push([
      'UPDATE axn_deliveries SET reply = ?, completed_at = ? WHERE key = ?',
      [JSON.stringify(reply), now, key],
    ]);
    if (statements.length === 1) await this.db.run(statements[0]![0], statements[0]![1]);
    else await this.db.batch(statements);
  }

  async renewDelivery(key: string, leaseUntil: number): Promise<void> {
    await this.db.run('UPDATE axn_deliveries SET lease_until = ? WHERE key = ? AND reply IS NULL', [
      leaseUntil,
      key,
    ]);
  }

  async takeOverDelivery(key: string, now: number, leaseUntil: number): Promise<boolean> {
    // A delivery claimed before leases existed has none: it counts as lapsed.
    const changed = await this.db.run(
      `UPDATE axn_deliveries SET lease_until = ?
       WHERE key = ? AND reply IS NULL AND (lease_until IS NULL OR lease_until <= ?)`,
      [leaseUntil, key, now],
    );
    return changed === 1;
  }

  async lapsedDeliveries(now: number, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ key: string }>(
      `SELECT key FROM axn_deliveries WHERE reply IS NULL AND (lease_until IS NULL OR lease_until <= ?)
       ORDER BY created_at LIMIT ?`,
      [now, limit],
    );
    return rows.map((row) => row.key);
  }

  async bindingsOfDelivery(key: string): Promise<BindingRecord[]> {
    const rows = await this.db.query<BindingRow>(
      'SELECT * FROM axn_bindings WHERE delivery_key = ? ORDER BY ref',
      [key],
    );
    return rows.map(toRecord);
  }

  async insertBinding(record: BindingRecord): Promise<void> {
    const [sql, params] = insertStatement(record);
    await this.db.run(sql, params);
  }

  async updateBinding(ref: string, patch: BindingPatch, audit?: AuditEvent): Promise<void> {
    const statements = [...patchStatements(ref, patch), ...(audit ? [auditStatement(audit)] : [])];
    if (statements.length === 1) await this.db.run(statements[0]![0], statements[0]![1]);
    else if (statements.length > 1) await this.db.batch(statements);
  }

  async bindingByRef(ref: string): Promise<BindingRecord | undefined> {
    const [row] = await this.db.query<BindingRow>('SELECT * FROM axn_bindings WHERE ref = ?', [ref]);
    return row && toRecord(row);
  }

  async bindingBySubsId(subsId: string): Promise<BindingRecord | undefined> {
    const [row] = await this.db.query<BindingRow>('SELECT * FROM axn_bindings WHERE subs_id = ?', [subsId]);
    return row && toRecord(row);
  }

  async bindingsBySlot(secretNo: string, extension: string): Promise<BindingRecord[]> {
    const rows = await this.db.query<BindingRow>(
      'SELECT * FROM axn_bindings WHERE secret_no = ? AND extension = ? ORDER BY created_at DESC LIMIT 20',
      [secretNo, extension],
    );
    return rows.map(toRecord);
  }

  async bindingsByPhoneHash(phoneHash: string): Promise<BindingRecord[]> {
    const rows = await this.db.query<BindingRow>(
      'SELECT * FROM axn_bindings WHERE phone_hash = ? ORDER BY created_at DESC LIMIT 20',
      [phoneHash],
    );
    return rows.map(toRecord);
  }

  async listBindings(query: BindingQuery): Promise<BindingRecord[]> {
    const where = [`status IN (${query.statuses.map(() => '?').join(', ')})`];
    const params: unknown[] = [...query.statuses];
    if (query.owner) {
      where.push('platform = ? AND user_id = ?');
      params.push(query.owner.platform, query.owner.userId);
    }
    params.push(query.limit);
    const rows = await this.db.query<BindingRow>(
      `SELECT * FROM axn_bindings WHERE ${where.join(' AND ')} ORDER BY expires_at ASC LIMIT ?`,
      params,
    );
    return rows.map(toRecord);
  }

  async countActiveBindings(now: number): Promise<number> {
    const [row] = await this.db.query<{ count: number | string }>(
      "SELECT COUNT(*) AS count FROM axn_bindings WHERE status = 'active' AND expires_at > ?",
      [now],
    );
    return Number(row?.count ?? 0);
  }

  async knownSecretNumbers(poolKey: string): Promise<string[]> {
    const rows = await this.db.query<{ secret_no: string }>(
      'SELECT DISTINCT secret_no FROM axn_bindings WHERE pool_key = ? AND secret_no IS NOT NULL ORDER BY secret_no',
      [poolKey],
    );
    return rows.map((row) => row.secret_no);
  }

  async setBindingMessageRef(ref: string, messageRef: string): Promise<void> {
    await this.db.run('UPDATE axn_bindings SET message_ref = ? WHERE ref = ?', [messageRef, ref]);
  }

  async recordCallEvents(events: readonly CallEvent[]): Promise<CallEvent[]> {
    if (events.length === 0) return [];
    const changed = await this.db.batch(events.map(insertCallEvent));
    return events.filter((_, index) => changed[index] === 1);
  }

  async setCallEventFingerprints(
    events: ReadonlyArray<Pick<CallEvent, 'callId' | 'type' | 'phoneHash' | 'peerHash'>>,
  ): Promise<void> {
    if (events.length === 0) return;
    await this.db.batch(
      events.map((event) => [
        `UPDATE axn_call_events SET phone_hash = COALESCE(phone_hash, ?), peer_hash = COALESCE(peer_hash, ?)
         WHERE call_id = ? AND type = ?`,
        [event.phoneHash, event.peerHash, event.callId, event.type],
      ]),
    );
  }

  async storedCallEvents(callIds: readonly string[]): Promise<Array<{ callId: string; type: string }>> {
    const found: Array<{ callId: string; type: string }> = [];
    const unique = [...new Set(callIds)];
    // In slices, well within both databases' limits on parameters.
    for (let start = 0; start < unique.length; start += 500) {
      const slice = unique.slice(start, start + 500);
      const rows = await this.db.query<{ call_id: string; type: string }>(
        `SELECT call_id, type FROM axn_call_events WHERE call_id IN (${slice.map(() => '?').join(', ')})`,
        slice,
      );
      for (const row of rows) found.push({ callId: row.call_id, type: row.type });
    }
    return found;
  }

  async callEvents(callId: string): Promise<CallEvent[]> {
    const rows = await this.db.query<CallEventRow>(
      `SELECT * FROM axn_call_events WHERE call_id = ? ORDER BY ${TYPE_ORDER}`,
      [callId],
    );
    return rows.map(toCallEvent);
  }

  async callEventsForBinding(subsId: string, limit: number): Promise<CallEvent[]> {
    // The binding's newest calls by their dial time, then every event of each (a recording receipt may
    // come without the SubsId).
    const rows = await this.db.query<CallEventRow & { latest: number | string }>(
      `SELECT e.*, c.latest FROM axn_call_events e
       JOIN (SELECT call_id, MAX(COALESCE(call_time, received_at)) AS latest FROM axn_call_events
             WHERE subs_id = ? GROUP BY call_id ORDER BY latest DESC, call_id LIMIT ?) c
         ON c.call_id = e.call_id
       ORDER BY c.latest DESC, e.call_id, ${TYPE_ORDER.replace(/\btype\b/, 'e.type')}`,
      [subsId, limit],
    );
    return rows.map(toCallEvent);
  }

  async claimCallNotification(
    callId: string,
    now: number,
    type: 'SecretReport' | 'SecretRecording' = 'SecretReport',
  ): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE axn_call_events SET notified_at = ? WHERE call_id = ? AND type = ? AND notified_at IS NULL',
      [now, callId, type],
    );
    return changed === 1;
  }

  async unclaimedCallEvents(before: number, limit: number): Promise<CallEvent[]> {
    const rows = await this.db.query<CallEventRow>(
      `SELECT * FROM axn_call_events
       WHERE notified_at IS NULL AND type IN ('SecretReport', 'SecretRecording') AND received_at <= ?
       ORDER BY received_at, call_id LIMIT ?`,
      [before, limit],
    );
    return rows.map(toCallEvent);
  }

  async checkFingerprintKey(checkValue: string): Promise<'first' | 'same' | 'different'> {
    // Two processes starting on a fresh ledger together: the insert is conditional, the read decides.
    const inserted = await this.db.run(
      "INSERT INTO axn_meta (name, value) VALUES ('fingerprint-key-check', ?) ON CONFLICT (name) DO NOTHING",
      [checkValue],
    );
    if (inserted === 1) return 'first';
    const [row] = await this.db.query<{ value: string }>(
      "SELECT value FROM axn_meta WHERE name = 'fingerprint-key-check'",
    );
    return row?.value === checkValue ? 'same' : 'different';
  }

  async recordAudit(event: AuditEvent): Promise<void> {
    const [sql, params] = auditStatement(event);
    await this.db.run(sql, params);
  }

  async auditEvents(limit: number): Promise<AuditEvent[]> {
    const rows = await this.db.query<Record<string, string | number | null>>(
      'SELECT * FROM axn_audit ORDER BY at DESC LIMIT ?',
      [limit],
    );
    return rows.map((row) => ({
      at: Number(row.at),
      platform: String(row.platform),
      userId: String(row.user_id),
      userName: String(row.user_name),
      channelId: String(row.channel_id),
      action: String(row.action),
      target: String(row.target),
      result: String(row.result),
      requestId: row.request_id === null ? null : String(row.request_id),
      detail: row.detail === null ? null : String(row.detail),
    }));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
