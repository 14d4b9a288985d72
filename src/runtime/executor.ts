// Executes an ActionDag: every action runs once its dependencies are done, on the worker the physical
// plan assigns, preferring the plan's per-worker order but taking any ready action rather than idling.
// A failed action becomes an error value that its dependents inherit; nothing else is lost.
import { isModelCall, type Action, type ActionDag, type ActionId } from '../ir/action-dag.ts';
import type { ModelRef } from '../ir/common.ts';
import { InternalError } from '../diag/diagnostic.ts';
import type { RecordBatch } from 'apache-arrow';
import { errorBatch, errorOf, outputOf, type ActionOutput } from './action-output.ts';
import { OPERATORS, type CallInfo, type OperatorContext, type OperatorRun } from './operators.ts';
import { CPU_WORKER, defaultPlan, workerId, type PhysicalPlan, type WorkerId } from '../ir/physical-plan.ts';

/** The CPU worker's id. */
const CPU = workerId(CPU_WORKER);

/**
 * The plan's epochs per worker: the earliest epoch with unfinished work, and the model it uses; an
 * action may start if its epoch is not later, or if it uses that model. Without epochs, anything goes.
 */
function epochGate(plan: PhysicalPlan, byId: ReadonlyMap<ActionId, Action>): { allowed: (worker: WorkerId) => (id: ActionId) => boolean; done: (id: ActionId) => void } {
  const epochOf = plan.epoch;
  if (!epochOf) return { allowed: () => () => true, done: () => undefined };
  const modelOf = (id: ActionId): string | undefined => {
    const a = byId.get(id);
    return a && 'model' in a ? a.model.name : undefined;
  };
  // Per worker: unfinished actions per epoch, in epoch order.
  const left = new Map<WorkerId, Map<number, { n: number; model?: string }>>();
  for (const [id, worker] of plan.assignment) {
    // Only GPUs keep to epochs (they switch models); CPU work runs whenever it is ready.
    if (plan.workers.get(worker)?.kind !== 'gpu') continue;
    const e = epochOf.get(id) ?? 0;
    const m = left.get(worker) ?? new Map<number, { n: number; model?: string }>();
    const entry = m.get(e) ?? { n: 0 };
    entry.n++;
    const model = modelOf(id);
    if (entry.model === undefined && model !== undefined) entry.model = model;
    m.set(e, entry);
    left.set(worker, m);
  }
  return {
    allowed: (worker) => {
      const m = left.get(worker);
      if (!m || m.size === 0) return () => true;
      const current = Math.min(...m.keys());
      const model = m.get(current)?.model;
      return (id) => (epochOf.get(id) ?? 0) <= current || (model !== undefined && modelOf(id) === model);
    },
    done: (id) => {
      const worker = plan.assignment.get(id);
      const m = worker === undefined ? undefined : left.get(worker);
      const e = epochOf.get(id) ?? 0;
      const entry = m?.get(e);
      if (!m || !entry) return;
      if (--entry.n === 0) m.delete(e);
    },
  };
}

/**
 * Loads each simulated GPU's next model while it is idle: its first model at the start, and the
 * model of its next planned action once no unfinished action on it needs the current one.
 */
