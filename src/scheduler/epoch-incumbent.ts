// The schedules that seed the epoch DP's incumbent (ALGORITHMS.md §4): a greedy list schedule
// (longest remaining path first, each on its cheapest free GPU), a min-switch schedule (a node
// waits for a GPU holding its model; a GPU changes model only when its model has no work left) and
// an affinity schedule (GPUs keep their model while it has work; a model takes another GPU only when
// its remaining work per GPU outweighs the switch).
import {
  applyEpoch,
  cpuClosure,
  gpuCost,
  initialState,
  readyGpu,
  type CompiledProblem,
  type CpuPlacement,
  type EpochState,
} from './epoch-problem.ts';
import type { EpochDecisions } from './epoch-schedule.ts';

/** Chooses one epoch's GPU assignment (node per GPU, -1 idle) in state `s`. */
type Policy = (c: CompiledProblem, s: EpochState, ready: readonly number[], cpu: CpuPlacement) => Int32Array;

/** Ready nodes by priority: longest remaining path first, then index. */
function byPriority(c: CompiledProblem, ready: readonly number[]): number[] {
  return [...ready].sort((a, b) => (c.tail[b] ?? 0) - (c.tail[a] ?? 0) || a - b);
}

/** The free GPU (assign[g] = -1) where `v` is cheapest, lowest index on ties; -1 if none. */
function cheapestFree(c: CompiledProblem, s: EpochState, assign: Int32Array, v: number, allowed: (g: number) => boolean = () => true): number {
  let best = -1;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let g = 0; g < assign.length; g++) {
    if (assign[g] !== -1 || !allowed(g)) continue;
    const cost = gpuCost(c, s, g, v);
    if (cost < bestCost) {
      best = g;
      bestCost = cost;
    }
  }
  return best;
}

const greedy: Policy = (c, s, ready) => {
  const assign = new Int32Array(c.gpuIds.length).fill(-1);
  for (const v of byPriority(c, ready)) {
    const g = cheapestFree(c, s, assign, v);
    if (g < 0) break;
    assign[g] = v;
  }
  return assign;
};

const minSwitch: Policy = (c, s, ready, cpu) => {
  const assign = new Int32Array(c.gpuIds.length).fill(-1);
  const planned = Int32Array.from(s.resident);
  const workLeft = new Float64Array(c.models.length);
  const nodesLeft = new Int32Array(c.models.length);
  for (let v = 0; v < c.n; v++) {
    const m = c.model[v] ?? 0;
    if (c.isGpu[v] !== 1 || s.done[v] === 1) continue;
    workLeft[m] = (workLeft[m] ?? 0) + (c.minCost[v] ?? 0);
    nodesLeft[m] = (nodesLeft[m] ?? 0) + 1;
  }
  const order = byPriority(c, ready);
  const place = (v: number, g: number): void => {
    assign[g] = v;
    planned[g] = c.model[v] ?? -1;
  };
  for (const v of order) {
    const g = cheapestFree(c, s, assign, v, (k) => s.resident[k] === c.model[v]);
    if (g >= 0) place(v, g);
  }
  // a GPU whose model has no work left takes a model no GPU holds
  const released = (k: number): boolean => (s.resident[k] ?? -1) < 0 || nodesLeft[s.resident[k] ?? 0] === 0;
  for (const v of order) {
    if (assign.includes(v) || planned.includes(c.model[v] ?? -1)) continue;
    const g = cheapestFree(c, s, assign, v, released);
    if (g >= 0) place(v, g);
  }
  if (assign.every((v) => v < 0) && cpu.nodes.length === 0) {
    // nothing else can run: switch the GPU whose model has the least work left
    const v = order[0] ?? 0;
    const left = (k: number): number => ((s.resident[k] ?? -1) < 0 ? 0 : (workLeft[s.resident[k] ?? 0] ?? 0));
    let best = 0;
    for (let k = 1; k < assign.length; k++) {
      if (left(k) < left(best) || (left(k) === left(best) && gpuCost(c, s, k, v) < gpuCost(c, s, best, v))) best = k;
    }
    place(v, best);
  }
  return assign;
};

