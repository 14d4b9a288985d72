// The job runner of `agentlake serve`: runs each batch of slices the manager formed on the server's one
// Session, as one Session.runBatch: every job's script runs under its own settings, and the last
// statements that call models run together as one DAG, so identical deterministic actions of
// different tenants' jobs execute once and each job's provenance records the sharing. The lakehouse
// has one DuckDB connection, so one batch runs at a time: capacity is the batch size while idle and
// nothing while a batch runs (the queue fills meanwhile; the next batch takes the manager's fair
// order and affinity). Progress comes from each job's onProgress; a cancelled job's signal stops its
// part (DuckDB is interrupted only when every job of the batch is cancelled: the connection is
// shared); each job's result and the provenance runs it wrote are kept.
import { diag, UserError, type Diagnostic } from '../diag/diagnostic.ts';
import type { Progress, RunStats } from '../ir/run-stats.ts';
import type { Session } from '../engine/session.ts';
import type { BatchScript, ScriptResult } from '../engine/session-options.ts';
import { ensureProvenanceTables } from '../governance/provenance.ts';
import { runIdsOfJob } from '../governance/provenance-queries.ts';
import { onOff } from '../engine/settings.ts';
import type { Job } from '../jobs/job.ts';
import type { BatchRun, JobRunner, SliceOutcome, SliceRun } from '../jobs/runner.ts';
import type { Value } from '../ir/values.ts';
import { InputTables, renameInputs } from './job-inputs.ts';
import { scopeToTenant, tenantScriptProblems, tenantViews as tenantViewsOf } from './tenant-scope.ts';
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
  /** Per tenant, the temporary views its SQL reads provenance and runs through (made once). */
  private readonly tenantViews = new Map<string, ReadonlyMap<string, string>>();

  private constructor(
    private readonly session: Session,
    private readonly results: JobResults,
    private readonly now: () => number,
    private readonly batchSize: number,
    private readonly inputTables: InputTables,
    private readonly tenantScoped: boolean,
  ) {}

  /**
   * A runner over `session` taking up to `batchSize` slices per batch (default 8; 1 runs jobs one by
   * one); makes sure the provenance tables exist (run ids are read from them).
   */
  static async open(session: Session, results: JobResults, opts: { now?: () => number; batchSize?: number; inputTables?: InputTables; tenantScoped?: boolean } = {}): Promise<SessionRunner> {
    await ensureProvenanceTables(session.lakehouse.db);
    return new SessionRunner(session, results, opts.now ?? Date.now, Math.max(1, opts.batchSize ?? 8), opts.inputTables ?? new InputTables(session.lakehouse.db), opts.tenantScoped === true);
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

  /** The latest progress of a running job, over its slices running now (undefined when none runs here). */
  progress(jobId: string): LiveProgress | undefined {
    let out: LiveProgress | undefined;
    for (const [key, p] of this.live) {
      if (key.slice(0, key.lastIndexOf(':')) !== jobId) continue;
      out = out === undefined ? p : { done: out.done + p.done, total: out.total + p.total, cacheHits: out.cacheHits + p.cacheHits, startedAt: Math.min(out.startedAt, p.startedAt), updatedAt: Math.max(out.updatedAt, p.updatedAt) };
    }
    return out;
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
    const live: { r: SliceRun; signal: AbortSignal; table?: string; last: () => Progress }[] = [];
    const db = this.session.lakehouse.db;
    try {
      for (const r of runs) {
        const sliceId = r.slice.id;
        // Several tenants: a job may not read the server's tables (tenant-scope.ts).
        const problems = this.tenantScoped ? tenantScriptProblems(r.job.sql) : [];
        if (this.shutdown.signal.aborted || r.signal.aborted) out.set(sliceId, { sliceId, ok: false, error: 'cancelled' });
        else if (problems.length > 0) out.set(sliceId, await this.finish(r, r.signal, { ok: false, error: new UserError(problems) }, { done: 0, total: 0, cacheHits: 0 }));
        else {
          const table = r.inputs.length > 0 ? await this.inputTables.create(r.inputs, r.slice.start) : undefined;
          live.push({ r, signal: AbortSignal.any([r.signal, this.shutdown.signal]), ...(table ? { table } : {}), last: () => ({ done: 0, total: 0, cacheHits: 0 }) });
        }
      }
      // A long plain-SQL statement only stops when DuckDB is interrupted; model calls watch the signal.
      // The connection is the whole batch's: interrupt it only once every job of the batch has gone.
      const onAbort = (): void => {
        if (live.every((l) => l.signal.aborted)) db.connection.interrupt();
      };
      if (this.tenantScoped) {
        for (const l of live) {
          const t = l.r.job.tenant;
          if (!this.tenantViews.has(t)) this.tenantViews.set(t, await retryInterrupted(() => tenantViewsOf(db, t)));
        }
      }
      const scripts: BatchScript[] = live.map((l) => {
        const { job, slice } = l.r;
        l.signal.addEventListener('abort', onAbort, { once: true });
        const startedAt = this.now();
        this.live.set(slice.id, { done: 0, total: 0, cacheHits: 0, startedAt, updatedAt: startedAt });
        let last: Progress = { done: 0, total: 0, cacheHits: 0 };
        l.last = () => last;
        const onProgress = (p: Progress): void => {
          last = p;
          this.live.set(slice.id, { ...p, startedAt, updatedAt: this.now() });
          for (const w of this.watchers.get(job.id) ?? []) w(p);
        };
        const views = this.tenantViews.get(job.tenant);
        const scoped = views ? scopeToTenant(job.sql, views) : job.sql;
        const text = l.table ? renameInputs(scoped, l.table) : scoped;
        return { source: { name: `job ${job.id}`, text }, settings: jobSettings(job.settings), signal: l.signal, onProgress, job: { id: job.id, tenant: job.tenant } };
      });
      let done: readonly ScriptResult[];
      try {
        done = live.length === 0 ? [] : await this.session.runBatch(scripts, this.shutdown.signal);
      } finally {
        for (const l of live) {
          l.signal.removeEventListener('abort', onAbort);
          this.live.delete(l.r.slice.id);
        }
      }
      for (const [i, l] of live.entries()) out.set(l.r.slice.id, await this.finish(l.r, l.signal, done[i], l.last()));
      // Sliced jobs whose last slices just ended: their result is every slice's, in order.
      const jobs = new Map(runs.map((r) => [r.job.id, r.job]));
      for (const job of jobs.values()) {
        const slices = job.progress.slicesTotal;
        if (this.shutdown.signal.aborted || slices === 1) continue;
        const ok = runs.filter((x) => x.job.id === job.id && out.get(x.slice.id)?.ok === true).map((x) => x.slice.index);
        if (new Set([...job.progress.doneSlices, ...ok]).size < slices) continue;
        const combined = await this.combine(job);
        if (combined.kind !== 'error') continue;
        const error = summary(combined.diagnostics);
        for (const r of runs) if (r.job.id === job.id) out.set(r.slice.id, { sliceId: r.slice.id, ok: false, error });
      }
    } finally {
      for (const l of live) if (l.table) await retryInterrupted(() => this.inputTables.drop(l.table ?? ''));
    }
    return runs.map((r) => out.get(r.slice.id) ?? { sliceId: r.slice.id, ok: false, error: 'no outcome' });
  }

  /** One slice's outcome from what the session answered; its result is kept (a sliced job's under the slice id). */
  private async finish(r: SliceRun, signal: AbortSignal, d: ScriptResult | undefined, last: Progress): Promise<SliceOutcome> {
    const { job, slice } = r;
    const sliceId = slice.id;
    let result: JobResult;
    let outcome: SliceOutcome;
    if (signal.aborted) {
      result = { kind: 'cancelled' };
      outcome = { sliceId, ok: false, error: 'cancelled' };
    } else if (d?.ok) {
      const o = d.outcome;
      result = resultOf(o);
      const calls = last.done > 0 ? last.done : o.kind === 'rows' ? (o.stats?.calls_total ?? 0) : 0;
      const cacheHits = last.done > 0 ? last.cacheHits : o.kind === 'rows' ? (o.stats?.response_cache_hits ?? 0) : 0;
      outcome = { sliceId, ok: true, calls, cacheHits };
    } else if (d?.error instanceof UserError) {
      result = { kind: 'error', diagnostics: d.error.diagnostics };
      outcome = { sliceId, ok: false, error: summary(d.error.diagnostics) };
    } else {
      const message = d === undefined ? 'the session answered nothing for this job' : d.error instanceof Error ? d.error.message : String(d.error);
      result = { kind: 'internal', message };
      outcome = { sliceId, ok: false, error: `internal error: ${message}` };
    }
    // Shutting down: the job runs again on the next start; it has no result yet.
    if (this.shutdown.signal.aborted) return outcome;
    const sliced = job.progress.slicesTotal > 1;
    const runIds = await retryInterrupted(() => runIdsOfJob(this.session.lakehouse.db, job.id));
    // A failed slice fails the job: its error is the job's result.
    await this.results.save({ jobId: sliced && outcome.ok ? sliceId : job.id, tenant: job.tenant, result, runIds });
    return outcome;
  }

  /** A sliced job's result: its slices' rows in slice order (their columns must agree), figures summed. */
  private async combine(job: Job): Promise<JobResult> {
    const parts: JobResult[] = [];
    let result: JobResult | undefined;
    for (let k = 0; k < job.progress.slicesTotal && result === undefined; k++) {
      const rec = await this.results.get(`${job.id}:${k}`);
      if (rec) parts.push(rec.result);
      else result = { kind: 'error', diagnostics: [diag('E0103', `slice ${k} of job '${job.id}' has no kept result (it was larger than the result store keeps)`)] };
    }
    result ??= concatResults(parts);
    const runIds = await retryInterrupted(() => runIdsOfJob(this.session.lakehouse.db, job.id));
    await this.results.save({ jobId: job.id, tenant: job.tenant, result, runIds });
    return result;
  }
}

