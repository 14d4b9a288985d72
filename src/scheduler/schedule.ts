// The hybrid scheduler (ALGORITHMS.md §2-4) for one batch: actions are grouped per (input shard, step,
// round, model), same-model text-only LLM groups are contracted convexly into super-nodes, the epoch
// DP places the contracted graph on the simulated GPUs, and inside each node the calls follow the
// cache-aware longest-prefix-match order. Output: a PhysicalPlan (hard assignment, soft per-worker
// order, epochs) plus a report. Pure: no I/O, no clock (a deadline comes from an injected `now`).
import { isModelCall, type ActionDag, type ActionId } from '../ir/action-dag.ts';
import { CPU_WINDOW, CPU_WORKER, planBuilder, workerId, type PhysicalPlan, type WorkerRef } from '../ir/physical-plan.ts';
import { DEVICES, DEFAULT_SWITCH_COSTS } from '../cost/cost-model.ts';
import { type DeviceKind } from '../ir/cluster.ts';
import type { EpochDpStats } from './epoch-dp.ts';
import { switchCostOf, type EpochProblem } from './epoch-problem.ts';
import { CPU, groupBatch, placing, planNodes, type Grouping, type Placing, type PlanNodes } from './batch-nodes.ts';
import { choosePlacement, type Placement } from './placement.ts';

export interface ScheduleOptions {
  /** Simulated GPUs serving the sim:// models. */
  readonly gpus: number;
  readonly device?: DeviceKind;
  /** GPUs start with their first planned model loaded (a warm cluster): no first load is charged. */
  readonly warm?: boolean;
  /** Models resident at time 0 on GPU 0, 1, ... (catalog names). */
  readonly preload?: readonly string[];
  /** Thinking mode: calls think before they answer, so each is expected to generate more. */
  readonly reasoning?: boolean;
  /** Requests each GPU keeps in flight (the server batches what it has). Default 256. */
  readonly window?: number;
  /** Declared workers (CREATE WORKER): calls of a model they serve are spread over them. */
  readonly workers?: readonly DeclaredWorker[];
  /** Epoch DP expansion budget (default DP_EXPANSIONS). */
  readonly maxExpansions?: number;
  readonly now?: () => number;
  readonly deadline?: number;
}

/** What the scheduler decided, for EXPLAIN and the benchmark. */
export interface ScheduleReport {
  readonly shards: number;
  /** Nodes before and after contraction (GPU and CPU). */
  readonly templateNodes: number;
  readonly contractedNodes: number;
  readonly superNodes: number;
  readonly epochs: number;
  readonly switches: number;
  /** Estimated seconds (simulated GPUs). */
  readonly estimatedMakespanS: number;
  /** Which schedule won the event-driven comparison: the DP's, or one of its seeds. */
  readonly chosen: string;
  /** Estimated share of prompt tokens served from the prefix cache under the plan's order. */
  readonly estimatedCacheHitRate: number;
  /** Model calls per GPU worker. */
  readonly callsPerWorker: Readonly<Record<string, number>>;
  readonly dp: EpochDpStats;
}

/** A declared inference server: its name and the models it serves. */
export interface DeclaredWorker {
  readonly name: string;
  readonly models: readonly string[];
  readonly maxConcurrency?: number;
}

/**
 * The fixed worker of a call to a non-sim endpoint: one of the declared workers serving its model
 * (by input, round-robin), else the model's own endpoint (`model:<name>`).
 */
export function endpointWorker(model: string, input: number | null, workers: readonly DeclaredWorker[] = []): WorkerRef {
  const serving = workers.filter((w) => w.models.includes(model));
  const w = serving[(input ?? 0) % Math.max(1, serving.length)];
  return w ? { kind: 'worker', name: w.name } : { kind: 'model', name: model };
}

/** Requests a fixed worker keeps in flight: its MAX_CONCURRENCY, else 16. */
export function endpointWindow(worker: WorkerRef, workers: readonly DeclaredWorker[] = []): number {
  const w = worker.kind === 'worker' ? workers.find((x) => x.name === worker.name) : undefined;
  return w?.maxConcurrency ?? 16;
}

export interface Schedule {
  readonly plan: PhysicalPlan;
  readonly report: ScheduleReport;
}

/** The epoch DP's expansion budget in scheduleBatch: deterministic (no clock), ≈ tens of ms at 50+ nodes. */
export const DP_EXPANSIONS = 500;

const DEFAULT_WINDOW = 256;

