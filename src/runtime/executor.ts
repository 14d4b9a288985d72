// Executes an ActionDag: every action runs once its dependencies are done, on the worker the physical
// plan assigns, preferring the plan's per-worker order but taking any ready action rather than idling.
// A failed action becomes an error value that its dependents inherit; nothing else is lost.
import type { Action, ActionDag, ActionId } from '../ir/action-dag.ts';
import { InternalError } from '../diag/diagnostic.ts';
import type { RecordBatch } from 'apache-arrow';
import { errorBatch, errorOf, outputOf, type ActionOutput } from './action-output.ts';
import { OPERATORS, type CallInfo, type OperatorContext, type OperatorRun } from './operators.ts';
import { CPU_WORKER, defaultPlan, workerId, type PhysicalPlan, type WorkerId } from '../ir/physical-plan.ts';
import { admissionGate, modelPrefetch, plannedDispatch, replicaRouters } from './plan-gates.ts';
import type { PlannedDispatch } from './dispatch.ts';

/** The CPU worker's id. */
const CPU = workerId(CPU_WORKER);

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
   * A warm cluster: each simulated GPU that has held no model yet starts with the first model of its
   * planned order already resident (no load), as a server deployed ahead of the run would.
   */
  readonly warm?: boolean;
  /**
   * Why an action must not start (everyone who needs it has gone: a cancelled job of a batch), or
   * undefined to run it. Such an action ends at once as an E0002 error; calls already sent finish.
   */
  readonly cancelled?: (id: ActionId) => unknown;
}

/** Runs every action of `dag`; returns each action's output. Rejects only when cancelled. */
export async function executeDag(dag: ActionDag, baseCtx: OperatorContext, opts: ExecuteOptions = {}): Promise<ReadonlyMap<ActionId, ActionOutput>> {
  if (dag.actions.length === 0) return new Map();
  return new DagRun(dag, baseCtx, opts).run();
}

/** One execution of a DAG: ready queues per worker, actions in flight, outputs so far. */
class DagRun {
  private readonly plan: PhysicalPlan;
  private readonly ctx: OperatorContext;
  private readonly byId: ReadonlyMap<ActionId, Action>;
  /** Each action's position in its worker's planned order. */
  private readonly rank = new Map<ActionId, number>();
  private readonly outputs = new Map<ActionId, ActionOutput>();
  /** Unfinished dependencies per action, and each action's dependents. */
  private readonly waiting = new Map<ActionId, number>();
  private readonly dependents = new Map<ActionId, ActionId[]>();
  private readonly prefetch: ReturnType<typeof modelPrefetch>;
  private readonly admission: ReturnType<typeof admissionGate>;
  private readonly routers: ReturnType<typeof replicaRouters>;
  private readonly dispatch: PlannedDispatch | undefined;
  private readonly ready = new Map<WorkerId, ActionId[]>();
  private readonly running = new Map<WorkerId, number>();
  private cpuHolds = 0;
  private inFlight = 0;
  private done = 0;
  private resolve: (outputs: ReadonlyMap<ActionId, ActionOutput>) => void = () => undefined;
  private reject: (e: unknown) => void = () => undefined;

  constructor(
    private readonly dag: ActionDag,
    baseCtx: OperatorContext,
    private readonly opts: ExecuteOptions,
  ) {
    this.plan = opts.plan ?? defaultPlan(dag);
    const position = new Map(dag.actions.map((a, i) => [a.id, i]));
    for (const ids of this.plan.order.values()) ids.forEach((id, i) => this.rank.set(id, i));
    // Servers order same-instant arrivals by rank: the planned order of a GPU worker (the worker is the
    // whole server) or of agentlake's dispatch (one priority order over every model), else DAG order (a
    // baseline's replicas worker is one model's share of its GPUs, so its order says nothing across the
    // models a GPU serves; requests sent in DAG order arrive so).
    const onGpu = (id: ActionId): boolean => {
      const w = opts.plan === undefined ? undefined : this.plan.workers.get(this.plan.assignment.get(id) ?? '');
      return w?.kind === 'gpu' || (w?.kind === 'replicas' && w.routing === 'planned');
    };
    this.ctx = {
      ...baseCtx,
      rank: (id) => (onGpu(id) ? this.rank : position).get(id) ?? 0,
      hold: () => {
        this.cpuHolds++;
        const release = baseCtx.hold();
        let open = true;
        return () => {
          if (!open) return;
          open = false;
          this.cpuHolds--;
          release();
          if (this.cpuHolds === 0) queueMicrotask(() => this.pump());
        };
      },
    };
    this.byId = new Map(dag.actions.map((a) => [a.id, a]));
    for (const a of dag.actions) {
      this.waiting.set(a.id, a.deps.length);
      for (const d of a.deps) {
        const list = this.dependents.get(d) ?? [];
        list.push(a.id);
        this.dependents.set(d, list);
      }
    }
    this.prefetch = modelPrefetch(this.plan, this.byId, this.ctx, opts.warm === true);
    this.admission = admissionGate(this.plan, this.byId);
    this.routers = replicaRouters(this.plan);
    this.dispatch = plannedDispatch(this.plan, this.byId, this.ctx, () => queueMicrotask(() => this.pump()));
  }

