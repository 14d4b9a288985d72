// LB_time (ALGORITHMS.md §7) from the §6 cost model: a lone call costs exactly one prefill step plus
// its decode steps at batch 1; chains add up; more GPUs shrink only the throughput term; and the
// bound never exceeds what the simulator achieves (makespan and prefilled tokens of real sim runs).
import { describe, expect, it } from 'vitest';
import { callSeconds, decodeWorkSeconds, lbPrefill, lbTime, type BoundCall, type BoundNode } from '../../src/cost/lower-bound.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimCluster } from '../../src/sim/cluster.ts';
import { DEVICES, modelCost } from '../../src/cost/cost-model.ts';
import { chatPromptTokens } from '../../src/sim/prompt-tokens.ts';
import type { ChatCompletion } from '../../src/sim/protocol.ts';
import { Prng } from '../../src/util/prng.ts';

const H100 = DEVICES.h100;
const COST_8B = modelCost(H100, { paramsB: 8 });
const call = (tokens: number[], outTokens: number, model = 'm8'): BoundCall => ({ model, paramsB: 8, tokens, outTokens });
const seq = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('lbTime', () => {
  it('costs a lone call one prefill step and out - 1 decode steps at batch 1', () => {
    const c = call(seq(100), 10);
    const { prefillTokensPerS: r, attentionTokens: att, weightsStepS: tw, perContextTokenS: beta, stepOverheadS: t0 } = COST_8B;
    let expected = t0 + tw + (100 / r) * (1 + 50 / att);
    for (let j = 1; j <= 9; j++) expected += t0 + tw + beta * (100 + j);
    const b = lbTime([{ id: 'a', deps: [], call: c }], 1);
    expect(b.criticalPathS).toBeCloseTo(expected, 12);
    expect(callSeconds(COST_8B, c, 0)).toBeCloseTo(expected, 12);
    expect(b.throughputS).toBeCloseTo(100 / r + decodeWorkSeconds(COST_8B, [c]), 12);
    expect(b.seconds).toBe(Math.max(b.criticalPathS, b.throughputS));
    expect(b.seconds).toBe(b.criticalPathS);
  });

  it('counts a shared prefix once in KV: 50 questions on one 4,000-token document need no more decode steps than the longest answer', () => {
    const cost32 = modelCost(H100, { paramsB: 32 });
    const doc = seq(3990);
    const calls = Array.from({ length: 50 }, (_, i) => ({ model: 'm32', paramsB: 32, tokens: [...doc, ...seq(10, 100_000 + 10 * i)], outTokens: 100 }));
    const { kvCapacityTokens: cap, stepOverheadS: t0, weightsStepS: tw, perContextTokenS: beta, computePerTokenS: tc } = cost32;
    // Per call 99 decode steps; context Σ = 50 × (99 × 4000 + 99·100/2).
    const ctx = 50 * (99 * 4000 + (99 * 100) / 2);
    const work = (steps: number): number => steps * t0 + Math.max(steps * tw + beta * ctx, tc * 50 * 99);
    // Unshared, the KV pool (36.9k tokens for 32B on an H100) forces ⌈Σ KV / capacity⌉ steps ...
    expect(decodeWorkSeconds(cost32, calls)).toBeCloseTo(work(Math.ceil(ctx / cap)), 9);
    // ... shared, the document sits in KV once: only each call's 10 own tokens and its answer count, and the
    // longest answer's 99 steps bound it.
    const shared = new Map(calls.map((c) => [c, 3990]));
    expect(Math.ceil((50 * (99 * 10 + (99 * 100) / 2)) / cap)).toBeLessThan(99);
    expect(decodeWorkSeconds(cost32, calls, shared)).toBeCloseTo(work(99), 9);
  });

  it('adds up a dependency chain; CPU nodes cost nothing', () => {
    const a = call(seq(50), 5);
    const b = call(seq(70, 1000), 3);
    const nodes: BoundNode[] = [{ id: 'a', deps: [], call: a }, { id: 'fmt', deps: ['a'] }, { id: 'b', deps: ['fmt'], call: b }, { id: 'side', deps: [], call: call(seq(10, 5000), 2) }];
    expect(lbTime(nodes, 1).criticalPathS).toBeCloseTo(callSeconds(COST_8B, a, 0) + callSeconds(COST_8B, b, 0), 12);
    expect(() => lbTime([nodes[2] as BoundNode, ...nodes], 1)).toThrow(/does not precede/);
  });

  it('lets a call reuse, in full blocks, the longest prefix it shares with another prompt of its model', () => {
    const system = seq(70);
    const a = call([...system, 900, 901], 2);
    const b = call([...system, 902], 2);
    const other = call([...system, 903], 2, 'other-model');
    const t = lbTime([{ id: 'a', deps: [], call: a }, { id: 'b', deps: ['a'], call: b }, { id: 'o', deps: ['b'], call: other }], 1);
    expect(t.criticalPathS).toBeCloseTo(callSeconds(COST_8B, a, 64) + callSeconds(COST_8B, b, 64) + callSeconds(COST_8B, other, 0), 12);
  });

  it('divides only the throughput term by the number of GPUs', () => {
    const rng = new Prng('lb-time');
    const nodes: BoundNode[] = Array.from({ length: 200 }, (_, i) => ({ id: `c${i}`, deps: [], call: call(Array.from({ length: 2000 }, () => rng.int(1, 50_000)), 200) }));
    const one = lbTime(nodes, 1);
    const four = lbTime(nodes, 4);
    expect(one.throughputS).toBeGreaterThan(one.criticalPathS);
    expect(four.throughputS).toBeCloseTo(one.throughputS / 4, 12);
    expect(four.criticalPathS).toBe(one.criticalPathS);
    expect(() => lbTime(nodes, 0)).toThrow(RangeError);
  });
});

