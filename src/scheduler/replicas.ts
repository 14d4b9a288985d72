// How the baselines deploy replicas, as a practitioner who knows the workload would: each sim://
// model's work (calls × tokens × size, in GPU-seconds at full batch by the cost model), GPUs given to
// models in proportion to it — every model with at least half a GPU's share gets its own replicas,
// the next GPU always to the model with the most work per replica (which minimises the largest) —
// and the models with less than half a GPU's share placed on the GPUs with the least work, beside
// another model: co-located (the small model gets the smallest share, in steps of 0.05, whose KV holds
// two sequences of the longest context; the GPU's own model the rest of vLLM's default 0.9) when both
// fit, else swapped in and out with vLLM's sleep mode.
import { isModelCall, type ActionDag } from '../ir/action-dag.ts';
import type { ModelRef } from '../ir/common.ts';
import { DEFAULT_DIFFUSION_STEPS, DEFAULT_GPU_MEMORY_UTILIZATION, DEVICES, SIM_IMAGE_SIZE, diffusionSeconds, kvCapacityTokensAt, modelCost } from '../cost/cost-model.ts';
import type { GpuDeployment } from '../ir/physical-plan.ts';
import { estimateCalls } from '../cost/estimate.ts';
import type { DeviceKind } from '../ir/cluster.ts';

/** A model's work and its catalog entry. */
export interface ModelWork {
  readonly model: ModelRef;
  /** Estimated GPU-seconds at full batch: prompt tokens / R + output tokens × t_c (diffusion: its steps). */
  readonly seconds: number;
  readonly calls: number;
}

/** The work of every sim:// model of `dag` not served by a declared worker. */
export function modelWork(dag: ActionDag, device: DeviceKind = 'h100', served: ReadonlySet<string> = new Set()): Map<string, ModelWork> {
  const estimates = estimateCalls(dag);
  const out = new Map<string, ModelWork>();
  for (const a of dag.actions) {
    if (!isModelCall(a) || !('model' in a) || !a.model.endpoint.startsWith('sim://') || served.has(a.model.name)) continue;
    const e = estimates.get(a.id);
    const cost = modelCost(DEVICES[device], { paramsB: a.model.paramsB });
    const seconds = a.kind === 'image'
      ? diffusionSeconds(a.model.paramsB, a.decoding.width ?? SIM_IMAGE_SIZE, a.decoding.height ?? SIM_IMAGE_SIZE, DEFAULT_DIFFUSION_STEPS)
      : (e?.length ?? 0) / cost.prefillTokensPerS + (e?.outputTokens ?? 0) * cost.computePerTokenS;
    const prev = out.get(a.model.name);
    out.set(a.model.name, { model: a.model, seconds: (prev?.seconds ?? 0) + seconds, calls: (prev?.calls ?? 0) + 1 });
  }
  return out;
}

/** Which GPUs serve each model, and which models each GPU holds (its own model first). */
export interface ReplicaLayout {
  readonly gpusOf: ReadonlyMap<string, readonly number[]>;
  readonly modelsOn: ReadonlyMap<number, readonly string[]>;
}

/** The work-proportional layout of `work` on `gpus` GPUs (`ownAll`: every model its own GPU while there are enough). */
export function proportionalReplicas(work: ReadonlyMap<string, Pick<ModelWork, 'seconds'>>, gpus: number, ownAll = false): ReplicaLayout {
  const models = [...work.entries()].sort((a, b) => b[1].seconds - a[1].seconds || (a[0] < b[0] ? -1 : 1));
  const total = models.reduce((s, [, w]) => s + w.seconds, 0);
  const share = (s: number): number => (total > 0 ? (gpus * s) / total : 0);
  // Sorted by work, so the owners are a prefix (the busiest model always owns a GPU).
  const owners = models.filter(([, w], i) => i === 0 || ownAll || share(w.seconds) >= 0.5).slice(0, gpus);
  const guests = models.slice(owners.length);
  // One GPU each, then each next GPU to the owner with the most work per replica.
  const replicas = owners.map(() => 1);
  const perReplica = (i: number): number => (owners[i]?.[1].seconds ?? 0) / (replicas[i] ?? 1);
  for (let left = gpus - owners.length; left > 0; left--) {
    let best = 0;
    for (let i = 1; i < owners.length; i++) if (perReplica(i) > perReplica(best)) best = i;
    replicas[best] = (replicas[best] ?? 0) + 1;
  }
  const gpusOf = new Map<string, number[]>();
  const modelsOn = new Map<number, string[]>();
  const load: number[] = [];
  let next = 0;
  owners.forEach(([name, w], i) => {
    const n = replicas[i] ?? 1;
    const mine = Array.from({ length: n }, (_, k) => next + k);
    next += n;
    gpusOf.set(name, mine);
    for (const g of mine) {
      modelsOn.set(g, [name]);
      load[g] = w.seconds / n;
    }
  });
  for (const [name, w] of guests) {
    let g = 0;
    for (let k = 1; k < gpus; k++) if ((load[k] ?? 0) < (load[g] ?? 0)) g = k;
    gpusOf.set(name, [g]);
    modelsOn.set(g, [...(modelsOn.get(g) ?? []), name]);
    load[g] = (load[g] ?? 0) + w.seconds;
  }
  return { gpusOf, modelsOn };
}

/** The simulator's default max_model_len (sim/models.ts): a vLLM instance must hold one sequence of it. */
const MAX_MODEL_LEN = 32_768;
/** Memory shares are chosen in these steps. */
const SHARE_STEP = 0.05;

/** What each GPU of `layout` is deployed with: one model, co-located models with their shares, or sleep-mode swaps. */
export function deploymentOf(layout: ReplicaLayout, work: ReadonlyMap<string, ModelWork>, device: DeviceKind = 'h100'): Map<number, GpuDeployment> {
  const out = new Map<number, GpuDeployment>();
  for (const [gpu, names] of layout.modelsOn) {
    const models = names.flatMap((n) => work.get(n)?.model ?? []);
    const shares = models.length > 1 ? colocationShares(models, device) : undefined;
    out.set(gpu, shares ? { models, memoryFractions: shares } : { models });
  }
  return out;
}

/** Shares for `models` side by side (the first takes what the others leave of 0.9), or undefined when they do not fit. */
function colocationShares(models: readonly ModelRef[], device: DeviceKind): number[] | undefined {
  const profile = DEVICES[device];
  const guests = models.slice(1).map((m) => {
    for (let k = 1; k * SHARE_STEP < DEFAULT_GPU_MEMORY_UTILIZATION; k++) {
      const f = Math.round(k * SHARE_STEP * 100) / 100;
      if (kvCapacityTokensAt(profile, m, f) >= 2 * MAX_MODEL_LEN) return f;
    }
    return undefined;
  });
  if (guests.some((g) => g === undefined)) return undefined;
  const owner = Math.round((DEFAULT_GPU_MEMORY_UTILIZATION - guests.reduce((s: number, g) => s + (g ?? 0), 0)) * 100) / 100;
  const first = models[0];
  if (first === undefined || owner <= 0 || kvCapacityTokensAt(profile, first, owner) < MAX_MODEL_LEN) return undefined;
  return [owner, ...guests.map((g) => g ?? 0)];
}
