// Part (b) of the multi-tenant benchmark: priority scheduling on the serve runner with batches of one
// job (priorities are about order: with one job per batch, completion order is the manager's order).
// Medium users with equal demand and one low job are queued first; a stream of high jobs keeps
// arriving (a few queued at the start, one more each time any job finishes), so the high lane never
// runs dry until the stream ends. Reported: completion positions per priority, wall and simulated
// latency, whether the low job finished while high jobs were still arriving, Jain's index over the
// medium users. Arrivals are tied to completions, not to the clock, so the order is deterministic.
import { performance } from 'node:perf_hooks';
import { FINAL_STATES, type Job } from '../src/jobs/job.ts';
import type { Priority } from '../src/ir/common.ts';
import type { JobManager } from '../src/jobs/manager.ts';
import type { BenchLakehouses } from './lakehouse.ts';
import { jain, round, rowsAndStats, withManager } from './multitenant.ts';

export interface PrioritySpec {
  readonly gpus: number;
  /** Users of the high stream (submitting in turn). */
  readonly highUsers: readonly { readonly tenant: string; readonly user: string }[];
  /** High jobs in the stream, of which `highInitial` are queued at the start. */
  readonly highJobs: number;
  readonly highInitial: number;
  /** Medium users, each with `mediumJobsPerUser` jobs queued at the start (equal demand). */
  readonly mediumUsers: readonly { readonly tenant: string; readonly user: string }[];
  readonly mediumJobsPerUser: number;
  readonly lowUser: { readonly tenant: string; readonly user: string };
  /** LLM calls per job (one per symbol). */
  readonly symbolsPerJob: number;
}

/** One job as it went. */
export interface PriorityJob {
  readonly label: string;
  readonly priority: Priority;
  readonly user: string;
  /** Jobs finished when it was submitted. */
  readonly submittedAfter: number;
  /** 1-based completion position. */
  readonly position: number;
  readonly state: string;
  readonly wallLatencyMs: number;
  readonly simMakespanS: number;
  /** Simulated finish − simulated submission (jobs run one after the other: simulated time = Σ makespans so far). */
  readonly simLatencyS: number;
}

export interface PrioritySummary {
  readonly jobs: number;
  readonly positions: { readonly first: number; readonly median: number; readonly last: number };
  readonly wallLatencyMs: { readonly mean: number; readonly max: number };
  readonly simLatencyS: { readonly mean: number; readonly max: number };
}

export interface PriorityResult {
  readonly spec: PrioritySpec;
  /** H/M/L per completion position. */
  readonly sequence: string;
  readonly perPriority: Readonly<Record<Priority, PrioritySummary>>;
  readonly low: {
    readonly finished: boolean;
    readonly position: number;
    /** High jobs of the stream not yet submitted, and submitted but still queued, when it finished. */
    readonly highStillToArrive: number;
    readonly highQueued: number;
    readonly highDoneBefore: number;
  };
  readonly fairness: {
    /** Position at which the first medium user had all its jobs done: the window. */
    readonly window: number;
    /** Medium jobs done per medium user within the window. */
    readonly servedInWindow: Readonly<Record<string, number>>;
    readonly jainInWindow: number;
    /** Jain over the medium users' mean simulated latency (equal latency → 1). */
    readonly jainMeanSimLatency: number;
  };
  readonly jobList: readonly PriorityJob[];
  readonly wallS: number;
}

/** A small LLM job: one short call per symbol, a prompt of its own (label), distinct symbols per job. */
function jobSql(label: string, seq: number, n: number): string {
  return `SELECT symbol, llm('qwen3_8b', '${label}: one line on ' || symbol, max_tokens => 16) AS line FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT ${n} OFFSET ${(seq * n) % 120}) ORDER BY symbol`;
}

