// The baselines' replica layout (scheduler/replicas.ts) and plans (scheduler/baseline.ts) on
// hand-worked cases: GPUs in proportion to each model's work, small models beside a big one, and
// each baseline's serving as its plan states it.
import { describe, expect, it } from 'vitest';
import type { ActionDag, LlmAction } from '../../src/ir/action-dag.ts';
import type { ModelRef } from '../../src/ir/common.ts';
import { baselinePlan } from '../../src/scheduler/baseline.ts';
import { deploymentOf, modelWork, proportionalReplicas } from '../../src/scheduler/replicas.ts';

const work = (entries: Record<string, number>): Map<string, { seconds: number }> => new Map(Object.entries(entries).map(([m, s]) => [m, { seconds: s }]));
const layout = (entries: Record<string, number>, gpus: number): { gpus: Record<string, readonly number[]>; on: Record<number, readonly string[]> } => {
  const l = proportionalReplicas(work(entries), gpus);
  return { gpus: Object.fromEntries(l.gpusOf), on: Object.fromEntries(l.modelsOn) };
};

describe('proportionalReplicas', () => {
  it('gives GPUs in proportion to work (Q5-like: 80% of the work on the 8B model gets 3 of 4)', () => {
    expect(layout({ q8: 80, q32: 20 }, 4).gpus).toEqual({ q8: [0, 1, 2], q32: [3] });
    // 60/40 on 4 GPUs: 2 and 2 (30 per replica beats 20 and 40).
    expect(layout({ a: 60, b: 40 }, 4).gpus).toEqual({ a: [0, 1], b: [2, 3] });
    // Each next GPU goes to the most work per replica: 70/30 → a 3 (23.3 each), b 1 (30).
    expect(layout({ a: 70, b: 30 }, 4).gpus).toEqual({ a: [0, 1, 2], b: [3] });
  });

  it('puts a model with less than half a GPU\'s share beside the least-loaded model instead of giving it a GPU', () => {
    // 4 GPUs: c's share is 4 × 1/102 ≈ 0.04 GPU; a (100) takes all four, b and c sit on GPUs 0 and 1.
    const l = layout({ a: 100, b: 1, c: 1 }, 4);
    expect(l.gpus).toEqual({ a: [0, 1, 2, 3], b: [0], c: [1] });
    expect(l.on).toEqual({ 0: ['a', 'b'], 1: ['a', 'c'], 2: ['a'], 3: ['a'] });
  });

  it('with more models than GPUs, the busiest own the GPUs and the rest share them', () => {
    // 2 GPUs, shares 0.77, 0.77, 0.46: a and b own one each, c goes to the GPU with less work (a's, on ties the first).
    expect(layout({ a: 50, b: 50, c: 30 }, 2).on).toEqual({ 0: ['a', 'c'], 1: ['b'] });
    expect(layout({ a: 5, b: 4, c: 3, d: 2, e: 1 }, 1).on).toEqual({ 0: ['a', 'b', 'c', 'd', 'e'] });
  });
});

const Q8: ModelRef = { name: 'qwen3_8b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-8B', paramsB: 8, version: 1 };
const Q32: ModelRef = { name: 'qwen3_32b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-32B', paramsB: 32, version: 1 };

function llm(id: string, model: ModelRef, input: number, deps: readonly string[] = []): LlmAction {
  return { kind: 'llm', id, step: id.replace(/\d+$/, ''), input, deps, model, decoding: { temperature: 0, maxTokens: 100 }, system: [], prompt: [{ kind: 'text', text: `Same prompt for every call, of some length to count. ${id}` }] };
}

/** Per input: three 8B calls, then one 32B call on their answers. */
const dag: ActionDag = {
  kind: 'action_dag', source: 'test', inputs: [0, 1].map((i) => ({ index: i, values: {}, outputs: [] })),
  actions: [0, 1].flatMap((i) => [llm(`a${i}`, Q8, i), llm(`b${i}`, Q8, i), llm(`c${i}`, Q8, i), llm(`r${i}`, Q32, i, [`a${i}`, `b${i}`, `c${i}`])]),
};

