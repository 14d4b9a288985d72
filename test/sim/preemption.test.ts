// vLLM V1's KV management in the simulator: blocks are allocated as a request prefills and decodes,
// and when none is left the latest-admitted running request is pre-empted (its blocks freed) and
// recomputed when readmitted. Hand-computed on a 256-block (4,096-token) pool.
import { describe, expect, it } from 'vitest';
import { DEVICES, modelCost, stepSeconds } from '../../src/cost/cost-model.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimGpu } from '../../src/sim/engine.ts';
import type { GpuJob } from '../../src/sim/gpu-job.ts';
import type { SimModelSpec } from '../../src/sim/models.ts';

/** KV capacity clamps to 256 blocks (4096 tokens). */
const TINY: SimModelSpec = { id: 'tiny-kv', kind: 'llm', paramsB: 8, kvBytesPerToken: 1e12 };
const prompt = (n: number, start: number): number[] => Array.from({ length: n }, (_, i) => start + i);
const job = (n: number, out: number, start: number): GpuJob => ({ model: TINY, promptIds: prompt(n, start), outTokens: out });

describe('KV blocks allocated as requests grow, with pre-emption', () => {
  it('admits two 2,048-token prompts into a 4,096-token pool, pre-empts the later one at the first decode, and recomputes it after', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock(), preload: TINY });
    const [a, b] = await Promise.all([gpu.run(job(2048, 64, 0), undefined, 0), gpu.run(job(2048, 64, 100_000), undefined, 1)]);
    expect(gpu.metrics().preemptions).toBe(1);
    // Both admitted at once (only their prompts' blocks were needed), and both prefilled in step 1.
    expect(a?.startS).toBe(0);
    expect(b?.startS).toBe(0);
    const cost = modelCost(DEVICES.h100, TINY);
    const step1 = stepSeconds(cost, { decodeSeqs: 0, decodeContextTokens: 0, prefill: [{ newTokens: 2048, contextTokens: 0 }, { newTokens: 2048, contextTokens: 0 }] });
    expect(a?.firstTokenS).toBeCloseTo(step1, 12);
    expect(b?.firstTokenS).toBeCloseTo(step1, 12);
    // Step 2: A's 2,049th token needs a 129th block; the pool is full, so B (admitted last) is
    // pre-empted and A decodes alone: 63 decode steps after its first token.
    let aEnd = step1;
    for (let g = 1; g <= 63; g++) aEnd += stepSeconds(cost, { decodeSeqs: 1, decodeContextTokens: 2048 + g, prefill: [] });
    expect(a?.finishS).toBeCloseTo(aEnd, 9);
    // B waits for A (its 2,049 tokens do not fit beside A's blocks), then recomputes its prompt and
    // first token: what A's growth evicted of B's published blocks (4, deepest first) is prefilled
    // again, the rest is a prefix-cache hit; then its 62 remaining decode steps.
    const cached = (128 - 4) * 16;
    let bEnd = aEnd + stepSeconds(cost, { decodeSeqs: 0, decodeContextTokens: 0, prefill: [{ newTokens: 2049 - cached, contextTokens: cached }] });
    for (let g = 2; g <= 63; g++) bEnd += stepSeconds(cost, { decodeSeqs: 1, decodeContextTokens: 2048 + g, prefill: [] });
    expect(b?.finishS).toBeCloseTo(bEnd, 9);
  });

  it('never pre-empts while the pool holds everyone', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock(), preload: TINY });
    await Promise.all([gpu.run(job(1000, 64, 0)), gpu.run(job(1000, 64, 100_000))]);
    expect(gpu.metrics().preemptions).toBe(0);
  });
});
