// The epoch model of ALGORITHMS.md §4: GPUs hold one resident model each, an epoch gives each GPU
// at most one ready GPU node, and CPU nodes run alongside as soon as their dependencies are met.
// compileProblem indexes a problem (topological order); replay turns per-epoch GPU choices into a
// schedule and is the one definition of an epoch's cost that the search and the evaluator share.
import { DEFAULT_SWITCH_COSTS, coldLoadSeconds, type SwitchCosts } from '../cost/cost-model.ts';
import { indexDag } from './graph.ts';

/** A (contracted) node that runs on a GPU. */
export interface GpuPlanNode {
  readonly kind: 'gpu';
  readonly id: string;
  readonly deps: readonly string[];
  readonly model: string;
  /** Prefill seconds that can reuse the parent's KV (× 0.9 when the parent ran last on the GPU). */
  readonly eligibleS: number;
  /** All other seconds: the rest of the prefill and the decode. */
  readonly invariantS: number;
}

/** A node that runs on a CPU slot (SQL, fetch, format). */
export interface CpuPlanNode {
  readonly kind: 'cpu';
  readonly id: string;
  readonly deps: readonly string[];
  readonly cpuS: number;
}

export type PlanNode = GpuPlanNode | CpuPlanNode;

/** A GPU and the model resident on it at the start (null: none loaded). */
export interface GpuWorker {
  readonly id: string;
  readonly resident: string | null;
}

/** Seconds to make `to` resident on a GPU holding `from` (0 when equal). */
export type SwitchCost = (from: string | null, to: string) => number;

/** What the epoch DP plans. GPUs are interchangeable apart from their resident model. */
export interface EpochProblem {
  readonly nodes: readonly PlanNode[];
  readonly gpus: readonly GpuWorker[];
  readonly cpuSlots: readonly string[];
  /** Defaults to `switchCostOf(DEFAULT_SWITCH_COSTS)`. */
  readonly switchS?: SwitchCost;
}

/** One epoch: which node each busy GPU runs, and the CPU nodes run alongside. */
export interface Epoch {
  readonly gpu: Readonly<Record<string, string>>;
  /** CPU nodes in the order they start. */
  readonly cpu: readonly string[];
  readonly startS: number;
  /** max(longest GPU node, CPU time of the epoch). */
  readonly costS: number;
}

/** A complete schedule: hard assignment, per-worker order, epoch boundaries and estimates. */
export interface EpochSchedule {
  /** Node id → worker id (a GPU id or a CPU slot id). */
  readonly assignment: Readonly<Record<string, string>>;
  /** Worker id → its nodes in execution order. */
  readonly order: Readonly<Record<string, readonly string[]>>;
  readonly epochs: readonly Epoch[];
  /** Σ epoch costs, seconds (estimated). */
  readonly makespanS: number;
  /** Model loads and switches, the first load of an empty GPU included. */
  readonly switches: number;
}

/** Share of the eligible prefill still paid when the parent ran last on the same GPU. */
export const PARENT_KV_FACTOR = 0.9;

/**
 * Switch cost from §6 figures: 0 for the resident model, else a cold load of the target model's size
 * (`paramsOf`, default the 8B reference). A wake is not assumed: the planner does not track which
 * models slept on which GPU.
 */
export function switchCostOf(costs: SwitchCosts, paramsOf: (model: string) => number = () => 8): SwitchCost {
  return (from, to) => (from === to ? 0 : coldLoadSeconds(costs, paramsOf(to)));
}

/** The problem by index; node indices are in topological order. */
export interface CompiledProblem {
  readonly n: number;
  readonly ids: readonly string[];
  readonly isGpu: Uint8Array;
  /** Model index of GPU nodes; -1 for CPU nodes. */
  readonly model: Int32Array;
  readonly models: readonly string[];
  readonly eligible: Float64Array;
  readonly invariant: Float64Array;
  readonly cpuS: Float64Array;
  readonly deps: readonly Int32Array[];
  readonly children: readonly Int32Array[];
  /** isParent[u·n + v] = 1 when u is a dependency of v. */
  readonly isParent: Uint8Array;
  readonly gpuIds: readonly string[];
  readonly initialResident: Int32Array;
  readonly cpuSlots: readonly string[];
  /** switchS[(from + 1)·M + to], from = -1 for an empty GPU. */
  readonly switchS: Float64Array;
  /** Cheapest possible cost of each node (parent discount, no switch). */
  readonly minCost: Float64Array;
  /** minCost of the node plus the longest minCost path below it. */
  readonly tail: Float64Array;
  /** Cheapest switch into each model from anything else. */
  readonly minSwitchInto: Float64Array;
}

