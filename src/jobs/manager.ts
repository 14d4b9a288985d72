// The job manager: jobs in, batches of slices out to an injected runner, progress and final states
// back, every change saved to the job store. It never reads the wall clock except through `clock`
// and never runs SQL itself. A tenant sees and cancels only its own jobs; another tenant's job id
// is answered exactly like an unknown one.
import { randomUUID } from 'node:crypto';
import type { Value } from '../ir/values.ts';
import { formBatch, type BatchChoice } from './dispatch.ts';
import { EMPTY_PROFILE, FINAL_STATES, isPriority, promptTokens, type AffinityProfile, type Job } from './job.ts';
import type { Priority } from '../ir/common.ts';
import { MemoryJobStore, resumeJobs, type JobStore } from './job-store.ts';
import { DEFAULT_QUANTA, SliceQueues, type Quanta } from './queues.ts';
import type { BatchRun, JobRunner, SliceOutcome, SliceRun } from './runner.ts';
import { pendingSlices, sliceCount, type Slice } from './slicing.ts';

/** A job as submitted. */
export interface SubmitRequest {
  readonly tenant: string;
  readonly user: string;
  /** Default 'medium'. */
  readonly priority?: Priority;
  readonly sql: string;
  /** What the job runs over (a workflow's input rows); none for plain SQL. */
  readonly inputs?: readonly Value[];
  /** Inputs per slice; default the manager's (1). */
  readonly sliceSize?: number;
  /** What affinity compares: models called, system prompt text, model calls per input. */
  readonly profile?: { readonly models?: readonly string[]; readonly systemPrompt?: string; readonly callsPerInput?: number };
  /** Session settings for the runner (job.ts `settings`); default none. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface JobManagerOptions {
  readonly runner: JobRunner;
  /** Default: in memory. */
  readonly store?: JobStore;
  /** B, most slices per batch (default 8). */
  readonly batchSize?: number;
  /** Fair-order candidates per batch (default 2·B). */
  readonly window?: number;
  readonly quanta?: Quanta;
  /** Default inputs per slice (default 1). */
  readonly sliceSize?: number;
  /**
   * Milliseconds to wait, when nothing runs, between the first queued slice and forming a batch, so
   * jobs submitted at nearly the same moment share one batch (default 0: form at once). Only when a
   * slice next in line calls models (its profile names some): plain SQL never waits.
   */
  readonly gatherMs?: number;
  /** Milliseconds; default Date.now. */
  readonly clock?: () => number;
  /** Job ids; default random UUIDs. */
  readonly newId?: () => string;
  /** Called after every saved change of a job (progress notices). */
  readonly onChange?: (job: Job) => void;
  /** A background batch failed outside any slice (e.g. the store could not write); default stderr. */
  readonly onError?: (e: unknown) => void;
}

/** What one dispatched batch did. */
export interface StepReport {
  readonly batch: BatchRun;
  readonly choice: BatchChoice;
  readonly outcomes: readonly SliceOutcome[];
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly aborts = new Map<string, AbortController>();
  private readonly queues: SliceQueues;
  private readonly store: JobStore;
  private readonly clock: () => number;
  private readonly newId: () => string;
  private readonly inFlight = new Set<Promise<StepReport>>();
  private inFlightCost = 0;
  private batches = 0;
  private started = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private gathering: ReturnType<typeof setTimeout> | undefined;
  private gathered = false;

  private constructor(
    private readonly opts: JobManagerOptions,
    /** Ids of jobs that were running when the store was last written and run again now. */
    readonly resumed: readonly string[],
  ) {
    this.queues = new SliceQueues(opts.quanta ?? DEFAULT_QUANTA);
    this.store = opts.store ?? new MemoryJobStore();
    this.clock = opts.clock ?? Date.now;
    this.newId = opts.newId ?? randomUUID;
  }

  /** A manager over the store's jobs: queued and formerly running ones are queued again, finished slices skipped. */
  static async open(opts: JobManagerOptions): Promise<JobManager> {
    const { jobs, resumed } = await resumeJobs(opts.store ?? new MemoryJobStore());
    const m = new JobManager(opts, resumed);
    for (const job of jobs) {
      m.jobs.set(job.id, job);
      if (FINAL_STATES.has(job.state)) continue;
      m.aborts.set(job.id, new AbortController());
      for (const s of pendingSlices(job)) m.queues.enqueue(s);
    }
    return m;
  }

