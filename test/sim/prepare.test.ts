// SimGpu.prepare / SimCluster.prepare: a model is loaded on a GPU as soon as it is idle (cold load
// 30 s, or a 2 s wake if it slept on that GPU before), so a later request for it pays no load; a
// prepare while the GPU is busy waits for its queue to drain; preparing the resident model is free.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimCluster } from '../../src/sim/cluster.ts';
import { SimGpu } from '../../src/sim/engine.ts';
import type { GpuJob } from '../../src/sim/gpu-job.ts';
import type { SimModelSpec } from '../../src/sim/models.ts';
import type { ChatCompletion, SimResult } from '../../src/sim/protocol.ts';

const M8: SimModelSpec = { id: 'm8', kind: 'llm', paramsB: 8 };
const OTHER: SimModelSpec = { id: 'other', kind: 'llm', paramsB: 8 };

const ids = (n: number, start: number): number[] => Array.from({ length: n }, (_, i) => start + i);
const job = (model: SimModelSpec, n: number, out: number, start = 0): GpuJob => ({ model, promptIds: ids(n, start), outTokens: out });

/** §6 latency of 1000 prompt tokens and 10 output tokens on an 8B model, alone on an H100 (seconds). */
const LATENCY_1000_10 = ((): number => {
  let s = 0.5e-3 + 6.4e-3 + (1000 / 30_000) * (1 + 500 / 30_500);
  for (let g = 1; g <= 9; g++) s += 0.5e-3 + 6.4e-3 + 0.052e-6 * (1000 + g);
  return s;
})();

/** Lets the virtual clock run until no timer is left: every GPU has finished what it was asked. */
async function settle(clock: VirtualClock): Promise<void> {
  for (let quiet = 0, turns = 0; quiet < 3; turns++) {
    if (turns > 10_000) throw new Error(`the simulator never went idle (t = ${clock.now()})`);
    await new Promise<void>((r) => setImmediate(r));
    quiet = clock.pendingTimers === 0 && clock.openHolds === 0 ? quiet + 1 : 0;
  }
}

