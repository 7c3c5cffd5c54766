import { describe, expect, it } from 'vitest';
import { EmulatorClock } from '../src/clock.js';
import { ClockTimers } from '../src/clock-timers.js';
import { SerialQueues } from '../src/serial-queues.js';

const HOUR = 3_600_000;

describe('ClockTimers', () => {
  it('ends a wait as soon as the emulator clock is moved past it, not before', async () => {
    const clock = new EmulatorClock(() => 1_000);
    const timers = new ClockTimers(clock);
    const ended: string[] = [];
    void timers.wait(HOUR).then((fired) => ended.push(`hour:${fired}`));
    void timers.wait(2 * HOUR).then((fired) => ended.push(`two:${fired}`));
    clock.advance(HOUR - 1);
    await Promise.resolve();
    expect(ended).toEqual([]);
    clock.advance(1);
    await Promise.resolve();
    expect(ended).toEqual(['hour:true']);
    expect(timers.pending).toBe(1);
    timers.close();
    await Promise.resolve();
    expect(ended).toEqual(['hour:true', 'two:false']);
    expect(await timers.wait(1)).toBe(false);
  });
});

describe('SerialQueues', () => {
  it('runs one key’s tasks one after another, and other keys alongside', async () => {
    const queues = new SerialQueues();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = queues.run('a', async () => {
      log.push('a1 start');
      await gate;
      log.push('a1 end');
    });
    const second = queues.run('a', async () => log.push('a2'));
    const other = queues.run('b', async () => log.push('b1'));
    await other;
    expect(log).toEqual(['a1 start', 'b1']);
    expect(queues.pending('a')).toBe(2);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    await Promise.resolve();
    expect(queues.pending('a')).toBe(0);
  });

  it('goes on after a task that failed', async () => {
    const queues = new SerialQueues();
    await expect(queues.run('a', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await queues.run('a', async () => 'next')).toBe('next');
  });
});
