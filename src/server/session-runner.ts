// The job runner of `agentlake serve`: runs each slice's SQL script on the server's one Session. The
// lakehouse has one DuckDB connection and the Session keeps shared state (settings, the simulated
// cluster's clock), so slices run one at a time: capacity is 1, and the manager's fair order decides
// which job runs next. Progress comes from the Session's onProgress; a cancelled job's signal aborts
// the run and interrupts DuckDB; each job's result and the provenance runs it wrote are kept.
import { UserError } from '../diag/diagnostic.ts';
import type { Progress } from '../engine/run-statement.ts';
import type { Session } from '../engine/session.ts';
import { ensureProvenanceTables } from '../governance/provenance.ts';
import type { BatchRun, JobRunner, SliceOutcome, SliceRun } from '../jobs/runner.ts';
import { retryInterrupted } from './interrupt-retry.ts';
import { resultOf, type JobResult, type JobResults } from './job-results.ts';

/** A running job's model calls as last reported, with wall-clock times (ms) for an ETA. */
export interface LiveProgress extends Progress {
  readonly startedAt: number;
  readonly updatedAt: number;
}

export class SessionRunner implements JobRunner {
  private readonly live = new Map<string, LiveProgress>();
  private readonly watchers = new Map<string, Set<(p: Progress) => void>>();
  private readonly shutdown = new AbortController();
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly session: Session,
    private readonly results: JobResults,
    private readonly now: () => number,
  ) {}

  /** A runner over `session`; makes sure the provenance tables exist (run ids are read from them). */
  static async open(session: Session, results: JobResults, opts: { now?: () => number } = {}): Promise<SessionRunner> {
    await ensureProvenanceTables(session.lakehouse.db);
    return new SessionRunner(session, results, opts.now ?? Date.now);
  }

  capacity(): number {
    return this.shutdown.signal.aborted ? 0 : 1;
  }

  run(batch: BatchRun): Promise<readonly SliceOutcome[]> {
    const next = this.tail.then(async () => {
      const out: SliceOutcome[] = [];
      for (const r of batch.slices) out.push(await this.runSlice(r));
      return out;
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** The latest progress of a running job (undefined when it is not running here). */
  progress(jobId: string): LiveProgress | undefined {
    return this.live.get(jobId);
  }

  /** Calls `fn` on every progress report of the job until the returned function is called. */
  watch(jobId: string, fn: (p: Progress) => void): () => void {
    let set = this.watchers.get(jobId);
    if (!set) this.watchers.set(jobId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.watchers.get(jobId) === set) this.watchers.delete(jobId);
    };
  }

  /** Server shutdown: aborts the running slice and refuses new ones (the manager keeps their jobs to resume). */
  abortAll(): void {
    this.shutdown.abort(new Error('the server is shutting down'));
  }

  private async runSlice(r: SliceRun): Promise<SliceOutcome> {
    const { job } = r;
    const sliceId = r.slice.id;
    if (job.inputs.length > 0) return { sliceId, ok: false, error: 'the session runner runs jobs without inputs only' };
    const signal = AbortSignal.any([r.signal, this.shutdown.signal]);
    if (signal.aborted) return { sliceId, ok: false, error: 'cancelled' };
    const db = this.session.lakehouse.db;
    // A long plain-SQL statement only stops when DuckDB is interrupted; model calls watch the signal.
    const onAbort = (): void => db.connection.interrupt();
    signal.addEventListener('abort', onAbort, { once: true });
    const startedAt = this.now();
    this.live.set(job.id, { done: 0, total: 0, cacheHits: 0, startedAt, updatedAt: startedAt });
    let last: Progress = { done: 0, total: 0, cacheHits: 0 };
    const onProgress = (p: Progress): void => {
      last = p;
      this.live.set(job.id, { ...p, startedAt, updatedAt: this.now() });
      for (const w of this.watchers.get(job.id) ?? []) w(p);
    };
    let result: JobResult;
    let outcome: SliceOutcome;
    const before = await retryInterrupted(() => lastRunRow(this.session));
    try {
      const o = await this.session.runScript({ name: `job ${job.id}`, text: job.sql }, 'run', { signal, onProgress });
      result = resultOf(o);
      const calls = last.done > 0 ? last.done : o.kind === 'rows' ? (o.stats?.calls_total ?? 0) : 0;
      const cacheHits = last.done > 0 ? last.cacheHits : o.kind === 'rows' ? (o.stats?.response_cache_hits ?? 0) : 0;
      outcome = { sliceId, ok: true, calls, cacheHits };
    } catch (e) {
      if (signal.aborted) {
        result = { kind: 'cancelled' };
        outcome = { sliceId, ok: false, error: 'cancelled' };
      } else if (e instanceof UserError) {
        result = { kind: 'error', diagnostics: e.diagnostics };
        outcome = { sliceId, ok: false, error: e.diagnostics.map((d) => `${d.code}: ${d.message}`).join('; ') };
      } else {
        const message = e instanceof Error ? e.message : String(e);
        result = { kind: 'internal', message };
        outcome = { sliceId, ok: false, error: `internal error: ${message}` };
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.live.delete(job.id);
    }
    // Shutting down: the job runs again on the next start; it has no result yet.
    if (this.shutdown.signal.aborted) return outcome;
    const runIds = await retryInterrupted(() => runsSince(this.session, before));
    await this.results.save({ jobId: job.id, tenant: job.tenant, result, runIds });
    return outcome;
  }
}

/** The rowid of agentlake_runs' last row (-1 when empty): runs after it are the job's. */
async function lastRunRow(session: Session): Promise<number> {
  const rows = await session.lakehouse.db.all('SELECT coalesce(max(rowid), -1) AS r FROM agentlake_runs');
  return Number(rows[0]?.['r'] ?? -1);
}

/** Run ids written after row `after` (slices run one at a time, so they are this slice's). */
async function runsSince(session: Session, after: number): Promise<string[]> {
  const rows = await session.lakehouse.db.all('SELECT run_id FROM agentlake_runs WHERE rowid > $1 ORDER BY rowid', [after]);
  return rows.map((r) => String(r['run_id']));
}
