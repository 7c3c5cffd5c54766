import type { SqliteDatabase } from './database.js';

/** What a {@link GroupCommit} has done so far: writes asked for, and the transactions that committed them. */
export interface GroupCommitStats {
  /** Writes committed (each caller's unit of work counts once, however many statements it ran). */
  readonly writes: number;
  /** Transactions committed: fewer than `writes` when writes were grouped. */
  readonly transactions: number;
  /** Groups whose commit failed and whose writes were then tried one by one. */
  readonly retriedGroups: number;
}

interface Pending {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit on one SQLite connection. Each write is a synchronous unit of work; writes asked for
 * while the process is busy — everything asked for before the event loop's next turn, which is where
 * a commit runs — go into one transaction together, each in a savepoint of its own. Each caller's promise
 * settles only after that transaction has committed: a resolved write is as durable as one committed
 * alone (the same guarantee, one commit instead of many).
 *
 * Failures stay with the write that caused them: a write that throws is rolled back to its savepoint
 * and its caller gets the error, while the rest of the group commits. When the commit itself fails
 * (the disk full, a lock not granted in time), nothing of the group is kept, and each write is tried
 * again alone, so one bad write cannot fail the others.
 *
 * Reads need no queue: they see what has committed, and a caller reads its own write once its promise
 * resolved. Writes run in the order they were asked for, so the outcome is that of running them one
 * by one.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private counts = { writes: 0, transactions: 0, retriedGroups: 0 };

  constructor(private readonly db: SqliteDatabase) {}

  /** Runs `work` in the next group's transaction; resolves with what it returned once that has committed. */
  write<T>(work: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the database is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes so far, and the transactions they took. */
  stats(): GroupCommitStats {
    return { ...this.counts };
  }

  /** Commits what is waiting now (also what {@link close} does before the connection closes). */
  flush(): void {
    this.scheduled = false;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    if (group.length === 1) {
      this.alone(group[0] as Pending);
      return;
    }
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.db.transaction(() => {
        for (const pending of group) {
          try {
            // A transaction inside a transaction is a savepoint: a failure undoes this write alone.
            outcomes.push({ ok: true, value: this.db.transaction(pending.work) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch {
      // The commit failed and took the whole group with it: each write again, alone.
      this.counts.retriedGroups++;
      for (const pending of group) this.alone(pending);
      return;
    }
    this.counts.transactions++;
    this.counts.writes += outcomes.filter((outcome) => outcome.ok).length;
    group.forEach((pending, index) => {
      const outcome = outcomes[index] as (typeof outcomes)[number];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  /** Commits what is waiting, then refuses further writes (call before closing the connection). */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private alone(pending: Pending): void {
    let value: unknown;
    try {
      value = this.db.transaction(pending.work);
    } catch (error) {
      pending.reject(error);
      return;
    }
    this.counts.transactions++;
    this.counts.writes++;
    pending.resolve(value);
  }
}