const affinity: Policy = (c, s, ready) => {
  const assign = new Int32Array(c.gpuIds.length).fill(-1);
  const work = new Float64Array(c.models.length);
  for (let v = 0; v < c.n; v++) if (c.isGpu[v] === 1 && s.done[v] !== 1) work[c.model[v] ?? 0] = (work[c.model[v] ?? 0] ?? 0) + (c.minCost[v] ?? 0);
  const holders = (m: number): number => {
    let n = 0;
    for (let g = 0; g < assign.length; g++) if ((assign[g] ?? -1) >= 0 ? c.model[assign[g] ?? 0] === m : s.resident[g] === m) n++;
    return n;
  };
  const readyModels = new Set(ready.map((v) => c.model[v] ?? 0));
  const order = byPriority(c, ready);
  // First, every ready node a GPU already holding its model can take.
  for (const v of order) {
    const g = cheapestFree(c, s, assign, v, (k) => s.resident[k] === c.model[v]);
    if (g >= 0) assign[g] = v;
  }
  // Then GPUs that are empty, or whose model has no ready work, take a model that needs more GPUs.
  for (const v of order) {
    if (assign.includes(v)) continue;
    const m = c.model[v] ?? 0;
    const have = holders(m);
    const switchIn = c.minSwitchInto[m] ?? 0;
    if (have > 0 && (work[m] ?? 0) / (have + 1) <= switchIn) continue;
    const canTake = (k: number): boolean => (s.resident[k] ?? -1) < 0 || !readyModels.has(s.resident[k] ?? -1) || (work[s.resident[k] ?? 0] ?? 0) === 0;
    // Cheapest first; on a tie an empty GPU, which can have loaded the model while it waited.
    let g = -1;
    for (let k = 0; k < assign.length; k++) {
      if (assign[k] !== -1 || !canTake(k)) continue;
      if (g < 0) g = k;
      else {
        const d = gpuCost(c, s, k, v) - gpuCost(c, s, g, v);
        if (d < -1e-12 || (Math.abs(d) <= 1e-12 && (s.resident[k] ?? -1) < 0 && (s.resident[g] ?? -1) >= 0)) g = k;
      }
    }
    if (g >= 0) assign[g] = v;
  }
  if (assign.every((v) => v < 0)) {
    const v = order[0];
    if (v !== undefined) {
      const g = cheapestFree(c, s, assign, v);
      if (g >= 0) assign[g] = v;
    }
  }
  return assign;
};

/** Runs `policy` epoch by epoch until every node is done. */
function simulate(c: CompiledProblem, policy: Policy): EpochDecisions {
  const s = initialState(c);
  const out: Int32Array[] = [];
  while (s.remaining > 0) {
    const cpu = cpuClosure(c, s);
    const assign = policy(c, s, readyGpu(c, s), cpu);
    if (assign.every((v) => v < 0) && cpu.nodes.length === 0) throw new Error('internal: incumbent policy made no progress');
    applyEpoch(c, s, assign, cpu);
    out.push(assign);
  }
  return out;
}

/** Greedy list schedule: by longest remaining path, each node on its cheapest free GPU. */
export function greedyDecisions(c: CompiledProblem): EpochDecisions {
  return simulate(c, greedy);
}

/** Affinity schedule: GPUs keep their model while it has work; a model spreads only when worth a switch. */
export function affinityDecisions(c: CompiledProblem): EpochDecisions {
  return simulate(c, affinity);
}

/** Min-switch schedule: nodes wait for a GPU holding their model; models move only when done. */
export function minSwitchDecisions(c: CompiledProblem): EpochDecisions {
  return simulate(c, minSwitch);
}
