// The physical plan the runtime executes: a hard task→worker assignment, a soft per-worker order and
// how many requests each worker keeps in flight. The scheduler produces one; defaultPlan is the simple
// dependency-order plan (one CPU worker, one worker per model) used until then.
import type { ActionDag, ActionId } from './action-dag.ts';

export interface PhysicalPlan {
  readonly assignment: ReadonlyMap<ActionId, string>;
  readonly order: ReadonlyMap<string, readonly ActionId[]>;
  /** Requests a worker keeps in flight (a GPU server batches what it has). */
  readonly window: ReadonlyMap<string, number>;
  /**
   * The scheduler's epochs: a worker starts an action of a later epoch than its earliest unfinished
   * one only when it uses the model that epoch's work uses (no switch the plan did not choose).
   */
  readonly epoch?: ReadonlyMap<ActionId, number>;
}

/** CPU work (SQL, fetch, format) runs this many actions at once. */
const CPU_WINDOW = 8;
/** Requests in flight per model endpoint when the model does not say (MAX_CONCURRENCY). */
const MODEL_WINDOW = 64;

/** Dependency order: CPU actions on 'cpu', model calls on 'model:<name>', each list in DAG order. */
export function defaultPlan(dag: ActionDag, windows: Readonly<Record<string, number>> = {}): PhysicalPlan {
  const assignment = new Map<ActionId, string>();
  const order = new Map<string, ActionId[]>();
  const window = new Map<string, number>([['cpu', CPU_WINDOW]]);
  for (const a of dag.actions) {
    const worker = 'model' in a ? `model:${a.model.name}` : 'cpu';
    assignment.set(a.id, worker);
    const list = order.get(worker) ?? [];
    list.push(a.id);
    order.set(worker, list);
    if ('model' in a && !window.has(worker)) window.set(worker, windows[a.model.name] ?? MODEL_WINDOW);
  }
  return { assignment, order, window };
}
