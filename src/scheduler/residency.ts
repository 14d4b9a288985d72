// agentlake's plan (issue 14): which models each simulated GPU holds first, what the runtime needs to
// move GPUs later, and the order its dispatch prefers. Calls are not pinned to GPUs; the runtime keeps
// them and each GPU pulls the next one its KV budget holds (runtime/dispatch.ts), preferring the one
// whose prompt prefix it already holds. The planner decides:
//   - the first stint of every GPU, by a fluid replay (fluid.ts) of three starts: each model's GPUs
//     in proportion to its work with the smallest models beside another (co-located when both fit,
//     else sleep-mode swaps); a GPU per model; or the models no other model reads left out of the
//     start. A model others read from is always held from the start, so no call waits on a GPU that
//     waits on it;
//   - what later moves cost and weigh: each call's share of its model's work, each model's KV budget
//     alone on a GPU and its move cost (a wake from sleep when the cluster starts warm with every model
//     asleep on every GPU, else a cold load); the runtime moves a GPU whose models have run out of
//     calls by the replay's rule, on live progress (the replay's moves are shown in EXPLAIN);
//   - each call's KV tokens (estimated prompt and expected output);
//   - the priority order: inputs in order (finishing the inputs already started feeds the models
//     downstream), each input's calls in DAG order.
import { isModelCall, type ActionDag, type ActionId } from '../ir/action-dag.ts';
import type { ModelRef } from '../ir/common.ts';
import type { DeviceKind } from '../ir/cluster.ts';
import { CPU_WINDOW, CPU_WORKER, planBuilder, type CallCost, type GpuDeployment, type PhysicalPlan, type Stint, type WorkerRef } from '../ir/physical-plan.ts';
import { DEFAULT_DIFFUSION_STEPS, DEFAULT_SWITCH_COSTS, DEVICES, SIM_IMAGE_SIZE, coldLoadSeconds, diffusionSeconds, kvCapacityTokensAt, modelCost, wakeSeconds } from '../cost/cost-model.ts';
import { distinctPieceTokens, estimateCalls, type CallEstimate } from '../cost/estimate.ts';
import { deploymentOf, proportionalReplicas, type ModelWork } from './replicas.ts';
import { fluidReplay, type FluidModel, type FluidResult } from './fluid.ts';
import { endpointWindow, endpointWorker, type DeclaredWorker } from './workers.ts';

/** No limit at the executor: the dispatch holds calls until a GPU has room. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export interface ResidencyOptions {
  readonly gpus: number;
  readonly device?: DeviceKind;
  /** The cluster starts with the plan's first stints loaded and the later stints' models asleep. */
  readonly warm?: boolean;
  readonly reasoning?: boolean;
  readonly workers?: readonly DeclaredWorker[];
}

/** What the planner decided, for EXPLAIN and the benchmark. */
export interface ResidencyReport {
  /** Per GPU, its stints: models, co-location shares, estimated start. */
  readonly stints: readonly { readonly gpu: number; readonly stints: readonly { readonly models: readonly string[]; readonly shares?: readonly number[]; readonly startS: number }[] }[];
  /** The fluid replay's estimate of when the last model's work ends (simulated seconds, full batch). */
  readonly estimatedMakespanS: number;
  /** Model calls planned on simulated GPUs. */
  readonly calls: number;
}

export interface ResidencySchedule {
  readonly plan: PhysicalPlan;
  readonly report: ResidencyReport;
}