/** Mutable search state: done nodes and each GPU's resident model and last node (-1: none). */
export interface EpochState {
  readonly done: Uint8Array;
  readonly resident: Int32Array;
  readonly last: Int32Array;
  remaining: number;
}

/** CPU nodes of an epoch, list-scheduled on the slots (in-epoch CPU dependencies respected). */
export interface CpuPlacement {
  readonly nodes: readonly number[];
  readonly slot: readonly number[];
  readonly start: readonly number[];
  readonly timeS: number;
}

/** Indexes and validates a problem (throws RangeError on misuse: cycles, bad costs, no workers). */
export function compileProblem(problem: EpochProblem): CompiledProblem {
  const g = indexDag(problem.nodes);
  const nodes = g.topo.map((i) => problem.nodes[i] as PlanNode);
  const n = nodes.length;
  const pos = new Map(nodes.map((v, i) => [v.id, i]));
  const models: string[] = [];
  const modelIndex = (m: string): number => {
    if (!models.includes(m)) models.push(m);
    return models.indexOf(m);
  };
  const isGpu = Uint8Array.from(nodes, (v) => (v.kind === 'gpu' ? 1 : 0));
  const model = Int32Array.from(nodes, (v) => (v.kind === 'gpu' ? modelIndex(v.model) : -1));
  const num = (x: number, what: string): number => {
    if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`${what} must be a finite number >= 0, got ${x}`);
    return x;
  };
  const eligible = Float64Array.from(nodes, (v) => (v.kind === 'gpu' ? num(v.eligibleS, `eligibleS of '${v.id}'`) : 0));
  const invariant = Float64Array.from(nodes, (v) => (v.kind === 'gpu' ? num(v.invariantS, `invariantS of '${v.id}'`) : 0));
  const cpuS = Float64Array.from(nodes, (v) => (v.kind === 'cpu' ? num(v.cpuS, `cpuS of '${v.id}'`) : 0));
  const deps = nodes.map((v) => Int32Array.from(new Set(v.deps.map((d) => pos.get(d) ?? -1))));
  const children = nodes.map((_, i) => Int32Array.from(nodes.map((_, j) => j).filter((j) => deps[j]?.includes(i))));
  const isParent = new Uint8Array(n * n);
  deps.forEach((ds, v) => ds.forEach((u) => (isParent[u * n + v] = 1)));
  if (isGpu.some((x) => x === 1) && problem.gpus.length === 0) throw new RangeError('GPU nodes but no GPU');
  if (isGpu.some((x) => x === 0) && problem.cpuSlots.length === 0) throw new RangeError('CPU nodes but no CPU slot');
  const initialResident = Int32Array.from(problem.gpus, (w) => (w.resident === null ? -1 : modelIndex(w.resident)));
  const m = models.length;
  const fn = problem.switchS ?? switchCostOf(DEFAULT_SWITCH_COSTS);
  const switchS = new Float64Array((m + 1) * m);
  const minSwitchInto = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  for (let from = -1; from < m; from++) {
    for (let to = 0; to < m; to++) {
      const s = from === to ? 0 : num(fn(from < 0 ? null : (models[from] ?? null), models[to] ?? ''), 'switch cost');
      switchS[(from + 1) * m + to] = s;
      if (from !== to) minSwitchInto[to] = Math.min(minSwitchInto[to] ?? 0, s);
    }
  }
  const minCost = Float64Array.from(nodes, (_, i) =>
    isGpu[i] === 1 ? (eligible[i] ?? 0) * ([...(deps[i] ?? [])].some((d) => isGpu[d] === 1) ? PARENT_KV_FACTOR : 1) + (invariant[i] ?? 0) : (cpuS[i] ?? 0),
  );
  const tail = new Float64Array(n);
  for (let v = n - 1; v >= 0; v--) {
    let below = 0;
    for (const c of children[v] ?? []) below = Math.max(below, tail[c] ?? 0);
    tail[v] = (minCost[v] ?? 0) + below;
  }
  const gpuIds = problem.gpus.map((w) => w.id);
  const ids = nodes.map((v) => v.id);
  const cpuSlots = [...problem.cpuSlots];
  const workers = [...gpuIds, ...cpuSlots];
  if (new Set(workers).size !== workers.length) throw new RangeError('duplicate worker id');
  return { n, ids, isGpu, model, models, eligible, invariant, cpuS, deps, children, isParent, gpuIds, initialResident, cpuSlots, switchS, minCost, tail, minSwitchInto };
}

