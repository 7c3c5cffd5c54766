import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../ledger/ledger.js';
import type { SqlDriver } from '../ledger/sql-driver.js';

/** The two notices a binding made from chat may get: a reminder before its expiry, and its expiry. */
export type LifecycleNoticeKind = 'reminder' | 'expired';

/**
 * Where a notice stands: `due` (to send; claimed while `leaseUntil` is ahead), `sent`, `silenced` (the
 * binder chose "Let it expire" for this expiry), `given-up` (every try failed).
 */
export type LifecycleNoticeState = 'due' | 'sent' | 'silenced' | 'given-up';

/** A binding's reminder or expiry notice as the ledger keeps it. */
export interface LifecycleNoticeRecord {
  /** The binding's ref. */
  readonly ref: string;
  readonly kind: LifecycleNoticeKind;
  readonly state: LifecycleNoticeState;
  /** The expiry the notice is about (a reminder is sent again when the binding's expiry changes). */
  readonly expiresAt: number;
  /** Sends tried (each claim counts one). */
  readonly tries: number;
  readonly lastError: string | null;
  /** While ahead, the notice is claimed by a process sending it. */
  readonly leaseUntil: number | null;
  readonly sentAt: number | null;
  /** The sent message's reference, as the front end answered it (opaque). */
  readonly messageRef: string | null;
  readonly updatedAt: number;
}

/** A bind that asked for a city and landed elsewhere, or was refused with `isv.NO_AVAILABLE_NUMBER`. */
export interface PoolEvent {
  /** The bind's ref: one event per bind, however often its outcome is settled. */
  readonly ref: string;
  readonly poolKey: string;
  /** The city asked for; `''` when the bind asked for none. */
  readonly city: string;
  readonly kind: 'fallback' | 'refused';
  /** Where the number came from instead (a fallback's). */
  readonly landedCity: string | null;
  readonly at: number;
}

/** Pool events of one pool and city counted over a window. */
export interface PoolEventCount {
  readonly poolKey: string;
  readonly city: string;
  readonly fallbacks: number;
  readonly refusals: number;
}

/** One city of a pool, as the ledger has seen it. */
export interface PoolCityCounts {
  /** The city (`''`: not known, or none asked for). */
  readonly city: string;
  /** X numbers the ledger has seen bound in this city. */
  readonly numbers: number;
  /** Bindings active and unexpired now. */
  readonly active: number;
  /** Binds that asked for this city and landed elsewhere, since the window's start. */
  readonly fallbacks: number;
  /** Binds refused with `isv.NO_AVAILABLE_NUMBER`, since the window's start. */
  readonly refusals: number;
}

/** A pool-and-city alert as the ledger keeps it. */
export interface PoolAlertRecord {
  readonly poolKey: string;
  readonly city: string;
  /** When the last alert was sent (or given up): the cooldown counts from it. */
  readonly alertedAt: number | null;
  readonly tries: number;
  readonly lastError: string | null;
  readonly leaseUntil: number | null;
  readonly messageRef: string | null;
}

