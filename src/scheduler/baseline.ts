// The "Ray + vLLM" baseline of ALGORITHMS.md §7 as a physical plan: each input's calls are separate
// tasks sent the moment their dependencies finish (no window, FIFO at the server, DAG order among
// calls ready together), and the GPUs are split statically among the batch's sim:// models (a
// model's calls go round-robin over its GPUs; with fewer GPUs than models, models share one).
import { isModelCall, type ActionDag } from '../ir/action-dag.ts';
import { CPU_WINDOW, CPU_WORKER, planBuilder, type PhysicalPlan } from '../ir/physical-plan.ts';
import { endpointWorker, type DeclaredWorker } from './schedule.ts';

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

/** The baseline plan for `dag` on `gpus` simulated GPUs. */
export function baselinePlan(dag: ActionDag, gpus: number, workers: readonly DeclaredWorker[] = []): PhysicalPlan {
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
