// agentlake's residency plan (scheduler/residency.ts, fluid.ts) on hand-worked cases: which models
// read which, the fluid replay's arithmetic (GPUs drain work, never ahead of the models upstream, a
// freed GPU moving only where it saves more than the move), and the plan itself: every call on its
// model's planned replicas, inputs in order, every GPU deployed, every model held by some GPU.
import { describe, expect, it } from 'vitest';
import type { ActionDag, ActionId, LlmAction } from '../../src/ir/action-dag.ts';
import type { ModelRef } from '../../src/ir/common.ts';
import { fluidReplay, type FluidModel } from '../../src/scheduler/fluid.ts';
import { planResidency, upstreamModels } from '../../src/scheduler/residency.ts';

const model = (name: string, paramsB: number): ModelRef => ({ name, kind: 'llm', endpoint: 'sim://', modelName: name, paramsB, version: 1 });
const Q8 = model('qwen3_8b', 8);
const Q32 = model('qwen3_32b', 32);

function llm(id: ActionId, input: number, m: ModelRef, deps: readonly ActionId[] = [], words = 40, maxTokens = 256): LlmAction {
  // A step after others reads the first one's answer.
  const prompt = deps.length > 0
    ? [{ kind: 'text' as const, text: `Step ${id}. Read:\n` }, { kind: 'ref' as const, action: deps[0] ?? '', render: 'text' as const }]
    : [{ kind: 'text' as const, text: `Task ${id}: ${'context '.repeat(words)}` }];
  return { kind: 'llm', id, step: id.split('#')[0] ?? id, input, deps, model: m, decoding: { temperature: 0, maxTokens }, system: [], prompt };
}

const dagOf = (inputs: number, actions: readonly LlmAction[]): ActionDag => ({ kind: 'action_dag', source: 'test', inputs: Array.from({ length: inputs }, (_, i) => ({ index: i, values: {}, outputs: [] })), actions });

/** Per input: four long 8B analyses, then one short 32B report after them (Q1's shape). */
function reportBatch(inputs: number): ActionDag {
  const actions: LlmAction[] = [];
  for (let i = 0; i < inputs; i++) {
    const steps = ['a', 'b', 'c', 'd'].map((s) => llm(`${s}#${i}`, i, Q8, [], 1000, 1024));
    actions.push(...steps, llm(`report#${i}`, i, Q32, steps.map((s) => s.id), 0, 32));
  }
  return dagOf(inputs, actions);
}

describe('upstreamModels', () => {
  it('names the models a model reads from, leaving out pairs that read each other', () => {
    const chain = upstreamModels(reportBatch(2), new Set(['qwen3_8b', 'qwen3_32b']));
    expect(chain.upstream.get('qwen3_32b')).toEqual(['qwen3_8b']);
    expect(chain.upstream.get('qwen3_8b')).toEqual([]);
    expect([...chain.read]).toEqual(['qwen3_8b']);
    // 8B → 32B → 8B: each reads the other; neither is upstream, both are read.
    const cycle = dagOf(1, [llm('x#0', 0, Q8), llm('y#0', 0, Q32, ['x#0']), llm('z#0', 0, Q8, ['y#0'])]);
    const c = upstreamModels(cycle, new Set(['qwen3_8b', 'qwen3_32b']));
    expect(c.upstream.get('qwen3_8b')).toEqual([]);
    expect(c.upstream.get('qwen3_32b')).toEqual([]);
    expect([...c.read].sort()).toEqual(['qwen3_32b', 'qwen3_8b']);
  });
});

const fm = (m: ModelRef, seconds: number, upstream: readonly string[] = []): FluidModel => ({ model: m, seconds, upstream });

