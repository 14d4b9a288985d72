// The candidate placements the scheduler compares (the epoch DP's schedule, its seeds, and a
// work-proportional partition), and the event-driven replay that times each: GPUs run their nodes in
// order and load a node's model as soon as they are free. Pure: no I/O, no clock.
import { DEFAULT_SWITCH_COSTS } from '../cost/cost-model.ts';
import { planEpochs, type EpochPlan } from './epoch-dp.ts';
import { compileProblem, switchCostOf, type EpochProblem, type EpochSchedule, type PlanNode } from './epoch-problem.ts';
import { affinityDecisions, greedyDecisions, minSwitchDecisions } from './epoch-incumbent.ts';
import { replay } from './epoch-schedule.ts';

/** A candidate placement: each GPU's nodes in order, and each node's epoch (its position in time). */
export interface Placement {
  readonly name: string;
  readonly order: Readonly<Record<string, readonly string[]>>;
  readonly epochOf: ReadonlyMap<string, number>;
}

/** The fastest candidate by the replay, its epochs when it came from an epoch schedule, and the DP's result. */
export interface ChosenPlacement {
  readonly chosen: Placement & { readonly makespanS: number };
  readonly chosenEpochs: EpochSchedule | undefined;
  readonly dpPlan: EpochPlan;
}

/** Epoch DP search limits (ScheduleOptions). */
export interface SearchLimits {
  readonly maxExpansions: number;
  readonly now?: () => number;
  readonly deadline?: number;
}

/**
 * Places `problem`'s nodes: the DP's schedule, its greedy/affinity/min-switch seeds and the
 * partitioned placement, each timed by replayWithEarlyLoads (the epoch model charges a switch inside
 * the epoch that needs it, but the runtime loads a GPU's next model while the GPU idles); the fastest wins.
 */
export function choosePlacement(problem: EpochProblem, limits: SearchLimits): ChosenPlacement {
  const dpPlan = planEpochs(problem, { maxExpansions: limits.maxExpansions, ...(limits.now ? { now: limits.now } : {}), ...(limits.deadline !== undefined ? { deadline: limits.deadline } : {}) });
  const compiled = compileProblem(problem);
  const candidates: { schedule: EpochSchedule; name: string }[] = [
    { schedule: dpPlan, name: 'dp' },
    { schedule: replay(compiled, affinityDecisions(compiled)), name: 'affinity' },
    { schedule: replay(compiled, minSwitchDecisions(compiled)), name: 'min_switch' },
    { schedule: replay(compiled, greedyDecisions(compiled)), name: 'greedy' },
  ];
  const placements: Placement[] = [...candidates.map((c) => fromEpochs(c.name, c.schedule)), partitioned(problem.nodes, problem.gpus.map((g) => g.id))];
  const timed = placements.map((p) => ({ ...p, makespanS: replayWithEarlyLoads(problem.nodes, p.order, problem.switchS ?? switchCostOf(DEFAULT_SWITCH_COSTS)) }));
  const chosen = timed.reduce((a, b) => (b.makespanS < a.makespanS - 1e-9 ? b : a));
  return { chosen, chosenEpochs: candidates.find((c) => c.name === chosen.name)?.schedule, dpPlan };
}

/**
 * Makespan of a schedule when each GPU runs its nodes in order without epoch barriers and loads a
 * node's model as soon as the GPU is free (so a switch overlaps waiting for dependencies). CPU
 * nodes start when their dependencies finish.
 */
