// The hybrid scheduler (ALGORITHMS.md §2-4) for one batch: actions are grouped per (input shard, step,
// round, model), same-model text-only LLM groups are contracted convexly into super-nodes, the epoch
// DP places the contracted graph on the simulated GPUs, and inside each node the calls follow the
// cache-aware longest-prefix-match order. Output: a PhysicalPlan (hard assignment, soft per-worker
// order, epochs) plus a report. Pure: no I/O, no clock (a deadline comes from an injected `now`).
import { isModelCall, type Action, type ActionDag, type ActionId } from '../ir/action-dag.ts';
import { CPU_WINDOW, CPU_WORKER, planBuilder, workerId, type PhysicalPlan, type WorkerRef } from '../ir/physical-plan.ts';
import { DEFAULT_DIFFUSION_STEPS, DEVICES, DEFAULT_SWITCH_COSTS, SIM_IMAGE_SIZE, diffusionSeconds, modelCost, type DeviceKind } from '../cost/cost-model.ts';
import { contractConvex, type ContractNode } from './contract.ts';
import { planEpochs, type EpochDpStats } from './epoch-dp.ts';
import { compileProblem, switchCostOf, type EpochProblem, type EpochSchedule, type PlanNode } from './epoch-problem.ts';
import { affinityDecisions, greedyDecisions, minSwitchDecisions } from './epoch-incumbent.ts';
import { replay } from './epoch-schedule.ts';
import { estimateCalls, type CallEstimate } from '../cost/estimate.ts';
import { estimateGpuNode } from '../cost/node-cost.ts';
import { orderAndMeasure } from './prefix-order.ts';

