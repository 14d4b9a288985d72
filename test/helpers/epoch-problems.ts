// Shared by the epoch DP tests: seeded random problems, an independent brute-force reference of the
// §4 epoch model, and a dependency-feasibility check of a schedule's epochs.
import { expect } from 'vitest';
import type { EpochProblem, EpochSchedule, GpuPlanNode, PlanNode } from '../../src/scheduler/epoch-problem.ts';
import { Prng } from '../../src/util/prng.ts';

/** Loads cost 4 s on an empty GPU and 7 s over another model. */
export const testSwitch = (from: string | null, to: string): number => (from === to ? 0 : from === null ? 4 : 7);

/** A random DAG in topological order: mostly GPU nodes over `models` models, some CPU nodes. */
export function randomProblem(seed: string, size: number, gpus: number, models: number): EpochProblem {
  const rng = new Prng(seed);
  const names = Array.from({ length: models }, (_, i) => `m${i + 1}`);
  const nodes: PlanNode[] = [];
  for (let i = 0; i < size; i++) {
    const deps = nodes.filter(() => rng.next() < 0.35).map((x) => x.id);
    nodes.push(
      rng.next() < 0.8
        ? { kind: 'gpu', id: `v${i}`, deps, model: rng.pick(names), eligibleS: rng.int(0, 24) / 4, invariantS: rng.int(4, 40) / 4 }
        : { kind: 'cpu', id: `v${i}`, deps, cpuS: rng.int(1, 16) / 4 },
    );
  }
  return {
    nodes,
    gpus: Array.from({ length: gpus }, (_, g) => ({ id: `gpu${g}`, resident: rng.pick([null, ...names]) })),
    cpuSlots: Array.from({ length: rng.int(1, 2) }, (_, k) => `cpu${k}`),
    switchS: testSwitch,
  };
}

/**
 * Brute force over every epoch sequence (every partial GPU → ready-node map, the all-idle one only
 * when CPU nodes run), written from the §4 text independently of the optimizer. Nodes must be
 * listed in topological order.
 */
export function bruteForce(p: EpochProblem): number {
  const switchS = p.switchS ?? testSwitch;
  const gpuCount = p.gpus.length;
  const rec = (done: ReadonlySet<string>, resident: readonly (string | null)[], last: readonly (string | null)[]): number => {
    if (done.size === p.nodes.length) return 0;
    const free = p.cpuSlots.map(() => 0);
    const finish = new Map<string, number>();
    for (const v of p.nodes) {
      if (v.kind !== 'cpu' || done.has(v.id) || !v.deps.every((d) => done.has(d) || finish.has(d))) continue;
      const ready = Math.max(0, ...v.deps.map((d) => finish.get(d) ?? 0));
      let slot = 0;
      free.forEach((f, k) => Math.max(f, ready) < Math.max(free[slot] ?? 0, ready) && (slot = k));
      const end = Math.max(free[slot] ?? 0, ready) + v.cpuS;
      free[slot] = end;
      finish.set(v.id, end);
    }
    const cpuTime = Math.max(0, ...finish.values());
    const ready = p.nodes.filter((v): v is GpuPlanNode => v.kind === 'gpu' && !done.has(v.id) && v.deps.every((d) => done.has(d)));
    let best = Number.POSITIVE_INFINITY;
    const choose = (g: number, chosen: (GpuPlanNode | null)[]): void => {
      if (g === gpuCount) {
        if (chosen.every((x) => x === null) && finish.size === 0) return;
        let cost = cpuTime;
        chosen.forEach((v, k) => {
          if (v === null) return;
          const parentLast = last[k] !== null && v.deps.includes(last[k] as string);
          const sw = resident[k] === v.model ? 0 : switchS(resident[k] ?? null, v.model);
          cost = Math.max(cost, v.eligibleS * (parentLast ? 0.9 : 1) + v.invariantS + sw);
        });
        const nextDone = new Set([...done, ...finish.keys(), ...chosen.flatMap((v) => (v === null ? [] : [v.id]))]);
        best = Math.min(best, cost + rec(nextDone, chosen.map((v, k) => v?.model ?? resident[k] ?? null), chosen.map((v, k) => v?.id ?? last[k] ?? null)));
        return;
      }
      choose(g + 1, [...chosen, null]);
      for (const v of ready) if (!chosen.includes(v)) choose(g + 1, [...chosen, v]);
    };
    choose(0, []);
    return best;
  };
  return rec(new Set(), p.gpus.map((w) => w.resident), p.gpus.map(() => null));
}

/** Every node runs once, on a worker of its kind, after its dependencies; orders match the epochs. */
export function expectFeasible(p: EpochProblem, s: EpochSchedule): void {
  const epochOf = new Map<string, number>();
  const cpuPos = new Map<string, number>();
  s.epochs.forEach((e, i) => {
    expect(Object.keys(e.gpu).length + e.cpu.length).toBeGreaterThan(0);
    for (const [w, id] of Object.entries(e.gpu)) {
      expect(epochOf.has(id)).toBe(false);
      epochOf.set(id, i);
      expect(s.assignment[id]).toBe(w);
    }
    e.cpu.forEach((id, k) => {
      expect(epochOf.has(id)).toBe(false);
      epochOf.set(id, i);
      cpuPos.set(id, k);
    });
  });
  expect([...epochOf.keys()].sort()).toEqual(p.nodes.map((v) => v.id).sort());
  const gpuIds = new Set(p.gpus.map((g) => g.id));
  const kind = new Map(p.nodes.map((v) => [v.id, v.kind]));
  for (const v of p.nodes) {
    const worker = s.assignment[v.id] as string;
    expect(v.kind === 'gpu' ? gpuIds.has(worker) : p.cpuSlots.includes(worker)).toBe(true);
    const at = epochOf.get(v.id) as number;
    for (const d of v.deps) {
      const dAt = epochOf.get(d) as number;
      const sameEpochCpu = v.kind === 'cpu' && kind.get(d) === 'cpu' && dAt === at && (cpuPos.get(d) as number) < (cpuPos.get(v.id) as number);
      expect(dAt < at || sameEpochCpu).toBe(true);
    }
  }
  for (const [w, ids] of Object.entries(s.order)) {
    const epochs = ids.map((id) => epochOf.get(id) as number);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
    for (const id of ids) expect(s.assignment[id]).toBe(w);
  }
  const total = s.epochs.reduce((sum, e) => sum + e.costS, 0);
  expect(s.makespanS).toBeCloseTo(total, 9);
}
