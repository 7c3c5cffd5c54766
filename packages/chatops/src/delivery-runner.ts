import type { BindingOutcome, BindingRecord, Ledger } from './ledger/ledger.js';
import type { Reply } from './replies.js';

/** What a state-changing command produced: its reply, and the ledger changes to commit with it. */
export interface Work {
  readonly reply: Reply;
  readonly outcomes: readonly BindingOutcome[];
}

/** The clock and timers a {@link DeliveryRunner} runs on; injected so tests decide time. */
export interface DeliveryTimers {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

/** Real timers; the heartbeat's interval never keeps a process alive on its own. */
export const systemTimers: DeliveryTimers = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  every(ms, tick) {
    const handle = setInterval(tick, ms);
    handle.unref();
    return () => clearInterval(handle);
  },
};

/** How a {@link DeliveryRunner} answers a delivery key. */
export type DeliveryResult =
  /** This caller ran the work (first delivery, or took over a dead owner's): post the reply. */
  | { readonly state: 'ran'; readonly reply: Reply }
  /** Another delivery of the key answered before: its reply, already posted once. */
  | { readonly state: 'replayed'; readonly reply: Reply }
  /** Another process is still at it and its lease is alive: nothing to post yet. */
  | { readonly state: 'in-progress' };

/**
 * Runs each delivery's work once, across redeliveries, restarts and replicas.
 *
 * The first delivery of a key claims it in the ledger (with the bindings it intends to make) and holds a
 * lease on it, renewed by a heartbeat while it works. A redelivery waits for that delivery's reply. If
 * the owner died, its lease lapses; the next redelivery — or {@link sweep}, run at start-up — takes the
 * delivery over (a conditional update only one process wins) and finishes it through `recover`, which
 * finds out what really happened before acting again.
 */
export class DeliveryRunner {
  constructor(
    private readonly ledger: Ledger,
    private readonly timers: DeliveryTimers = systemTimers,
    private readonly options: {
      /** How long a claim holds without a heartbeat (default 30 s; renewed every third of it). */
      readonly leaseMs?: number;
      /** How long a redelivery waits for the first one's reply (default 30 s). */
      readonly waitMs?: number;
    } = {},
  ) {}

  private get leaseMs(): number {
    return this.options.leaseMs ?? 30_000;
  }

  /**
   * Runs `work` for the first delivery of `key`; a redelivery gets the stored reply, or takes over a
   * lapsed delivery and runs `recover`. Neither function may throw: each answers a {@link Work}.
   */
  async run(
    key: string,
    work: () => Promise<Work>,
    recover: () => Promise<Work>,
    intents: readonly BindingRecord[] = [],
  ): Promise<DeliveryResult> {
    const { ledger, timers } = this;
    if (await ledger.claimDelivery(key, timers.now(), intents, timers.now() + this.leaseMs)) {
      return { state: 'ran', reply: await this.complete(key, work) };
    }
    const deadline = timers.now() + (this.options.waitMs ?? 30_000);
    for (;;) {
      const reply = await ledger.deliveryReply(key);
      if (reply) return { state: 'replayed', reply };
      if (await ledger.takeOverDelivery(key, timers.now(), timers.now() + this.leaseMs)) {
        return { state: 'ran', reply: await this.complete(key, recover) };
      }
      if (timers.now() > deadline) return { state: 'in-progress' };
      await timers.sleep(25);
    }
  }

  /**
   * Finishes every delivery whose owner died (its lease lapsed): what a process does at start-up.
   * Answers the keys it finished.
   */
  async sweep(recover: (key: string) => Promise<Work>, limit = 100): Promise<string[]> {
    const { ledger, timers } = this;
    const finished: string[] = [];
    for (const key of await ledger.lapsedDeliveries(timers.now(), limit)) {
      if (!(await ledger.takeOverDelivery(key, timers.now(), timers.now() + this.leaseMs))) continue;
      await this.complete(key, () => recover(key));
      finished.push(key);
    }
    return finished;
  }

  /** Runs the work under a renewed lease, then commits its reply, binding changes and audit at once. */
  private async complete(key: string, work: () => Promise<Work>): Promise<Reply> {
    const { ledger, timers } = this;
    const stop = timers.every(Math.max(1, Math.floor(this.leaseMs / 3)), () => {
      // A failed renewal is retried on the next beat; at worst another process takes over and finds out.
      ledger.renewDelivery(key, timers.now() + this.leaseMs).catch(() => {});
    });
    try {
      const done = await work();
      await ledger.completeDelivery(key, done.reply, timers.now(), done.outcomes);
      return done.reply;
    } finally {
      stop();
    }
  }
}