describe('SimGpu.prepare', () => {
  it('loads the model on an idle GPU: one cold load of 30 s, and time advances by exactly that', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock });
    expect(gpu.metrics()).toMatchObject({ model: '', modelSwitches: 0, modelLoadS: 0 });
    gpu.prepare(M8);
    await settle(clock);
    expect(clock.now()).toBe(30);
    expect(gpu.residentModel).toBe('m8');
    expect(gpu.metrics()).toMatchObject({ model: 'm8', modelSwitches: 1, modelLoadS: 30, busyS: 0, steps: 0, promptTokens: 0 });
  });

  it('is not done before the load time has passed', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock, preload: OTHER });
    gpu.prepare(M8);
    await clock.sleepUntil(29.5);
    expect(gpu.metrics()).toMatchObject({ model: '', modelSwitches: 0, modelLoadS: 0 });
    await settle(clock);
    expect(clock.now()).toBe(30);
    expect(gpu.metrics()).toMatchObject({ model: 'm8', modelSwitches: 1, modelLoadS: 30 });
  });

  it('spares a request sent after the load completes any load: it runs as on a preloaded GPU', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock });
    gpu.prepare(M8);
    await settle(clock);
    const t = await gpu.run(job(M8, 1000, 10));
    expect(t).toMatchObject({ arrivalS: 30, startS: 30, queueS: 0, modelLoadS: 0, cachedTokens: 0 });
    expect(t.latencyS).toBeCloseTo(LATENCY_1000_10, 12);
    expect(t.finishS).toBeCloseTo(30 + LATENCY_1000_10, 9);
    expect(gpu.metrics()).toMatchObject({ modelSwitches: 1, modelLoadS: 30, promptTokens: 1000, generationTokens: 10 });

    // The same request on a GPU nobody prepared pays the cold load inside its latency.
    const cold = new SimGpu({ index: 0, clock: new VirtualClock() });
    const c = await cold.run(job(M8, 1000, 10));
    expect(c.modelLoadS).toBe(30);
    expect(c.latencyS).toBeCloseTo(30 + LATENCY_1000_10, 9);
  });

  it('a request arriving during the prepared load waits only for the rest of it', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock });
    gpu.prepare(M8);
    await clock.sleepUntil(10);
    const t = await gpu.run(job(M8, 1000, 10));
    expect(t.arrivalS).toBe(10);
    expect(t.startS).toBe(30);
    expect(t.finishS).toBeCloseTo(30 + LATENCY_1000_10, 9);
    expect(gpu.metrics()).toMatchObject({ modelSwitches: 1, modelLoadS: 30 });
  });

  // GpuTiming.modelLoadS is the load/wake time the job waited for: a request arriving 10 s into a
  // 30 s load reports the 20 s it waited, not 30 (regression: it used to report the whole load).
  it('reports only the part of the load the request waited for', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock });
    gpu.prepare(M8);
    await clock.sleepUntil(10);
    const t = await gpu.run(job(M8, 1000, 10));
    expect(t.modelLoadS).toBe(20);
  });

  it('while the GPU is busy, takes effect only once its queue has drained', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock, preload: M8 });
    const first = gpu.run(job(M8, 1000, 10));
    gpu.prepare(OTHER);
    // Queued after the prepare, for the resident model: still served before the switch.
    const second = gpu.run(job(M8, 1000, 10, 50_000));
    const [a, b] = await Promise.all([first, second]);
    for (const t of [a, b]) expect(t).toMatchObject({ startS: 0, modelLoadS: 0 });
    const drained = Math.max(a?.finishS ?? 0, b?.finishS ?? 0);
    expect(drained).toBeGreaterThan(LATENCY_1000_10); // two requests batched: longer than one alone
    expect(drained).toBeLessThan(2 * LATENCY_1000_10);
    await settle(clock);
    expect(clock.now()).toBeCloseTo(drained + 30, 9);
    expect(gpu.metrics()).toMatchObject({ model: 'other', modelSwitches: 1, modelLoadS: 30, promptTokens: 2000 });
  });

  it('brings the resident model back after a queued request of another model (a 2 s wake)', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock, preload: M8 });
    const other = gpu.run(job(OTHER, 1000, 10));
    gpu.prepare(M8); // resident now, but the queue ends on OTHER
    const t = await other;
    expect(t.modelLoadS).toBe(30);
    await settle(clock);
    expect(clock.now()).toBeCloseTo(t.finishS + 2, 9);
    expect(gpu.metrics()).toMatchObject({ model: 'm8', modelSwitches: 2, modelLoadS: 32 });
  });

  it('costs nothing for the model already resident on an idle GPU', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock, preload: M8 });
    gpu.prepare(M8);
    await settle(clock);
    expect(clock.now()).toBe(0);
    expect(gpu.metrics()).toMatchObject({ model: 'm8', modelSwitches: 0, modelLoadS: 0 });

    // Also when it became resident through a request.
    const other = new SimGpu({ index: 0, clock: new VirtualClock() });
    await other.run(job(M8, 100, 1));
    other.prepare(M8);
    const t = await other.run(job(M8, 100, 1, 1000));
    expect(t.modelLoadS).toBe(0);
    expect(other.metrics()).toMatchObject({ modelSwitches: 1, modelLoadS: 30 });
  });

  it('costs nothing after the drain when the queue already ends on that model', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock, preload: M8 });
    const t = gpu.run(job(M8, 1000, 10));
    gpu.prepare(M8);
    const done = await t;
    await settle(clock);
    expect(clock.now()).toBeCloseTo(done.finishS, 12);
    expect(gpu.metrics()).toMatchObject({ modelSwitches: 0, modelLoadS: 0 });
  });

  it('wakes a model that slept on this GPU in 2 s, and empties the prefix cache', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock, preload: M8 });
    await gpu.run(job(M8, 2000, 1));
    const ran = clock.now();
    gpu.prepare(OTHER); // never resident here: cold
    await settle(clock);
    expect(clock.now()).toBeCloseTo(ran + 30, 9);
    gpu.prepare(M8); // slept here when OTHER loaded: wake
    await settle(clock);
    expect(clock.now()).toBeCloseTo(ran + 32, 9);
    expect(gpu.metrics()).toMatchObject({ model: 'm8', modelSwitches: 2, modelLoadS: 32 });
    const again = await gpu.run(job(M8, 2000, 1));
    expect(again).toMatchObject({ modelLoadS: 0, cachedTokens: 0, queueS: 0 });
    gpu.prepare(OTHER); // slept here now: wake too
    await settle(clock);
    expect(gpu.metrics()).toMatchObject({ model: 'other', modelSwitches: 3, modelLoadS: 34 });
  });
});

