/**
 * The emulator's clock: the injected base clock plus an offset the operator API can move forward, so
 * expiry can be tested without waiting.
 */
export class EmulatorClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  /** Moves the clock forward (only forward: time going back would un-expire bindings). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
  }

  get offset(): number {
    return this.offsetMs;
  }
}
