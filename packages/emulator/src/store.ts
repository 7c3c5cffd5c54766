import type { EmulatorDatabase } from './database.js';

/** How a pool picks X when `ExpectCity` has no free number: another city, or an error. */
export type CityMode = 'fallback' | 'strict';
/** Whom A reaches by dialling X: the latest peer through the binding (the product's default), or B. */
export type CallbackMode = 'latest-peer' | 'default-b';

export interface Pool {
  readonly key: string;
  readonly name: string;
  readonly cityMode: CityMode;
  readonly extensionLength: number;
  readonly callbackMode: CallbackMode;
}

export interface SecretNumber {
  readonly secretNo: string;
  readonly poolKey: string;
  readonly city: string;
  readonly status: 'active' | 'disabled';
}

export interface Binding {
  readonly subsId: string;
  readonly poolKey: string;
  readonly secretNo: string;
  readonly extension: string | null;
  readonly phoneA: string;
  readonly phoneB: string | null;
  readonly expireAt: number;
  readonly createdAt: number;
  readonly status: 'active' | 'unbound';
  readonly needRecord: boolean;
  readonly asrStatus: boolean;
  readonly asrModelId: string | null;
  readonly callRestrict: string | null;
  readonly outId: string | null;
  readonly outOrderId: string | null;
  readonly ringConfig: string | null;
  readonly groupId: string | null;
  readonly latestPeer: string | null;
}

export type NewBinding = Omit<Binding, 'subsId' | 'status' | 'latestPeer'>;

interface BindingRow {
  id: number;
  pool_key: string;
  secret_no: string;
  extension: string | null;
  phone_a: string;
  phone_b: string | null;
  expire_at: number;
  created_at: number;
  status: 'active' | 'unbound';
  need_record: number;
  asr_status: number;
  asr_model_id: string | null;
  call_restrict: string | null;
  out_id: string | null;
  out_order_id: string | null;
  ring_config: string | null;
  group_id: string | null;
  latest_peer: string | null;
}

const toBinding = (row: BindingRow): Binding => ({
  subsId: subsIdOf(row.id),
  poolKey: row.pool_key,
  secretNo: row.secret_no,
  extension: row.extension,
  phoneA: row.phone_a,
  phoneB: row.phone_b,
  expireAt: row.expire_at,
  createdAt: row.created_at,
  status: row.status,
  needRecord: row.need_record === 1,
  asrStatus: row.asr_status === 1,
  asrModelId: row.asr_model_id,
  callRestrict: row.call_restrict,
  outId: row.out_id,
  outOrderId: row.out_order_id,
  ringConfig: row.ring_config,
  groupId: row.group_id,
  latestPeer: row.latest_peer,
});

const toPool = (row: {
  key: string;
  name: string;
  city_mode: CityMode;
  extension_length: number;
  callback_mode: CallbackMode;
}): Pool => ({
  key: row.key,
  name: row.name,
  cityMode: row.city_mode,
  extensionLength: row.extension_length,
  callbackMode: row.callback_mode,
});

/** SubsIds start above 2^53 so that any client that parses them as JS numbers is caught out at once. */
const SUBS_ID_BASE = 1_000_000_000_000_000_000n;

/** The SubsId of a binding row id. */
function subsIdOf(id: number): string {
  return (SUBS_ID_BASE + BigInt(id)).toString();
}

/** The row id a SubsId stands for, or `undefined` when it cannot be one of ours. */
function idOf(subsId: string): number | undefined {
  if (!/^\d{19}$/.test(subsId)) return undefined;
  const id = BigInt(subsId) - SUBS_ID_BASE;
  return id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : undefined;
}

/** The binding filters of the operator API. */
export interface BindingFilter {
  readonly poolKey?: string;
  readonly secretNo?: string;
  readonly status?: 'active' | 'expired' | 'unbound';
  /** Rows after this internal cursor (from a previous page). */
  readonly after?: number;
  readonly limit: number;
}

/**
 * Every SQL statement the emulator runs, prepared once. Methods are synchronous: SQLite (through
 * `@axnbot/sqlite`) runs each transaction to completion before the next request is looked at, which is
 * what makes concurrent binds for the last slot race-free.
 */
