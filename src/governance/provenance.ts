// Provenance: one event per executed action in agentlake_provenance, one summary row per run in
// agentlake_runs, both DuckDB tables in the lakehouse (queryable like any table). Events are buffered
// and written with the appender at the end of a run. API keys never reach these tables: a call's
// endpoint and model name are recorded, never its credentials.
import { quoteIdent, type Database } from '../storage/duckdb.ts';
import type { Value } from '../ir/values.ts';
import { withStagedRows } from '../storage/stage-rows.ts';

const EVENT_COLUMNS: readonly (readonly [string, string])[] = [
  ['run_id', 'VARCHAR'], ['step', 'VARCHAR'], ['action', 'VARCHAR'], ['input', 'INTEGER'], ['kind', 'VARCHAR'],
  ['model', 'VARCHAR'], ['model_version', 'INTEGER'], ['endpoint', 'VARCHAR'], ['prompt_hash', 'VARCHAR'],
  ['input_refs', 'VARCHAR[]'], ['output_ref', 'VARCHAR'], ['response_cache_hit', 'BOOLEAN'], ['cached_tokens', 'BIGINT'],
  ['tokens_in', 'BIGINT'], ['tokens_out', 'BIGINT'], ['worker', 'VARCHAR'], ['started_at', 'DOUBLE'], ['ended_at', 'DOUBLE'],
  ['status', 'VARCHAR'], ['error', 'VARCHAR'],
  // The action whose execution this one shares (the optimizer computed identical actions once): an
  // action of the same run, or `run_id/action` of another statement's run in the same batch.
  ['shared_with', 'VARCHAR'],
  // The job and tenant of `agentlake serve` (NULL for CLI runs).
  ['job_id', 'VARCHAR'], ['tenant', 'VARCHAR'],
];

const RUN_COLUMNS: readonly (readonly [string, string])[] = [
  ['run_id', 'VARCHAR'], ['statement', 'VARCHAR'], ['started_at', 'TIMESTAMP'], ['wall_seconds', 'DOUBLE'],
  ['simulated', 'BOOLEAN'], ['makespan_seconds', 'DOUBLE'], ['calls_total', 'BIGINT'], ['calls_executed', 'BIGINT'],
  ['response_cache_hits', 'BIGINT'], ['prompt_tokens', 'BIGINT'], ['cached_tokens', 'BIGINT'], ['errors', 'BIGINT'], ['status', 'VARCHAR'],
  ['job_id', 'VARCHAR'], ['tenant', 'VARCHAR'],
];

/** One provenance event, in the column order above. */
export type ProvenanceEvent = { readonly [K in (typeof EVENT_COLUMNS)[number][0]]?: Value };

/** Creates the provenance tables when missing. */
export async function ensureProvenanceTables(db: Database): Promise<void> {
  const ddl = (name: string, cols: readonly (readonly [string, string])[]): string => `CREATE TABLE IF NOT EXISTS ${name} (${cols.map(([n, t]) => `${quoteIdent(n)} ${t}`).join(', ')})`;
  for (const [table, cols] of [['agentlake_provenance', EVENT_COLUMNS], ['agentlake_runs', RUN_COLUMNS]] as const) {
    await db.run(ddl(table, cols));
    // Lakehouses made before a column existed get it (NULL in older rows).
    const have = new Set((await db.all('SELECT column_name FROM duckdb_columns() WHERE table_name = $1', [table])).map((r) => String(r['column_name'])));
    for (const [n, t] of cols) if (!have.has(n)) await db.run(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(n)} ${t}`);
  }
}

/** Appends events through the appender (via a typed staging SELECT). */
export async function writeProvenance(db: Database, events: readonly ProvenanceEvent[]): Promise<void> {
  await appendRows(db, 'agentlake_provenance', EVENT_COLUMNS, events);
}

/** Appends one run summary. */
export async function writeRun(db: Database, run: Readonly<Record<string, Value>>): Promise<void> {
  await appendRows(db, 'agentlake_runs', RUN_COLUMNS, [run]);
}

async function appendRows(db: Database, table: string, cols: readonly (readonly [string, string])[], rows: readonly Readonly<Record<string, Value | undefined>>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = cols.map(([name, type]) => ({ name, type }));
  const values = rows.map((r) => cols.map(([name]) => r[name] ?? null));
  await withStagedRows(db, columns, values, (select) => db.run(`INSERT INTO ${table} ${select}`));
}
