import { describe, expect, it } from 'vitest';
import {
  ConnectionSupervisor,
  type SupervisedConnection,
  type SupervisorEvent,
  type Timers,
} from '../src/supervisor.js';

/** A hand-run clock: timers fire only when the test advances it. */
function manualTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => {
      pending.delete(id as number);
    },
  };
  return {
    timers,
    get pending() {
      return pending.size;
    },
    async advance(ms: number) {
      const target = now + ms;
      for (;;) {
        const due = [...pending].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await new Promise((resolve) => setImmediate(resolve));
      }
      now = target;
    },
  };
}

function fakeConnection() {
  let closeListener: (() => void) | undefined;
  let terminated = false;
  const connection: SupervisedConnection = {
    onClose: (listener) => {
      closeListener = listener;
    },
    terminate: () => {
      terminated = true;
      closeListener?.();
    },
  };
  return {
    connection,
    close: () => closeListener?.(),
    get terminated() {
      return terminated;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ConnectionSupervisor', () => {
  it('backs off exponentially with jitter up to the cap, one attempt at a time', async () => {
    const clock = manualTimers();
    const events: SupervisorEvent[] = [];
    let attempts = 0;
    const supervisor = new ConnectionSupervisor({
      connect: async () => {
        attempts++;
        throw new Error('upgrade rejected');
      },
      baseDelayMs: 1000,
      maxDelayMs: 8000,
      idleTimeoutMs: 60_000,
      random: () => 0.5,
      timers: clock.timers,
      onEvent: (event) => events.push(event),
    });
    supervisor.start();
    await settle();
    await clock.advance(60_000);
    const delays = events
      .filter((e) => e.type === 'connect-failed')
      .map((e) => (e as { retryInMs: number }).retryInMs);
    expect(delays.slice(0, 6)).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
    expect(clock.pending).toBe(1); // exactly one retry scheduled, never more
    expect(attempts).toBe(events.filter((e) => e.type === 'connect-failed').length);
    supervisor.stop();
    expect(clock.pending).toBe(0);
  });

  it('stops for good on a fatal failure: one attempt, a fatal event, nothing scheduled', async () => {
    const clock = manualTimers();
    const events: SupervisorEvent[] = [];
    let attempts = 0;
    const refused = new Error('credentials refused');
    const supervisor = new ConnectionSupervisor({
      connect: async () => {
        attempts++;
        throw attempts === 1 ? new Error('network down') : refused;
      },
      baseDelayMs: 100,
      maxDelayMs: 1000,
      idleTimeoutMs: 60_000,
      random: () => 0.5,
      timers: clock.timers,
      isFatal: (error) => error === refused,
      onEvent: (event) => events.push(event),
    });
    await supervisor.start(); // the first attempt has ended: a failure that is retried
    expect(events.map((e) => e.type)).toEqual(['connect-failed']);
    await clock.advance(60_000);
    expect(attempts).toBe(2);
    expect(events.map((e) => e.type)).toEqual(['connect-failed', 'fatal']);
    expect(clock.pending).toBe(0);
  });

  it('reconnects once after a close, and resets the backoff after a success', async () => {
    const clock = manualTimers();
    const made: Array<ReturnType<typeof fakeConnection>> = [];
    const supervisor = new ConnectionSupervisor({
      connect: async () => {
        const c = fakeConnection();
        made.push(c);
        return c.connection;
      },
      baseDelayMs: 100,
      maxDelayMs: 1000,
      idleTimeoutMs: 60_000,
      random: () => 0,
      timers: clock.timers,
    });
    supervisor.start();
    await settle();
    expect(made).toHaveLength(1);
    made[0]!.close();
    made[0]!.close(); // a second close event of the same socket changes nothing
    await clock.advance(50);
    expect(made).toHaveLength(2);
    expect(supervisor.isConnected).toBe(true);
    supervisor.stop();
    expect(made[1]!.terminated).toBe(true);
  });

  it('replaces a connection that stays silent past the idle timeout', async () => {
    const clock = manualTimers();
    const made: Array<ReturnType<typeof fakeConnection>> = [];
    const events: string[] = [];
    const supervisor = new ConnectionSupervisor({
      connect: async () => {
        const c = fakeConnection();
        made.push(c);
        return c.connection;
      },
      baseDelayMs: 100,
      maxDelayMs: 1000,
      idleTimeoutMs: 60_000,
      timers: clock.timers,
      onEvent: (event) => events.push(event.type),
    });
    supervisor.start();
    await settle();
    await clock.advance(59_000);
    supervisor.touch(); // a frame arrived: the watchdog starts over
    await clock.advance(59_000);
    expect(made).toHaveLength(1);
    await clock.advance(1_000);
    await settle();
    expect(events).toContain('idle');
    expect(made).toHaveLength(2);
    expect(made[0]!.terminated).toBe(true);
    supervisor.stop();
    expect(clock.pending).toBe(0);
  });

  it('opens the next connection at once on a server disconnect, then drops the old one', async () => {
    const clock = manualTimers();
    const made: Array<ReturnType<typeof fakeConnection>> = [];
    const supervisor = new ConnectionSupervisor({
      connect: async () => {
        const c = fakeConnection();
        made.push(c);
        return c.connection;
      },
      baseDelayMs: 100,
      maxDelayMs: 1000,
      idleTimeoutMs: 60_000,
      timers: clock.timers,
    });
    supervisor.start();
    await settle();
    supervisor.serverDisconnect();
    await settle();
    await settle();
    expect(made).toHaveLength(2);
    expect(made[0]!.terminated).toBe(true);
    expect(made[1]!.terminated).toBe(false);
    // The old socket's late close does not trigger yet another connection.
    await clock.advance(5_000);
    expect(made).toHaveLength(2);
    supervisor.stop();
  });

  it('an attempt that completes after stop() is closed, and nothing stays scheduled', async () => {
    const clock = manualTimers();
    let release!: (c: SupervisedConnection) => void;
    const c = fakeConnection();
    const supervisor = new ConnectionSupervisor({
      connect: () => new Promise<SupervisedConnection>((resolve) => (release = resolve)),
      baseDelayMs: 100,
      maxDelayMs: 1000,
      idleTimeoutMs: 60_000,
      timers: clock.timers,
    });
    supervisor.start();
    supervisor.stop();
    release(c.connection);
    await settle();
    expect(c.terminated).toBe(true);
    expect(clock.pending).toBe(0);
  });
});
