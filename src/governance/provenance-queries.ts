// The governance tables read back: a job's runs and their provenance rows. The one place outside
// provenance.ts that names agentlake_runs / agentlake_provenance in SQL.
import { quoteString, type Database } from '../storage/duckdb.ts';
import type { Rows } from '../ir/values.ts';

/** The runs a job's model statements wrote (`agentlake_runs.job_id`), in the order they were written. */
export async function runIdsOfJob(db: Database, jobId: string): Promise<string[]> {
  const rows = await db.all('SELECT run_id FROM agentlake_runs WHERE job_id = $1 ORDER BY rowid', [jobId]);
  return rows.map((r) => String(r['run_id']));
}

/** Every provenance row of the given runs, ordered by run, start, action and input. */
export async function provenanceOfRuns(db: Database, runIds: readonly string[]): Promise<Rows> {
  const where = runIds.length === 0 ? 'false' : `run_id IN (${runIds.map(quoteString).join(', ')})`;
  return db.query(`SELECT * FROM agentlake_provenance WHERE ${where} ORDER BY run_id, started_at, action, input`);
}
