// The per-endpoint limiter: never more than N in flight, waiters served in order, aborted waiters leave.
import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/runtime/limiter.ts';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Limiter', () => {
  it('keeps at most N requests in flight and serves waiters in arrival order', async () => {
    const l = new Limiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const release = await l.acquire();
        order.push(i);
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
        release();
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('drops an aborted waiter and still serves the others', async () => {
    const l = new Limiter(1);
    const first = await l.acquire();
    const ctrl = new AbortController();
    const aborted = l.acquire(ctrl.signal);
    const third = l.acquire();
    ctrl.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    first();
    const release = await third;
    release();
  });
});
