// The baselines of ALGORITHMS.md §7 as physical plans. In all of them each input's calls are separate
// tasks sent the moment their dependencies finish (no window, FIFO at the server, DAG order among
// calls ready together), with no dedup and no response cache; they differ in how GPUs serve models:
//   - paper: the GPUs split equally among the batch's sim:// models by call count, a model's calls
//     pinned round-robin over its GPUs (the session also turns prefix caching off);
//   - ray-serve: work-proportional replicas (replicas.ts) behind power-of-two-choices routing;
//   - router: the same replicas behind the SGLang router's cache-aware policy;
//   - langgraph: ray-serve's serving, with each input's steps one at a time and 16 inputs in flight.
import { isModelCall, type ActionDag } from '../ir/action-dag.ts';
import type { DeviceKind } from '../ir/cluster.ts';
import { LANGGRAPH_IN_FLIGHT, type BaselineName } from '../ir/engines.ts';
import { assertNever } from '../diag/assert-never.ts';
import { CPU_WINDOW, CPU_WORKER, planBuilder, type PhysicalPlan, type RoutingPolicy, type WorkerRef } from '../ir/physical-plan.ts';
import { deploymentOf, modelWork, proportionalReplicas } from './replicas.ts';
import { endpointWorker, type DeclaredWorker } from './workers.ts';

/** No limit: every ready call is sent at once and queues at the server. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** The GPUs each sim:// model gets: most calls first; extra GPUs to the busiest models. */
export function staticPartition(callsPerModel: ReadonlyMap<string, number>, gpus: number): Map<string, number[]> {
  const models = [...callsPerModel.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([m]) => m);
  const out = new Map<string, number[]>();
  if (models.length === 0) return out;
  if (gpus < models.length) {
    models.forEach((m, i) => out.set(m, [i % gpus]));
    return out;
  }
  const base = Math.floor(gpus / models.length);
  let next = 0;
  models.forEach((m, i) => {
    const n = base + (i < gpus % models.length ? 1 : 0);
    out.set(m, Array.from({ length: n }, (_, k) => next + k));
    next += n;
  });
  return out;
}

/** How a baseline plan is made. */
export interface BaselineOptions {
  readonly name: BaselineName;
  readonly gpus: number;
  readonly device?: DeviceKind;
  readonly workers?: readonly DeclaredWorker[];
}

/** The plan of baseline `opts.name` for `dag`. */
export function baselinePlan(dag: ActionDag, opts: BaselineOptions): PhysicalPlan {
  const workers = opts.workers ?? [];
  switch (opts.name) {
    case 'paper':
      return paperPlan(dag, opts.gpus, workers);
    case 'ray-serve':
      return replicaPlan(dag, opts, 'power-of-two');
    case 'router':
      return replicaPlan(dag, opts, 'cache-aware');
    case 'langgraph':
      return { ...replicaPlan(dag, opts, 'power-of-two'), admission: { inFlight: LANGGRAPH_IN_FLIGHT } };
    default:
      return assertNever(opts.name, 'baseline');
  }
}

/** Work-proportional replicas of every sim:// model behind one router each; CPU work and declared endpoints as ever. */
function replicaPlan(dag: ActionDag, opts: BaselineOptions, routing: RoutingPolicy): PhysicalPlan {
  const workers = opts.workers ?? [];
  const work = modelWork(dag, opts.device, new Set(workers.flatMap((w) => w.models)));
  const layout = proportionalReplicas(work, opts.gpus);
  const b = planBuilder();
  for (const a of dag.actions) {
    if (!('model' in a)) {
      b.place(CPU_WORKER, a.id, CPU_WINDOW);
      continue;
    }
    const gpus = layout.gpusOf.get(a.model.name);
    const worker: WorkerRef = gpus ? { kind: 'replicas', model: a.model.name, gpus, routing } : endpointWorker(a.model.name, a.input, workers);
    b.place(worker, a.id, UNBOUNDED);
  }
  return { ...b.plan, deployment: deploymentOf(layout, work, opts.device) };
}

/** The paper's "Ray + vLLM": an equal static split, each model's calls round-robin over its GPUs. */
function paperPlan(dag: ActionDag, gpus: number, workers: readonly DeclaredWorker[]): PhysicalPlan {
  const calls = new Map<string, number>();
  const served = new Set(workers.flatMap((w) => w.models));
  for (const a of dag.actions) if (isModelCall(a) && 'model' in a && a.model.endpoint.startsWith('sim://') && !served.has(a.model.name)) calls.set(a.model.name, (calls.get(a.model.name) ?? 0) + 1);
  const partition = staticPartition(calls, gpus);
  const b = planBuilder();
  const sent = new Map<string, number>();
  for (const a of dag.actions) {
    if (!('model' in a)) {
      b.place(CPU_WORKER, a.id, CPU_WINDOW);
      continue;
    }
    const own = partition.get(a.model.name);
    const k = sent.get(a.model.name) ?? 0;
    sent.set(a.model.name, k + 1);
    const gpu = own?.[k % own.length];
    b.place(gpu !== undefined ? { kind: 'gpu', index: gpu } : endpointWorker(a.model.name, a.input, workers), a.id, UNBOUNDED);
  }
  return b.plan;
}
