// A warm GPU (a server deployed before the run): warmStart makes a model resident at no cost, only on
// a GPU that has held, loaded or queued nothing yet; hand-computed against the cold first load.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimGpu } from '../../src/sim/engine.ts';
import type { GpuJob } from '../../src/sim/gpu-job.ts';
import type { SimModelSpec } from '../../src/sim/models.ts';

const M8: SimModelSpec = { id: 'm8', kind: 'llm', paramsB: 8 };
const OTHER: SimModelSpec = { id: 'other', kind: 'llm', paramsB: 8 };
const job = (model: SimModelSpec): GpuJob => ({ model, promptIds: Array.from({ length: 500 }, (_, i) => i), outTokens: 20 });

describe('SimGpu.warmStart', () => {
  it('saves exactly the cold load of the first request, and nothing else', async () => {
    const coldClock = new VirtualClock();
    const cold = new SimGpu({ index: 0, clock: coldClock });
    const c = await cold.run(job(M8));
    const warmClock = new VirtualClock();
    const warm = new SimGpu({ index: 0, clock: warmClock });
    expect(warm.warmStart(M8)).toBe(true);
    expect(warm.residentModel).toBe('m8');
    const w = await warm.run(job(M8));
    // Default cold load: 30 s (ALGORITHMS.md §6); the request itself is the same on both.
    expect(c.modelLoadS).toBe(30);
    expect(w.modelLoadS).toBe(0);
    expect(coldClock.now() - warmClock.now()).toBeCloseTo(30, 9);
    expect(w.latencyS).toBeCloseTo(c.latencyS - 30, 9);
    expect(warm.metrics().modelSwitches).toBe(0);
    expect(cold.metrics().modelSwitches).toBe(1);
  });

  it('does nothing on a GPU that already holds or loaded a model', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock() });
    await gpu.run(job(M8));
    expect(gpu.warmStart(OTHER)).toBe(false);
    expect(gpu.residentModel).toBe('m8');
    const preloaded = new SimGpu({ index: 0, clock: new VirtualClock(), preload: M8 });
    expect(preloaded.warmStart(OTHER)).toBe(false);
    const switched = await preloaded.run(job(OTHER));
    expect(switched.modelLoadS).toBe(30);
  });
});