/** Slices' results as one: rows concatenated when every slice returned rows of the same columns. */
export function concatResults(parts: readonly JobResult[]): JobResult {
  const first = parts[0];
  if (first === undefined) return { kind: 'ok', message: 'no slices' };
  if (first.kind !== 'rows') return parts.at(-1) ?? first;
  const names = JSON.stringify(first.columns.map((c) => c.name));
  const rows: (readonly Value[])[] = [];
  let stats: RunStats | undefined;
  for (const [k, p] of parts.entries()) {
    if (p.kind !== 'rows' || JSON.stringify(p.columns.map((c) => c.name)) !== names) {
      return { kind: 'error', diagnostics: [diag('E0103', `slice ${k} returned ${p.kind === 'rows' ? `columns ${JSON.stringify(p.columns.map((c) => c.name))}` : `a '${p.kind}' result`}, not the columns ${names} of slice 0: a sliced job's statement must return the same columns for every slice`)] };
    }
    rows.push(...p.rows);
    if (p.stats) stats = stats ? addStats(stats, p.stats) : p.stats;
  }
  return { kind: 'rows', columns: first.columns, rows, ...(stats ? { stats } : {}) };
}

/**
 * Figures of two slices' runs: counts added; times (makespan, GPU busy, wall) the longer one's, since
 * slices of one batch share its makespan and adding them would count it twice.
 */
function addStats(a: RunStats, b: RunStats): RunStats {
  const out: Record<string, number | boolean | string | null> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    if (typeof v !== 'number' || typeof prev !== 'number') continue;
    out[k] = /seconds$/.test(k) ? Math.max(prev, v) : prev + v;
  }
  return out as unknown as RunStats;
}

/** Diagnostics as one line of a job's error. */
function summary(ds: readonly Diagnostic[]): string {
  return ds.map((x) => `${x.code}: ${x.message}`).join('; ');
}

/** The session settings a job carries (`SET agentlake.cache|optimizer` on its connection). */
function jobSettings(s: Readonly<Record<string, string>>): NonNullable<BatchScript['settings']> {
  const cache = onOff(s['cache']);
  const optimizer = onOff(s['optimizer']);
  return { ...(cache !== undefined ? { cache } : {}), ...(optimizer !== undefined ? { optimizer } : {}) };
}