  /** Queues a job. Throws RangeError on a malformed request (callers validate user input first). */
  async submit(req: SubmitRequest): Promise<Job> {
    if (this.closed) throw new RangeError('the job manager is closed');
    const priority = req.priority ?? 'medium';
    if (!isPriority(priority)) throw new RangeError(`unknown priority '${String(priority)}'`);
    if (req.tenant === '' || req.user === '') throw new RangeError('a job needs a tenant and a user');
    const sliceSize = req.sliceSize ?? this.opts.sliceSize ?? 1;
    if (!Number.isInteger(sliceSize) || sliceSize < 1) throw new RangeError(`slice size must be a positive integer, got ${sliceSize}`);
    const inputs = req.inputs ?? [];
    const profile = toProfile(req.profile);
    const job: Job = {
      id: this.newId(),
      tenant: req.tenant,
      user: req.user,
      priority,
      sql: req.sql,
      state: 'queued',
      inputs,
      sliceSize,
      profile,
      progress: { slicesTotal: sliceCount(inputs.length, sliceSize), slicesDone: 0, doneSlices: [], callsTotal: profile.callsPerInput * Math.max(1, inputs.length), callsDone: 0, cacheHits: 0 },
      createdAt: this.clock(),
      startedAt: null,
      finishedAt: null,
      error: null,
      settings: { ...req.settings },
    };
    if (this.jobs.has(job.id)) throw new RangeError(`job id '${job.id}' is taken`);
    await this.put(job);
    this.aborts.set(job.id, new AbortController());
    for (const s of pendingSlices(job)) this.queues.enqueue(s);
    this.pump();
    return job;
  }

  /** The job if `tenant` owns it. */
  status(id: string, tenant: string): Job | undefined {
    const job = this.jobs.get(id);
    return job?.tenant === tenant ? job : undefined;
  }

