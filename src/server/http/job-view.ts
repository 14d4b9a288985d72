// A job as the HTTP API shows it: state, priority, times as ISO strings, and progress in model
// calls. While a job runs, progress is the runner's live count (done/total, cache hits) with an ETA
// from its rate so far; once done, the calls it made. The SQL is echoed, the inputs are not.
import type { Job } from '../../jobs/job.ts';
import type { LiveProgress } from '../../service/session-runner.ts';

/** Progress of a job: model calls (total null until the run has planned them), ETA in seconds when computable. */
export interface ProgressView {
  readonly callsDone: number;
  readonly callsTotal: number | null;
  readonly cacheHits: number;
  readonly etaSeconds: number | null;
  /** Slices finished and in all (a job over inputs has one per slice_size inputs; others one). */
  readonly slicesDone: number;
  readonly slicesTotal: number;
}

export interface JobView {
  readonly id: string;
  readonly state: Job['state'];
  readonly priority: Job['priority'];
  readonly user: string;
  readonly sql: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly progress: ProgressView;
  readonly error: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The view of a job; `live` is the runner's progress when it runs the job now. */
export function jobView(job: Job, live: LiveProgress | undefined, now: number): JobView {
  return {
    id: job.id,
    state: job.state,
    priority: job.priority,
    user: job.user,
    sql: job.sql,
    createdAt: iso(job.createdAt) ?? '',
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    progress: progressView(job, live, now),
    error: job.error,
  };
}

function progressView(job: Job, live: LiveProgress | undefined, now: number): ProgressView {
  const p = job.progress;
  const slices = { slicesDone: p.slicesDone, slicesTotal: p.slicesTotal };
  if (job.state === 'running' && live && p.slicesTotal <= 1) {
    const elapsed = (now - live.startedAt) / 1000;
    const eta = live.done > 0 && live.total >= live.done ? round((elapsed / live.done) * (live.total - live.done)) : null;
    return { callsDone: live.done, callsTotal: live.total > 0 ? live.total : null, cacheHits: live.cacheHits, etaSeconds: eta, ...slices };
  }
  if (job.state === 'running' && p.slicesTotal > 1) {
    // A sliced job: finished slices' calls plus the running ones'; the ETA from the slice rate so far.
    const elapsed = job.startedAt === null ? 0 : (now - job.startedAt) / 1000;
    const eta = p.slicesDone > 0 ? round((elapsed / p.slicesDone) * (p.slicesTotal - p.slicesDone)) : null;
    return { callsDone: p.callsDone + (live?.done ?? 0), callsTotal: null, cacheHits: p.cacheHits + (live?.cacheHits ?? 0), etaSeconds: eta, ...slices };
  }
  if (job.state === 'done') return { callsDone: p.callsDone, callsTotal: p.callsDone, cacheHits: p.cacheHits, etaSeconds: 0, ...slices };
  return { callsDone: p.callsDone, callsTotal: null, cacheHits: p.cacheHits, etaSeconds: null, ...slices };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