function modelPrefetch(plan: PhysicalPlan, byId: ReadonlyMap<ActionId, Action>, ctx: OperatorContext): { start: () => void; done: (id: ActionId) => void } {
  const modelOf = (id: ActionId): ModelRef | undefined => {
    const a = byId.get(id);
    return a && 'model' in a && isModelCall(a) ? a.model : undefined;
  };
  const gpuOf = (worker: WorkerId): number | undefined => {
    const w = plan.workers.get(worker);
    return w?.kind === 'gpu' ? w.index : undefined;
  };
  const left = new Map<string, Map<string, number>>();
  const finished = new Set<ActionId>();
  for (const [worker, ids] of plan.order) {
    if (gpuOf(worker) === undefined) continue;
    const counts = new Map<string, number>();
    for (const id of ids) {
      const m = modelOf(id);
      if (m) counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
    }
    left.set(worker, counts);
  }
  const prepareNext = (worker: WorkerId): void => {
    const gpu = gpuOf(worker);
    const next = (plan.order.get(worker) ?? []).find((id) => !finished.has(id) && modelOf(id) !== undefined);
    const model = next === undefined ? undefined : modelOf(next);
    if (gpu !== undefined && model) ctx.clientFor(model).prepare?.(model, gpu);
  };
  return {
    start: () => {
      for (const worker of [...left.keys()].sort()) prepareNext(worker);
    },
    done: (id) => {
      finished.add(id);
      const worker = plan.assignment.get(id);
      const model = modelOf(id);
      const counts = worker === undefined ? undefined : left.get(worker);
      if (!counts || !model || worker === undefined) return;
      const n = (counts.get(model.name) ?? 1) - 1;
      counts.set(model.name, n);
      if (n === 0) prepareNext(worker);
    },
  };
}

/** Collects an operator's batches into its output, with the facts it returned. */
async function drain(run: OperatorRun): Promise<CallInfo & { output: ActionOutput }> {
  const batches: RecordBatch[] = [];
  for (let step = await run.next(); ; step = await run.next()) {
    if (step.done) return { ...step.value, output: outputOf(batches) };
    batches.push(step.value);
  }
}

/** One finished action, for provenance and progress. */
export interface ActionEvent {
  readonly action: Action;
  /** The worker's id (`gpu:0`, `cpu`, ...), as provenance records it. */
  readonly worker: WorkerId;
  readonly output: ActionOutput;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number; readonly cachedTokens: number };
  readonly cacheHit?: boolean;
  readonly deduped?: boolean;
  /** Not run: an input failed, so the action inherited its error. */
  readonly skipped?: boolean;
  readonly promptHash?: string;
  /** The prompt text a model call sent. */
  readonly rendered?: { readonly system: string; readonly prompt: string };
}

export interface ExecuteOptions {
  readonly plan?: PhysicalPlan;
  readonly onEvent?: (e: ActionEvent) => void;
  /**
   * Virtual time: send model calls only while no CPU work is running, in plan order, so the order
   * in which calls reach the simulator (and every simulated figure) is the same on every run.
   */
  readonly deterministic?: boolean;
  /**
   * Why an action must not start (everyone who needs it has gone: a cancelled job of a batch), or
   * undefined to run it. Such an action ends at once as an E0002 error; calls already sent finish.
   */
  readonly cancelled?: (id: ActionId) => unknown;
}