const QWEN = 'Qwen/Qwen3-8B';
const LLAVA = 'llava-hf/llava-1.5-7b-hf';

function ok(r: SimResult): ChatCompletion {
  if (!r.ok) throw new Error(`${r.status}: ${r.body.error.message}`);
  return r.body as ChatCompletion;
}

const body = (user: string): Record<string, unknown> => ({ model: QWEN, temperature: 0, max_tokens: 16, messages: [{ role: 'user', content: user }] });

describe('SimCluster.prepare', () => {
  it('loads the model on the GPU named only; a request placed or pinned there afterwards pays no load', async () => {
    const clock = new VirtualClock();
    const c = new SimCluster({ clock, gpus: 2 });
    c.prepare(1, QWEN);
    await settle(clock);
    expect(clock.now()).toBe(30);
    expect(c.metrics().map((g) => [g.model, g.modelSwitches, g.modelLoadS])).toEqual([['', 0, 0], [QWEN, 1, 30]]);
    // Unpinned: placement prefers the GPU already holding the model.
    const placed = ok(await c.submit({ endpoint: 'chat.completions', body: body('placed') }));
    expect(placed.agentlake_sim).toMatchObject({ gpu: 1, model_load_s: 0, queue_s: 0, arrival_s: 30 });
    const pinned = ok(await c.submit({ endpoint: 'chat.completions', body: body('pinned'), gpu: 1 }));
    expect(pinned.agentlake_sim).toMatchObject({ gpu: 1, model_load_s: 0, queue_s: 0 });
    expect(c.metrics()[0]).toMatchObject({ modelSwitches: 0, requestSuccess: { stop: 0, length: 0 } });
  });

  it('wakes only where the model slept: on another GPU it loads cold', async () => {
    const clock = new VirtualClock();
    const c = new SimCluster({ clock, gpus: [{ preload: QWEN }, {}] });
    c.prepare(0, LLAVA); // QWEN sleeps on GPU 0
    await settle(clock);
    c.prepare(1, QWEN);
    c.prepare(0, QWEN);
    await settle(clock);
    // LLaVA (7B) loads cold in 22 + 14 GB / 2 GB/s = 29 s; then Qwen3-8B wakes on GPU 0 (2 s) and
    // loads cold on GPU 1 (22 + 16 / 2 = 30 s, from 29 s).
    expect(clock.now()).toBe(59);
    expect(c.metrics().map((g) => [g.model, g.modelSwitches, g.modelLoadS])).toEqual([[QWEN, 2, 31], [QWEN, 1, 30]]);
  });

  // While a GPU loads a model because of prepare, placement sees the model coming (tailModel): an
  // unpinned request sent 10 s into the load joins that GPU (regression: it went to the other, empty
  // GPU and waited for a second cold load, finishing at ~40 s).
  it('places an unpinned request on the GPU already loading its model', async () => {
    const clock = new VirtualClock();
    const c = new SimCluster({ clock, gpus: 2 });
    c.prepare(1, QWEN);
    await clock.sleepUntil(10);
    const r = ok(await c.submit({ endpoint: 'chat.completions', body: body('during the load') }));
    expect(r.agentlake_sim.gpu).toBe(1);
    expect(r.agentlake_sim.start_s).toBe(30);
  });

  it('ignores an unknown model or GPU', async () => {
    const clock = new VirtualClock();
    const c = new SimCluster({ clock, gpus: 1 });
    c.prepare(0, 'no/such-model');
    c.prepare(5, QWEN);
    await settle(clock);
    expect(clock.now()).toBe(0);
    expect(c.metrics()[0]).toMatchObject({ model: '', modelSwitches: 0, modelLoadS: 0 });
  });
});
