/**
 * The emulator's clock: the injected base clock plus an offset the operator API can move forward, so
 * expiry can be tested without waiting.
 */
export class EmulatorClock {
  private offsetMs = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  /** Moves the clock forward (only forward: time going back would un-expire bindings). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * Calls `listener` after every {@link advance}, so whatever waits on emulated time (receipt retries)
   * can catch up at once instead of waiting in real time. Returns the function that unsubscribes it.
   */
  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get offset(): number {
    return this.offsetMs;
  }
}