const QWEN = 'Qwen/Qwen3-8B';
const SYSTEM = 'You are a careful equity analyst who writes short, factual reports. '.repeat(30);

interface Ran {
  readonly tokens: number[];
  readonly out: number;
  readonly cached: number;
  readonly finish: number;
}

/** Sends chat calls to the simulator at once; returns the prompt ids it saw and its figures. */
async function runAll(cluster: SimCluster, users: readonly string[], maxTokens: number): Promise<Ran[]> {
  return Promise.all(users.map(async (user) => {
    const r = await cluster.submit({ endpoint: 'chat.completions', body: { model: QWEN, temperature: 0, max_tokens: maxTokens, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: user }] } });
    if (!r.ok) throw new Error(r.body.error.message);
    const body = r.body as ChatCompletion;
    const tokens = [...chatPromptTokens([{ role: 'system', parts: [{ type: 'text', text: SYSTEM }] }, { role: 'user', parts: [{ type: 'text', text: user }] }], undefined).ids];
    expect(tokens).toHaveLength(body.usage.prompt_tokens);
    return { tokens, out: body.usage.completion_tokens, cached: body.usage.prompt_tokens_details.cached_tokens, finish: body.agentlake_sim.finish_s };
  }));
}

describe('the bounds hold on the simulator', () => {
  for (const gpus of [1, 2]) {
    it(`two-level batch on ${gpus} GPU(s): makespan ≥ LB_time, prefilled ≥ LB_prefill`, async () => {
      const cluster = new SimCluster({ clock: new VirtualClock(), gpus: Array.from({ length: gpus }, () => ({ preload: QWEN })) });
      const analysts = await runAll(cluster, Array.from({ length: 24 }, (_, i) => `Ticker: SYM${i}. Write your report.`), 128);
      const judges = await runAll(cluster, [0, 1, 2].map((j) => `Reports ${j}:\n${'The trend is up and volume is rising. '.repeat(20 + j)}Decide.`), 64);
      const nodes: BoundNode[] = [
        ...analysts.map((a, i) => ({ id: `a${i}`, deps: [], call: call(a.tokens, a.out, QWEN) })),
        ...judges.map((j, k) => ({ id: `j${k}`, deps: analysts.map((_, i) => `a${i}`), call: call(j.tokens, j.out, QWEN) })),
      ];
      const bound = lbTime(nodes, gpus);
      const makespan = Math.max(...[...analysts, ...judges].map((r) => r.finish));
      expect(makespan).toBeGreaterThanOrEqual(bound.seconds);
      // Not vacuous: within a small factor of what the simulator achieved.
      expect(makespan / bound.seconds).toBeLessThan(3);
      const all = [...analysts, ...judges];
      const achieved = all.reduce((s, r) => s + r.tokens.length - r.cached, 0);
      expect(achieved).toBeGreaterThanOrEqual(lbPrefill(all.map((r) => r.tokens)));
    });
  }

  it('a throughput-bound batch (many long independent prompts on one GPU) stays above the throughput term', async () => {
    const cluster = new SimCluster({ clock: new VirtualClock(), gpus: [{ preload: QWEN }] });
    const rng = new Prng('throughput');
    const users = Array.from({ length: 96 }, (_, i) => `Case ${i}: ${Array.from({ length: 400 }, () => rng.pick(['rise', 'fall', 'flat', 'spike', 'gap', 'range'])).join(' ')}`);
    const ran = await runAll(cluster, users, 96);
    const bound = lbTime(ran.map((r, i) => ({ id: `c${i}`, deps: [], call: call(r.tokens, r.out, QWEN) })), 1);
    expect(bound.throughputS).toBeGreaterThan(bound.criticalPathS);
    const makespan = Math.max(...ran.map((r) => r.finish));
    expect(makespan).toBeGreaterThanOrEqual(bound.seconds);
    expect(makespan / bound.seconds).toBeLessThan(3);
  });
});