describe('fluidReplay', () => {
  it('drains a model\'s work over its GPUs', () => {
    const r = fluidReplay(new Map([['a', fm(Q8, 100)]]), new Map([[0, ['a']], [1, ['a']]]), 2, () => 2);
    expect(r.makespanS).toBeCloseTo(50, 0);
    expect(r.moves.size).toBe(0);
  });

  it('never runs a model ahead of the models upstream of it', () => {
    // b alone on its GPU could finish in 10 s, but it only gets a's outputs as a runs (100 s on one GPU).
    const models = new Map([['a', fm(Q8, 100)], ['b', fm(Q32, 10, ['a'])]]);
    const r = fluidReplay(models, new Map([[0, ['a']], [1, ['b']]]), 2, () => 1000);
    expect(r.makespanS).toBeGreaterThanOrEqual(100);
  });

  it('moves a freed GPU to the model with the most work left when that saves more than the move', () => {
    const models = new Map([['a', fm(Q8, 10)], ['b', fm(Q32, 200)]]);
    const cheap = fluidReplay(models, new Map([[0, ['a']], [1, ['b']]]), 2, () => 2);
    expect(cheap.moves.get(0)?.map((m) => m.model.name)).toEqual(['qwen3_32b']);
    expect(cheap.moves.get(0)?.[0]?.startS).toBeCloseTo(10, 0);
    // (200 − 10) left on one GPU = 190 s; with a second after a 2 s wake: (190 + 2) / 2 = 96 s more.
    expect(cheap.makespanS).toBeCloseTo(10 + 96, 0);
    // A move dearer than what it saves is not made.
    const dear = fluidReplay(models, new Map([[0, ['a']], [1, ['b']]]), 2, () => 500);
    expect(dear.moves.size).toBe(0);
    expect(dear.makespanS).toBeCloseTo(200, 0);
  });

  it('gives a freed GPU to a model no GPU holds first', () => {
    const models = new Map([['a', fm(Q8, 40)], ['b', fm(Q32, 5, ['a'])]]);
    const r = fluidReplay(models, new Map([[0, ['a']]]), 1, () => 7);
    expect(r.moves.get(0)?.map((m) => m.model.name)).toEqual(['qwen3_32b']);
    expect(r.makespanS).toBeCloseTo(40 + 7 + 5, 0);
  });
});

describe('planResidency', () => {
  it('puts every call on its model\'s planned replicas over all GPUs, in input order, and deploys every GPU', () => {
    const dag = reportBatch(8);
    const { plan, report } = planResidency(dag, { gpus: 4, warm: true });
    for (const a of dag.actions) {
      const w = plan.workers.get(plan.assignment.get(a.id) ?? '');
      expect(w).toEqual({ kind: 'replicas', model: 'model' in a ? a.model.name : '', gpus: [0, 1, 2, 3], routing: 'planned' });
    }
    const order = [...plan.order.values()].flat();
    const inputOf = new Map(dag.actions.map((a) => [a.id, a.input ?? -1]));
    for (const ids of plan.order.values()) {
      const inputs = ids.map((id) => inputOf.get(id) ?? -1);
      expect(inputs).toEqual([...inputs].sort((x, y) => x - y));
    }
    expect(order).toHaveLength(dag.actions.length);
    expect([...(plan.deployment?.keys() ?? [])].sort()).toEqual([0, 1, 2, 3]);
    expect(plan.residency?.calls.size).toBe(dag.actions.length);
    expect(report.calls).toBe(dag.actions.length);
    // Every model is held by some GPU at some time (the 32B report either from the start or by a move).
    const held = new Set(report.stints.flatMap((g) => g.stints.flatMap((s) => s.models)));
    expect(held).toEqual(new Set(['qwen3_8b', 'qwen3_32b']));
  });

  it('warm: every model a GPU may move to is deployed there asleep', () => {
    const { plan } = planResidency(reportBatch(8), { gpus: 2, warm: true });
    for (const d of plan.deployment?.values() ?? []) {
      const all = new Set([...d.models, ...(d.asleep ?? [])].map((m) => m.name));
      expect(all).toEqual(new Set(['qwen3_8b', 'qwen3_32b']));
    }
    const cold = planResidency(reportBatch(8), { gpus: 2 });
    for (const d of cold.plan.deployment?.values() ?? []) expect(d.asleep).toBeUndefined();
  });

  it('never leaves a model that others read from out of the start (their calls would wait on it)', () => {
    // Per input a short 32B outline read by four long 8B sections: the 32B model is on some GPU from the start.
    const actions: LlmAction[] = [];
    for (let i = 0; i < 40; i++) {
      const outline = llm(`outline#${i}`, i, Q32, [], 20, 32);
      actions.push(outline, ...['a', 'b', 'c', 'd'].map((s) => llm(`${s}#${i}`, i, Q8, [outline.id], 0, 1024)));
    }
    const { report } = planResidency(dagOf(40, actions), { gpus: 4, warm: true });
    expect(report.stints.some((g) => g.stints[0]?.models.includes('qwen3_32b'))).toBe(true);
    expect(report.stints.some((g) => g.stints[0]?.models.includes('qwen3_8b'))).toBe(true);
  });
});
