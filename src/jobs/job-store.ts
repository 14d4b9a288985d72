// Job state in the lakehouse: table agentlake_jobs in its DuckDB, one row per job, rewritten on every
// change, so a restarted server finds every job. Opening the store hands back the jobs that were
// running as queued again (their finished slices are in `progress`, so only the rest runs again).
// Rows are validated when read (the file may come from another version); times are epoch ms.
import { InternalError } from '../diag/diagnostic.ts';
import type { Database } from '../storage/duckdb.ts';
import type { Value } from '../ir/values.ts';
import { FINAL_STATES, isJobState, isPriority, type AffinityProfile, type Job, type JobProgress } from './job.ts';

/** Where a job manager keeps its jobs. */
export interface JobStore {
  /** Inserts or replaces the job with this id. */
  save(job: Job): Promise<void>;
  /** Every stored job, oldest first. */
  load(): Promise<Job[]>;
}

/** A store that forgets on exit (tests, `serve` without a lakehouse). */
export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, Job>();
  async save(job: Job): Promise<void> {
    this.jobs.set(job.id, job);
  }
  async load(): Promise<Job[]> {
    return [...this.jobs.values()].sort((a, b) => a.createdAt - b.createdAt);
  }
}

const DDL = `CREATE TABLE IF NOT EXISTS agentlake_jobs (
  id VARCHAR PRIMARY KEY, tenant VARCHAR NOT NULL, "user" VARCHAR NOT NULL, priority VARCHAR NOT NULL,
  sql VARCHAR NOT NULL, state VARCHAR NOT NULL, created_at DOUBLE NOT NULL, started_at DOUBLE,
  finished_at DOUBLE, error VARCHAR, inputs JSON NOT NULL, slice_size INTEGER NOT NULL,
  profile JSON NOT NULL, progress JSON NOT NULL, settings JSON NOT NULL DEFAULT '{}')`;

const COLUMNS = 'id, tenant, "user", priority, sql, state, created_at, started_at, finished_at, error, inputs, slice_size, profile, progress, settings';

/** agentlake_jobs in a lakehouse's DuckDB. Writes are serialized (one connection). */
export class DuckJobStore implements JobStore {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: Database) {}

  /** Creates the table when missing. */
  static async open(db: Database): Promise<DuckJobStore> {
    await db.run(DDL);
    // Lakehouses from before job settings existed.
    await db.run(`ALTER TABLE agentlake_jobs ADD COLUMN IF NOT EXISTS settings JSON DEFAULT '{}'`);
    return new DuckJobStore(db);
  }

  save(job: Job): Promise<void> {
    const params: Value[] = [
      job.id, job.tenant, job.user, job.priority, job.sql, job.state, job.createdAt, job.startedAt, job.finishedAt, job.error,
      JSON.stringify(job.inputs), job.sliceSize, JSON.stringify(job.profile), JSON.stringify(job.progress), JSON.stringify(job.settings),
    ];
    const sql = `INSERT OR REPLACE INTO agentlake_jobs (${COLUMNS}) VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})`;
    return this.serialize(() => this.db.run(sql, params));
  }

  load(): Promise<Job[]> {
    return this.serialize(async () => {
      const rows = await this.db.all(`SELECT ${COLUMNS} FROM agentlake_jobs ORDER BY created_at, id`);
      return rows.map(rowToJob);
    });
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** The stored jobs, with every job that was running turned back to queued (and saved so). */
export async function resumeJobs(store: JobStore): Promise<{ jobs: Job[]; resumed: string[] }> {
  const jobs: Job[] = [];
  const resumed: string[] = [];
  for (const job of await store.load()) {
    if (job.state !== 'running') {
      jobs.push(job);
      continue;
    }
    const again: Job = { ...job, state: 'queued' };
    await store.save(again);
    jobs.push(again);
    resumed.push(job.id);
  }
  return { jobs, resumed };
}

/** True when the job still has work (queued or running). */
export function isLive(job: Job): boolean {
  return !FINAL_STATES.has(job.state);
}

function rowToJob(r: Record<string, Value>): Job {
  const id = String(r['id']);
  const bad = (what: string): never => {
    throw new InternalError(`agentlake_jobs row '${id}' has a bad ${what}`);
  };
  const str = (k: string): string => (typeof r[k] === 'string' ? (r[k] as string) : bad(k));
  const num = (k: string): number => (typeof r[k] === 'number' ? (r[k] as number) : bad(k));
  const optNum = (k: string): number | null => (r[k] === null ? null : num(k));
  const json = (k: string): unknown => {
    try {
      return JSON.parse(str(k)) as unknown;
    } catch {
      return bad(k);
    }
  };
  const priority = str('priority');
  const state = str('state');
  const inputs = json('inputs');
  if (!isPriority(priority)) bad('priority');
  if (!isJobState(state)) bad('state');
  if (!Array.isArray(inputs)) bad('inputs');
  return {
    id,
    tenant: str('tenant'),
    user: str('user'),
    priority: priority as Job['priority'],
    sql: str('sql'),
    state: state as Job['state'],
    inputs: inputs as Value[],
    sliceSize: num('slice_size'),
    profile: toProfile(json('profile')) ?? bad('profile'),
    progress: toProgress(json('progress')) ?? bad('progress'),
    createdAt: num('created_at'),
    startedAt: optNum('started_at'),
    finishedAt: optNum('finished_at'),
    error: r['error'] === null ? null : str('error'),
    settings: r['settings'] === null ? {} : (toSettings(json('settings')) ?? bad('settings')),
  };
}

function toSettings(x: unknown): Record<string, string> | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return undefined;
  const entries = Object.entries(x);
  return entries.every(([, v]) => typeof v === 'string') ? (Object.fromEntries(entries) as Record<string, string>) : undefined;
}

const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
const count = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

function toProfile(x: unknown): AffinityProfile | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  if (!strings(o['models']) || !strings(o['systemTokens']) || typeof o['callsPerInput'] !== 'number') return undefined;
  return { models: o['models'], systemTokens: o['systemTokens'], callsPerInput: o['callsPerInput'] };
}

function toProgress(x: unknown): JobProgress | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  const done = o['doneSlices'];
  if (!Array.isArray(done) || !done.every(count)) return undefined;
  const keys = ['slicesTotal', 'slicesDone', 'callsTotal', 'callsDone', 'cacheHits'] as const;
  if (!keys.every((k) => count(o[k]))) return undefined;
  return {
    slicesTotal: o['slicesTotal'] as number,
    slicesDone: o['slicesDone'] as number,
    doneSlices: done,
    callsTotal: o['callsTotal'] as number,
    callsDone: o['callsDone'] as number,
    cacheHits: o['cacheHits'] as number,
  };
}
