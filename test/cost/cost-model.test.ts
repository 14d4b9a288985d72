// The §6 cost model against hand computation.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SWITCH_COSTS, DEVICES, OUTPUT_BUDGET, THINKING_LENGTH, budgetedLength, coldLoadSeconds, kvCapacityTokensAt, diffusionSeconds, encoderSeconds, expectedOutput, expectedOutputTokens, imageTokens, modelCost, prefillSeconds, stepSeconds, thinkingLength, wakeSeconds } from '../../src/cost/cost-model.ts';

const h100 = modelCost(DEVICES.h100, { paramsB: 8 });

describe('cost model (Llama-3-8B on one H100)', () => {
  it('prefills 30k tokens in 1 s times the attention factor', () => {
    expect(prefillSeconds(h100, 30_000, 0)).toBeCloseTo(1 * (1 + 15_000 / 30_500), 9);
    // 1000 new tokens after 4000 cached: 1000/30k × (1 + 4500/30.5k)
    expect(prefillSeconds(h100, 1000, 4000)).toBeCloseTo((1000 / 30_000) * (1 + 4500 / 30_500), 12);
  });

  it('a decode step of batch 1 is t0 + t_w + β·ctx', () => {
    const t = stepSeconds(h100, { decodeSeqs: 1, decodeContextTokens: 1000, prefill: [] });
    expect(t).toBeCloseTo(0.5e-3 + 6.4e-3 + 0.052e-6 * 1000, 12); // 6.952 ms
  });

  it('a large batch of short contexts hits the compute floor t_c·tokens', () => {
    const t = stepSeconds(h100, { decodeSeqs: 256, decodeContextTokens: 256, prefill: [] });
    expect(t).toBeCloseTo(0.5e-3 + 256 * 0.027e-3, 12); // 7.412 ms > t_w + β·256
  });

  it('adds the prefill chunk time to the step', () => {
    const t = stepSeconds(h100, { decodeSeqs: 10, decodeContextTokens: 20_000, prefill: [{ newTokens: 2000, contextTokens: 0 }] });
    expect(t).toBeCloseTo(0.5e-3 + 6.4e-3 + 0.052e-6 * 20_000 + (2000 / 30_000) * (1 + 1000 / 30_500), 12);
  });

  it('has 440k tokens of KV on an H100 and 880k on an H200, with faster decode on the H200', () => {
    expect(h100.kvCapacityTokens).toBe(440_000);
    const h200 = modelCost(DEVICES.h200, { paramsB: 8 });
    expect(h200.kvCapacityTokens).toBe(880_000);
    expect(stepSeconds(h200, { decodeSeqs: 1, decodeContextTokens: 1000, prefill: [] })).toBeCloseTo(0.5e-3 + 4.5e-3 + 0.036e-6 * 1000, 12);
  });

  it('is the KV of one instance at vLLM\'s default gpu_memory_utilization 0.9; a smaller share has (0.9 − f) × device memory less', () => {
    expect(kvCapacityTokensAt(DEVICES.h100, { paramsB: 8 }, 0.9)).toBe(440_000);
    expect(kvCapacityTokensAt(DEVICES.h200, { paramsB: 8 }, 0.9)).toBe(880_000);
    // H200: 143,771 MiB; at 0.45, 0.45 × 150,754,820,096 bytes fewer than at 0.9.
    expect(kvCapacityTokensAt(DEVICES.h200, { paramsB: 8 }, 0.45)).toBe(Math.floor((16e9 + 880_000 * 131_072 - 0.45 * 143_771 * 2 ** 20 - 16e9) / 131_072 / 16) * 16);
    expect(kvCapacityTokensAt(DEVICES.h100, { paramsB: 32 }, 0.3)).toBe(0);
  });

  it('scales by parameter count: weights for t_w, 2P for compute, less KV for bigger models', () => {
    const big = modelCost(DEVICES.h100, { paramsB: 32 });
    expect(big.weightsStepS).toBeCloseTo(4 * 6.4e-3, 12);
    expect(big.prefillTokensPerS).toBeCloseTo(7500, 9);
    expect(big.computePerTokenS).toBeCloseTo(4 * 0.027e-3, 12);
    expect(big.perContextTokenS).toBeCloseTo(2 * 0.052e-6, 15); // KV bytes ∝ sqrt(P)
    // (16 GB + 440k × 128 KiB − 64 GB) / 256 KiB per token
    expect(big.kvCapacityTokens).toBe(Math.floor((16e9 + 440_000 * 131_072 - 64e9) / 262_144 / 16) * 16);
  });

  it('counts image tokens per vision style', () => {
    expect(imageTokens('llava', 1000, 1000)).toBe(576);
    expect(imageTokens('qwen2-vl', 448, 448)).toBe(256);
    expect(imageTokens('qwen2-vl', 1000, 500)).toBe(36 * 18);
    expect(encoderSeconds(DEVICES.h100, 'llava', 576, 0.3)).toBeCloseTo((577 * 0.3) / (30_000 * 8), 12);
    expect(diffusionSeconds(6, 1024, 1024, 8)).toBeCloseTo(0.8, 12);
  });
});

