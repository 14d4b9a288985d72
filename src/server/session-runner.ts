// The job runner of `agentlake serve`: runs each batch of slices the manager formed on the server's one
// Session, as one Session.runBatch: every job's script runs under its own settings, and the last
// statements that call models run together as one DAG, so identical deterministic actions of
// different tenants' jobs execute once and each job's provenance records the sharing. The lakehouse
// has one DuckDB connection, so one batch runs at a time: capacity is the batch size while idle and
// nothing while a batch runs (the queue fills meanwhile; the next batch takes the manager's fair
// order and affinity). Progress comes from each job's onProgress; a cancelled job's signal stops its
// part (and interrupts DuckDB); each job's result and the provenance runs it wrote are kept.
import { UserError } from '../diag/diagnostic.ts';
import type { Progress } from '../engine/run-statement.ts';
import type { BatchScript, ScriptResult, Session } from '../engine/session.ts';
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
  private running = 0;

  private constructor(
    private readonly session: Session,
    private readonly results: JobResults,
    private readonly now: () => number,
    private readonly batchSize: number,
  ) {}

  /**
   * A runner over `session` taking up to `batchSize` slices per batch (default 8; 1 runs jobs one by
   * one); makes sure the provenance tables exist (run ids are read from them).
   */
  static async open(session: Session, results: JobResults, opts: { now?: () => number; batchSize?: number } = {}): Promise<SessionRunner> {
    await ensureProvenanceTables(session.lakehouse.db);
    return new SessionRunner(session, results, opts.now ?? Date.now, Math.max(1, opts.batchSize ?? 8));
  }

  capacity(): number {
    return this.shutdown.signal.aborted || this.running > 0 ? 0 : this.batchSize;
  }

  run(batch: BatchRun): Promise<readonly SliceOutcome[]> {
    this.running++;
    const next = this.tail.then(() => this.runBatch(batch.slices)).finally(() => this.running--);
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

  private async runBatch(runs: readonly SliceRun[]): Promise<SliceOutcome[]> {
    const out = new Map<string, SliceOutcome>();
    const live: { r: SliceRun; signal: AbortSignal; last: () => Progress }[] = [];
    for (const r of runs) {
      const sliceId = r.slice.id;
      if (r.job.inputs.length > 0) out.set(sliceId, { sliceId, ok: false, error: 'the session runner runs jobs without inputs only' });
      else if (this.shutdown.signal.aborted || r.signal.aborted) out.set(sliceId, { sliceId, ok: false, error: 'cancelled' });
      else live.push({ r, signal: AbortSignal.any([r.signal, this.shutdown.signal]), last: () => ({ done: 0, total: 0, cacheHits: 0 }) });
    }
    const db = this.session.lakehouse.db;
    // A long plain-SQL statement only stops when DuckDB is interrupted; model calls watch the signal.
    const onAbort = (): void => db.connection.interrupt();
    const scripts: BatchScript[] = live.map((l) => {
      const { job } = l.r;
      l.signal.addEventListener('abort', onAbort, { once: true });
      const startedAt = this.now();
      this.live.set(job.id, { done: 0, total: 0, cacheHits: 0, startedAt, updatedAt: startedAt });
      let last: Progress = { done: 0, total: 0, cacheHits: 0 };
      l.last = () => last;
      const onProgress = (p: Progress): void => {
        last = p;
        this.live.set(job.id, { ...p, startedAt, updatedAt: this.now() });
        for (const w of this.watchers.get(job.id) ?? []) w(p);
      };
      return { source: { name: `job ${job.id}`, text: job.sql }, settings: jobSettings(job.settings), signal: l.signal, onProgress, job: { id: job.id, tenant: job.tenant } };
    });
    let done: readonly ScriptResult[];
    try {
      done = live.length === 0 ? [] : await this.session.runBatch(scripts, this.shutdown.signal);
    } finally {
      for (const l of live) {
        l.signal.removeEventListener('abort', onAbort);
        this.live.delete(l.r.job.id);
      }
    }
    for (const [i, l] of live.entries()) {
      const { job, slice } = l.r;
      const sliceId = slice.id;
      const d = done[i] ?? { ok: false, error: new Error('the session answered nothing for this job') };
      let result: JobResult;
      let outcome: SliceOutcome;
      if (l.signal.aborted) {
        result = { kind: 'cancelled' };
        outcome = { sliceId, ok: false, error: 'cancelled' };
      } else if (d.ok) {
        const o = d.outcome;
        result = resultOf(o);
        const last = l.last();
        const calls = last.done > 0 ? last.done : o.kind === 'rows' ? (o.stats?.calls_total ?? 0) : 0;
        const cacheHits = last.done > 0 ? last.cacheHits : o.kind === 'rows' ? (o.stats?.response_cache_hits ?? 0) : 0;
        outcome = { sliceId, ok: true, calls, cacheHits };
      } else if (d.error instanceof UserError) {
        result = { kind: 'error', diagnostics: d.error.diagnostics };
        outcome = { sliceId, ok: false, error: d.error.diagnostics.map((x) => `${x.code}: ${x.message}`).join('; ') };
      } else {
        const message = d.error instanceof Error ? d.error.message : String(d.error);
        result = { kind: 'internal', message };
        outcome = { sliceId, ok: false, error: `internal error: ${message}` };
      }
      out.set(sliceId, outcome);
      // Shutting down: the job runs again on the next start; it has no result yet.
      if (this.shutdown.signal.aborted) continue;
      const runIds = await retryInterrupted(() => runsOf(this.session, job.id));
      await this.results.save({ jobId: job.id, tenant: job.tenant, result, runIds });
    }
    return runs.map((r) => out.get(r.slice.id) ?? { sliceId: r.slice.id, ok: false, error: 'no outcome' });
  }
}

/** The session settings a job carries (`SET agentlake.cache|optimizer` on its connection). */
function jobSettings(s: Readonly<Record<string, string>>): NonNullable<BatchScript['settings']> {
  const on = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : ['true', 'on'].includes(v.toLowerCase()));
  const cache = on(s['cache']);
  const optimizer = on(s['optimizer']);
  return { ...(cache !== undefined ? { cache } : {}), ...(optimizer !== undefined ? { optimizer } : {}) };
}

/** The runs a job's model statements wrote, in order. */
async function runsOf(session: Session, jobId: string): Promise<string[]> {
  const rows = await session.lakehouse.db.all('SELECT run_id FROM agentlake_runs WHERE job_id = $1 ORDER BY rowid', [jobId]);
  return rows.map((r) => String(r['run_id']));
}