/** Plans `dag` on `opts.gpus` simulated GPUs (calls to other endpoints go to their own fixed worker). */
export function scheduleBatch(dag: ActionDag, opts: ScheduleOptions): Schedule {
  const p = placing(dag, opts.gpus, (model, input) => endpointWorker(model, input, opts.workers), new Set((opts.workers ?? []).flatMap((w) => w.models)));
  const grouping = groupBatch(dag, p);
  const costed = planNodes(dag, grouping, p, DEVICES[opts.device ?? 'h100'], opts.reasoning === true);
  const gpuRefs: WorkerRef[] = Array.from({ length: Math.max(1, opts.gpus) }, (_, i) => ({ kind: 'gpu', index: i }));
  const sizes = new Map(dag.actions.flatMap((a) => ('model' in a ? [[a.model.name, a.model.paramsB] as const] : [])));
  const load = switchCostOf(DEFAULT_SWITCH_COSTS, (m) => sizes.get(m) ?? 8);
  const problem: EpochProblem = {
    nodes: costed.nodes, cpuSlots: [CPU],
    gpus: gpuRefs.map((g, i) => ({ id: workerId(g), resident: opts.preload?.[i] ?? null })),
    switchS: opts.warm === true ? (from, to) => (from === null ? 0 : load(from, to)) : load,
  };
  const { chosen, chosenEpochs, dpPlan } = choosePlacement(problem, { maxExpansions: opts.maxExpansions ?? DP_EXPANSIONS, ...(opts.now ? { now: opts.now } : {}), ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}) });
  const plan = buildPlan(dag, opts, p, grouping, costed, gpuRefs, chosen);
  const callsPerWorker: Record<string, number> = {};
  for (const a of dag.actions) if (isModelCall(a)) {
    const w = plan.assignment.get(a.id) ?? CPU;
    callsPerWorker[w] = (callsPerWorker[w] ?? 0) + 1;
  }
  const { contraction } = grouping;
  return {
    plan,
    report: {
      shards: p.shards,
      templateNodes: grouping.templateNodes,
      contractedNodes: contraction.groups.length,
      superNodes: contraction.groups.filter((g) => g.members.length > 1).length,
      epochs: chosenEpochs?.epochs.length ?? Math.max(0, ...Object.values(chosen.order).map((o) => o.length)),
      switches: chosenEpochs?.switches ?? Object.values(chosen.order).filter((o) => o.length > 0).length,
      estimatedMakespanS: chosen.makespanS,
      chosen: chosen.name,
      estimatedCacheHitRate: costed.promptTokens > 0 ? costed.cachedTokens / costed.promptTokens : 0,
      callsPerWorker,
      dp: dpPlan.stats,
    },
  };
}

/** The physical plan: GPU nodes in their worker's epoch order, calls inside a node in prefix order; the rest on fixed workers or the CPU. */
function buildPlan(dag: ActionDag, opts: ScheduleOptions, p: Placing, grouping: Grouping, costed: PlanNodes, gpuRefs: readonly WorkerRef[], chosen: Placement): PhysicalPlan {
  const epochOfNode = chosen.epochOf;
  const b = planBuilder();
  const epoch = new Map<ActionId, number>();
  for (const g of gpuRefs) {
    for (const nodeId of chosen.order[workerId(g)] ?? []) {
      const e = epochOfNode.get(nodeId) ?? 0;
      const actions = grouping.groupActions.get(nodeId) ?? [];
      const sorted = costed.orderInGroup.get(nodeId) ?? [];
      const inOrder = new Set(sorted);
      for (const id of [...sorted, ...actions.filter((a) => !inOrder.has(a.id)).map((a) => a.id)]) {
        b.place(g, id, opts.window ?? DEFAULT_WINDOW);
        epoch.set(id, e);
      }
    }
  }
  for (const a of dag.actions) {
    if (b.has(a.id)) continue;
    const fixed = p.fixedWorker(a);
    if (fixed) b.place(fixed, a.id, endpointWindow(fixed, opts.workers));
    else if (p.simModel(a) !== undefined) b.place({ kind: 'gpu', index: 0 }, a.id, opts.window ?? DEFAULT_WINDOW);
    else b.place(CPU_WORKER, a.id, CPU_WINDOW);
    epoch.set(a.id, epochOfNode.get(grouping.contraction.groupOf[grouping.nodeOf.get(a.id) ?? ''] ?? '') ?? 0);
  }
  return { ...b.plan, epoch };
}