describe('model loads and wakes by size', () => {
  it('loads the 8B reference cold in 30 s and wakes it in 2 s (ALGORITHMS.md §6); larger models take longer', () => {
    expect(coldLoadSeconds(DEFAULT_SWITCH_COSTS, 8)).toBeCloseTo(30, 12);
    expect(wakeSeconds(DEFAULT_SWITCH_COSTS, 8)).toBeCloseTo(2, 12);
    // 22 s of engine start-up + 64 GB of bf16 weights at 2 GB/s; a wake: 0.4 s + 64 GB at 10 GB/s.
    expect(coldLoadSeconds(DEFAULT_SWITCH_COSTS, 32)).toBeCloseTo(54, 12);
    expect(wakeSeconds(DEFAULT_SWITCH_COSTS, 32)).toBeCloseTo(6.8, 12);
    expect(coldLoadSeconds(DEFAULT_SWITCH_COSTS, 0.03)).toBeCloseTo(22.03, 12);
  });

  it('keeps a fixed load or wake when one is given', () => {
    const fixed = { ...DEFAULT_SWITCH_COSTS, coldLoadS: 12, wakeS: 1 };
    expect(coldLoadSeconds(fixed, 32)).toBe(12);
    expect(wakeSeconds(fixed, 32)).toBe(1);
  });
});

describe('output length (shared by the simulator and the planner)', () => {
  it('draws the budgeted natural length: the capped share runs past max_tokens, the rest is uniform on ceil(0.4·M)..M', () => {
    expect(OUTPUT_BUDGET).toEqual({ minShare: 0.4, capShare: 0.1 });
    expect(budgetedLength(512, 0)).toBe(513);
    expect(budgetedLength(512, 0.0999)).toBe(513);
    expect(budgetedLength(512, 0.1)).toBe(205); // ceil(204.8)
    expect(budgetedLength(512, 0.55)).toBe(205 + Math.floor(0.5 * 308)); // halfway: 359
    expect(budgetedLength(512, 0.999999)).toBe(512);
    expect(thinkingLength(0)).toBe(300);
    expect(thinkingLength(0.5)).toBe(948); // floor(300 · √10)
    expect(thinkingLength(0.999999)).toBe(2999);
  });

  it('expects the mean of that distribution for a max_tokens, with thinking inside the same budget', () => {
    // Without max_tokens: the middle of 24..384. With 512: 0.1·512 + 0.9·(205 + 512)/2 = 51.2 + 322.65.
    expect(expectedOutputTokens()).toBe(204);
    expect(expectedOutputTokens(512)).toBeCloseTo(373.85, 9);
    expect(expectedOutputTokens(768)).toBeCloseTo(0.1 * 768 + (0.9 * (308 + 768)) / 2, 9);
    // Thinking (at least 300 tokens) uses up a budget of 200 whole: nothing left for the content.
    expect(expectedOutput(200, true)).toEqual({ tokens: expect.closeTo(200, 9), contentTokens: 0 });
    // No budget: E[thinking] + 204, E[thinking] = 300 + Σ_{k=301..2999} P(T ≥ k) = 300 + Σ (1 − log10(k/300)).
    let thinking = 300;
    for (let k = 301; k <= 2999; k++) thinking += 1 - Math.log10(k / 300);
    expect(thinking).toBeCloseTo(1172.1, 1);
    expect(expectedOutputTokens(undefined, true)).toBeCloseTo(thinking + 204, 6);
    expect(expectedOutput(undefined, true).contentTokens).toBeCloseTo(204, 9);
    // A structured answer of 64 tokens: 64 without thinking; with it, thinking + 64 capped at max_tokens.
    expect(expectedOutput(512, false, 64)).toEqual({ tokens: 64, contentTokens: 64 });
    expect(expectedOutput(100_000, true, 64).tokens).toBeCloseTo(thinking + 64, 6);
    expect(THINKING_LENGTH).toEqual({ min: 300, max: 3000 });
  });
});
