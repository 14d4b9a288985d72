// Budgeted epoch DP (ALGORITHMS.md §4): depth-first branch and bound over epochs, memo on (done
// set, per-GPU resident model and last node), admissible bound from the remaining work; seeded
// with the better of the greedy and min-switch schedules, so the result is never worse than
// either. Deterministic: the clock is injected and only bounds the search (checked every 256).
import {
  applyEpoch,
  compileProblem,
  cpuClosure,
  epochCost,
  initialState,
  readyGpu,
  undoEpoch,
  type CompiledProblem,
  type CpuPlacement,
  type EpochProblem,
  type EpochSchedule,
  type EpochState,
} from './epoch-problem.ts';
import { affinityDecisions, greedyDecisions, minSwitchDecisions } from './epoch-incumbent.ts';
import { replay, type EpochDecisions } from './epoch-schedule.ts';

/** Search limits. */
export interface EpochDpOptions {
  /** States expanded at most (default 10,000); 0 returns the incumbent. */
  readonly maxExpansions?: number;
  /** Assignments tried per state at most, best-priority nodes first (default 256). */
  readonly maxBranching?: number;
  /** Injected clock; with `deadline` (same units) the search stops once now() ≥ deadline. */
  readonly now?: () => number;
  readonly deadline?: number;
}

/** How the search went. */
export interface EpochDpStats {
  readonly expansions: number;
  /** True when the search was exhaustive or the result meets the root lower bound. */
  readonly provedOptimal: boolean;
  readonly stoppedBy: 'exhausted' | 'budget' | 'deadline';
  /** Which seed schedule was the incumbent, and its makespan. */
  readonly incumbent: 'greedy' | 'min_switch' | 'affinity';
  readonly incumbentS: number;
  /** Whether the search found a schedule better than the incumbent. */
  readonly improved: boolean;
  /** Admissible lower bound on the makespan at the root. */
  readonly lowerBoundS: number;
}

/** The DP's result: a schedule plus search statistics. */
export interface EpochPlan extends EpochSchedule {
  readonly stats: EpochDpStats;
}

const EPS = 1e-9;
/** The deadline is checked every 256 expansions, and every 4,096 assignments tried (wide epochs). */
const CHECK_EVERY = 256;
const CHECK_TRIED = 4096;

/** Plans `problem`: hard assignment, per-worker order and epoch boundaries with the least makespan found. */
export function planEpochs(problem: EpochProblem, options: EpochDpOptions = {}): EpochPlan {
  const c = compileProblem(problem);
  const seeds = [
    { name: 'greedy' as const, decisions: greedyDecisions(c) },
    { name: 'min_switch' as const, decisions: minSwitchDecisions(c) },
    { name: 'affinity' as const, decisions: affinityDecisions(c) },
  ].map((x) => ({ ...x, schedule: replay(c, x.decisions) }));
  const incumbent = seeds.reduce((a, b) => (b.schedule.makespanS < a.schedule.makespanS - EPS ? b : a));
  const found = search(c, incumbent.schedule.makespanS, options);
  const schedule = found.decisions === undefined ? incumbent.schedule : replay(c, found.decisions);
  const exhaustive = found.stoppedBy === 'exhausted' && !found.truncated;
  return {
    ...schedule,
    stats: {
      expansions: found.expansions,
      provedOptimal: exhaustive || schedule.makespanS <= found.rootBound + EPS,
      stoppedBy: found.stoppedBy,
      incumbent: incumbent.name,
      incumbentS: incumbent.schedule.makespanS,
      improved: found.decisions !== undefined,
      lowerBoundS: found.rootBound,
    },
  };
}

interface SearchResult {
  readonly decisions: EpochDecisions | undefined;
  readonly expansions: number;
  readonly stoppedBy: EpochDpStats['stoppedBy'];
  readonly truncated: boolean;
  readonly rootBound: number;
}

interface Child {
  readonly assign: Int32Array;
  readonly cost: number;
  readonly bound: number;
  readonly busy: number;
}

