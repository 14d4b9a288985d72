// Where calls to endpoints other than the simulated GPUs go: a declared inference server (CREATE
// WORKER) that serves their model, else the model's own endpoint; and how many requests such a
// worker keeps in flight.
import type { WorkerRef } from '../ir/physical-plan.ts';

/** A declared inference server: its name and the models it serves. */
export interface DeclaredWorker {
  readonly name: string;
  readonly models: readonly string[];
  readonly maxConcurrency?: number;
}

/**
 * The fixed worker of a call to a non-sim endpoint: one of the declared workers serving its model
 * (by input, round-robin), else the model's own endpoint (`model:<name>`).
 */
export function endpointWorker(model: string, input: number | null, workers: readonly DeclaredWorker[] = []): WorkerRef {
  const serving = workers.filter((w) => w.models.includes(model));
  const w = serving[(input ?? 0) % Math.max(1, serving.length)];
  return w ? { kind: 'worker', name: w.name } : { kind: 'model', name: model };
}

/** Requests a fixed worker keeps in flight: its MAX_CONCURRENCY, else 16. */
export function endpointWindow(worker: WorkerRef, workers: readonly DeclaredWorker[] = []): number {
  const w = worker.kind === 'worker' ? workers.find((x) => x.name === worker.name) : undefined;
  return w?.maxConcurrency ?? 16;
}
