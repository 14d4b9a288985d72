// The physical plan the runtime executes: a hard task→worker assignment, a soft per-worker order and
// how many requests each worker keeps in flight. Workers are a typed union (`WorkerRef`); their text
// id (`gpu:0`, `worker:box1`, `model:gpt`, `cpu`) keys the plan's maps and names them in provenance
// and EXPLAIN, and is never parsed back. The scheduler produces a plan; defaultPlan is the simple
// dependency-order plan (one CPU worker, one worker per model).
import { assertNever } from '../diag/assert-never.ts';
import type { ActionDag, ActionId } from './action-dag.ts';
import type { ModelRef } from './common.ts';

/** Where the plan places an action. */
export type WorkerRef =
  /** The engine's own CPU work: SQL, fetch, format. */
  | { readonly kind: 'cpu' }
  /** Simulated GPU `index` behind sim:// models. */
  | { readonly kind: 'gpu'; readonly index: number }
  /** A declared inference server (CREATE WORKER): its calls go to its endpoint. */
  | { readonly kind: 'worker'; readonly name: string }
  /** A model's own endpoint. */
  | { readonly kind: 'model'; readonly name: string }
  /**
   * A model's replicas on simulated GPUs behind a router that picks the GPU of each call when it is
   * sent (the baselines' serving layer: Ray Serve's power-of-two-choices, the SGLang router's
   * cache-aware policy, or round-robin).
   */
  | { readonly kind: 'replicas'; readonly model: string; readonly gpus: readonly number[]; readonly routing: RoutingPolicy };

/**
 * How a router in front of a model's replicas picks one. `planned` is agentlake's own dispatch: calls
 * wait in the engine and each GPU pulls the next one it has room for (plan.residency).
 */
export type RoutingPolicy = 'round-robin' | 'power-of-two' | 'cache-aware' | 'planned';

/** A worker's text id: the key of the plan's maps, and its name in provenance and EXPLAIN. */
export type WorkerId = string;

export const CPU_WORKER: WorkerRef = { kind: 'cpu' };

/** The text id of `w`. */
export function workerId(w: WorkerRef): WorkerId {
  switch (w.kind) {
    case 'cpu':
      return 'cpu';
    case 'gpu':
      return `gpu:${w.index}`;
    case 'worker':
      return `worker:${w.name}`;
    case 'model':
      return `model:${w.name}`;
    case 'replicas':
      return `replicas:${w.model}`;
    default:
      return assertNever(w, 'worker');
  }
}

export interface PhysicalPlan {
  /** Every worker the plan uses, by id. */
  readonly workers: ReadonlyMap<WorkerId, WorkerRef>;
  readonly assignment: ReadonlyMap<ActionId, WorkerId>;
  readonly order: ReadonlyMap<WorkerId, readonly ActionId[]>;
  /** Requests a worker keeps in flight (a GPU server batches what it has). */
  readonly window: ReadonlyMap<WorkerId, number>;
  /**
   * Admission by input (the `langgraph` baseline): an action of an input may start only while no
   * other action of that input runs, and a new input only while fewer than `inFlight` are started
   * and unfinished. Actions of no input (the batch's input query) are not gated.
   */
  readonly admission?: { readonly inFlight: number };
  /** What each simulated GPU is deployed with before the run (replicas workers). */
  readonly deployment?: ReadonlyMap<number, GpuDeployment>;
  /** agentlake's residency over time and the figures its dispatch admits calls by (`planned` replicas). */
  readonly residency?: Residency;
}

/**
 * What each simulated GPU holds over time. Each starts with its first stint (`deployment`'s); once
 * no call of its current models is left to send and none runs on it, it moves to the model that then
 * has the most work left per GPU holding it (a model no GPU holds first), if one more GPU ends that
 * work sooner even after the move (`moveS`: a wake, or a cold load). Calls go to a GPU only while it
 * holds their model, and only while the KV tokens they are expected to hold fit its budget.
 */
export interface Residency {
  readonly first: ReadonlyMap<number, Stint>;
  /** Per call: estimated prompt and output tokens, and its share of its model's work (GPU-seconds). */
  readonly calls: ReadonlyMap<ActionId, CallCost>;
  /** Per model a GPU may move to: the model, its KV budget alone on a GPU, the move's seconds. */
  readonly models: ReadonlyMap<string, { readonly model: ModelRef; readonly kvAlone: number; readonly moveS: number }>;
}

/** A call's expected size in KV tokens and its work. */
export interface CallCost {
  readonly prompt: number;
  readonly output: number;
  readonly seconds: number;
}

/** What a GPU holds for a while: its deployment and the KV tokens each model may hold at once. */
export interface Stint extends GpuDeployment {
  /** Parallel to `models`: KV tokens of that model's instance here. */
  readonly kvBudget: readonly number[];
}

/**
 * One GPU's deployment: its models side by side with `memoryFractions` (co-located vLLM instances, each
 * its gpu_memory_utilization), or without them the first model active and the others asleep (vLLM
 * sleep mode: a switch is a wake).
 */
export interface GpuDeployment {
  readonly models: readonly ModelRef[];
  readonly memoryFractions?: readonly number[];
  /** Models deployed too and put to sleep before the run (a warm start of later stints): their first use is a wake. */
  readonly asleep?: readonly ModelRef[];
}

/** Builds a plan's assignment, per-worker order and windows, one placed action at a time. */
export interface PlanBuilder {
  /** Appends `id` to `worker`'s order; the first placement on a worker sets its window. */
  place(worker: WorkerRef, id: ActionId, window: number): void;
  /** True once `id` is placed. */
  has(id: ActionId): boolean;
  readonly plan: PhysicalPlan;
}

export function planBuilder(): PlanBuilder {
  const workers = new Map<WorkerId, WorkerRef>();
  const assignment = new Map<ActionId, WorkerId>();
  const order = new Map<WorkerId, ActionId[]>();
  const window = new Map<WorkerId, number>();
  return {
    place(worker, id, w) {
      const key = workerId(worker);
      if (!workers.has(key)) {
        workers.set(key, worker);
        window.set(key, w);
        order.set(key, []);
      }
      assignment.set(id, key);
      order.get(key)?.push(id);
    },
    has: (id) => assignment.has(id),
    plan: { workers, assignment, order, window },
  };
}

/** CPU work (SQL, fetch, format) runs this many actions at once. */
export const CPU_WINDOW = 8;
/** Requests in flight per model endpoint when the model does not say (MAX_CONCURRENCY). */
const MODEL_WINDOW = 64;

/** Dependency order: CPU actions on 'cpu', model calls on 'model:<name>', each list in DAG order. */
export function defaultPlan(dag: ActionDag, windows: Readonly<Record<string, number>> = {}): PhysicalPlan {
  const b = planBuilder();
  for (const a of dag.actions) {
    if ('model' in a) b.place({ kind: 'model', name: a.model.name }, a.id, windows[a.model.name] ?? MODEL_WINDOW);
    else b.place(CPU_WORKER, a.id, CPU_WINDOW);
  }
  return b.plan;
}