/** What the lifecycle keeps in the ledger: notices per binding, pool events and pool alerts. */
export interface LifecycleLedger {
  /**
   * Refs of bindings of `platforms` whose reminder is due at `now`: active, with a SubsId, expiring within
   * `remindBeforeMs` (and not yet), whose expiry was set before the window opened (a binding made or
   * extended inside the window is not reminded), and whose reminder for this expiry is neither sent,
   * silenced, given up nor claimed. Soonest expiry first.
   */
  dueReminders(query: {
    platforms: readonly string[];
    now: number;
    remindBeforeMs: number;
    limit: number;
  }): Promise<Array<{ ref: string; expiresAt: number }>>;
  /** Refs of bindings of `platforms` still `active` whose expiry has passed, oldest expiry first. */
  lapsedBindings(query: { platforms: readonly string[]; now: number; limit: number }): Promise<string[]>;
  /**
   * Marks a binding expired if it is still active and its expiry has passed — a conditional update one
   * caller wins — with its audit event in the same commit. Answers whether this caller marked it.
   */
  markExpired(ref: string, now: number, audit: AuditEvent): Promise<boolean>;
  /**
   * Refs of expired bindings of `platforms` (expiry between `since` and `now`) whose expiry notice is not
   * yet sent, given up or claimed, and whose reminder was not silenced for that expiry.
   */
  dueExpiryNotices(query: {
    platforms: readonly string[];
    now: number;
    since: number;
    limit: number;
  }): Promise<Array<{ ref: string; expiresAt: number }>>;
  /**
   * Claims a binding's notice for its expiry `expiresAt` (made due first when there is none, or — for a
   * reminder — when the one recorded was for another expiry): a conditional update one caller wins.
   * Answers the notice with its tries counted, or `undefined` when someone else holds it or it is done.
   */
  claimNotice(
    ref: string,
    kind: LifecycleNoticeKind,
    expiresAt: number,
    now: number,
    leaseUntil: number,
  ): Promise<LifecycleNoticeRecord | undefined>;
  /** Extends the claim of a notice being sent (the sender's heartbeat). */
  renewNotice(ref: string, kind: LifecycleNoticeKind, leaseUntil: number): Promise<void>;
  /** Records a notice as sent, with the reference of the message (unless it was silenced meanwhile). */
  noticeSent(ref: string, kind: LifecycleNoticeKind, now: number, messageRef: string | null): Promise<void>;
  /**
   * Records a failed send and releases the claim: the notice is tried again on a later tick, or given up
   * once `maxTries` were made. Answers which.
   */
  noticeFailed(
    ref: string,
    kind: LifecycleNoticeKind,
    now: number,
    error: string,
    maxTries: number,
  ): Promise<'retry' | 'given-up'>;
  /** A binding's notice of a kind, if any. */
  notice(ref: string, kind: LifecycleNoticeKind): Promise<LifecycleNoticeRecord | undefined>;
  /**
   * Silences a binding's reminders and expiry notice for its expiry `expiresAt` ("Let it expire").
   * Answers `already` when they were silenced for that expiry before.
   */
  silence(ref: string, expiresAt: number, now: number): Promise<'silenced' | 'already'>;

  /** Records a pool event (once per bind ref). */
  recordPoolEvent(event: PoolEvent): Promise<void>;
  /** Pool events since `since`, counted per pool and city (those with at least `atLeast`). */
  poolEventCounts(since: number, atLeast?: number): Promise<PoolEventCount[]>;
  /**
   * Claims the alert of a pool and city: a conditional update one caller wins, and only when no alert was
   * sent (or given up) within `cooldownMs`. Answers the alert with its tries counted, or `undefined`.
   */
  claimPoolAlert(
    poolKey: string,
    city: string,
    now: number,
    cooldownMs: number,
    leaseUntil: number,
  ): Promise<PoolAlertRecord | undefined>;
  /** Extends the claim of an alert being sent. */
  renewPoolAlert(poolKey: string, city: string, leaseUntil: number): Promise<void>;
  /** Records an alert as sent: the cooldown starts now. */
  poolAlertSent(poolKey: string, city: string, now: number, messageRef: string | null): Promise<void>;
  /**
   * Records a failed alert and releases the claim; after `maxTries` it is given up (and the cooldown
   * starts, as if sent). Answers which.
   */
  poolAlertFailed(
    poolKey: string,
    city: string,
    now: number,
    error: string,
    maxTries: number,
  ): Promise<'retry' | 'given-up'>;
  /** A pool and city's alert record, if any. */
  poolAlert(poolKey: string, city: string): Promise<PoolAlertRecord | undefined>;

  /** Per city of a pool: X numbers seen, active bindings, and fallbacks and refusals since `since`. */
  poolCounts(poolKey: string, now: number, since: number): Promise<PoolCityCounts[]>;
  /**
   * Refs of a pool's oldest active bindings with no call received since `quietSince` — in `city` when
   * given — oldest first.
   */
  idleBindings(query: {
    poolKey: string;
    city?: string;
    now: number;
    quietSince: number;
    limit: number;
  }): Promise<string[]>;
}

type Num = number | string;
const num = (value: Num | null | undefined): number => Number(value ?? 0);
const numOrNull = (value: Num | null | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);