/** The state before the first epoch. */
export function initialState(c: CompiledProblem): EpochState {
  return { done: new Uint8Array(c.n), resident: Int32Array.from(c.initialResident), last: new Int32Array(c.gpuIds.length).fill(-1), remaining: c.n };
}

/** Whether every dependency of `v` is done. */
export function depsDone(c: CompiledProblem, s: EpochState, v: number): boolean {
  for (const d of c.deps[v] ?? []) if (s.done[d] !== 1) return false;
  return true;
}

/** GPU nodes whose dependencies are all done, by index. */
export function readyGpu(c: CompiledProblem, s: EpochState): number[] {
  const out: number[] = [];
  for (let v = 0; v < c.n; v++) if (c.isGpu[v] === 1 && s.done[v] !== 1 && depsDone(c, s, v)) out.push(v);
  return out;
}

/** Cost of GPU node `v` on GPU `g` in state `s`: eligible·(0.9 if g's last node is a parent) + invariant + switch. */
export function gpuCost(c: CompiledProblem, s: EpochState, g: number, v: number): number {
  const last = s.last[g] ?? -1;
  const discount = last >= 0 && c.isParent[last * c.n + v] === 1 ? PARENT_KV_FACTOR : 1;
  const m = c.model[v] ?? 0;
  return (c.eligible[v] ?? 0) * discount + (c.invariant[v] ?? 0) + (c.switchS[((s.resident[g] ?? -1) + 1) * c.models.length + m] ?? 0);
}

/**
 * The CPU nodes of the next epoch: not done, every dependency done or a CPU node of this same
 * epoch; list-scheduled in topological order on the earliest free slot (lowest index on ties).
 */
export function cpuClosure(c: CompiledProblem, s: EpochState): CpuPlacement {
  const nodes: number[] = [];
  const slot: number[] = [];
  const start: number[] = [];
  const finish = new Map<number, number>();
  const free = new Array<number>(c.cpuSlots.length).fill(0);
  let timeS = 0;
  for (let v = 0; v < c.n; v++) {
    if (c.isGpu[v] === 1 || s.done[v] === 1) continue;
    let ready = 0;
    let ok = true;
    for (const d of c.deps[v] ?? []) {
      if (s.done[d] === 1) continue;
      const f = finish.get(d);
      if (f === undefined) {
        ok = false;
        break;
      }
      ready = Math.max(ready, f);
    }
    if (!ok) continue;
    let best = 0;
    for (let k = 1; k < free.length; k++) if (Math.max(free[k] ?? 0, ready) < Math.max(free[best] ?? 0, ready)) best = k;
    const t = Math.max(free[best] ?? 0, ready);
    const end = t + (c.cpuS[v] ?? 0);
    free[best] = end;
    finish.set(v, end);
    timeS = Math.max(timeS, end);
    nodes.push(v);
    slot.push(best);
    start.push(t);
  }
  return { nodes, slot, start, timeS };
}

/** What `applyEpoch` changed, for `undoEpoch`. */
export interface EpochUndo {
  readonly resident: Int32Array;
  readonly last: Int32Array;
  readonly marked: readonly number[];
}

/** Cost of an epoch: the longest GPU node (assign[g] = node or -1) or the CPU time, whichever is larger. */
export function epochCost(c: CompiledProblem, s: EpochState, assign: Int32Array, cpu: CpuPlacement): number {
  let cost = cpu.timeS;
  for (let g = 0; g < assign.length; g++) {
    const v = assign[g] ?? -1;
    if (v >= 0) cost = Math.max(cost, gpuCost(c, s, g, v));
  }
  return cost;
}

/** Runs an epoch on `s` in place: the assigned GPU nodes and the CPU placement become done. */
export function applyEpoch(c: CompiledProblem, s: EpochState, assign: Int32Array, cpu: CpuPlacement): EpochUndo {
  const undo = { resident: Int32Array.from(s.resident), last: Int32Array.from(s.last), marked: [] as number[] };
  for (let g = 0; g < assign.length; g++) {
    const v = assign[g] ?? -1;
    if (v < 0) continue;
    s.resident[g] = c.model[v] ?? -1;
    s.last[g] = v;
    s.done[v] = 1;
    undo.marked.push(v);
  }
  for (const v of cpu.nodes) {
    s.done[v] = 1;
    undo.marked.push(v);
  }
  s.remaining -= undo.marked.length;
  return undo;
}

/** Reverts `applyEpoch`. */
export function undoEpoch(s: EpochState, undo: EpochUndo): void {
  s.resident.set(undo.resident);
  s.last.set(undo.last);
  for (const v of undo.marked) s.done[v] = 0;
  s.remaining += undo.marked.length;
}
