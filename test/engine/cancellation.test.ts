// Cancellation through the AbortSignal of runScript: a big q2_trading run aborted once model calls
// are on the simulated GPU rejects with the abort reason, and the simulated cluster is left with no
// request running or waiting (the calls were aborted, not abandoned); the session stays usable. A
// signal that is already aborted stops the statement before any model call.
import { afterEach, describe, expect, it } from 'vitest';
import type { GpuMetrics } from '../../src/sim/metrics.ts';
import { eventually, openSession, records, runModel } from './support.ts';

/** Big enough that the run is far from done when the first calls reach the GPU. */
const SYMBOLS = 64;
const BIG = `SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT ${SYMBOLS}) s, q2_trading(s.symbol) t`;

const running = (m: readonly GpuMetrics[]): number => m.reduce((n, g) => n + g.running, 0);
const waiting = (m: readonly GpuMetrics[]): number => m.reduce((n, g) => n + g.waiting, 0);
const finished = (m: readonly GpuMetrics[]): number => m.reduce((n, g) => n + g.requestSuccess.stop + g.requestSuccess.length, 0);
const aborted = (m: readonly GpuMetrics[]): number => m.reduce((n, g) => n + g.requestsAborted, 0);

describe('cancellation', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('aborting a big run mid-flight rejects and leaves no simulated request running', async () => {
    const { session, dispose } = await openSession({ gpus: 2 });
    cleanups.push(dispose);
    const cluster = session.modelRuntime().cluster;
    const ctrl = new AbortController();
    const reason = new Error('test cancelled the run');
    const started = Date.now();
    const run = runModel(session, BIG, { signal: ctrl.signal });
    // Abort as soon as requests are on a GPU (the virtual clock runs them in bursts).
    const poll = setInterval(() => {
      if (running(cluster.metrics()) > 0) {
        clearInterval(poll);
        ctrl.abort(reason);
      }
    }, 1);
    try {
      await expect(run).rejects.toBe(reason);
    } finally {
      clearInterval(poll);
    }
    expect(ctrl.signal.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(45_000);
    // Nothing still runs or waits on any simulated GPU shortly afterwards.
    const settled = await eventually(() => running(cluster.metrics()) === 0 && waiting(cluster.metrics()) === 0, 2000);
    const m = cluster.metrics();
    expect({ settled, running: running(m), waiting: waiting(m) }).toEqual({ settled: true, running: 0, waiting: 0 });
    // The abort reached the simulator, and the run was stopped far from its 1,408 calls.
    expect(aborted(m)).toBeGreaterThan(0);
    expect(finished(m)).toBeLessThan(SYMBOLS * 22);
    // No further request starts later.
    const after = finished(m) + aborted(m);
    await new Promise((r) => setTimeout(r, 100));
    expect(finished(cluster.metrics()) + aborted(cluster.metrics())).toBe(after);

    // The session still works: a small run completes with no errors.
    const small = await runModel(session, "SELECT s.symbol, t.action FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 1) s, q2_trading(s.symbol) t");
    expect(records(small)).toHaveLength(1);
    expect(small.stats.errors).toBe(0);
  });

  it('an already-aborted signal stops the statement before any model call', async () => {
    const { session, dispose } = await openSession();
    cleanups.push(dispose);
    const ctrl = new AbortController();
    ctrl.abort(new Error('never started'));
    await expect(runModel(session, BIG, { signal: ctrl.signal })).rejects.toThrow('never started');
    const m = session.modelRuntime().cluster.metrics();
    expect({ running: running(m), waiting: waiting(m), finished: finished(m), aborted: aborted(m) }).toEqual({ running: 0, waiting: 0, finished: 0, aborted: 0 });
  });

  it('aborting during the CPU phase (SQL steps, before any model call) rejects promptly', async () => {
    const { session, dispose } = await openSession();
    cleanups.push(dispose);
    const ctrl = new AbortController();
    const run = runModel(session, BIG, { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(new Error('early stop')), 20);
    const t = Date.now();
    await expect(run).rejects.toThrow('early stop');
    expect(Date.now() - t).toBeLessThan(30_000);
    expect(await eventually(() => running(session.modelRuntime().cluster.metrics()) === 0, 2000)).toBe(true);
  });
});
