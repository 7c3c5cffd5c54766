import type { EmulatorClock } from './clock.js';

interface Wait {
  readonly due: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (fired: boolean) => void;
}

/**
 * Waits measured on the emulator's clock. A wait ends after its time has passed in real time (as a
 * plain timer would), or as soon as the operator moves the clock past it — which is how tests get a
 * receipt's 1/5/10-minute retry without waiting for it.
 */
export class ClockTimers {
  private readonly waits = new Set<Wait>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly clock: EmulatorClock) {
    this.unsubscribe = clock.onAdvance(() => {
      const now = clock.now();
      for (const wait of [...this.waits]) if (wait.due <= now) this.end(wait, true);
    });
  }

  /** Resolves `true` once `ms` have passed, or `false` if {@link close} came first. */
  wait(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.end(wait, true), ms);
      // A pending retry must not keep the process alive on its own.
      timer.unref();
      const wait: Wait = { due: this.clock.now() + ms, timer, resolve };
      this.waits.add(wait);
    });
  }

  /** How many waits are pending. */
  get pending(): number {
    return this.waits.size;
  }

  /** Ends every pending wait with `false` and stops following the clock. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const wait of [...this.waits]) this.end(wait, false);
  }

  private end(wait: Wait, fired: boolean): void {
    if (!this.waits.delete(wait)) return;
    clearTimeout(wait.timer);
    wait.resolve(fired);
  }
}