/** Plans `dag` on `opts.gpus` simulated GPUs: residency stints, call sizes, priority order. */
export function planResidency(dag: ActionDag, opts: ResidencyOptions): ResidencySchedule {
  const device = opts.device ?? 'h100';
  const workers = opts.workers ?? [];
  const estimates = estimateCalls(dag, { reasoning: opts.reasoning === true });
  const served = new Set(workers.flatMap((w) => w.models));
  const { work, perCall } = residencyWork(dag, device, served, estimates);
  const gpus = Math.max(1, opts.gpus);
  const warm = opts.warm === true;
  const { first, fluid } = chooseStart(dag, work, gpus, device, warm);
  const profile = DEVICES[device];
  const models = new Map([...work].map(([name, w]) => [name, { model: w.model, kvAlone: modelCost(profile, w.model).kvCapacityTokens, moveS: moveSeconds(w.model, warm) }]));
  // Warm: every model a GPU may move to was started there before the run and put to sleep.
  const deployment = new Map<number, GpuDeployment>();
  const firstStints = new Map<number, Stint>();
  for (const [gpu, d] of first) {
    const asleep = [...work.values()].map((w) => w.model).filter((m) => !d.models.some((x) => x.name === m.name));
    deployment.set(gpu, warm && asleep.length > 0 ? { ...d, asleep } : d);
    firstStints.set(gpu, stintOf(d, device));
  }
  const calls = new Map<ActionId, CallCost>();
  for (const [id, e] of estimates) calls.set(id, { prompt: e.length, output: e.outputTokens, seconds: perCall.get(id) ?? 0 });
  const all = Array.from({ length: gpus }, (_, i) => i);
  const b = planBuilder();
  let planned = 0;
  for (const a of priorityOrder(dag)) {
    if (!('model' in a)) {
      b.place(CPU_WORKER, a.id, CPU_WINDOW);
      continue;
    }
    if (work.has(a.model.name)) {
      b.place({ kind: 'replicas', model: a.model.name, gpus: all, routing: 'planned' }, a.id, UNBOUNDED);
      if (isModelCall(a)) planned++;
      continue;
    }
    const fixed: WorkerRef = endpointWorker(a.model.name, a.input, workers);
    b.place(fixed, a.id, endpointWindow(fixed, workers));
  }
  return {
    plan: { ...b.plan, deployment, residency: { first: firstStints, calls, models } },
    report: {
      stints: [...first].sort((x, y) => x[0] - y[0]).map(([gpu, d]) => ({
        gpu,
        stints: [
          { models: d.models.map((m) => m.name), ...(d.memoryFractions ? { shares: d.memoryFractions } : {}), startS: 0 },
          ...(fluid.moves.get(gpu) ?? []).map((m) => ({ models: [m.model.name], startS: Math.round(m.startS * 10) / 10 })),
        ],
      })),
      estimatedMakespanS: fluid.makespanS,
      calls: planned,
    },
  };
}

/** Seconds to move a GPU to `m`: a wake where it slept (warm), else a cold load. */
function moveSeconds(m: ModelRef, warm: boolean): number {
  return warm ? wakeSeconds(DEFAULT_SWITCH_COSTS, m.paramsB) : coldLoadSeconds(DEFAULT_SWITCH_COSTS, m.paramsB);
}

/**
 * Each sim:// model's work in GPU-seconds as the planner expects it to run: its distinct prompt
 * prefixes prefilled once (shared pieces hit the cache), each call's decode at the batch
 * its KV holds (a decode step reads the weights once for the batch and each sequence's context), and
 * diffusion steps for images. The baselines' layout (replicas.ts) counts whole prompts and decode at
 * the compute floor, as a practitioner's sizing would.
 */
function residencyWork(dag: ActionDag, device: DeviceKind, served: ReadonlySet<string>, estimates: ReadonlyMap<ActionId, CallEstimate>): { readonly work: Map<string, ModelWork>; readonly perCall: Map<ActionId, number> } {
  const profile = DEVICES[device];
  const calls = dag.actions.filter((a): a is Extract<typeof a, { model: ModelRef }> => isModelCall(a) && 'model' in a && a.model.endpoint.startsWith('sim://') && !served.has(a.model.name));
  const prompts: { model: string; pieces: CallEstimate['pieces'] }[] = [];
  const naive = new Map<string, number>();
  for (const a of calls) {
    const e = estimates.get(a.id);
    if (!e || a.kind === 'image') continue;
    prompts.push({ model: a.model.name, pieces: e.pieces });
    naive.set(a.model.name, (naive.get(a.model.name) ?? 0) + e.length);
  }
  const distinct = distinctPieceTokens(prompts);
  const perCall = new Map<ActionId, number>();
  const work = new Map<string, ModelWork>();
  for (const a of calls) {
    const cost = modelCost(profile, a.model);
    const e = estimates.get(a.id);
    let s: number;
    if (a.kind === 'image') s = diffusionSeconds(a.model.paramsB, a.decoding.width ?? SIM_IMAGE_SIZE, a.decoding.height ?? SIM_IMAGE_SIZE, DEFAULT_DIFFUSION_STEPS);
    else {
      const prompt = e?.length ?? 0;
      const out = e?.outputTokens ?? 0;
      const share = (distinct.get(a.model.name) ?? 0) / Math.max(1, naive.get(a.model.name) ?? 0);
      const batch = Math.max(1, Math.min(256, Math.floor(cost.kvCapacityTokens / Math.max(1, prompt + out))));
      s = (prompt * share) / cost.prefillTokensPerS + out * Math.max(cost.computePerTokenS, cost.weightsStepS / batch + cost.perContextTokenS * (prompt + out / 2));
    }
    perCall.set(a.id, s);
    const prev = work.get(a.model.name);
    work.set(a.model.name, { model: a.model, seconds: (prev?.seconds ?? 0) + s, calls: (prev?.calls ?? 0) + 1 });
  }
  return { work, perCall };
}

