// GPU node cost parts from token counts and the §6 cost model.
import { describe, expect, it } from 'vitest';
import { estimateGpuNode } from '../../src/cost/node-cost.ts';
import { DEVICES, modelCost, prefillSeconds, stepSeconds } from '../../src/cost/cost-model.ts';

const llama8b = modelCost(DEVICES.h100, { paramsB: 8 });

describe('estimateGpuNode', () => {
  it('splits prefill into the parent-reusable part and the rest, plus batched decode', () => {
    const work = { calls: 10, promptTokens: 10_000, cachedTokens: 2_000, parentTokens: 3_000, outputTokens: 1_000 };
    const cost = estimateGpuNode(llama8b, work);
    expect(cost.eligibleS).toBeCloseTo(10 * prefillSeconds(llama8b, 300, 200), 12);
    const decodeStep = stepSeconds(llama8b, { decodeSeqs: 10, decodeContextTokens: 10 * (1_000 + 50), prefill: [] });
    expect(cost.invariantS).toBeCloseTo(10 * prefillSeconds(llama8b, 500, 500) + 100 * decodeStep, 12);
  });

  it('decodes in waves of maxBatch and costs nothing without calls', () => {
    const work = { calls: 512, promptTokens: 512 * 100, cachedTokens: 0, parentTokens: 0, outputTokens: 512 * 20 };
    const one = estimateGpuNode(llama8b, { ...work, maxBatch: 512 });
    const two = estimateGpuNode(llama8b, { ...work, maxBatch: 256 });
    expect(two.invariantS).toBeGreaterThan(one.invariantS);
    expect(estimateGpuNode(llama8b, { ...work, calls: 0 })).toEqual({ eligibleS: 0, invariantS: 0 });
    expect(() => estimateGpuNode(llama8b, { ...work, cachedTokens: work.promptTokens, parentTokens: 1 })).toThrow(RangeError);
  });

  it('is cheaper on a smaller model and with more cached tokens', () => {
    const work = { calls: 4, promptTokens: 8_000, cachedTokens: 0, parentTokens: 2_000, outputTokens: 400 };
    const big = estimateGpuNode(llama8b, work);
    const small = estimateGpuNode(modelCost(DEVICES.h100, { paramsB: 1 }), work);
    expect(small.invariantS).toBeLessThan(big.invariantS);
    expect(estimateGpuNode(llama8b, { ...work, cachedTokens: 4_000 }).invariantS).toBeLessThan(big.invariantS);
  });
});