/** Depth-first branch and bound below `incumbentS`; returns decisions only when strictly better. */
function search(c: CompiledProblem, incumbentS: number, options: EpochDpOptions): SearchResult {
  const budget = options.maxExpansions ?? 10_000;
  const maxBranching = Math.max(1, options.maxBranching ?? 256);
  const s = initialState(c);
  const memo = new Map<string, number>();
  const path: Int32Array[] = [];
  let best = incumbentS;
  let bestPath: Int32Array[] | undefined;
  let expansions = 0;
  let stoppedBy: EpochDpStats['stoppedBy'] = 'exhausted';
  let truncated = false;
  let tried = 0;
  let nextCheck = CHECK_TRIED;

  const dfs = (g: number): void => {
    if (s.remaining === 0) {
      if (g < best - EPS) {
        best = g;
        bestPath = path.slice();
      }
      return;
    }
    if (stoppedBy !== 'exhausted') return;
    const key = stateKey(c, s);
    const seen = memo.get(key);
    if (seen !== undefined && seen <= g + EPS) return;
    memo.set(key, g);
    if (expansions >= budget) {
      stoppedBy = 'budget';
      return;
    }
    expansions++;
    if (expansions % CHECK_EVERY === 0 || tried >= nextCheck) {
      nextCheck = tried + CHECK_TRIED;
      if (options.now !== undefined && options.deadline !== undefined && options.now() >= options.deadline) {
        stoppedBy = 'deadline';
        return;
      }
    }
    const cpu = cpuClosure(c, s);
    const { assignments, complete } = enumerate(c, s, cpu, maxBranching);
    if (!complete) truncated = true;
    const boundAfter = childBound(c, s, cpu);
    const children: Child[] = [];
    tried += assignments.length;
    for (const assign of assignments) {
      const cost = epochCost(c, s, assign, cpu);
      const bound = boundAfter(assign);
      if (g + cost + bound >= best - EPS) continue;
      let busy = 0;
      for (const v of assign) if (v >= 0) busy++;
      children.push({ assign, cost, bound, busy });
    }
    children.sort((a, b) => a.cost + a.bound - (b.cost + b.bound) || b.busy - a.busy);
    for (const child of children) {
      if (g + child.cost + child.bound >= best - EPS) continue;
      const undo = applyEpoch(c, s, child.assign, cpu);
      path.push(child.assign);
      dfs(g + child.cost);
      path.pop();
      undoEpoch(s, undo);
      if (stoppedBy !== 'exhausted') return;
    }
  };

  const rootBound = childBound(c, s, { nodes: [], slot: [], start: [], timeS: 0 })(new Int32Array(c.gpuIds.length).fill(-1));
  if (budget <= 0 && s.remaining > 0) stoppedBy = 'budget';
  else dfs(0);
  return { decisions: bestPath, expansions, stoppedBy, truncated, rootBound };
}

/**
 * Admissible bound on the time left after an epoch that runs `cpu` and the GPU nodes of `assign`:
 * the larger of (GPU work + one switch into every needed model no GPU holds) / GPUs, CPU work /
 * slots, and the longest remaining path of cheapest costs. The part shared by every assignment of
 * the epoch is computed once; each assignment then costs O(GPUs · (GPUs + models)).
 */
function childBound(c: CompiledProblem, s: EpochState, cpu: CpuPlacement): (assign: Int32Array) => number {
  const gpus = c.gpuIds.length;
  const slots = c.cpuSlots.length;
  const inCpu = new Uint8Array(c.n);
  for (const v of cpu.nodes) inCpu[v] = 1;
  const left = new Int32Array(c.models.length);
  let gpuWork = 0;
  let cpuWork = 0;
  const top: number[] = []; // the gpus + 1 undone nodes with the longest tails: an epoch removes at most `gpus`
  for (let v = 0; v < c.n; v++) {
    if (s.done[v] === 1 || inCpu[v] === 1) continue;
    if (c.isGpu[v] === 1) {
      gpuWork += c.minCost[v] ?? 0;
      bump(left, c.model[v] ?? 0, 1);
    } else cpuWork += c.minCost[v] ?? 0;
    top.push(v);
    top.sort((a, b) => (c.tail[b] ?? 0) - (c.tail[a] ?? 0) || a - b);
    if (top.length > gpus + 1) top.pop();
  }
  const cpuBound = slots > 0 ? cpuWork / slots : 0;
  const resident = new Int32Array(gpus);
  const models = left.length;
  return (assign) => {
    let work = gpuWork;
    for (let g = 0; g < gpus; g++) {
      const v = assign[g] ?? -1;
      if (v < 0) continue;
      work -= c.minCost[v] ?? 0;
      bump(left, c.model[v] ?? 0, -1);
    }
    for (let g = 0; g < gpus; g++) {
      const v = assign[g] ?? -1;
      resident[g] = v >= 0 ? (c.model[v] ?? -1) : (s.resident[g] ?? -1);
    }
    for (let m = 0; m < models; m++) {
      if ((left[m] ?? 0) <= 0) continue;
      let held = false;
      for (let g = 0; g < gpus && !held; g++) held = resident[g] === m;
      if (!held) work += c.minSwitchInto[m] ?? 0;
    }
    for (let g = 0; g < gpus; g++) {
      const v = assign[g] ?? -1;
      if (v >= 0) bump(left, c.model[v] ?? 0, 1);
    }
    let path = 0;
    for (const v of top) {
      let taken = false;
      for (let g = 0; g < gpus && !taken; g++) taken = assign[g] === v;
      if (!taken) {
        path = c.tail[v] ?? 0;
        break;
      }
    }
    return Math.max(gpus > 0 ? work / gpus : 0, cpuBound, path);
  };
}

