// The one thing the job manager needs from whatever executes jobs: run a batch of slices and say how
// each ended. `agentlake serve` plugs in a Session-backed runner; tests plug in fakes. The manager
// never interprets SQL; a runner never touches queues or job states.
import type { Value } from '../ir/values.ts';
import type { Job } from './job.ts';
import type { Slice } from './slicing.ts';

/** One slice to run, with its job as it was when the batch formed. */
export interface SliceRun {
  readonly slice: Slice;
  readonly job: Job;
  /** `job.inputs.slice(slice.start, slice.end)`: what this slice runs over (empty for plain SQL). */
  readonly inputs: readonly Value[];
  /** Aborted when the job is cancelled (or another of its slices failed): stop and report failure. */
  readonly signal: AbortSignal;
}

/** Slices the manager formed into one batch (affinity-close, fitting the runner's capacity). */
export interface BatchRun {
  /** 1, 2, … per manager. */
  readonly id: number;
  readonly slices: readonly SliceRun[];
}

/** How one slice ended. Calls are model calls (cache hits included), for progress. */
export type SliceOutcome =
  | { readonly sliceId: string; readonly ok: true; readonly calls?: number; readonly cacheHits?: number }
  | { readonly sliceId: string; readonly ok: false; readonly error: string };

/**
 * Executes batches. `capacity()` is read before each batch forms: the slice cost units (inputs) it
 * can run at once, e.g. workers × concurrency; the manager subtracts what it has in flight. `run`
 * resolves with one outcome per slice once the whole batch ended; a slice missing from the answer,
 * or a rejection, fails the slices concerned. Deduplicating identical deterministic actions across
 * the batch's tenants is the runner's business (service/session-runner.ts runs the batch's jobs as one
 * DAG, where Merkle dedup executes identical actions once and every sharer's provenance says so).
 */
export interface JobRunner {
  capacity(): number;
  run(batch: BatchRun): Promise<readonly SliceOutcome[]>;
}