export class EmulatorStore {
  private readonly s;
  /**
   * Active X numbers per pool and city, kept in memory: allocation picks among them on every bind, and
   * reading a large pool's list from SQLite each time would dominate the cost. Cleared whenever numbers
   * or pools change (only this class changes them).
   */
  private numberCache = new Map<string, { all: string[]; byCity: Map<string, string[]> }>();
  /** Pools by key: read on every call, changed only through this class. */
  private readonly poolCache = new Map<string, Pool>();

  /** The last binding id handed out; this process is the database's only writer. */
  private lastId: number;

  constructor(readonly db: EmulatorDatabase) {
    this.lastId = (db.get('SELECT COALESCE(MAX(id), 0) AS id FROM bindings') as { id: number }).id;
    this.s = {
      poolByKey: db.prepare('SELECT * FROM pools WHERE key = ?'),
      pools: db.prepare('SELECT * FROM pools ORDER BY key'),
      insertPool: db.prepare(
        'INSERT INTO pools (key, name, city_mode, extension_length, callback_mode) VALUES (@key, @name, @cityMode, @extensionLength, @callbackMode)',
      ),
      deletePool: db.prepare('DELETE FROM pools WHERE key = ?'),
      numberByNo: db.prepare(
        'SELECT secret_no AS secretNo, pool_key AS poolKey, city, status FROM numbers WHERE secret_no = ?',
      ),
      numbersOfPool: db.prepare(
        'SELECT secret_no AS secretNo, pool_key AS poolKey, city, status FROM numbers WHERE pool_key = ? ORDER BY secret_no',
      ),
      activeNumbersOfPool: db.prepare(
        "SELECT secret_no AS secretNo, city FROM numbers WHERE pool_key = ? AND status = 'active'",
      ),
      insertNumber: db.prepare('INSERT INTO numbers (secret_no, pool_key, city) VALUES (?, ?, ?)'),
      deleteNumber: db.prepare('DELETE FROM numbers WHERE secret_no = ?'),
      slotTaken: db.prepare(
        "SELECT 1 FROM bindings WHERE secret_no = ? AND extension = ? AND status = 'active' AND expire_at > ? LIMIT 1",
      ),
      activeExtensions: db.prepare(
        "SELECT extension FROM bindings WHERE secret_no = ? AND extension IS NOT NULL AND status = 'active' AND expire_at > ?",
      ),
      wholeNumberTaken: db.prepare(
        "SELECT 1 FROM bindings WHERE secret_no = ? AND extension IS NULL AND status = 'active' AND expire_at > ? LIMIT 1",
      ),
      anyActiveOnNumber: db.prepare(
        "SELECT 1 FROM bindings WHERE secret_no = ? AND status = 'active' AND expire_at > ? LIMIT 1",
      ),
      aOnNumber: db.prepare(
        "SELECT id FROM bindings WHERE phone_a = ? AND secret_no = ? AND status = 'active' AND expire_at > ? LIMIT 1",
      ),
      insertBinding:
        db.prepare(`INSERT INTO bindings (id, pool_key, secret_no, extension, phone_a, phone_b, expire_at, created_at,
        status, need_record, asr_status, asr_model_id, call_restrict, out_id, out_order_id, ring_config, group_id)
        VALUES (@id, @poolKey, @secretNo, @extension, @phoneA, @phoneB, @expireAt, @createdAt, 'active', @needRecord, @asrStatus,
        @asrModelId, @callRestrict, @outId, @outOrderId, @ringConfig, @groupId)`),
      bindingById: db.prepare('SELECT * FROM bindings WHERE id = ?'),
      activeBySlot: db.prepare(
        "SELECT * FROM bindings WHERE secret_no = ? AND extension = ? AND status = 'active' AND expire_at > ? LIMIT 1",
      ),
      activeWhole: db.prepare(
        "SELECT * FROM bindings WHERE secret_no = ? AND extension IS NULL AND status = 'active' AND expire_at > ? LIMIT 1",
      ),
      activeByA: db.prepare(
        "SELECT * FROM bindings WHERE phone_a = ? AND secret_no = ? AND status = 'active' AND expire_at > ? LIMIT 1",
      ),
      activeSubsIdsOnNumber: db.prepare(
        "SELECT id FROM bindings WHERE secret_no = ? AND status = 'active' AND expire_at > ? ORDER BY id",
      ),
      unbind: db.prepare("UPDATE bindings SET status = 'unbound' WHERE id = ?"),
      setLatestPeer: db.prepare('UPDATE bindings SET latest_peer = ? WHERE id = ?'),
    };
  }

