// The scheduler's graph of one batch: where each action runs (a sim:// model on the simulated GPUs,
// a fixed worker, or the CPU) and its input shard; template nodes per (shard, step, round, where),
// contracted convexly into super-nodes (ALGORITHMS.md §2); and the plan nodes the epoch DP places,
// each GPU node costed from the cost model with its calls in cache-aware order (§3). Pure.
import { isModelCall, type Action, type ActionDag, type ActionId } from '../ir/action-dag.ts';
import { workerId, type WorkerRef } from '../ir/physical-plan.ts';
import { DEFAULT_DIFFUSION_STEPS, SIM_IMAGE_SIZE, diffusionSeconds, modelCost, type DeviceProfile } from '../cost/cost-model.ts';
import { estimateCalls, type CallEstimate } from '../cost/estimate.ts';
import { estimateGpuNode } from '../cost/node-cost.ts';
import { contractConvex, type Contraction, type ContractNode } from './contract.ts';
import type { PlanNode } from './epoch-problem.ts';
import { orderAndMeasure } from './prefix-order.ts';

/** The CPU slot's id in plan nodes. */
export const CPU = 'cpu';

/** Where each action of the batch runs, and its input shard. */
export interface Placing {
  readonly shards: number;
  shardOf(a: Action): number;
  /** The sim:// model of a call that runs on the simulated GPUs. */
  simModel(a: Action): string | undefined;
  /** The fixed worker of a call to another endpoint (or a model declared workers serve). */
  fixedWorker(a: Action): WorkerRef | undefined;
}

/**
 * One shard per GPU (by input); a model some declared worker serves runs there (whatever its own
 * endpoint); other sim:// models run on the simulated GPUs; other endpoints are their model's fixed worker.
 */
export function placing(dag: ActionDag, gpus: number, endpointWorker: (model: string, input: number | null) => WorkerRef, served: ReadonlySet<string>): Placing {
  const inputs = new Set(dag.actions.map((a) => a.input).filter((i): i is number => i !== null));
  const maxInput = Math.max(0, ...inputs);
  const shards = Math.max(1, Math.min(gpus, inputs.size));
  const simModel = (a: Action): string | undefined => ('model' in a && isModelCall(a) && a.model.endpoint.startsWith('sim://') && !served.has(a.model.name) ? a.model.name : undefined);
  return {
    shards,
    shardOf: (a) => (a.input === null ? 0 : Math.min(shards - 1, Math.floor((a.input * shards) / (maxInput + 1)))),
    simModel,
    fixedWorker: (a) => ('model' in a && isModelCall(a) && simModel(a) === undefined ? endpointWorker(a.model.name, a.input) : undefined),
  };
}

/** Template nodes (one per shard, step, round and where) and their convex contraction. */
export interface Grouping {
  readonly nodeOf: ReadonlyMap<ActionId, string>;
  readonly templateNodes: number;
  readonly contraction: Contraction;
  /** Each contracted group's actions. */
  readonly groupActions: ReadonlyMap<string, readonly Action[]>;
}

export function groupBatch(dag: ActionDag, p: Placing): Grouping {
  const nodeOf = new Map<ActionId, string>();
  const members = new Map<string, Action[]>();
  for (const a of dag.actions) {
    const fixed = p.fixedWorker(a);
    const where = p.simModel(a) ?? (fixed ? workerId(fixed) : CPU);
    const key = `${p.shardOf(a)}|${a.step}|${a.round ?? 0}|${where}`;
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
    const text = first?.kind === 'llm' && p.simModel(first) !== undefined;
    return { id: key, deps: templateDeps(key), key: text && first ? `${p.shardOf(first)}|${first.model.name}` : null };
  });
  const contraction = contractConvex(contractNodes);
  const groupActions = new Map<string, Action[]>();
  for (const g of contraction.groups) groupActions.set(g.id, g.members.flatMap((m) => members.get(m) ?? []));
  return { nodeOf, templateNodes: contractNodes.length, contraction, groupActions };
}

/** The plan nodes, each group's calls in prefix order, and the estimated prompt and cached tokens. */
export interface PlanNodes {
  readonly nodes: PlanNode[];
  readonly orderInGroup: ReadonlyMap<string, readonly ActionId[]>;
  readonly promptTokens: number;
  readonly cachedTokens: number;
}

/** A GPU node per group of sim:// calls; CPU nodes (CPU work and fixed endpoints) cost no GPU time. */
export function planNodes(dag: ActionDag, g: Grouping, p: Placing, device: DeviceProfile, reasoning = false): PlanNodes {
  const estimates = estimateCalls(dag, { reasoning });
  const orderInGroup = new Map<string, ActionId[]>();
  let promptTokens = 0;
  let cachedTokens = 0;
  const nodes: PlanNode[] = g.contraction.groups.map((group) => {
    const actions = g.groupActions.get(group.id) ?? [];
    const model = actions.map((a) => p.simModel(a)).find((m) => m !== undefined);
    const first = actions.find((a) => p.simModel(a) !== undefined);
    if (model === undefined || !first || !('model' in first)) return { kind: 'cpu', id: group.id, deps: group.deps, cpuS: 0 };
    const calls = actions.map((a) => estimates.get(a.id)).filter((c): c is CallEstimate => c !== undefined);
    const inGroup = new Set(actions.map((a) => a.id));
    const depsOf = new Map(actions.map((a) => [a.id, a.deps]));
    const cost = modelCost(device, { paramsB: first.model.paramsB });
    const { order, measure: measured } = orderAndMeasure(calls.map((c) => ({ id: c.id, tokens: c.tokens, deps: (depsOf.get(c.id) ?? []).filter((d) => inGroup.has(d)), cost: c.tokens.length + c.outputTokens })), { capacityTokens: cost.kvCapacityTokens });
    orderInGroup.set(group.id, order);
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
    const denoiseS = actions.reduce((t, a) => t + (a.kind === 'image' && p.simModel(a) !== undefined ? diffusionSeconds(a.model.paramsB, a.decoding.width ?? SIM_IMAGE_SIZE, a.decoding.height ?? SIM_IMAGE_SIZE, DEFAULT_DIFFUSION_STEPS) : 0), 0);
    return { kind: 'gpu', id: group.id, deps: group.deps, model, eligibleS: work.eligibleS, invariantS: Math.max(work.invariantS, floor - work.eligibleS) + denoiseS };
  });
  return { nodes, orderInGroup, promptTokens, cachedTokens };
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