interface NoticeRow {
  ref: string;
  kind: LifecycleNoticeKind;
  state: LifecycleNoticeState;
  expires_at: Num;
  tries: Num;
  last_error: string | null;
  lease_until: Num | null;
  sent_at: Num | null;
  message_ref: string | null;
  updated_at: Num;
}

const toNotice = (row: NoticeRow): LifecycleNoticeRecord => ({
  ref: row.ref,
  kind: row.kind,
  state: row.state,
  expiresAt: num(row.expires_at),
  tries: num(row.tries),
  lastError: row.last_error,
  leaseUntil: numOrNull(row.lease_until),
  sentAt: numOrNull(row.sent_at),
  messageRef: row.message_ref,
  updatedAt: num(row.updated_at),
});

interface AlertRow {
  pool_key: string;
  city: string;
  alerted_at: Num | null;
  tries: Num;
  last_error: string | null;
  lease_until: Num | null;
  message_ref: string | null;
}

const toAlert = (row: AlertRow): PoolAlertRecord => ({
  poolKey: row.pool_key,
  city: row.city,
  alertedAt: numOrNull(row.alerted_at),
  tries: num(row.tries),
  lastError: row.last_error,
  leaseUntil: numOrNull(row.lease_until),
  messageRef: row.message_ref,
});

/** `?, ?, ?` for a list. */
const marks = (items: readonly unknown[]) => items.map(() => '?').join(', ');

/** An error's text as kept in the ledger: one line, bounded. */
const errorText = (error: string) => error.split('\n')[0]!.slice(0, 500);

/**
 * The {@link LifecycleLedger} over the ledger's {@link SqlDriver}: the same SQL on SQLite and PostgreSQL.
 * Every claim is a conditional `UPDATE` (free, or its lease lapsed) that one caller wins, so replicas on
 * one database never send one notice twice, and a claim whose process died lapses and is taken again.
 */
export class SqlLifecycleLedger implements LifecycleLedger {
  constructor(private readonly db: SqlDriver) {}

  async dueReminders(query: {
    platforms: readonly string[];
    now: number;
    remindBeforeMs: number;
    limit: number;
  }): Promise<Array<{ ref: string; expiresAt: number }>> {
    const { platforms, now, remindBeforeMs, limit } = query;
    if (platforms.length === 0 || remindBeforeMs <= 0) return [];
    const rows = await this.db.query<{ ref: string; expires_at: Num }>(
      `SELECT b.ref, b.expires_at FROM axn_bindings b
       LEFT JOIN axn_lifecycle_notices n ON n.ref = b.ref AND n.kind = 'reminder'
       WHERE b.status = 'active' AND b.subs_id IS NOT NULL AND b.platform IN (${marks(platforms)})
         AND b.expires_at > ? AND b.expires_at <= ? AND b.updated_at <= b.expires_at - ?
         AND (n.ref IS NULL
              OR (n.expires_at = b.expires_at AND n.state = 'due' AND (n.lease_until IS NULL OR n.lease_until <= ?))
              OR (n.expires_at <> b.expires_at AND (n.lease_until IS NULL OR n.lease_until <= ?)))
       ORDER BY b.expires_at, b.ref LIMIT ?`,
      [...platforms, now, now + remindBeforeMs, remindBeforeMs, now, now, limit],
    );
    return rows.map((row) => ({ ref: row.ref, expiresAt: num(row.expires_at) }));
  }

  async lapsedBindings(query: {
    platforms: readonly string[];
    now: number;
    limit: number;
  }): Promise<string[]> {
    const { platforms, now, limit } = query;
    if (platforms.length === 0) return [];
    const rows = await this.db.query<{ ref: string }>(
      `SELECT ref FROM axn_bindings WHERE status = 'active' AND expires_at <= ? AND platform IN (${marks(platforms)})
       ORDER BY expires_at, ref LIMIT ?`,
      [now, ...platforms, limit],
    );
    return rows.map((row) => row.ref);
  }

