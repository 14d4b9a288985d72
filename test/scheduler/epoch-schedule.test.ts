// The epoch model's evaluator: hand-computed epoch costs (parent discount, switches, CPU time) and
// refusal of infeasible schedules; plus the incumbents' shapes and the synthetic batch generator.
import { describe, expect, it } from 'vitest';
import { greedyDecisions, minSwitchDecisions } from '../../src/scheduler/epoch-incumbent.ts';
import { compileProblem, switchCostOf, type EpochProblem } from '../../src/scheduler/epoch-problem.ts';
import { evaluateEpochs, replay } from '../../src/scheduler/epoch-schedule.ts';
import { syntheticBatch } from '../../src/scheduler/synthetic-batch.ts';
import { DEFAULT_SWITCH_COSTS } from '../../src/cost/cost-model.ts';
import { expectFeasible, testSwitch } from '../helpers/epoch-problems.ts';

const problem: EpochProblem = {
  nodes: [
    { kind: 'cpu', id: 'q', deps: [], cpuS: 2 },
    { kind: 'gpu', id: 'a', deps: ['q'], model: 'm1', eligibleS: 0, invariantS: 3 },
    { kind: 'gpu', id: 'b', deps: ['a'], model: 'm1', eligibleS: 10, invariantS: 1 },
    { kind: 'gpu', id: 'c', deps: ['a'], model: 'm2', eligibleS: 10, invariantS: 1 },
  ],
  gpus: [{ id: 'g0', resident: 'm1' }, { id: 'g1', resident: null }],
  cpuSlots: ['cpu0'],
  switchS: testSwitch,
};

describe('evaluateEpochs', () => {
  it('costs each epoch as the longest GPU node or the CPU time', () => {
    const s = evaluateEpochs(problem, [{}, { g0: 'a' }, { g0: 'b', g1: 'c' }]);
    // epoch 1: only q (2 s); epoch 2: a (3 s); epoch 3: b after its parent on g0 (10·0.9 + 1),
    // c on the empty g1 (10 + 1 + load 4)
    expect(s.epochs.map((e) => e.costS)).toEqual([2, 3, 15]);
    expect(s.epochs.map((e) => e.startS)).toEqual([0, 2, 5]);
    expect(s.makespanS).toBe(20);
    expect(s.switches).toBe(1);
    expect(s.assignment).toEqual({ q: 'cpu0', a: 'g0', b: 'g0', c: 'g1' });
    expectFeasible(problem, s);
  });

  it('refuses infeasible schedules', () => {
    expect(() => evaluateEpochs(problem, [{ g0: 'a' }])).toThrow(/before its dependencies/);
    expect(() => evaluateEpochs(problem, [{}, { g0: 'a' }, { g0: 'b' }, { g0: 'b' }])).toThrow(/twice/);
    expect(() => evaluateEpochs(problem, [{}, { g0: 'a' }, { g0: 'b', g1: 'b' }])).toThrow(/twice/);
    expect(() => evaluateEpochs(problem, [{}, { g0: 'a' }])).toThrow(/never run/);
    expect(() => evaluateEpochs(problem, [{}, {}])).toThrow(/runs nothing/);
    expect(() => evaluateEpochs(problem, [{ g0: 'q' }])).toThrow(/not a GPU node/);
    expect(() => evaluateEpochs(problem, [{ g9: 'a' }])).toThrow(/unknown GPU/);
    expect(() => evaluateEpochs(problem, [{ g0: 'zz' }])).toThrow(/unknown node/);
  });

  it('refuses bad problems', () => {
    expect(() => compileProblem({ ...problem, gpus: [] })).toThrow(/no GPU/);
    expect(() => compileProblem({ ...problem, cpuSlots: [] })).toThrow(/no CPU slot/);
    expect(() => compileProblem({ ...problem, cpuSlots: ['g0'] })).toThrow(/duplicate worker/);
    expect(() => compileProblem({ ...problem, nodes: [{ kind: 'cpu', id: 'q', deps: [], cpuS: -1 }] })).toThrow(/cpuS/);
  });

  it('defaults to the §6 cold load for a switch', () => {
    expect(switchCostOf(DEFAULT_SWITCH_COSTS)('m1', 'm2')).toBe(30);
    expect(switchCostOf(DEFAULT_SWITCH_COSTS)('m1', 'm1')).toBe(0);
    const { switchS: _drop, ...rest } = problem;
    expect(evaluateEpochs(rest, [{}, { g0: 'a' }, { g0: 'b', g1: 'c' }]).makespanS).toBe(2 + 3 + 41);
  });
});

describe('incumbents', () => {
  it('greedy fills every free GPU; min-switch makes work wait for the GPU holding its model', () => {
    const p: EpochProblem = {
      nodes: ['x1', 'x2', 'x3', 'x4'].map((id) => ({ kind: 'gpu' as const, id, deps: [], model: 'm1', eligibleS: 0, invariantS: 1 })),
      gpus: [{ id: 'g0', resident: 'm1' }, { id: 'g1', resident: 'm2' }],
      cpuSlots: [],
      switchS: testSwitch,
    };
    const c = compileProblem(p);
    const greedy = replay(c, greedyDecisions(c));
    const minSwitch = replay(c, minSwitchDecisions(c));
    expect(greedy.epochs).toHaveLength(2);
    expect(greedy.switches).toBe(1);
    expect(minSwitch.switches).toBe(0);
    expect(minSwitch.epochs).toHaveLength(4);
    expect(Object.values(minSwitch.assignment)).toEqual(['g0', 'g0', 'g0', 'g0']);
    expectFeasible(p, greedy);
    expectFeasible(p, minSwitch);
  });

  it('min-switch hands a GPU whose model has no work left to a model no GPU holds, once', () => {
    const p: EpochProblem = {
      nodes: ['y1', 'y2', 'y3'].map((id) => ({ kind: 'gpu' as const, id, deps: [], model: 'm3', eligibleS: 0, invariantS: 1 })),
      gpus: [{ id: 'g0', resident: 'm1' }, { id: 'g1', resident: 'm2' }],
      cpuSlots: [],
      switchS: testSwitch,
    };
    const c = compileProblem(p);
    const minSwitch = replay(c, minSwitchDecisions(c));
    expect(minSwitch.switches).toBe(1);
    expect(minSwitch.order).toEqual({ g0: ['y1', 'y2', 'y3'], g1: [] });
  });
});

describe('syntheticBatch', () => {
  it('is deterministic, has the requested size and is a DAG of GPU and CPU nodes', () => {
    const p = syntheticBatch({ seed: 7, nodes: 50, gpus: 4, models: 3 });
    expect(p).toEqual(syntheticBatch({ seed: 7, nodes: 50, gpus: 4, models: 3 }));
    expect(p.nodes).toHaveLength(50);
    expect(p.gpus).toHaveLength(4);
    expect(new Set(p.nodes.map((v) => v.kind))).toEqual(new Set(['gpu', 'cpu']));
    expect(() => compileProblem(p)).not.toThrow();
  });
});
