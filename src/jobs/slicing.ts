// Slicing (ALGORITHMS.md §5): a job over N inputs becomes ceil(N / sliceSize) slices of consecutive
// inputs, one input each by default, so slices cost the same (only a job's last slice may be
// smaller). A job without inputs (plain SQL) is one slice. Slices are plain data; a slice's place in
// the queues and its miss count live in the queues, not here.
import type { AffinityProfile, Job } from './job.ts';
import type { Priority } from '../ir/common.ts';

/** One schedulable piece of a job: inputs [start, end) of it. */
export interface Slice {
  /** `<job id>:<index>`, unique across jobs. */
  readonly id: string;
  readonly jobId: string;
  readonly index: number;
  readonly tenant: string;
  readonly user: string;
  readonly priority: Priority;
  readonly start: number;
  readonly end: number;
  /** What it occupies of the runner's capacity: its number of inputs (1 for a job without inputs). */
  readonly cost: number;
  readonly profile: AffinityProfile;
}

/** The number of slices `job` is cut into. */
export function sliceCount(inputs: number, sliceSize: number): number {
  return inputs === 0 ? 1 : Math.ceil(inputs / sliceSize);
}

/** Every slice of `job`, in input order. Throws RangeError on a slice size below 1. */
export function sliceJob(job: Job): Slice[] {
  const size = job.sliceSize;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`slice size must be a positive integer, got ${size}`);
  const n = job.inputs.length;
  const out: Slice[] = [];
  for (let index = 0; index < sliceCount(n, size); index++) {
    const start = index * size;
    const end = Math.min(n, start + size);
    out.push({
      id: `${job.id}:${index}`,
      jobId: job.id,
      index,
      tenant: job.tenant,
      user: job.user,
      priority: job.priority,
      start,
      end,
      cost: Math.max(1, end - start),
      profile: job.profile,
    });
  }
  return out;
}

/** The slices of `job` still to run: those not recorded as done in its progress. */
export function pendingSlices(job: Job): Slice[] {
  const done = new Set(job.progress.doneSlices);
  return sliceJob(job).filter((s) => !done.has(s.index));
}