  /** `tenant`'s jobs, oldest first. */
  list(tenant: string): Job[] {
    return [...this.jobs.values()].filter((j) => j.tenant === tenant).sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Cancels `tenant`'s job: queued slices are dropped and running ones aborted. A finished job stays
   * as it is. Undefined when `tenant` has no such job.
   */
  async cancel(id: string, tenant: string): Promise<Job | undefined> {
    const job = this.status(id, tenant);
    if (job === undefined || FINAL_STATES.has(job.state)) return job;
    return this.finish(job, 'cancelled', null);
  }

  /** Queued slices (all jobs). */
  get queued(): number {
    return this.queues.size;
  }

  /** Times slice `id` was passed over (the starvation guard's count). */
  missCount(sliceId: string): number {
    return this.queues.missCount(sliceId);
  }

  /**
   * Forms one batch from the free capacity and runs it to the end. Undefined when no batch could
   * form (nothing queued, or no free capacity). Drives the scheduler one round at a time.
   */
  async step(): Promise<StepReport | undefined> {
    const p = this.dispatch();
    return p === undefined ? undefined : await p;
  }

  /** Runs batches in the background from now on: whenever capacity frees up or a job arrives. */
  start(): void {
    this.started = true;
    this.pump();
  }

  /** Stops forming batches; resolves once the batches in flight have ended. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopGathering();
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Stops for good (a server shutting down): no batch forms any more, and what batches still in
   * flight report is dropped and nothing more is saved, so their jobs stay 'running' in the store
   * and a manager opened on it later runs them again. Aborting the runner's work is the caller's
   * business; resolves once the batches in flight have ended.
   */
  async close(): Promise<void> {
    this.started = false;
    this.closed = true;
    this.stopGathering();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves when nothing is queued or in flight (or at once when already so). */
  idle(): Promise<void> {
    if (this.queues.size === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    const gather = this.opts.gatherMs ?? 0;
    if (this.started && gather > 0 && !this.gathered && this.inFlight.size === 0 && this.queues.size > 0 && this.worthGathering()) {
      this.gathering ??= setTimeout(() => {
        this.gathering = undefined;
        this.gathered = true;
        try {
          this.pump();
        } finally {
          this.gathered = false;
        }
      }, gather);
      return;
    }
    for (let p = this.started ? this.dispatch() : undefined; p !== undefined; p = this.started ? this.dispatch() : undefined) {
      p.catch((e: unknown) => (this.opts.onError ?? ((x: unknown) => console.error('agentlake: job batch failed:', x)))(e));
    }
    this.checkIdle();
  }

  /** Waiting only helps jobs that call models (they may share calls); plain SQL runs at once. */
  private worthGathering(): boolean {
    return this.queues.fairOrder(this.opts.batchSize ?? 8).some((s) => s.profile.models.length > 0);
  }

  private stopGathering(): void {
    if (this.gathering !== undefined) clearTimeout(this.gathering);
    this.gathering = undefined;
  }

  private checkIdle(): void {
    if (this.queues.size > 0 || this.inFlight.size > 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Forms a batch and starts it; undefined when none forms. */
  private dispatch(): Promise<StepReport> | undefined {
    const free = this.opts.runner.capacity() - this.inFlightCost;
    const batchSize = this.opts.batchSize ?? 8;
    let choice = formBatch(this.queues, { maxSlices: batchSize, freeCapacity: free, window: this.opts.window ?? 2 * batchSize });
    // A slice bigger than the whole capacity would wait forever: with nothing in flight it runs alone.
    if (choice.slices.length === 0 && this.inFlightCost === 0 && free > 0 && this.queues.size > 0) {
      choice = formBatch(this.queues, { maxSlices: 1, freeCapacity: Infinity });
    }
    if (choice.slices.length === 0) return undefined;
    const cost = choice.slices.reduce((n, s) => n + s.cost, 0);
    this.inFlightCost += cost;
    const p = this.execute(choice).finally(() => {
      this.inFlightCost -= cost;
      this.inFlight.delete(p);
      this.pump();
    });
    this.inFlight.add(p);
    return p;
  }

  private async execute(choice: BatchChoice): Promise<StepReport> {
    const now = this.clock();
    const runs: SliceRun[] = [];
    for (const slice of choice.slices) {
      let job = this.jobs.get(slice.jobId);
      if (job === undefined || FINAL_STATES.has(job.state)) continue;
      if (job.state === 'queued') {
        job = { ...job, state: 'running', startedAt: job.startedAt ?? now };
        await this.put(job);
      }
      const signal = this.aborts.get(job.id)?.signal ?? AbortSignal.abort();
      runs.push({ slice, job, inputs: job.inputs.slice(slice.start, slice.end), signal });
    }
    const batch: BatchRun = { id: ++this.batches, slices: runs };
    let outcomes: readonly SliceOutcome[];
    try {
      outcomes = runs.length === 0 ? [] : await this.opts.runner.run(batch);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      outcomes = runs.map((r) => ({ sliceId: r.slice.id, ok: false, error }));
    }
    const byId = new Map(outcomes.map((o) => [o.sliceId, o]));
    for (const r of runs) await this.apply(r.slice, byId.get(r.slice.id) ?? { sliceId: r.slice.id, ok: false, error: 'the runner reported no outcome for this slice' });
    return { batch, choice, outcomes };
  }

  /** Folds one slice's outcome into its job (ignored once the job is final). */
  private async apply(slice: Slice, o: SliceOutcome): Promise<void> {
    const job = this.jobs.get(slice.jobId);
    if (this.closed || job === undefined || FINAL_STATES.has(job.state)) return;
    if (!o.ok) {
      await this.finish(job, 'failed', o.error);
      return;
    }
    const doneSlices = [...new Set([...job.progress.doneSlices, slice.index])].sort((a, b) => a - b);
    const progress = {
      ...job.progress,
      doneSlices,
      slicesDone: doneSlices.length,
      callsDone: job.progress.callsDone + (o.calls ?? 0),
      cacheHits: job.progress.cacheHits + (o.cacheHits ?? 0),
    };
    const next: Job = { ...job, progress };
    if (progress.slicesDone >= progress.slicesTotal) await this.finish(next, 'done', null);
    else await this.put(next);
  }

  private async finish(job: Job, state: 'done' | 'failed' | 'cancelled', error: string | null): Promise<Job> {
    const next: Job = { ...job, state, error, finishedAt: this.clock() };
    this.queues.remove((s) => s.jobId === job.id);
    this.aborts.get(job.id)?.abort();
    this.aborts.delete(job.id);
    await this.put(next);
    this.checkIdle();
    return next;
  }

  private async put(job: Job): Promise<void> {
    if (this.closed) return;
    this.jobs.set(job.id, job);
    await this.store.save(job);
    this.opts.onChange?.(job);
  }
}

function toProfile(p: SubmitRequest['profile']): AffinityProfile {
  if (p === undefined) return EMPTY_PROFILE;
  const callsPerInput = p.callsPerInput ?? 1;
  if (!(callsPerInput >= 0)) throw new RangeError(`calls per input must be a number ≥ 0, got ${callsPerInput}`);
  return { models: [...new Set(p.models ?? [])].sort(), systemTokens: promptTokens(p.systemPrompt ?? ''), callsPerInput };
}
