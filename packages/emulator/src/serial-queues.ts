/**
 * Runs tasks one at a time per key, in the order they were given — different keys run side by side.
 * Receipts use it with the call id as the key, so nothing of a call is on the wire before what was
 * emitted ahead of it has been answered or given up.
 */
export class SerialQueues {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly counts = new Map<string, number>();

  /** Queues `task` behind everything already queued under `key`; resolves with its result. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    void tail.then(() => {
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else {
        this.counts.delete(key);
        this.tails.delete(key);
      }
    });
    return result;
  }

  /** How many tasks under `key` are queued or running. */
  pending(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