  async markExpired(ref: string, now: number, audit: AuditEvent): Promise<boolean> {
    return this.db.batchIfFirst(
      [
        `UPDATE axn_bindings SET status = 'expired', updated_at = ?
         WHERE ref = ? AND status = 'active' AND expires_at <= ?`,
        [now, ref, now],
      ],
      [
        [
          `INSERT INTO axn_audit (id, at, platform, user_id, user_name, channel_id, action, target, result, request_id, detail)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            randomUUID(),
            audit.at,
            audit.platform,
            audit.userId,
            audit.userName,
            audit.channelId,
            audit.action,
            audit.target,
            audit.result,
            audit.requestId,
            audit.detail,
          ],
        ],
      ],
    );
  }

  async dueExpiryNotices(query: {
    platforms: readonly string[];
    now: number;
    since: number;
    limit: number;
  }): Promise<Array<{ ref: string; expiresAt: number }>> {
    const { platforms, now, since, limit } = query;
    if (platforms.length === 0) return [];
    const rows = await this.db.query<{ ref: string; expires_at: Num }>(
      `SELECT b.ref, b.expires_at FROM axn_bindings b
       LEFT JOIN axn_lifecycle_notices e ON e.ref = b.ref AND e.kind = 'expired'
       LEFT JOIN axn_lifecycle_notices r ON r.ref = b.ref AND r.kind = 'reminder'
       WHERE b.status = 'expired' AND b.subs_id IS NOT NULL AND b.platform IN (${marks(platforms)})
         AND b.expires_at <= ? AND b.expires_at > ?
         AND (r.ref IS NULL OR r.state <> 'silenced' OR r.expires_at <> b.expires_at)
         AND (e.ref IS NULL OR (e.state = 'due' AND (e.lease_until IS NULL OR e.lease_until <= ?)))
       ORDER BY b.expires_at, b.ref LIMIT ?`,
      [...platforms, now, since, now, limit],
    );
    return rows.map((row) => ({ ref: row.ref, expiresAt: num(row.expires_at) }));
  }

  async claimNotice(
    ref: string,
    kind: LifecycleNoticeKind,
    expiresAt: number,
    now: number,
    leaseUntil: number,
  ): Promise<LifecycleNoticeRecord | undefined> {
    await this.db.run(
      `INSERT INTO axn_lifecycle_notices (ref, kind, state, expires_at, tries, created_at, updated_at)
       VALUES (?, ?, 'due', ?, 0, ?, ?) ON CONFLICT (ref, kind) DO NOTHING`,
      [ref, kind, expiresAt, now, now],
    );
    // A notice recorded for another expiry (the binding was extended since) starts over for this one —
    // unless someone is sending it right now.
    await this.db.run(
      `UPDATE axn_lifecycle_notices
       SET state = 'due', expires_at = ?, tries = 0, last_error = NULL, sent_at = NULL, message_ref = NULL,
           lease_until = NULL, updated_at = ?
       WHERE ref = ? AND kind = ? AND expires_at <> ? AND (lease_until IS NULL OR lease_until <= ?)`,
      [expiresAt, now, ref, kind, expiresAt, now],
    );
    const claimed = await this.db.run(
      `UPDATE axn_lifecycle_notices SET lease_until = ?, tries = tries + 1, updated_at = ?
       WHERE ref = ? AND kind = ? AND expires_at = ? AND state = 'due'
         AND (lease_until IS NULL OR lease_until <= ?)`,
      [leaseUntil, now, ref, kind, expiresAt, now],
    );
    if (claimed !== 1) return undefined;
    return this.notice(ref, kind);
  }

  async renewNotice(ref: string, kind: LifecycleNoticeKind, leaseUntil: number): Promise<void> {
    await this.db.run(
      `UPDATE axn_lifecycle_notices SET lease_until = ? WHERE ref = ? AND kind = ? AND state = 'due'`,
      [leaseUntil, ref, kind],
    );
  }

  async noticeSent(
    ref: string,
    kind: LifecycleNoticeKind,
    now: number,
    messageRef: string | null,
  ): Promise<void> {
    await this.db.run(
      `UPDATE axn_lifecycle_notices
       SET state = 'sent', sent_at = ?, message_ref = ?, lease_until = NULL, last_error = NULL, updated_at = ?
       WHERE ref = ? AND kind = ? AND state = 'due'`,
      [now, messageRef, now, ref, kind],
    );
  }

  async noticeFailed(
    ref: string,
    kind: LifecycleNoticeKind,
    now: number,
    error: string,
    maxTries: number,
  ): Promise<'retry' | 'given-up'> {
    await this.db.run(
      `UPDATE axn_lifecycle_notices
       SET state = CASE WHEN tries >= ? THEN 'given-up' ELSE 'due' END, last_error = ?, lease_until = NULL,
           updated_at = ?
       WHERE ref = ? AND kind = ? AND state = 'due'`,
      [maxTries, errorText(error), now, ref, kind],
    );
    return (await this.notice(ref, kind))?.state === 'given-up' ? 'given-up' : 'retry';
  }

  async notice(ref: string, kind: LifecycleNoticeKind): Promise<LifecycleNoticeRecord | undefined> {
    const [row] = await this.db.query<NoticeRow>(
      'SELECT * FROM axn_lifecycle_notices WHERE ref = ? AND kind = ?',
      [ref, kind],
    );
    return row && toNotice(row);
  }

  async silence(ref: string, expiresAt: number, now: number): Promise<'silenced' | 'already'> {
    const before = await this.notice(ref, 'reminder');
    if (before?.state === 'silenced' && before.expiresAt === expiresAt) return 'already';
    await this.db.run(
      `INSERT INTO axn_lifecycle_notices (ref, kind, state, expires_at, tries, created_at, updated_at)
       VALUES (?, 'reminder', 'silenced', ?, 0, ?, ?)
       ON CONFLICT (ref, kind) DO UPDATE SET state = 'silenced', expires_at = excluded.expires_at,
         lease_until = NULL, updated_at = excluded.updated_at`,
      [ref, expiresAt, now, now],
    );
    return 'silenced';
  }

  async recordPoolEvent(event: PoolEvent): Promise<void> {
    await this.db.run(
      `INSERT INTO axn_pool_events (ref, pool_key, city, kind, landed_city, at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (ref) DO NOTHING`,
      [event.ref, event.poolKey, event.city, event.kind, event.landedCity, event.at],
    );
  }

  async poolEventCounts(since: number, atLeast = 1): Promise<PoolEventCount[]> {
    const rows = await this.db.query<{ pool_key: string; city: string; fallbacks: Num; refusals: Num }>(
      `SELECT pool_key, city,
         SUM(CASE WHEN kind = 'fallback' THEN 1 ELSE 0 END) AS fallbacks,
         SUM(CASE WHEN kind = 'refused' THEN 1 ELSE 0 END) AS refusals
       FROM axn_pool_events WHERE at > ? GROUP BY pool_key, city HAVING COUNT(*) >= ?
       ORDER BY pool_key, city`,
      [since, atLeast],
    );
    return rows.map((row) => ({
      poolKey: row.pool_key,
      city: row.city,
      fallbacks: num(row.fallbacks),
      refusals: num(row.refusals),
    }));
  }

  async claimPoolAlert(
    poolKey: string,
    city: string,
    now: number,
    cooldownMs: number,
    leaseUntil: number,
  ): Promise<PoolAlertRecord | undefined> {
    await this.db.run(
      `INSERT INTO axn_pool_alerts (pool_key, city, tries) VALUES (?, ?, 0)
       ON CONFLICT (pool_key, city) DO NOTHING`,
      [poolKey, city],
    );
    const claimed = await this.db.run(
      `UPDATE axn_pool_alerts SET lease_until = ?, tries = tries + 1
       WHERE pool_key = ? AND city = ? AND (alerted_at IS NULL OR alerted_at <= ?)
         AND (lease_until IS NULL OR lease_until <= ?)`,
      [leaseUntil, poolKey, city, now - cooldownMs, now],
    );
    if (claimed !== 1) return undefined;
    return this.poolAlert(poolKey, city);
  }

  async renewPoolAlert(poolKey: string, city: string, leaseUntil: number): Promise<void> {
    await this.db.run(
      'UPDATE axn_pool_alerts SET lease_until = ? WHERE pool_key = ? AND city = ? AND lease_until IS NOT NULL',
      [leaseUntil, poolKey, city],
    );
  }

  async poolAlertSent(poolKey: string, city: string, now: number, messageRef: string | null): Promise<void> {
    await this.db.run(
      `UPDATE axn_pool_alerts SET alerted_at = ?, tries = 0, last_error = NULL, lease_until = NULL, message_ref = ?
       WHERE pool_key = ? AND city = ?`,
      [now, messageRef, poolKey, city],
    );
  }

  async poolAlertFailed(
    poolKey: string,
    city: string,
    now: number,
    error: string,
    maxTries: number,
  ): Promise<'retry' | 'given-up'> {
    const given = await this.db.run(
      `UPDATE axn_pool_alerts SET alerted_at = ?, tries = 0, last_error = ?, lease_until = NULL
       WHERE pool_key = ? AND city = ? AND tries >= ?`,
      [now, errorText(error), poolKey, city, maxTries],
    );
    if (given === 1) return 'given-up';
    await this.db.run(
      'UPDATE axn_pool_alerts SET last_error = ?, lease_until = NULL WHERE pool_key = ? AND city = ?',
      [errorText(error), poolKey, city],
    );
    return 'retry';
  }

  async poolAlert(poolKey: string, city: string): Promise<PoolAlertRecord | undefined> {
    const [row] = await this.db.query<AlertRow>(
      'SELECT * FROM axn_pool_alerts WHERE pool_key = ? AND city = ?',
      [poolKey, city],
    );
    return row && toAlert(row);
  }

  async poolCounts(poolKey: string, now: number, since: number): Promise<PoolCityCounts[]> {
    const numbers = await this.db.query<{ city: string | null; n: Num }>(
      `SELECT city, COUNT(DISTINCT secret_no) AS n FROM axn_bindings
       WHERE pool_key = ? AND subs_id IS NOT NULL AND secret_no IS NOT NULL GROUP BY city`,
      [poolKey],
    );
    const active = await this.db.query<{ city: string | null; n: Num }>(
      `SELECT city, COUNT(*) AS n FROM axn_bindings
       WHERE pool_key = ? AND status = 'active' AND expires_at > ? GROUP BY city`,
      [poolKey, now],
    );
    const events = (await this.poolEventCounts(since)).filter((row) => row.poolKey === poolKey);
    const cities = new Map<
      string,
      { numbers: number; active: number; fallbacks: number; refusals: number }
    >();
    const entry = (city: string | null) => {
      const key = city ?? '';
      let found = cities.get(key);
      if (!found) {
        found = { numbers: 0, active: 0, fallbacks: 0, refusals: 0 };
        cities.set(key, found);
      }
      return found;
    };
    for (const row of numbers) entry(row.city).numbers += num(row.n);
    for (const row of active) entry(row.city).active += num(row.n);
    for (const row of events) {
      const found = entry(row.city);
      found.fallbacks += row.fallbacks;
      found.refusals += row.refusals;
    }
    return [...cities.entries()]
      .map(([city, counts]) => ({ city, ...counts }))
      .sort((a, b) => (a.city === '' ? 1 : b.city === '' ? -1 : a.city.localeCompare(b.city, 'zh')));
  }

  async idleBindings(query: {
    poolKey: string;
    city?: string;
    now: number;
    quietSince: number;
    limit: number;
  }): Promise<string[]> {
    const { poolKey, city, now, quietSince, limit } = query;
    const params: unknown[] = [poolKey, now];
    if (city) params.push(city);
    params.push(quietSince, limit);
    const rows = await this.db.query<{ ref: string }>(
      `SELECT b.ref FROM axn_bindings b
       WHERE b.pool_key = ? AND b.status = 'active' AND b.expires_at > ? AND b.subs_id IS NOT NULL
         ${city ? 'AND b.city = ?' : ''}
         AND NOT EXISTS (SELECT 1 FROM axn_call_events e WHERE e.subs_id = b.subs_id AND e.received_at > ?)
       ORDER BY b.created_at, b.ref LIMIT ?`,
      params,
    );
    return rows.map((row) => row.ref);
  }
}