/** Inputs in order (actions of no input first), each input's actions in DAG order. */
function priorityOrder(dag: ActionDag): ActionDag['actions'] {
  const at = new Map(dag.actions.map((a, i) => [a.id, i]));
  return [...dag.actions].sort((x, y) => (x.input ?? -1) - (y.input ?? -1) || (at.get(x.id) ?? 0) - (at.get(y.id) ?? 0));
}

/** A deployment as a stint: each model's KV budget at its share (alone: vLLM's default). */
function stintOf(d: GpuDeployment, device: DeviceKind): Stint {
  const profile = DEVICES[device];
  const kvBudget = d.models.map((m, i) => {
    const share = d.memoryFractions?.[i];
    return share === undefined ? modelCost(profile, m).kvCapacityTokens : kvCapacityTokensAt(profile, m, share);
  });
  return { models: d.models, ...(d.memoryFractions ? { memoryFractions: d.memoryFractions } : {}), kvBudget };
}

/**
 * Per model, the models its calls read from (through any steps) that do not read from it (`upstream`),
 * and every model some other model's calls read from (`read`, cycles included).
 */
export function upstreamModels(dag: ActionDag, models: ReadonlySet<string>): { readonly upstream: Map<string, string[]>; readonly read: Set<string> } {
  const names = [...models].sort();
  const bit = new Map(names.map((n, i) => [n, 1 << i]));
  const out = new Map<string, string[]>(names.map((n) => [n, []]));
  // Beyond 30 models the masks overflow: say every model is read (nothing is left out of the start).
  if (names.length > 30) return { upstream: out, read: new Set(names) };
  const below = new Map<ActionId, number>();
  const reads = new Map<string, number>();
  for (const a of dag.actions) {
    let mask = 0;
    for (const d of a.deps) mask |= below.get(d) ?? 0;
    const own = 'model' in a && isModelCall(a) ? (bit.get(a.model.name) ?? 0) : 0;
    if (own !== 0 && 'model' in a) reads.set(a.model.name, (reads.get(a.model.name) ?? 0) | (mask & ~own));
    below.set(a.id, mask | own);
  }
  const read = new Set<string>();
  for (const n of names) {
    const mask = reads.get(n) ?? 0;
    out.set(n, names.filter((u) => (mask & (bit.get(u) ?? 0)) !== 0 && ((reads.get(u) ?? 0) & (bit.get(n) ?? 0)) === 0));
    for (const u of names) if (u !== n && (mask & (bit.get(u) ?? 0)) !== 0) read.add(u);
  }
  return { upstream: out, read };
}

/**
 * The first stints and the moves after them: the fluid replay (fluid.ts) of three starts, the one
 * that ends sooner kept — every model on its work-proportional GPUs from the start (the smallest
 * beside another); every model on a GPU of its own from the start (loading while the others work);
 * or the models no other model reads from left out of the start (their work only comes once their
 * inputs' upstream calls are done) and moved to as the upstream models run out of work.
 */
function chooseStart(dag: ActionDag, work: ReadonlyMap<string, ModelWork>, gpus: number, device: DeviceKind, warm: boolean): { readonly first: Map<number, GpuDeployment>; readonly fluid: FluidResult } {
  const { upstream, read } = upstreamModels(dag, new Set(work.keys()));
  const models = new Map<string, FluidModel>([...work].map(([n, w]) => [n, { model: w.model, seconds: w.seconds, upstream: upstream.get(n) ?? [] }]));
  const moveS = (m: ModelRef): number => moveSeconds(m, warm);
  const sinks = [...work.keys()].filter((n) => !read.has(n) && (upstream.get(n) ?? []).length > 0);
  const starts: { readonly served: ReadonlyMap<string, ModelWork>; readonly ownAll: boolean }[] = [{ served: work, ownAll: false }, { served: work, ownAll: true }];
  if (sinks.length > 0 && sinks.length < work.size) starts.push({ served: new Map([...work].filter(([n]) => !sinks.includes(n))), ownAll: false });
  let best: { first: Map<number, GpuDeployment>; fluid: FluidResult } | undefined;
  for (const { served, ownAll } of starts) {
    const layout = proportionalReplicas(served, gpus, ownAll);
    // Cold: a GPU's first models load one after another before its first call.
    const startS = (names: readonly string[]): number => (warm ? 0 : names.reduce((sum, n) => sum + coldLoadSeconds(DEFAULT_SWITCH_COSTS, work.get(n)?.model.paramsB ?? 8), 0));
    const first = deploymentOf(layout, work, device);
    const colocated = new Set([...first].filter(([, d]) => d.memoryFractions !== undefined).map(([g]) => g));
    const fluid = fluidReplay(models, layout.modelsOn, gpus, moveS, startS, colocated);
    if (best === undefined || fluid.makespanS < best.fluid.makespanS) best = { first, fluid };
  }
  return best as { first: Map<number, GpuDeployment>; fluid: FluidResult };
}
