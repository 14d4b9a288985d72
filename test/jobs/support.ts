// Helpers for the job manager tests: a fake runner that records every batch and answers at once (or
// fails chosen slices), jobs and slices built by hand, counters and Jain's fairness index.
import type { AffinityProfile, Job } from '../../src/jobs/job.ts';
import type { Priority } from '../../src/ir/common.ts';
import { EMPTY_PROFILE } from '../../src/jobs/job.ts';
import type { BatchRun, JobRunner, SliceOutcome } from '../../src/jobs/runner.ts';
import { sliceJob, type Slice } from '../../src/jobs/slicing.ts';

/** Records batches; every slice succeeds with `calls` = its inputs, unless `fail` names its job. */
export class FakeRunner implements JobRunner {
  readonly batches: BatchRun[] = [];
  constructor(
    public slots = 1000,
    readonly fail: ReadonlySet<string> = new Set(),
  ) {}
  capacity(): number {
    return this.slots;
  }
  async run(batch: BatchRun): Promise<readonly SliceOutcome[]> {
    this.batches.push(batch);
    return batch.slices.map((r): SliceOutcome =>
      this.fail.has(r.job.id) ? { sliceId: r.slice.id, ok: false, error: 'boom' } : { sliceId: r.slice.id, ok: true, calls: r.inputs.length, cacheHits: 0 },
    );
  }
  /** Slice ids of every batch, in order. */
  served(): string[][] {
    return this.batches.map((b) => b.slices.map((r) => r.slice.id));
  }
}

/** Job ids job-1, job-2, … and a clock that ticks 1 ms per read. */
export function counters(): { newId: () => string; clock: () => number } {
  let id = 0;
  let t = 0;
  return { newId: () => `job-${++id}`, clock: () => ++t };
}

/** A queued job built by hand (for slicing and queue tests). */
export function handJob(id: string, opts: { tenant?: string; user?: string; priority?: Priority; inputs?: number; sliceSize?: number; profile?: AffinityProfile } = {}): Job {
  const n = opts.inputs ?? 1;
  const sliceSize = opts.sliceSize ?? 1;
  return {
    id,
    tenant: opts.tenant ?? 't',
    user: opts.user ?? id,
    priority: opts.priority ?? 'medium',
    sql: `SELECT ${id}`,
    state: 'queued',
    inputs: Array.from({ length: n }, (_, i) => i),
    sliceSize,
    profile: opts.profile ?? EMPTY_PROFILE,
    progress: { slicesTotal: Math.ceil(n / sliceSize), slicesDone: 0, doneSlices: [], callsTotal: n, callsDone: 0, cacheHits: 0 },
    createdAt: 0,
    startedAt: null,
    finishedAt: null,
    error: null,
    settings: {},
  };
}

/** The slices of a hand-built job. */
export function handSlices(id: string, opts: Parameters<typeof handJob>[1] = {}): Slice[] {
  return sliceJob(handJob(id, opts));
}

/** Jain's fairness index (Σx)² / (n·Σx²): 1 when all equal, 1/n when one takes everything. */
export function jain(xs: readonly number[]): number {
  const sum = xs.reduce((a, b) => a + b, 0);
  const sq = xs.reduce((a, b) => a + b * b, 0);
  return sq === 0 ? 1 : (sum * sum) / (xs.length * sq);
}