describe('modelWork and the baseline plans', () => {
  it('weighs a call by its tokens and its model\'s size', () => {
    const w = modelWork(dag);
    expect(w.get('qwen3_8b')?.calls).toBe(6);
    expect(w.get('qwen3_32b')?.calls).toBe(2);
    // Similar prompts and the same max_tokens: per call, the 32B model does 4× the 8B's work.
    const per = (m: string): number => (w.get(m)?.seconds ?? 0) / (w.get(m)?.calls ?? 1);
    expect(per('qwen3_32b') / per('qwen3_8b')).toBeCloseTo(4, 0);
  });

  it('ray-serve: one replicas worker per model behind power-of-two routing, deployed before the run', () => {
    const plan = baselinePlan(dag, { name: 'ray-serve', gpus: 4 });
    // Work 6 × 1 vs 2 × 4: the 32B model's 57% gets 2 GPUs, the 8B's 43% gets 2.
    expect(Object.fromEntries(plan.workers)).toEqual({
      'replicas:qwen3_8b': { kind: 'replicas', model: 'qwen3_8b', gpus: [2, 3], routing: 'power-of-two' },
      'replicas:qwen3_32b': { kind: 'replicas', model: 'qwen3_32b', gpus: [0, 1], routing: 'power-of-two' },
    });
    expect([...(plan.deployment ?? new Map())].map(([g, d]) => [g, d.models.map((m: ModelRef) => m.name)])).toEqual([[0, ['qwen3_32b']], [1, ['qwen3_32b']], [2, ['qwen3_8b']], [3, ['qwen3_8b']]]);
    expect(plan.admission).toBeUndefined();
    expect(plan.window.get('replicas:qwen3_8b')).toBeGreaterThanOrEqual(Number.MAX_SAFE_INTEGER);
  });

  it('router: the same replicas behind the cache-aware policy; langgraph: admission by input', () => {
    expect(baselinePlan(dag, { name: 'router', gpus: 4 }).workers.get('replicas:qwen3_8b')).toMatchObject({ routing: 'cache-aware' });
    const graph = baselinePlan(dag, { name: 'langgraph', gpus: 4 });
    expect(graph.admission).toEqual({ inFlight: 16 });
    expect(graph.workers.get('replicas:qwen3_8b')).toMatchObject({ routing: 'power-of-two' });
  });

  it('paper: the equal static split, calls pinned round-robin', () => {
    const plan = baselinePlan(dag, { name: 'paper', gpus: 4 });
    expect([...plan.order].sort()).toEqual([['gpu:0', ['a0', 'c0', 'b1']], ['gpu:1', ['b0', 'a1', 'c1']], ['gpu:2', ['r0']], ['gpu:3', ['r1']]]);
  });
});

describe('deploymentOf: what a GPU holding several models is deployed as', () => {
  const E5: ModelRef = { name: 'e5', kind: 'embedding', endpoint: 'sim://', modelName: 'intfloat/e5-small-v2', paramsB: 0.03, version: 1 };
  const LLAVA: ModelRef = { name: 'llava', kind: 'vlm', endpoint: 'sim://', modelName: 'llava-hf/llava-1.5-7b-hf', paramsB: 7, version: 1 };
  const deploy = (models: readonly ModelRef[], device: 'h100' | 'h200' = 'h100'): unknown => {
    const work = new Map(models.map((m, i) => [m.name, { model: m, seconds: 100 - i, calls: 1 }]));
    return deploymentOf({ gpusOf: new Map(), modelsOn: new Map([[0, models.map((m) => m.name)]]) }, work, device).get(0);
  };

  it('co-locates when both fit: the guest gets the smallest 0.05 step whose KV holds two 32k sequences', () => {
    // e5-small: 0.05 of 85.5 GB leaves KV for 114k tokens (≥ 65,536); the 8B model keeps 0.85.
    expect(deploy([Q8, E5])).toEqual({ models: [Q8, E5], memoryFractions: [0.85, 0.05] });
    // LLaVA-7B needs 14 GB of weights + 65,536 × 122.6 kB of KV = 22.0 GB: 0.30 (0.2963 rounded up); 8B keeps 0.60.
    expect(deploy([Q8, LLAVA])).toEqual({ models: [Q8, LLAVA], memoryFractions: [0.6, 0.3] });
  });

  it('swaps with sleep mode when they do not fit: a 32B model leaves no room for an 8B one on an H100', () => {
    expect(deploy([Q32, Q8])).toEqual({ models: [Q32, Q8] });
    expect(deploy([Q8])).toEqual({ models: [Q8] });
  });
});