function bump(counts: Int32Array, i: number, by: number): void {
  counts[i] = (counts[i] ?? 0) + by;
}

/** A GPU's last node matters only while one of its children is undone. */
function effectiveLast(c: CompiledProblem, s: EpochState, g: number): number {
  const last = s.last[g] ?? -1;
  if (last < 0) return -1;
  for (const child of c.children[last] ?? []) if (s.done[child] !== 1) return last;
  return -1;
}

/** Memo key: done set, then per-GPU (resident, effective last) sorted (GPUs are interchangeable). */
function stateKey(c: CompiledProblem, s: EpochState): string {
  const words: number[] = [];
  for (let i = 0; i < c.n; i += 31) {
    let w = 0;
    for (let j = i; j < Math.min(c.n, i + 31); j++) w = w * 2 + (s.done[j] ?? 0);
    words.push(w);
  }
  const gpus: string[] = [];
  for (let g = 0; g < s.resident.length; g++) gpus.push(`${s.resident[g] ?? -1}:${effectiveLast(c, s, g)}`);
  return `${words.join(',')}|${gpus.sort().join(',')}`;
}

/**
 * Every assignment of ready GPU nodes to GPUs (at most one each), up to `limit`, best-priority
 * nodes first. GPUs in the same state are interchangeable, so among them the chosen nodes must
 * increase in priority order (idle last): each assignment is produced once up to symmetry. The
 * all-idle assignment is kept only when CPU nodes run, so every epoch makes progress.
 */
function enumerate(c: CompiledProblem, s: EpochState, cpu: CpuPlacement, limit: number): { assignments: Int32Array[]; complete: boolean } {
  const ready = readyGpu(c, s).sort((a, b) => (c.tail[b] ?? 0) - (c.tail[a] ?? 0) || a - b);
  const gpus = s.resident.length;
  const classOf = Array.from({ length: gpus }, (_, g) => `${s.resident[g] ?? -1}:${effectiveLast(c, s, g)}`);
  const prevSame = classOf.map((k, g) => (g === 0 ? -1 : classOf.lastIndexOf(k, g - 1)));
  const IDLE = ready.length;
  const choice = new Int32Array(gpus).fill(IDLE);
  const used = new Uint8Array(ready.length);
  const out: Int32Array[] = [];
  let complete = true;
  const rec = (g: number, busy: number): void => {
    if (out.length >= limit) {
      complete = false;
      return;
    }
    if (g === gpus) {
      if (busy > 0 || cpu.nodes.length > 0) {
        const assign = new Int32Array(gpus);
        for (let i = 0; i < gpus; i++) {
          const k = choice[i] ?? IDLE;
          assign[i] = k === IDLE ? -1 : (ready[k] ?? -1);
        }
        out.push(assign);
      }
      return;
    }
    const p = prevSame[g] ?? -1;
    const from = p >= 0 ? (choice[p] ?? IDLE) + 1 : 0;
    for (let k = from; k < ready.length; k++) {
      if (used[k] === 1) continue;
      used[k] = 1;
      choice[g] = k;
      rec(g + 1, busy + 1);
      used[k] = 0;
    }
    choice[g] = IDLE;
    rec(g + 1, busy);
  };
  rec(0, 0);
  return { assignments: out, complete };
}

