// What a finished job produced, kept for retrieval: the last statement's outcome (rows, a message, an
// EXPLAIN text) or its error, and the provenance runs it wrote. Plain JSON data, kept in memory for
// the latest jobs and in table agentlake_job_results of the lakehouse's DuckDB, so results outlive a
// restart. A result whose JSON passes `maxStoredBytes` is kept in memory only.
import type { Diagnostic } from '../diag/diagnostic.ts';
import { assertNever } from '../diag/assert-never.ts';
import type { RunStats } from '../ir/run-stats.ts';
import type { Outcome } from '../engine/outcome.ts';
import type { Database } from '../storage/duckdb.ts';
import type { Column, Value } from '../ir/values.ts';
import { retryInterrupted } from './interrupt-retry.ts';

/** A job's outcome as data. */
export type JobResult =
  | { readonly kind: 'rows'; readonly columns: readonly Column[]; readonly rows: readonly (readonly Value[])[]; readonly stats?: RunStats }
  | { readonly kind: 'ok'; readonly message: string }
  | { readonly kind: 'explain'; readonly text: string }
  /** A user error: the diagnostics, spans as offsets into the job's SQL. */
  | { readonly kind: 'error'; readonly diagnostics: readonly Diagnostic[] }
  /** A bug in agentlake (or an unexpected failure). */
  | { readonly kind: 'internal'; readonly message: string }
  | { readonly kind: 'cancelled' };

/** One job's result, its owner, and the run ids its statements wrote into agentlake_provenance. */
export interface JobRecord {
  readonly jobId: string;
  readonly tenant: string;
  readonly result: JobResult;
  readonly runIds: readonly string[];
}

const DDL = `CREATE TABLE IF NOT EXISTS agentlake_job_results (
  job_id VARCHAR PRIMARY KEY, tenant VARCHAR NOT NULL, result JSON NOT NULL, run_ids JSON NOT NULL)`;

/** The result of a session outcome. */
export function resultOf(o: Outcome): JobResult {
  switch (o.kind) {
    case 'rows':
      return { kind: 'rows', columns: o.columns, rows: o.rows, ...(o.stats ? { stats: o.stats } : {}) };
    case 'ok':
      return { kind: 'ok', message: o.message };
    case 'explain':
      return { kind: 'explain', text: o.text };
    default:
      return assertNever(o, 'outcome');
  }
}

/** A result as a table: rows as they are, a message as one `status` row, EXPLAIN as its lines. */
export function resultTable(r: JobResult): { columns: readonly Column[]; rows: readonly (readonly Value[])[] } {
  switch (r.kind) {
    case 'rows':
      return r;
    case 'ok':
      return { columns: [{ name: 'status', type: 'VARCHAR' }], rows: [[r.message]] };
    case 'explain':
      return { columns: [{ name: 'QUERY PLAN', type: 'VARCHAR' }], rows: r.text.replace(/\n$/, '').split('\n').map((l) => [l]) };
    case 'error':
    case 'internal':
    case 'cancelled':
      return { columns: [], rows: [] };
    default:
      return assertNever(r, 'job result');
  }
}

/** Results in memory (the latest `keep`) and in the lakehouse. */
export class JobResults {
  private readonly recent = new Map<string, JobRecord>();

  private constructor(
    private readonly db: Database,
    private readonly keep: number,
    private readonly maxStoredBytes: number,
  ) {}

  /** Creates the table when missing. */
  static async open(db: Database, opts: { keep?: number; maxStoredBytes?: number } = {}): Promise<JobResults> {
    await db.run(DDL);
    return new JobResults(db, opts.keep ?? 64, opts.maxStoredBytes ?? 16 * 1024 * 1024);
  }

  async save(rec: JobRecord): Promise<void> {
    this.remember(rec);
    const json = JSON.stringify(rec.result);
    if (json.length > this.maxStoredBytes) return;
    await retryInterrupted(() =>
      this.db.run('INSERT OR REPLACE INTO agentlake_job_results (job_id, tenant, result, run_ids) VALUES ($1, $2, $3, $4)', [rec.jobId, rec.tenant, json, JSON.stringify(rec.runIds)]),
    );
  }

  /** The record of a job, or undefined when none was kept. */
  async get(jobId: string): Promise<JobRecord | undefined> {
    const mem = this.recent.get(jobId);
    if (mem) return mem;
    const rows = await retryInterrupted(() => this.db.all('SELECT tenant, result, run_ids FROM agentlake_job_results WHERE job_id = $1', [jobId]));
    const row = rows[0];
    if (!row) return undefined;
    const rec: JobRecord = {
      jobId,
      tenant: String(row['tenant']),
      result: JSON.parse(String(row['result'])) as JobResult,
      runIds: (JSON.parse(String(row['run_ids'])) as unknown[]).map(String),
    };
    this.remember(rec);
    return rec;
  }

  private remember(rec: JobRecord): void {
    this.recent.delete(rec.jobId);
    this.recent.set(rec.jobId, rec);
    for (const k of this.recent.keys()) {
      if (this.recent.size <= this.keep) break;
      this.recent.delete(k);
    }
  }
}