export function replayWithEarlyLoads(nodes: readonly PlanNode[], order: Readonly<Record<string, readonly string[]>>, switchS: (from: string | null, to: string) => number): number {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const finish = new Map<string, number>();
  const queues = Object.entries(order).filter(([, ids]) => ids.some((id) => byId.get(id)?.kind === 'gpu'));
  const pos = new Map(queues.map(([w]) => [w, 0]));
  const free = new Map(queues.map(([w]) => [w, 0]));
  const resident = new Map<string, string | null>(queues.map(([w]) => [w, null]));
  const cpuDone = (id: string): number | undefined => {
    const hit = finish.get(id);
    if (hit !== undefined) return hit;
    const n = byId.get(id);
    if (!n || n.kind !== 'cpu') return undefined;
    let start = 0;
    for (const d of n.deps) {
      const f = finish.get(d) ?? (byId.get(d)?.kind === 'cpu' ? cpuDone(d) : undefined);
      if (f === undefined) return undefined;
      start = Math.max(start, f);
    }
    finish.set(id, start + n.cpuS);
    return start + n.cpuS;
  };
  for (let progress = true; progress; ) {
    progress = false;
    for (const [w, ids] of queues) {
      for (let i = pos.get(w) ?? 0; i < ids.length; i = pos.get(w) ?? ids.length) {
        const n = byId.get(ids[i] ?? '');
        if (!n || n.kind !== 'gpu') {
          pos.set(w, i + 1);
          continue;
        }
        let ready = 0;
        let known = true;
        for (const d of n.deps) {
          const f = finish.get(d) ?? cpuDone(d);
          if (f === undefined) known = false;
          else ready = Math.max(ready, f);
        }
        if (!known) break;
        const loaded = (free.get(w) ?? 0) + switchS(resident.get(w) ?? null, n.model);
        const end = Math.max(loaded, ready) + n.eligibleS + n.invariantS;
        finish.set(n.id, end);
        free.set(w, end);
        resident.set(w, n.model);
        pos.set(w, i + 1);
        progress = true;
      }
    }
  }
  for (const n of nodes) if (n.kind === 'cpu') cpuDone(n.id);
  return Math.max(0, ...finish.values());
}

function fromEpochs(name: string, schedule: EpochSchedule): Placement {
  const epochOf = new Map<string, number>();
  schedule.epochs.forEach((e, i) => {
    for (const n of Object.values(e.gpu)) epochOf.set(n, i);
    for (const n of e.cpu) if (!epochOf.has(n)) epochOf.set(n, i);
  });
  return { name, order: schedule.order, epochOf };
}

/**
 * The partitioned placement: GPUs split among the models in proportion to their estimated work
 * (each model at least one GPU when there are enough; else models packed onto the least-loaded
 * GPU), a model's nodes spread over its GPUs by input shard. No switch after the first load.
 */
function partitioned(nodes: readonly PlanNode[], gpus: readonly string[]): Placement {
  const work = new Map<string, number>();
  for (const n of nodes) if (n.kind === 'gpu') work.set(n.model, (work.get(n.model) ?? 0) + n.eligibleS + n.invariantS);
  const models = [...work.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const gpusOf = new Map<string, string[]>();
  if (models.length === 0) {
    // No simulated GPU work: nothing to place.
  } else if (gpus.length >= models.length) {
    const total = models.reduce((t, [, w]) => t + w, 0) || 1;
    const share = models.map(([m, w]) => ({ m, n: 1, want: (w / total) * gpus.length }));
    for (let extra = gpus.length - models.length; extra > 0; extra--) {
      const best = share.reduce((a, b) => (b.want - b.n > a.want - a.n ? b : a));
      best.n++;
    }
    let next = 0;
    for (const { m, n } of share) {
      gpusOf.set(m, gpus.slice(next, next + n));
      next += n;
    }
  } else {
    const load = gpus.map(() => 0);
    for (const [m, w] of models) {
      const g = load.indexOf(Math.min(...load));
      load[g] = (load[g] ?? 0) + w;
      gpusOf.set(m, [gpus[g] ?? gpus[0] ?? 'gpu:0']);
    }
  }
  const order: Record<string, string[]> = Object.fromEntries(gpus.map((g) => [g, []]));
  const epochOf = new Map<string, number>();
  // Level by level (longest dependency chain above a node), so a GPU serving several shards runs
  // every shard's early steps before any shard's late ones instead of waiting on one shard's chain.
  const level = new Map<string, number>();
  for (const n of nodes) level.set(n.id, Math.max(0, ...n.deps.map((d) => (level.get(d) ?? 0) + 1)));
  const byLevel = nodes.map((n, i) => ({ n, i })).sort((a, b) => (level.get(a.n.id) ?? 0) - (level.get(b.n.id) ?? 0) || a.i - b.i).map((x) => x.n);
  byLevel.forEach((n, i) => {
    epochOf.set(n.id, i);
    if (n.kind !== 'gpu') return;
    const own = gpusOf.get(n.model) ?? [];
    const shard = Number.parseInt(n.id, 10) || 0;
    const g = own[shard % Math.max(1, own.length)];
    if (g !== undefined) order[g]?.push(n.id);
  });
  return { name: 'partitioned', order, epochOf };
}

