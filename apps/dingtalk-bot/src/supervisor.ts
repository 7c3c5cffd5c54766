/** One live connection, as the supervisor sees it. */
export interface SupervisedConnection {
  /** Called once when this connection closes, for whatever reason. */
  onClose(listener: () => void): void;
  /** Closes it now (no close handshake is awaited). */
  terminate(): void;
}

/** Timers, injected so tests can run the clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SupervisorOptions {
  /** Opens a connection (gateway call + websocket); rejects when it cannot. */
  readonly connect: () => Promise<SupervisedConnection>;
  /** First retry delay; doubles per consecutive failure. */
  readonly baseDelayMs: number;
  /** The longest delay between attempts. */
  readonly maxDelayMs: number;
  /** No frame for this long means the connection went silent: replace it. */
  readonly idleTimeoutMs: number;
  readonly random?: () => number;
  readonly timers?: Timers;
  readonly onEvent?: (event: SupervisorEvent) => void;
  /**
   * A failure no retry can mend (the credentials were refused): the supervisor stops for good and
   * reports it as a `fatal` event instead of trying again.
   */
  readonly isFatal?: (error: unknown) => boolean;
}

export type SupervisorEvent =
  | { type: 'connected'; attempt: number }
  | { type: 'connect-failed'; attempt: number; retryInMs: number; error: unknown }
  | { type: 'closed'; retryInMs: number }
  | { type: 'idle' }
  | { type: 'server-disconnect' }
  | { type: 'fatal'; error: unknown };

/**
 * Keeps one stream connection alive, doing what dingtalk-stream 2.1.5 does not: exponential backoff with
 * jitter and a cap; never more than one connection attempt in flight (so failures cannot multiply);
 * an idle watchdog; an immediate reconnect when the server announces a disconnect; and a `stop()` that
 * leaves nothing scheduled.
 */
export class ConnectionSupervisor {
  private current: SupervisedConnection | undefined;
  private connecting = false;
  private stopped = false;
  private failures = 0;
  private retryTimer: unknown;
  private idleTimer: unknown;
  private readonly timers: Timers;
  private readonly random: () => number;

  constructor(private readonly options: SupervisorOptions) {
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    };
    this.random = options.random ?? Math.random;
  }

  /**
   * Connects (and keeps reconnecting) until {@link stop}. Resolves once the first attempt has ended,
   * whichever way, so a caller can tell a fatal first failure from a start that is merely waiting.
   */
  start(): Promise<void> {
    return this.attempt();
  }

  /** Every frame from the server proves the connection alive. */
  touch(): void {
    if (this.stopped || !this.current) return;
    if (this.idleTimer !== undefined) this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = this.timers.setTimeout(() => {
      this.idleTimer = undefined;
      this.emit({ type: 'idle' });
      this.replace();
    }, this.options.idleTimeoutMs);
  }

  /** The server said it will drop this connection: open the next one now, so no message waits. */
  serverDisconnect(): void {
    this.emit({ type: 'server-disconnect' });
    this.replace();
  }

  /** Stops for good: no attempt, timer or watchdog stays scheduled; the connection is closed. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer);
    if (this.idleTimer !== undefined) this.timers.clearTimeout(this.idleTimer);
    this.retryTimer = undefined;
    this.idleTimer = undefined;
    const connection = this.current;
    this.current = undefined;
    connection?.terminate();
  }

  get isConnected(): boolean {
    return this.current !== undefined;
  }

  /** Drops the current connection and connects again at once (its close is then ignored). */
  private replace(): void {
    if (this.stopped) return;
    const old = this.current;
    this.current = undefined;
    this.failures = 0;
    void this.attempt().then(() => old?.terminate());
  }

  private async attempt(): Promise<void> {
    // One attempt at a time: a failure schedules exactly one next attempt, never two.
    if (this.stopped || this.connecting) return;
    if (this.retryTimer !== undefined) {
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.connecting = true;
    try {
      const connection = await this.options.connect();
      if (this.stopped) {
        connection.terminate();
        return;
      }
      this.current = connection;
      this.emit({ type: 'connected', attempt: this.failures + 1 });
      this.failures = 0;
      connection.onClose(() => this.closed(connection));
      this.touch();
    } catch (error) {
      if (this.options.isFatal?.(error)) {
        this.stop();
        this.emit({ type: 'fatal', error });
        return;
      }
      this.failures += 1;
      const delay = this.delay();
      this.emit({ type: 'connect-failed', attempt: this.failures, retryInMs: delay, error });
      this.schedule(delay);
    } finally {
      this.connecting = false;
    }
  }

  private closed(connection: SupervisedConnection): void {
    if (this.stopped || connection !== this.current) return;
    this.current = undefined;
    if (this.idleTimer !== undefined) this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const delay = this.delay();
    this.emit({ type: 'closed', retryInMs: delay });
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt();
    }, delay);
  }

  /** Half fixed, half random ("equal jitter"): never zero, never in lockstep with other replicas. */
  private delay(): number {
    const ceiling = Math.min(
      this.options.maxDelayMs,
      this.options.baseDelayMs * 2 ** Math.max(0, this.failures - 1),
    );
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private emit(event: SupervisorEvent): void {
    this.options.onEvent?.(event);
  }
}