  /** Runs `work` as one transaction: all of it is committed, or none (it throws). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work);
  }

  pool(key: string): Pool | undefined {
    let pool = this.poolCache.get(key);
    if (pool === undefined) {
      const row = this.s.poolByKey.get(key) as Parameters<typeof toPool>[0] | undefined;
      if (!row) return undefined;
      pool = toPool(row);
      this.poolCache.set(key, pool);
    }
    return pool;
  }

  pools(): Pool[] {
    return (this.s.pools.all() as Parameters<typeof toPool>[0][]).map(toPool);
  }

  createPool(pool: Pool): void {
    this.s.insertPool.run(pool);
  }

  deletePool(key: string): boolean {
    this.numberCache.clear();
    this.poolCache.delete(key);
    return this.s.deletePool.run(key).changes > 0;
  }

  number(secretNo: string): SecretNumber | undefined {
    return this.s.numberByNo.get(secretNo) as SecretNumber | undefined;
  }

  numbersOf(poolKey: string): SecretNumber[] {
    return this.s.numbersOfPool.all(poolKey) as SecretNumber[];
  }

  addNumbers(poolKey: string, numbers: ReadonlyArray<{ secretNo: string; city: string }>): void {
    this.numberCache.clear();
    this.db.transaction(() => {
      for (const n of numbers) this.s.insertNumber.run(n.secretNo, poolKey, n.city);
    });
  }

  deleteNumber(secretNo: string): boolean {
    this.numberCache.clear();
    return this.s.deleteNumber.run(secretNo).changes > 0;
  }

  /** Active numbers of a pool in a city; with `city` undefined, all of them. Do not modify the array. */
  candidateNumbers(poolKey: string, city?: string): readonly string[] {
    let cached = this.numberCache.get(poolKey);
    if (!cached) {
      const rows = this.s.activeNumbersOfPool.all(poolKey) as Array<{ secretNo: string; city: string }>;
      const byCity = new Map<string, string[]>();
      for (const row of rows) {
        const list = byCity.get(row.city) ?? [];
        list.push(row.secretNo);
        byCity.set(row.city, list);
      }
      cached = { all: rows.map((row) => row.secretNo), byCity };
      this.numberCache.set(poolKey, cached);
    }
    return city === undefined ? cached.all : (cached.byCity.get(city) ?? []);
  }

  isSlotTaken(secretNo: string, extension: string, now: number): boolean {
    return this.s.slotTaken.get(secretNo, extension, now) !== undefined;
  }

  activeExtensions(secretNo: string, now: number): Set<string> {
    return new Set(
      (this.s.activeExtensions.all(secretNo, now) as Array<{ extension: string }>).map(
        (row) => row.extension,
      ),
    );
  }

  /** Whether X is bound as a whole (BindAxn), which excludes every extension binding on it. */
  isWholeNumberTaken(secretNo: string, now: number): boolean {
    return this.s.wholeNumberTaken.get(secretNo, now) !== undefined;
  }

  hasAnyActive(secretNo: string, now: number): boolean {
    return this.s.anyActiveOnNumber.get(secretNo, now) !== undefined;
  }

  isABoundOn(phoneA: string, secretNo: string, now: number): boolean {
    return this.s.aOnNumber.get(phoneA, secretNo, now) !== undefined;
  }

