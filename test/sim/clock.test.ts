// The virtual clock jumps only when everyone waits and stops while held; the scaled clock follows
// real time divided by the time scale.
import { describe, expect, it } from 'vitest';
import { ScaledClock, VirtualClock } from '../../src/sim/clock.ts';

const realMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('VirtualClock', () => {
  it('jumps to the earliest timer and fires equal times together, in order', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const a = clock.sleepUntil(5).then(() => seen.push(`a@${clock.now()}`));
    const b = clock.sleepUntil(2).then(() => seen.push(`b@${clock.now()}`));
    const c = clock.sleepUntil(5).then(() => seen.push(`c@${clock.now()}`));
    await Promise.all([a, b, c]);
    expect(seen).toEqual(['b@2', 'a@5', 'c@5']);
    expect(clock.now()).toBe(5);
  });

  it('does not advance while held', async () => {
    const clock = new VirtualClock();
    const release = clock.hold();
    let fired = false;
    const done = clock.sleepUntil(100).then(() => (fired = true));
    await realMs(20);
    expect(fired).toBe(false);
    expect(clock.now()).toBe(0);
    release();
    await done;
    expect(clock.now()).toBe(100);
  });

  it('lets a task that wakes up schedule work before time moves on', async () => {
    const clock = new VirtualClock();
    const log: number[] = [];
    const worker = async (): Promise<void> => {
      await clock.sleepUntil(1);
      await Promise.resolve(); // a few microtasks of work
      log.push(clock.now());
      await clock.sleepUntil(clock.now() + 1);
      log.push(clock.now());
    };
    const other = clock.sleepUntil(1.5).then(() => log.push(clock.now()));
    await Promise.all([worker(), other]);
    expect(log).toEqual([1, 1.5, 2]);
  });

  it('rejects an aborted sleep and forgets its timer', async () => {
    const clock = new VirtualClock();
    const ac = new AbortController();
    const p = clock.sleepUntil(10, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
    await clock.sleepUntil(3);
    expect(clock.now()).toBe(3);
  });
});

describe('ScaledClock', () => {
  it('runs simulated seconds at timeScale real seconds each', async () => {
    const clock = new ScaledClock(0.001); // a simulated second takes 1 ms
    const t0 = performance.now();
    await clock.sleepUntil(20);
    const wall = performance.now() - t0;
    expect(clock.now()).toBeGreaterThanOrEqual(19); // resolves at most 1 ms real early
    expect(wall).toBeGreaterThanOrEqual(15);
    expect(wall).toBeLessThan(1000);
    expect(() => new ScaledClock(0)).toThrow(RangeError);
  });
});
