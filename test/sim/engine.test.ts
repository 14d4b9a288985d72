// One simulated GPU in virtual time: hand-computed request latency, continuous batching,
// KV-limited admission, prefix hits, model switching, aborts, and a large deterministic workload.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimGpu } from '../../src/sim/engine.ts';
import type { GpuJob } from '../../src/sim/gpu-job.ts';
import type { SimModelSpec } from '../../src/sim/models.ts';

const M8: SimModelSpec = { id: 'm8', kind: 'llm', paramsB: 8 };
const OTHER: SimModelSpec = { id: 'other', kind: 'llm', paramsB: 8 };
/** KV capacity clamps to 256 blocks (4096 tokens). */
const TINY: SimModelSpec = { id: 'tiny-kv', kind: 'llm', paramsB: 8, kvBytesPerToken: 1e12 };

const ids = (n: number, start: number): number[] => Array.from({ length: n }, (_, i) => start + i);
const job = (model: SimModelSpec, n: number, out: number, start = 0): GpuJob => ({ model, promptIds: ids(n, start), outTokens: out });

describe('SimGpu', () => {
  it('latency = prefill step + (out - 1) decode steps, by hand', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock(), preload: M8 });
    const t = await gpu.run(job(M8, 1000, 10));
    const prefill = 0.5e-3 + 6.4e-3 + (1000 / 30_000) * (1 + 500 / 30_500);
    let decode = 0;
    for (let g = 1; g <= 9; g++) decode += 0.5e-3 + 6.4e-3 + 0.052e-6 * (1000 + g);
    expect(t.latencyS).toBeCloseTo(prefill + decode, 12);
    expect(t.firstTokenS).toBeCloseTo(prefill, 12);
    expect(t).toMatchObject({ simulated: true, queueS: 0, cachedTokens: 0, modelLoadS: 0 });
  });

  it('two concurrent requests finish sooner than one after the other', async () => {
    const seqClock = new VirtualClock();
    const seqGpu = new SimGpu({ index: 0, clock: seqClock, preload: M8 });
    await seqGpu.run(job(M8, 1000, 100, 0));
    await seqGpu.run(job(M8, 1000, 100, 5000));
    const parClock = new VirtualClock();
    const parGpu = new SimGpu({ index: 0, clock: parClock, preload: M8 });
    await Promise.all([parGpu.run(job(M8, 1000, 100, 0)), parGpu.run(job(M8, 1000, 100, 5000))]);
    expect(parClock.now()).toBeLessThan(0.6 * seqClock.now());
  });

  it('serves a repeated prompt from the prefix cache', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock(), preload: M8 });
    const first = await gpu.run(job(M8, 2000, 5));
    const second = await gpu.run(job(M8, 2000, 5));
    expect(first.cachedTokens).toBe(0);
    expect(second.cachedTokens).toBe(1984); // floor(1999 / 16) * 16
    expect(second.latencyS).toBeLessThan(first.latencyS);
    expect(gpu.metrics()).toMatchObject({ prefixCacheHits: 1984, prefixCacheQueries: 4000, promptTokens: 4000, generationTokens: 10 });
  });

  it('admits only while KV capacity allows', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock(), preload: TINY });
    expect(gpu.kvCapacityTokens(TINY)).toBe(4096);
    const runs = [0, 1, 2].map((i) => gpu.run(job(TINY, 2000, 10, i * 10_000)));
    const [a, b, c] = await Promise.all(runs);
    expect(a?.startS).toBe(0);
    expect(b?.startS).toBe(0);
    expect(c?.startS).toBeCloseTo(Math.min(a?.finishS ?? 0, b?.finishS ?? 0), 12);
    await expect(gpu.run(job(TINY, 5000, 10))).rejects.toMatchObject({ status: 400 });
  });

  it('pays a cold load for a new model, a 2 s wake to come back, and empties the cache', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock(), preload: M8 });
    await gpu.run(job(M8, 500, 1));
    const b = await gpu.run(job(OTHER, 500, 1, 7000));
    expect(b.modelLoadS).toBe(30);
    expect(b.latencyS).toBeGreaterThan(30);
    const back = await gpu.run(job(M8, 500, 1));
    expect(back.modelLoadS).toBe(2);
    expect(back.cachedTokens).toBe(0);
    expect(gpu.metrics()).toMatchObject({ modelSwitches: 2, modelLoadS: 32, model: 'm8' });
  });

  it('switches in FIFO order: A, B, A queued together cost two switches', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock(), preload: M8 });
    await Promise.all([gpu.run(job(M8, 100, 5)), gpu.run(job(OTHER, 100, 5, 500)), gpu.run(job(M8, 100, 5, 900))]);
    expect(gpu.metrics().modelSwitches).toBe(2);
  });

  it('runs prefill-only and exclusive jobs', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock, preload: M8 });
    const embed = await gpu.run(job(M8, 300, 0));
    expect(embed.latencyS).toBeCloseTo(0.5e-3 + 6.4e-3 + (300 / 30_000) * (1 + 150 / 30_500), 12);
    const image = await gpu.run({ ...job(M8, 10, 0), exclusiveS: 0.8 });
    expect(image.latencyS).toBeCloseTo(0.8, 12);
  });

  it('drops an aborted request and serves the others', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock(), preload: TINY });
    const ac = new AbortController();
    const a = gpu.run(job(TINY, 3000, 50, 0));
    const b = gpu.run(job(TINY, 3000, 50, 10_000), ac.signal); // waits: KV is full
    ac.abort(new Error('cancelled'));
    await expect(b).rejects.toThrow('cancelled');
    await a;
    expect(gpu.metrics()).toMatchObject({ requestsAborted: 1, running: 0, waiting: 0 });
  });

  it('stands still while the clock is held', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock, preload: M8 });
    const release = clock.hold();
    let done = false;
    const run = gpu.run(job(M8, 1000, 10)).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    expect(clock.now()).toBe(0);
    release();
    await run;
    expect(clock.now()).toBeGreaterThan(0.09);
  });

  it('runs 200 requests of 1000 tokens x 200 out in well under a second, deterministically', async () => {
    const once = async (): Promise<{ makespan: number; wallMs: number }> => {
      const clock = new VirtualClock();
      const gpu = new SimGpu({ index: 0, clock, preload: M8 });
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 200 }, (_, i) => gpu.run(job(M8, 1000, 200, i * 1000))));
      return { makespan: clock.now(), wallMs: performance.now() - t0 };
    };
    const a = await once();
    const b = await once();
    expect(b.makespan).toBe(a.makespan);
    expect(a.wallMs).toBeLessThan(1000);
    expect(a.makespan).toBeGreaterThan(5);
    console.log(`sim workload 200 x (1000 in, 200 out) on one H100: makespan ${a.makespan.toFixed(3)} s simulated, ${a.wallMs.toFixed(0)} ms wall`);
  });
});