export async function runPriority(lakes: BenchLakehouses, spec: PrioritySpec, log: (line: string) => void): Promise<PriorityResult> {
  const t0 = performance.now();
  const order: string[] = [];
  const finals = new Map<string, Job>();
  const meta = new Map<string, { label: string; submittedAfter: number }>();
  const pending: Promise<unknown>[] = [];
  let highSubmitted = 0;
  let seq = 0;
  let manager: JobManager | undefined;
  let lowAt: { highSubmitted: number } | undefined;
  const submit = (priority: Priority, who: { tenant: string; user: string }, label: string): void => {
    const m = manager;
    if (!m) throw new Error('bench: no manager');
    const submittedAfter = order.length;
    const p = m.submit({ tenant: who.tenant, user: who.user, priority, sql: jobSql(label, seq++, spec.symbolsPerJob) }).then((j) => meta.set(j.id, { label, submittedAfter }));
    pending.push(p);
  };
  const submitHigh = (): void => {
    const who = spec.highUsers[highSubmitted % spec.highUsers.length];
    if (!who) throw new Error('bench: no high users');
    highSubmitted++;
    submit('high', who, `high-${highSubmitted}`);
  };
  const onChange = (job: Job): void => {
    if (!FINAL_STATES.has(job.state) || finals.has(job.id)) return;
    finals.set(job.id, job);
    order.push(job.id);
    if (job.priority === 'low') lowAt = { highSubmitted };
    if (highSubmitted < spec.highJobs) submitHigh();
  };
  return withManager(lakes, { gpus: spec.gpus, cache: false, batchSize: 1, onChange }, async (m, results, session) => {
    manager = m;
    // Load the model first (not a job): simulated latencies then hold no 30 s cold load.
    await session.runScript({ name: 'bench:multitenant:warm-up', text: `${jobSql('warm-up', 0, spec.gpus * 4)};` }, 'run');
    for (let k = 0; k < spec.mediumJobsPerUser; k++) for (const u of spec.mediumUsers) submit('medium', u, `medium-${u.user}-${k + 1}`);
    submit('low', spec.lowUser, 'low-1');
    for (let k = 0; k < spec.highInitial; k++) submitHigh();
    await Promise.all(pending);
    const total = (): number => spec.mediumUsers.length * spec.mediumJobsPerUser + 1 + highSubmitted;
    m.start();
    // A high job submitted from onChange may land just after the manager went idle: wait again.
    while (order.length < total() || pending.length > meta.size) {
      await m.idle();
      await Promise.all(pending);
    }
    const jobList: PriorityJob[] = [];
    const cum: number[] = [0];
    const makespans = new Map<string, number>();
    for (const id of order) {
      const job = finals.get(id);
      const mk = job?.state === 'done' ? (await rowsAndStats(results, id)).stats.simulated_makespan_seconds : 0;
      makespans.set(id, mk);
      cum.push((cum[cum.length - 1] ?? 0) + mk);
    }
    for (const [i, id] of order.entries()) {
      const job = finals.get(id);
      const info = meta.get(id);
      if (!job || !info) throw new Error(`bench: job ${id} unknown`);
      jobList.push({
        label: info.label,
        priority: job.priority,
        user: `${job.tenant}/${job.user}`,
        submittedAfter: info.submittedAfter,
        position: i + 1,
        state: job.state,
        wallLatencyMs: round((job.finishedAt ?? 0) - job.createdAt),
        simMakespanS: round(makespans.get(id) ?? 0),
        simLatencyS: round((cum[i + 1] ?? 0) - (cum[info.submittedAfter] ?? 0)),
      });
    }
    const failed = jobList.filter((j) => j.state !== 'done');
    if (failed.length > 0) log(`multitenant: ${failed.length} priority jobs did not finish: ${failed.map((j) => `${j.label} ${j.state}`).join(', ')}`);
    const result = summarize(spec, jobList, lowAt, (performance.now() - t0) / 1000);
    log(`multitenant: priority: ${jobList.length} jobs, low job at position ${result.low.position} (${result.low.highStillToArrive} high jobs still to arrive), Jain ${result.fairness.jainInWindow.toFixed(3)}, wall ${result.wallS.toFixed(1)} s`);
    return result;
  });
}

function summarize(spec: PrioritySpec, jobs: readonly PriorityJob[], lowAt: { highSubmitted: number } | undefined, wallS: number): PriorityResult {
  const perPriority = {} as Record<Priority, PrioritySummary>;
  for (const p of ['high', 'medium', 'low'] as const) {
    const js = jobs.filter((j) => j.priority === p);
    const pos = js.map((j) => j.position).sort((a, b) => a - b);
    const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
    perPriority[p] = {
      jobs: js.length,
      positions: { first: pos[0] ?? 0, median: pos[Math.floor((pos.length - 1) / 2)] ?? 0, last: pos[pos.length - 1] ?? 0 },
      wallLatencyMs: { mean: round(mean(js.map((j) => j.wallLatencyMs))), max: round(Math.max(0, ...js.map((j) => j.wallLatencyMs))) },
      simLatencyS: { mean: round(mean(js.map((j) => j.simLatencyS))), max: round(Math.max(0, ...js.map((j) => j.simLatencyS))) },
    };
  }
  const low = jobs.find((j) => j.priority === 'low');
  const lowPos = low?.position ?? 0;
  const highBefore = jobs.filter((j) => j.priority === 'high' && j.position < lowPos).length;
  const highSubmittedThen = lowAt?.highSubmitted ?? spec.highJobs;
  const medium = spec.mediumUsers.map((u) => `${u.tenant}/${u.user}`);
  const lastOf = (u: string): number => Math.max(0, ...jobs.filter((j) => j.priority === 'medium' && j.user === u).map((j) => j.position));
  const window = Math.min(...medium.map(lastOf));
  const servedInWindow = Object.fromEntries(medium.map((u) => [u, jobs.filter((j) => j.priority === 'medium' && j.user === u && j.position <= window).length]));
  const meanSimLatency = medium.map((u) => {
    const js = jobs.filter((j) => j.priority === 'medium' && j.user === u);
    return js.reduce((a, j) => a + j.simLatencyS, 0) / Math.max(1, js.length);
  });
  return {
    spec,
    sequence: jobs.map((j) => (j.priority === 'high' ? 'H' : j.priority === 'medium' ? 'M' : 'L')).join(''),
    perPriority,
    low: {
      finished: low?.state === 'done',
      position: lowPos,
      highStillToArrive: spec.highJobs - highSubmittedThen,
      // Submitted before the low job finished (lowAt is taken before its completion submits the next), not yet done.
      highQueued: Math.max(0, highSubmittedThen - highBefore),
      highDoneBefore: highBefore,
    },
    fairness: { window, servedInWindow, jainInWindow: round(jain(Object.values(servedInWindow))), jainMeanSimLatency: round(jain(meanSimLatency)) },
    jobList: jobs,
    wallS: round(wallS),
  };
}