  /** Inserts a binding and returns it with its new SubsId. Call inside a transaction with the checks. */
  insertBinding(binding: NewBinding): Binding {
    const id = this.lastId + 1;
    const subsId = subsIdOf(id);
    this.s.insertBinding.run({
      ...binding,
      id,
      needRecord: binding.needRecord ? 1 : 0,
      asrStatus: binding.asrStatus ? 1 : 0,
    });
    // Counted only once the row is in: a failed insert hands out no id.
    this.lastId = id;
    return { ...binding, subsId, status: 'active', latestPeer: null };
  }

  binding(subsId: string): Binding | undefined {
    const id = idOf(subsId);
    const row = id === undefined ? undefined : (this.s.bindingById.get(id) as BindingRow | undefined);
    return row && toBinding(row);
  }

  activeBindingAt(secretNo: string, extension: string | null, now: number): Binding | undefined {
    const row = (
      extension === null
        ? this.s.activeWhole.get(secretNo, now)
        : this.s.activeBySlot.get(secretNo, extension, now)
    ) as BindingRow | undefined;
    return row && toBinding(row);
  }

  activeBindingOfA(phoneA: string, secretNo: string, now: number): Binding | undefined {
    const row = this.s.activeByA.get(phoneA, secretNo, now) as BindingRow | undefined;
    return row && toBinding(row);
  }

  activeSubsIdsOn(secretNo: string, now: number): string[] {
    return (this.s.activeSubsIdsOnNumber.all(secretNo, now) as Array<{ id: number }>).map((row) =>
      subsIdOf(row.id),
    );
  }

  unbind(subsId: string): void {
    this.s.unbind.run(idOf(subsId));
  }

  /** Applies column changes to a binding (keys are column names checked by the caller). */
  updateBinding(subsId: string, changes: Partial<Record<UpdatableColumn, string | number | null>>): void {
    const columns = Object.keys(changes) as UpdatableColumn[];
    if (columns.length === 0) return;
    const sql = `UPDATE bindings SET ${columns.map((column) => `${column} = @${column}`).join(', ')} WHERE id = @id`;
    this.db.run(sql, { ...changes, id: idOf(subsId) });
  }

  setLatestPeer(subsId: string, peer: string): void {
    this.s.setLatestPeer.run(peer, idOf(subsId));
  }

  /** Bindings for the operator API, newest first, paged by an opaque cursor. */
  listBindings(filter: BindingFilter, now: number): { bindings: Binding[]; next?: number } {
    const where: string[] = [];
    const args: Record<string, string | number> = { now, limit: filter.limit + 1 };
    if (filter.poolKey) {
      where.push('pool_key = @poolKey');
      args.poolKey = filter.poolKey;
    }
    if (filter.secretNo) {
      where.push('secret_no = @secretNo');
      args.secretNo = filter.secretNo;
    }
    if (filter.status === 'active') where.push("status = 'active' AND expire_at > @now");
    if (filter.status === 'expired') where.push("status = 'active' AND expire_at <= @now");
    if (filter.status === 'unbound') where.push("status = 'unbound'");
    if (filter.after !== undefined) {
      where.push('id < @after');
      args.after = filter.after;
    }
    const sql = `SELECT * FROM bindings ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    const rows = this.db.all<BindingRow>(sql, args);
    const page = rows.slice(0, filter.limit);
    return {
      bindings: page.map(toBinding),
      next: rows.length > filter.limit ? page[page.length - 1]?.id : undefined,
    };
  }

  inventory(specId: number): Array<{ city: string; amount: number }> {
    return this.db.all<{ city: string; amount: number }>(
      'SELECT city, amount FROM inventory WHERE spec_id = ? ORDER BY city',
      specId,
    );
  }

  setInventory(specId: number, city: string, amount: number): void {
    this.db.run(
      'INSERT INTO inventory (spec_id, city, amount) VALUES (?, ?, ?) ON CONFLICT (spec_id, city) DO UPDATE SET amount = excluded.amount',
      specId,
      city,
      amount,
    );
  }
}

/** Columns UpdateSubscription may change. */
export type UpdatableColumn =
  | 'phone_a'
  | 'phone_b'
  | 'expire_at'
  | 'group_id'
  | 'call_restrict'
  | 'out_id'
  | 'need_record'
  | 'asr_status'
  | 'asr_model_id';