export interface ScheduleOptions {
  /** Simulated GPUs serving the sim:// models. */
  readonly gpus: number;
  readonly device?: DeviceKind;
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

const CPU = 'cpu';
const DEFAULT_WINDOW = 256;

/** Plans `dag` on `opts.gpus` simulated GPUs (calls to other endpoints go to their own fixed worker). */
export function scheduleBatch(dag: ActionDag, opts: ScheduleOptions): Schedule {
  const device = DEVICES[opts.device ?? 'h100'];
  const estimates = estimateCalls(dag);
  const inputs = new Set(dag.actions.map((a) => a.input).filter((i): i is number => i !== null));
  const maxInput = Math.max(0, ...inputs);
  const shards = Math.max(1, Math.min(opts.gpus, inputs.size));
  const shardOf = (a: Action): number => (a.input === null ? 0 : Math.min(shards - 1, Math.floor((a.input * shards) / (maxInput + 1))));
  // A model some declared worker serves runs there (whatever its own endpoint); other sim:// models
  // run on the simulated GPUs; other endpoints are their model's fixed worker.
  const served = new Set((opts.workers ?? []).flatMap((w) => w.models));
  const simModel = (a: Action): string | undefined => ('model' in a && isModelCall(a) && a.model.endpoint.startsWith('sim://') && !served.has(a.model.name) ? a.model.name : undefined);
  const fixedWorker = (a: Action): WorkerRef | undefined => ('model' in a && isModelCall(a) && simModel(a) === undefined ? endpointWorker(a.model.name, a.input, opts.workers) : undefined);

  // Template nodes: one per (shard, step, round, model or CPU).
  const nodeOf = new Map<ActionId, string>();
  const members = new Map<string, Action[]>();
  for (const a of dag.actions) {
    const fixed = fixedWorker(a);
    const where = simModel(a) ?? (fixed ? workerId(fixed) : CPU);
    const key = `${shardOf(a)}|${a.step}|${a.round ?? 0}|${where}`;
    nodeOf.set(a.id, key);
    const list = members.get(key) ?? [];
    list.push(a);
    members.set(key, list);
  }
  const templateDeps = (key: string): string[] => {
    const deps = new Set<string>();
    for (const a of members.get(key) ?? []) for (const d of a.deps) {
      const k = nodeOf.get(d);
      if (k !== undefined && k !== key) deps.add(k);
    }
    return [...deps];
  };
  const contractNodes: ContractNode[] = [...members.keys()].map((key) => {
    const first = members.get(key)?.[0];
    const text = first?.kind === 'llm' && simModel(first) !== undefined;
    return { id: key, deps: templateDeps(key), key: text && first ? `${shardOf(first)}|${first.model.name}` : null };
  });
  const contraction = contractConvex(contractNodes);

  // Plan nodes: a GPU node per group of sim:// calls, CPU nodes (CPU work and fixed endpoints) cost no GPU time.
  const groupActions = new Map<string, Action[]>();
  for (const g of contraction.groups) groupActions.set(g.id, g.members.flatMap((m) => members.get(m) ?? []));
  const orderInGroup = new Map<string, ActionId[]>();
  let promptTokens = 0;
  let cachedTokens = 0;
  const nodes: PlanNode[] = contraction.groups.map((g) => {
    const actions = groupActions.get(g.id) ?? [];
    const model = actions.map(simModel).find((m) => m !== undefined);
    const first = actions.find((a) => simModel(a) !== undefined);
    if (model === undefined || !first || !('model' in first)) return { kind: 'cpu', id: g.id, deps: g.deps, cpuS: 0 };
    const calls = actions.map((a) => estimates.get(a.id)).filter((c): c is CallEstimate => c !== undefined);
    const inGroup = new Set(actions.map((a) => a.id));
    const depsOf = new Map(actions.map((a) => [a.id, a.deps]));
    const cost = modelCost(device, { paramsB: first.model.paramsB });
    const { order, measure: measured } = orderAndMeasure(calls.map((c) => ({ id: c.id, tokens: c.tokens, deps: (depsOf.get(c.id) ?? []).filter((d) => inGroup.has(d)), cost: c.tokens.length + c.outputTokens })), { capacityTokens: cost.kvCapacityTokens });
    orderInGroup.set(g.id, order);
    const tokens = calls.reduce((n, c) => n + c.tokens.length, 0);
    const cached = Math.max(0, Math.min(tokens, measured.cachedTokens));
    promptTokens += tokens;
    cachedTokens += cached;
    const work = estimateGpuNode(cost, { calls: calls.length, promptTokens: tokens, cachedTokens: cached, parentTokens: 0, outputTokens: calls.reduce((n, c) => n + c.outputTokens, 0) });
    // Calls chained inside a super-node run one level after another: at least depth × one call's latency.
    const depth = chainDepth(actions, inGroup);
    const oneCall = estimateGpuNode(cost, { calls: 1, promptTokens: tokens / Math.max(1, calls.length), cachedTokens: 0, parentTokens: 0, outputTokens: calls.reduce((n, c) => n + c.outputTokens, 0) / Math.max(1, calls.length) });
    const floor = depth * (oneCall.eligibleS + oneCall.invariantS);
    // Diffusion calls hold the GPU alone for their denoising steps (§6's simulator; one image at a time).
    const denoiseS = actions.reduce((t, a) => t + (a.kind === 'image' && simModel(a) !== undefined ? diffusionSeconds(a.model.paramsB, a.decoding.width ?? SIM_IMAGE_SIZE, a.decoding.height ?? SIM_IMAGE_SIZE, DEFAULT_DIFFUSION_STEPS) : 0), 0);
    return { kind: 'gpu', id: g.id, deps: g.deps, model, eligibleS: work.eligibleS, invariantS: Math.max(work.invariantS, floor - work.eligibleS) + denoiseS };
  });
  const gpuRefs: WorkerRef[] = Array.from({ length: Math.max(1, opts.gpus) }, (_, i) => ({ kind: 'gpu', index: i }));
  const gpus = gpuRefs.map((g) => ({ id: workerId(g), resident: null }));
  const problem: EpochProblem = { nodes, gpus, cpuSlots: [CPU], switchS: switchCostOf(DEFAULT_SWITCH_COSTS) };
  const dpPlan = planEpochs(problem, { maxExpansions: opts.maxExpansions ?? DP_EXPANSIONS, ...(opts.now ? { now: opts.now } : {}), ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}) });
  // The epoch model charges a switch inside the epoch that needs it, but the runtime loads a GPU's
  // next model while the GPU idles: compare the DP's schedule and the seeds by an event-driven
  // replay with those early loads, and keep the fastest.
  const compiled = compileProblem(problem);
  const candidates: { schedule: EpochSchedule; name: string }[] = [
    { schedule: dpPlan, name: 'dp' },
    { schedule: replay(compiled, affinityDecisions(compiled)), name: 'affinity' },
    { schedule: replay(compiled, minSwitchDecisions(compiled)), name: 'min_switch' },
    { schedule: replay(compiled, greedyDecisions(compiled)), name: 'greedy' },
  ];
  const placements: Placement[] = [...candidates.map((c) => fromEpochs(c.name, c.schedule)), partitioned(nodes, gpus.map((g) => g.id))];
  const timed = placements.map((p) => ({ ...p, makespanS: replayWithEarlyLoads(nodes, p.order, problem.switchS ?? switchCostOf(DEFAULT_SWITCH_COSTS)) }));
  const chosen = timed.reduce((a, b) => (b.makespanS < a.makespanS - 1e-9 ? b : a));
  const chosenEpochs = candidates.find((c) => c.name === chosen.name)?.schedule;

  // The physical plan: GPU nodes in their worker's epoch order, calls inside a node in prefix order.
  const epochOfNode = chosen.epochOf;
  const b = planBuilder();
  const epoch = new Map<ActionId, number>();
  for (const g of gpuRefs) {
    const gid = workerId(g);
    for (const nodeId of chosen.order[gid] ?? []) {
      const e = epochOfNode.get(nodeId) ?? 0;
      const actions = groupActions.get(nodeId) ?? [];
      const sorted = orderInGroup.get(nodeId) ?? [];
      const inOrder = new Set(sorted);
      for (const id of [...sorted, ...actions.filter((a) => !inOrder.has(a.id)).map((a) => a.id)]) {
        b.place(g, id, opts.window ?? DEFAULT_WINDOW);
        epoch.set(id, e);
      }
    }
  }
  for (const a of dag.actions) {
    if (b.has(a.id)) continue;
    const fixed = fixedWorker(a);
    if (fixed) b.place(fixed, a.id, endpointWindow(fixed, opts.workers));
    else if (simModel(a) !== undefined) b.place({ kind: 'gpu', index: 0 }, a.id, opts.window ?? DEFAULT_WINDOW);
    else b.place(CPU_WORKER, a.id, CPU_WINDOW);
    epoch.set(a.id, epochOfNode.get(contraction.groupOf[nodeOf.get(a.id) ?? ''] ?? '') ?? 0);
  }
  const { assignment } = b.plan;
  const callsPerWorker: Record<string, number> = {};
  for (const a of dag.actions) if (isModelCall(a)) {
    const w = assignment.get(a.id) ?? 'cpu';
    callsPerWorker[w] = (callsPerWorker[w] ?? 0) + 1;
  }
  return {
    plan: { ...b.plan, epoch },
    report: {
      shards,
      templateNodes: contractNodes.length,
      contractedNodes: contraction.groups.length,
      superNodes: contraction.groups.filter((g) => g.members.length > 1).length,
      epochs: chosenEpochs?.epochs.length ?? Math.max(0, ...Object.values(chosen.order).map((o) => o.length)),
      switches: chosenEpochs?.switches ?? Object.values(chosen.order).filter((o) => o.length > 0).length,
      estimatedMakespanS: chosen.makespanS,
      chosen: chosen.name,
      estimatedCacheHitRate: promptTokens > 0 ? cachedTokens / promptTokens : 0,
      callsPerWorker,
      dp: dpPlan.stats,
    },
  };
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

/** A candidate placement: each GPU's nodes in order, and each node's epoch (its position in time). */
interface Placement {
  readonly name: string;
  readonly order: Readonly<Record<string, readonly string[]>>;
  readonly epochOf: ReadonlyMap<string, number>;
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

/** Longest chain of dependencies among `actions` inside the group (1 for independent calls). */
function chainDepth(actions: readonly Action[], inGroup: ReadonlySet<ActionId>): number {
  const depth = new Map<ActionId, number>();
  let max = 0;
  for (const a of actions) {
    const d = 1 + Math.max(0, ...a.deps.filter((x) => inGroup.has(x)).map((x) => depth.get(x) ?? 0));
    depth.set(a.id, d);
    max = Math.max(max, d);
  }
  return max;
}
