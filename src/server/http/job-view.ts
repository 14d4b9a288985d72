// A job as the HTTP API shows it: state, priority, times as ISO strings, and progress in model
// calls. While a job runs, progress is the runner's live count (done/total, cache hits) with an ETA
// from its rate so far; once done, the calls it made. The SQL is echoed, the inputs are not.
import type { Job } from '../../jobs/job.ts';
import type { LiveProgress } from '../session-runner.ts';

/** Progress of a job: model calls (total null until the run has planned them), ETA in seconds when computable. */
export interface ProgressView {
  readonly callsDone: number;
  readonly callsTotal: number | null;
  readonly cacheHits: number;
  readonly etaSeconds: number | null;
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
  if (job.state === 'running' && live) {
    const elapsed = (now - live.startedAt) / 1000;
    const eta = live.done > 0 && live.total >= live.done ? round((elapsed / live.done) * (live.total - live.done)) : null;
    return { callsDone: live.done, callsTotal: live.total > 0 ? live.total : null, cacheHits: live.cacheHits, etaSeconds: eta };
  }
  const p = job.progress;
  if (job.state === 'done') return { callsDone: p.callsDone, callsTotal: p.callsDone, cacheHits: p.cacheHits, etaSeconds: 0 };
  return { callsDone: p.callsDone, callsTotal: null, cacheHits: p.cacheHits, etaSeconds: null };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