/** Runs every action of `dag`; returns each action's output. Rejects only when cancelled. */
export async function executeDag(dag: ActionDag, baseCtx: OperatorContext, opts: ExecuteOptions = {}): Promise<ReadonlyMap<ActionId, ActionOutput>> {
  const plan = opts.plan ?? defaultPlan(dag);
  let cpuHolds = 0;
  let pumpSoon: () => void = () => undefined;
  const position = new Map(dag.actions.map((a, i) => [a.id, i]));
  const rank = new Map<ActionId, number>();
  for (const ids of plan.order.values()) ids.forEach((id, i) => rank.set(id, i));
  // Servers order same-instant arrivals by rank: a given plan's per-worker order, else DAG order.
  const serverRank = opts.plan ? rank : position;
  const ctx: OperatorContext = {
    ...baseCtx,
    rank: (id) => serverRank.get(id) ?? 0,
    hold: () => {
      cpuHolds++;
      const release = baseCtx.hold();
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        cpuHolds--;
        release();
        if (cpuHolds === 0) pumpSoon();
      };
    },
  };
  const byId = new Map(dag.actions.map((a) => [a.id, a]));
  const outputs = new Map<ActionId, ActionOutput>();
  const waiting = new Map<ActionId, number>();
  const dependents = new Map<ActionId, ActionId[]>();
  for (const a of dag.actions) {
    waiting.set(a.id, a.deps.length);
    for (const d of a.deps) {
      const list = dependents.get(d) ?? [];
      list.push(a.id);
      dependents.set(d, list);
    }
  }
  const epochs = epochGate(plan, byId);
  const prefetch = modelPrefetch(plan, byId, ctx);
  const ready = new Map<string, ActionId[]>();
  const running = new Map<string, number>();
  let inFlight = 0;
  let done = 0;

  return new Promise((resolve, reject) => {
    const fail = (e: unknown): void => reject(e);
    pumpSoon = () => queueMicrotask(() => pump());
    const enqueue = (id: ActionId): void => {
      const worker = plan.assignment.get(id) ?? CPU;
      const q = ready.get(worker) ?? [];
      q.push(id);
      ready.set(worker, q);
    };
    const finish = (id: ActionId, output: ActionOutput): void => {
      outputs.set(id, output);
      epochs.done(id);
      prefetch.done(id);
      done++;
      for (const d of dependents.get(id) ?? []) {
        const left = (waiting.get(d) ?? 0) - 1;
        waiting.set(d, left);
        if (left === 0) enqueue(d);
      }
    };
    const pump = (): void => {
      if (ctx.signal.aborted) {
        if (inFlight === 0) fail(ctx.signal.reason ?? new Error('cancelled'));
        return;
      }
      // Workers in name order, not in the order they first had work, which follows real I/O timing.
      for (const worker of [...ready.keys()].sort()) {
        const q = ready.get(worker) ?? [];
        // Deterministic mode: model calls wait until no CPU work runs (see ExecuteOptions).
        if (opts.deterministic && worker !== CPU && (cpuHolds > 0 || (running.get(CPU) ?? 0) > 0)) continue;
        const limit = plan.window.get(worker) ?? 1;
        while (q.length > 0 && (running.get(worker) ?? 0) < limit) {
          // The plan's order is a preference: the earliest-ranked ready action goes first, among
          // those its epoch allows.
          const allowed = epochs.allowed(worker);
          let best = -1;
          for (let i = 0; i < q.length; i++) {
            if (!allowed(q[i] ?? '')) continue;
            if (best < 0 || (rank.get(q[i] ?? '') ?? 0) < (rank.get(q[best] ?? '') ?? 0)) best = i;
          }
          if (best < 0) break;
          const id = q.splice(best, 1)[0];
          const action = id === undefined ? undefined : byId.get(id);
          if (!action) continue;
          running.set(worker, (running.get(worker) ?? 0) + 1);
          inFlight++;
          void run(action, worker).then(
            () => {
              running.set(worker, (running.get(worker) ?? 1) - 1);
              inFlight--;
              if (done === dag.actions.length) resolve(outputs);
              else pump();
            },
            fail,
          );
        }
      }
      // Nothing running and nothing could start: a dependency cycle, a missing action, or a plan whose
      // epochs contradict its dependencies.
      if (inFlight === 0 && done < dag.actions.length && !ctx.signal.aborted) {
        fail(new InternalError(`execution stalled with ${dag.actions.length - done} actions left (a dependency cycle, a missing action, or a plan whose epochs contradict its dependencies)`));
      }
    };
    const run = async (action: Action, worker: WorkerId): Promise<void> => {
      const startedAt = ctx.clock();
      const failed = action.deps.map((d) => errorOf(outputs.get(d))).find((e) => e !== undefined);
      const gone = opts.cancelled?.(action.id);
      const result = gone !== undefined
        ? { output: outputOf([errorBatch('E0002', `cancelled: ${gone instanceof Error ? gone.message : String(gone)}`)]), skipped: true }
        : failed
        ? { output: outputOf([errorBatch('E0301', `an input failed: ${failed.message}`)]), skipped: true }
        : await drain(OPERATORS[action.kind](action as never, outputs, { ...ctx, worker: plan.workers.get(worker) ?? CPU_WORKER }));
      opts.onEvent?.({ action, worker, startedAt, endedAt: ctx.clock(), ...result });
      finish(action.id, result.output);
    };
    if (dag.actions.length === 0) {
      resolve(outputs);
      return;
    }
    for (const a of dag.actions) if (a.deps.length === 0) enqueue(a.id);
    prefetch.start();
    pump();
  });
}