  run(): Promise<ReadonlyMap<ActionId, ActionOutput>> {
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      for (const a of this.dag.actions) if (a.deps.length === 0) this.enqueue(a.id);
      this.prefetch.start();
      this.pump();
    });
  }

  private enqueue(id: ActionId): void {
    const worker = this.plan.assignment.get(id) ?? CPU;
    const q = this.ready.get(worker) ?? [];
    q.push(id);
    this.ready.set(worker, q);
  }

  private finish(id: ActionId, output: ActionOutput): void {
    this.outputs.set(id, output);
    this.prefetch.done(id);
    this.admission.done(id);
    this.dispatch?.settled(id);
    this.done++;
    for (const d of this.dependents.get(id) ?? []) {
      const left = (this.waiting.get(d) ?? 0) - 1;
      this.waiting.set(d, left);
      if (left === 0) this.enqueue(d);
    }
  }

  private pump(): void {
    if (this.ctx.signal.aborted) {
      if (this.inFlight === 0) this.reject(this.ctx.signal.reason ?? new Error('cancelled'));
      return;
    }
    // Workers in name order, not in the order they first had work, which follows real I/O timing.
    for (const worker of [...this.ready.keys()].sort()) {
      // Deterministic mode: model calls wait until no CPU work runs (see ExecuteOptions).
      if (this.opts.deterministic && worker !== CPU && (this.cpuHolds > 0 || (this.running.get(CPU) ?? 0) > 0)) continue;
      this.startOn(worker);
    }
    // Planned dispatch decides at the same quiet points: every call of this instant is waiting by then.
    if (!(this.opts.deterministic && (this.cpuHolds > 0 || (this.running.get(CPU) ?? 0) > 0))) this.dispatch?.pump();
    // Nothing running and nothing could start: a dependency cycle or a missing action.
    if (this.inFlight === 0 && this.done < this.dag.actions.length && !this.ctx.signal.aborted) {
      this.reject(new InternalError(`execution stalled with ${this.dag.actions.length - this.done} actions left (a dependency cycle or a missing action)`));
    }
  }

  /** Starts `worker`'s ready actions up to its window. */
  private startOn(worker: WorkerId): void {
    const q = this.ready.get(worker) ?? [];
    const limit = this.plan.window.get(worker) ?? 1;
    while (q.length > 0 && (this.running.get(worker) ?? 0) < limit) {
      // The plan's order is a preference: the earliest-ranked ready action goes first.
      let best = -1;
      for (let i = 0; i < q.length; i++) {
        if (!this.admission.allowed(q[i] ?? '')) continue;
        if (best < 0 || (this.rank.get(q[i] ?? '') ?? 0) < (this.rank.get(q[best] ?? '') ?? 0)) best = i;
      }
      if (best < 0) break;
      const id = q.splice(best, 1)[0];
      const action = id === undefined ? undefined : this.byId.get(id);
      if (!action) continue;
      this.admission.start(action.id);
      this.running.set(worker, (this.running.get(worker) ?? 0) + 1);
      this.inFlight++;
      void this.runAction(action, worker).then(
        () => {
          this.running.set(worker, (this.running.get(worker) ?? 1) - 1);
          this.inFlight--;
          if (this.done === this.dag.actions.length) this.resolve(this.outputs);
          else this.pump();
        },
        (e: unknown) => this.reject(e),
      );
    }
  }

  /** The context of an action on `worker`: the worker, and the router or dispatch in front of replicas. */
  private operatorContext(worker: WorkerId): OperatorContext {
    const router = this.routers.get(worker);
    const ref = this.plan.workers.get(worker) ?? CPU_WORKER;
    const dispatch = ref.kind === 'replicas' && ref.routing === 'planned' ? this.dispatch : undefined;
    return {
      ...this.ctx,
      worker: ref,
      ...(dispatch ? { route: (text: string, id: ActionId) => dispatch.acquire(id, text, this.rank.get(id) ?? 0, this.ctx.signal) } : router ? { route: (text: string) => {
        const gpu = router.pick(text);
        return Promise.resolve({ gpu, release: () => router.release(gpu) });
      } } : {}),
    };
  }

  private async runAction(action: Action, worker: WorkerId): Promise<void> {
    const ctx = this.ctx;
    const startedAt = ctx.clock();
    const failed = action.deps.map((d) => errorOf(this.outputs.get(d))).find((e) => e !== undefined);
    const gone = this.opts.cancelled?.(action.id);
    const result = gone !== undefined
      ? { output: outputOf([errorBatch('E0002', `cancelled: ${gone instanceof Error ? gone.message : String(gone)}`)]), skipped: true }
      : failed
      ? { output: outputOf([errorBatch('E0301', `an input failed: ${failed.message}`)]), skipped: true }
      : await drain(OPERATORS[action.kind](action as never, this.outputs, this.operatorContext(worker)));
    // A call sent to one of its model's replicas ran on that GPU: provenance names it.
    const ran = 'gpu' in result && result.gpu !== undefined ? `gpu:${result.gpu}` : worker;
    this.opts.onEvent?.({ action, ...result, worker: ran, startedAt, endedAt: ctx.clock() });
    this.finish(action.id, result.output);
  }
}
