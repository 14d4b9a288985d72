// What the executor keeps to besides dependencies: model loads ahead of work and the deployment of
// replicas, the routers in front of replicas, agentlake's dispatch, and admission by input (the
// langgraph baseline).
import { isModelCall, type Action, type ActionId } from '../ir/action-dag.ts';
import type { ModelRef } from '../ir/common.ts';
import type { GpuDeployment, PhysicalPlan, WorkerId } from '../ir/physical-plan.ts';
import type { OperatorContext } from './operators.ts';
import { ReplicaRouter } from './router.ts';
import { PlannedDispatch } from './dispatch.ts';

/**
 * Loads each simulated GPU's next model while it is idle: its first model at the start, and the
 * model of its next planned action once no unfinished action on it needs the current one.
 */
export function modelPrefetch(plan: PhysicalPlan, byId: ReadonlyMap<ActionId, Action>, ctx: OperatorContext, warm: boolean): { start: () => void; done: (id: ActionId) => void } {
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
  const nextModel = (worker: WorkerId): ModelRef | undefined => {
    const next = (plan.order.get(worker) ?? []).find((id) => !finished.has(id) && modelOf(id) !== undefined);
    return next === undefined ? undefined : modelOf(next);
  };
  const prepareNext = (worker: WorkerId): void => {
    const gpu = gpuOf(worker);
    const model = nextModel(worker);
    if (gpu !== undefined && model) ctx.clientFor(model).prepare?.(model, gpu);
  };
  return {
    start: () => {
      // Replicas: each GPU deployed before the run (warm) or loading from time 0 (cold), as an operator
      // starts the servers before sending traffic.
      for (const [gpu, d] of [...(plan.deployment ?? new Map<number, GpuDeployment>())].sort((a, b) => a[0] - b[0])) {
        const first = d.models[0];
        if (first !== undefined) ctx.clientFor(first).deploy?.(gpu, d, warm);
      }
      for (const worker of [...left.keys()].sort()) {
        // A warm cluster: the GPU was deployed with its first planned model before the run.
        const gpu = gpuOf(worker);
        const model = nextModel(worker);
        if (warm && gpu !== undefined && model) ctx.clientFor(model).warmStart?.(model, gpu);
        prepareNext(worker);
      }
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


/**
 * Admission by input (plan.admission, the langgraph baseline): an input's actions one at a time, and
 * at most `inFlight` inputs started and unfinished. Actions of no input are never held back.
 */
export function admissionGate(plan: PhysicalPlan, byId: ReadonlyMap<ActionId, Action>): { allowed: (id: ActionId) => boolean; start: (id: ActionId) => void; done: (id: ActionId) => void } {
  const limit = plan.admission?.inFlight;
  if (limit === undefined) return { allowed: () => true, start: () => undefined, done: () => undefined };
  const inputOf = (id: ActionId): number | null => byId.get(id)?.input ?? null;
  const left = new Map<number, number>();
  for (const a of byId.values()) if (a.input !== null) left.set(a.input, (left.get(a.input) ?? 0) + 1);
  const active = new Set<number>();
  const running = new Set<number>();
  return {
    allowed: (id) => {
      const input = inputOf(id);
      if (input === null) return true;
      if (running.has(input)) return false;
      return active.has(input) || active.size < limit;
    },
    start: (id) => {
      const input = inputOf(id);
      if (input === null) return;
      active.add(input);
      running.add(input);
    },
    done: (id) => {
      const input = inputOf(id);
      if (input === null) return;
      running.delete(input);
      const n = (left.get(input) ?? 1) - 1;
      left.set(input, n);
      if (n === 0) active.delete(input);
    },
  };
}

/** One router per replicas worker of the plan, seeded by the worker's id (same plan, same routes). */
export function replicaRouters(plan: PhysicalPlan): ReadonlyMap<WorkerId, ReplicaRouter> {
  const out = new Map<WorkerId, ReplicaRouter>();
  for (const [id, w] of plan.workers) if (w.kind === 'replicas' && w.routing !== 'planned') out.set(id, new ReplicaRouter(w.gpus, w.routing, id));
  return out;
}

/** agentlake's dispatch over the plan's residency (`planned` replicas), or undefined when the plan has none. */
export function plannedDispatch(plan: PhysicalPlan, byId: ReadonlyMap<ActionId, Action>, ctx: OperatorContext, wake: () => void): PlannedDispatch | undefined {
  if (plan.residency === undefined) return undefined;
  const calls = new Map<ActionId, ModelRef>();
  for (const [id, worker] of plan.assignment) {
    const w = plan.workers.get(worker);
    const a = byId.get(id);
    if (w?.kind === 'replicas' && w.routing === 'planned' && a && 'model' in a && isModelCall(a)) calls.set(id, a.model);
  }
  return new PlannedDispatch(plan.residency, calls, (m) => ctx.clientFor(m), wake);
}
