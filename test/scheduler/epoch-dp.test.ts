// The budgeted epoch DP (ALGORITHMS.md §4): optimal against brute force on small random DAGs, never
// worse than its incumbent, always dependency-feasible, co-locates same-model work, respects its
// expansion budget and an injected deadline, and plans a 50-node batch.
import { describe, expect, it } from 'vitest';
import { planEpochs } from '../../src/scheduler/epoch-dp.ts';
import { affinityDecisions, greedyDecisions, minSwitchDecisions } from '../../src/scheduler/epoch-incumbent.ts';
import { compileProblem, type EpochProblem } from '../../src/scheduler/epoch-problem.ts';
import { replay } from '../../src/scheduler/epoch-schedule.ts';
import { syntheticBatch } from '../../src/scheduler/synthetic-batch.ts';
import { bruteForce, expectFeasible, randomProblem, testSwitch } from '../helpers/epoch-problems.ts';

/** The better of the two seed schedules, as the DP picks it. */
function incumbentOf(p: EpochProblem): number {
  const c = compileProblem(p);
  return Math.min(replay(c, greedyDecisions(c)).makespanS, replay(c, minSwitchDecisions(c)).makespanS, replay(c, affinityDecisions(c)).makespanS);
}

describe('planEpochs', () => {
  it('equals brute force on seeded random DAGs of ≤ 6 nodes, 2 GPUs, 2 models', () => {
    let improved = 0;
    for (let seed = 0; seed < 150; seed++) {
      const p = randomProblem(`bf-${seed}`, 1 + (seed % 6), 2, 2);
      const plan = planEpochs(p, { maxExpansions: 1_000_000 });
      expect(plan.makespanS).toBeCloseTo(bruteForce(p), 9);
      expect(plan.stats.provedOptimal).toBe(true);
      expect(plan.stats.stoppedBy).toBe('exhausted');
      expectFeasible(p, plan);
      if (plan.stats.improved) improved++;
    }
    expect(improved).toBeGreaterThan(10); // the search, not only the seeds, is being checked
  });

  it('is never worse than its incumbent and always feasible, whatever the budget', () => {
    for (let seed = 0; seed < 40; seed++) {
      const p = randomProblem(`inc-${seed}`, 6 + (seed % 15), 1 + (seed % 4), 3);
      const incumbent = incumbentOf(p);
      for (const maxExpansions of [0, 1, 10, 200]) {
        const plan = planEpochs(p, { maxExpansions });
        expect(plan.stats.incumbentS).toBeCloseTo(incumbent, 9);
        expect(plan.makespanS).toBeLessThanOrEqual(plan.stats.incumbentS + 1e-9);
        expect(plan.makespanS).toBeGreaterThanOrEqual(plan.stats.lowerBoundS - 1e-9);
        expect(plan.stats.expansions).toBeLessThanOrEqual(maxExpansions);
        expectFeasible(p, plan);
      }
    }
  });

  it('budget 0 returns the incumbent schedule itself', () => {
    const p = syntheticBatch({ seed: 'zero', nodes: 15, gpus: 4, models: 3 });
    const c = compileProblem(p);
    const greedy = replay(c, greedyDecisions(c));
    const minSwitch = replay(c, minSwitchDecisions(c));
    const affinity = replay(c, affinityDecisions(c));
    const plan = planEpochs(p, { maxExpansions: 0 });
    const { stats, ...schedule } = plan;
    expect(stats.expansions).toBe(0);
    expect(stats.improved).toBe(false);
    expect(stats.stoppedBy).toBe('budget');
    expect(schedule).toEqual({ greedy, min_switch: minSwitch, affinity }[stats.incumbent]);
    expect(plan.makespanS).toBe(Math.min(greedy.makespanS, minSwitch.makespanS, affinity.makespanS));
  });

  describe('A(m1) → B(m2) plus an independent C(m1) on 2 GPUs', () => {
    const nodes = [
      { kind: 'gpu', id: 'A', deps: [], model: 'm1', eligibleS: 0, invariantS: 1 },
      { kind: 'gpu', id: 'B', deps: ['A'], model: 'm2', eligibleS: 0, invariantS: 1 },
      { kind: 'gpu', id: 'C', deps: [], model: 'm1', eligibleS: 0, invariantS: 5 },
    ] as const;

    it('with m1 and m2 resident: A and C share m1’s GPU, B runs on m2’s, no switch', () => {
      const p: EpochProblem = { nodes, gpus: [{ id: 'g0', resident: 'm2' }, { id: 'g1', resident: 'm1' }], cpuSlots: [] };
      const plan = planEpochs(p);
      expect(plan.assignment).toEqual({ A: 'g1', C: 'g1', B: 'g0' });
      expect(plan.switches).toBe(0);
      expect(plan.makespanS).toBe(1 + 5);
      expect(plan.epochs.map((e) => e.gpu)).toEqual([{ g1: 'A' }, { g0: 'B', g1: 'C' }]);
      expect(plan.stats.provedOptimal).toBe(true);
    });

    it('with empty GPUs: one load per model (cold loads of §6), A and C together', () => {
      const p: EpochProblem = { nodes, gpus: [{ id: 'g0', resident: null }, { id: 'g1', resident: null }], cpuSlots: [] };
      const plan = planEpochs(p);
      expect(plan.switches).toBe(2);
      expect(plan.assignment['A']).toBe(plan.assignment['C']);
      expect(plan.assignment['B']).not.toBe(plan.assignment['A']);
      expect(plan.makespanS).toBe(30 + 1 + 30 + 1);
    });
  });

  it('uses the parent discount when a child follows its parent on the same GPU', () => {
    const p: EpochProblem = {
      nodes: [
        { kind: 'gpu', id: 'p', deps: [], model: 'm', eligibleS: 0, invariantS: 2 },
        { kind: 'gpu', id: 'q', deps: ['p'], model: 'm', eligibleS: 10, invariantS: 1 },
      ],
      gpus: [{ id: 'g0', resident: 'm' }, { id: 'g1', resident: 'm' }],
      cpuSlots: [],
    };
    const plan = planEpochs(p);
    expect(plan.assignment['q']).toBe(plan.assignment['p']);
    expect(plan.makespanS).toBeCloseTo(2 + 10 * 0.9 + 1, 12);
  });

  it('plans 15 nodes × 4 GPUs within its expansion budget', () => {
    for (const seed of [1, 2, 3, 4]) {
      const p = syntheticBatch({ seed, nodes: 15, gpus: 4, models: 3 });
      const plan = planEpochs(p, { maxExpansions: 3000 });
      expect(plan.stats.expansions).toBeLessThanOrEqual(3000);
      expect(plan.makespanS).toBeLessThanOrEqual(plan.stats.incumbentS);
      expectFeasible(p, plan);
    }
  });

  it('plans a 50-node workflow batch (expansions bounded, feasible, at most the incumbent)', () => {
    const p = syntheticBatch({ seed: 'fifty', nodes: 50, gpus: 4, models: 3 });
    const plan = planEpochs(p, { maxExpansions: 300 });
    expect(plan.stats.expansions).toBeLessThanOrEqual(300);
    expect(plan.stats.provedOptimal).toBe(false);
    expect(plan.makespanS).toBeLessThanOrEqual(plan.stats.incumbentS);
    expectFeasible(p, plan);
  });

  it('stops at an injected deadline and returns the best schedule found', () => {
    const p = syntheticBatch({ seed: 'deadline', nodes: 40, gpus: 4, models: 3 });
    let ticks = 0;
    const plan = planEpochs(p, { maxExpansions: 1_000_000, now: () => ticks++, deadline: 3 });
    expect(plan.stats.stoppedBy).toBe('deadline');
    expect(ticks).toBe(4);
    expect(plan.makespanS).toBeLessThanOrEqual(plan.stats.incumbentS);
    expectFeasible(p, plan);
  });

  it('plans an empty problem and a CPU-only one', () => {
    const empty = planEpochs({ nodes: [], gpus: [], cpuSlots: [] });
    expect(empty.epochs).toEqual([]);
    expect(empty.makespanS).toBe(0);
    expect(empty.stats.provedOptimal).toBe(true);
    const cpuOnly: EpochProblem = {
      nodes: [
        { kind: 'cpu', id: 'a', deps: [], cpuS: 1 },
        { kind: 'cpu', id: 'b', deps: [], cpuS: 2 },
        { kind: 'cpu', id: 'c', deps: ['a'], cpuS: 2 },
      ],
      gpus: [],
      cpuSlots: ['s0', 's1'],
    };
    const plan = planEpochs(cpuOnly);
    expect(plan.makespanS).toBe(3);
    expect(plan.order).toEqual({ s0: ['a', 'c'], s1: ['b'] });
    expectFeasible(cpuOnly, plan);
  });

  it('is deterministic', () => {
    const p = randomProblem('det', 12, 3, 3);
    expect(planEpochs(p, { maxExpansions: 500 })).toEqual(planEpochs(p, { maxExpansions: 500 }));
  });

  it('runs CPU nodes alongside and counts only the CPU time not hidden behind the GPUs', () => {
    const p: EpochProblem = {
      nodes: [
        { kind: 'cpu', id: 'sql', deps: [], cpuS: 1 },
        { kind: 'gpu', id: 'x', deps: [], model: 'm', eligibleS: 0, invariantS: 3 },
        { kind: 'cpu', id: 'fmt', deps: ['sql'], cpuS: 1 },
        { kind: 'gpu', id: 'y', deps: ['fmt'], model: 'm', eligibleS: 0, invariantS: 2 },
        { kind: 'cpu', id: 'out', deps: ['x', 'y'], cpuS: 4 },
      ],
      gpus: [{ id: 'g0', resident: 'm' }],
      cpuSlots: ['cpu0'],
      switchS: testSwitch,
    };
    const plan = planEpochs(p);
    expect(plan.epochs.map((e) => [e.gpu, e.cpu, e.costS])).toEqual([
      [{ g0: 'x' }, ['sql', 'fmt'], 3],
      [{ g0: 'y' }, [], 2],
      [{}, ['out'], 4],
    ]);
    expect(plan.order).toEqual({ g0: ['x', 'y'], cpu0: ['sql', 'fmt', 'out'] });
    expect(plan.makespanS).toBe(9);
  });
});
