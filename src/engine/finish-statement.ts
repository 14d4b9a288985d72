// The statement around a batch's model calls: checked for its shape before any call (empty results
// stand in for the calls), then run over the real results (CTAS into the lakehouse, COPY to an object
// URI, or DuckDB), with DuckDB's failures turned into diagnostics at the statement.
import type { BoundQuery } from '../ir/bound-query.ts';
import { duckdbDiagnostic } from '../sql/duckdb-error.ts';
import { assembleStatement } from '../assemble/assemble-query.ts';
import { diag, fail, InternalError, UserError } from '../diag/diagnostic.ts';
import type { ActionDag } from '../ir/action-dag.ts';
import type { Rows } from '../ir/values.ts';
import type { SqlStatement } from '../sql/ast.ts';
import { quoteIdent, type Database } from '../storage/duckdb.ts';
import type { Lakehouse } from '../storage/lakehouse.ts';

/** Drops the temporary result tables assembleStatement made under `tag` (a run id). */
export async function dropRunTables(db: Database, tag: string): Promise<void> {
  const rows = await db.all('SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE $1', [`__agentlake_${tag}_%`]);
  for (const name of rows.map((r) => String(r['table_name']))) await db.run(`DROP TABLE IF EXISTS temp.${quoteIdent(name)}`);
}

/**
 * Binds the statement around empty results of its calls before any call is made, so a mistake outside
 * the calls (a column the workflow does not return) is reported at once and costs no GPU time.
 */
export async function checkShape(lakehouse: Lakehouse, bound: BoundQuery, runId: string): Promise<void> {
  const db = lakehouse.db;
  const empty: ActionDag = { kind: 'action_dag', source: '', inputs: [], actions: [] };
  const tag = `${runId}check`;
  try {
    const shape = await assembleStatement(db, bound, bound.sites.map((site) => ({ site, dag: empty, outputs: new Map() })), tag);
    await db.describe(shape.query);
  } catch (e) {
    if (e instanceof UserError || !/^[A-Za-z ]+ Error: /.test(e instanceof Error ? e.message : '')) throw e;
    // Positions in DuckDB's message are in the rewritten query: point at the name it quotes instead.
    const d = duckdbDiagnostic(e, bound.statement.text, undefined, bound.statement.span);
    const name = /"([^"]+)"[^"]*$/.exec(e instanceof Error ? e.message.split('\n')[0] ?? '' : '')?.[1];
    const at = name ? wordAt(bound.statement.text, name) : -1;
    throw new UserError([at >= 0 ? { ...d, span: { start: bound.statement.span.start + at, end: bound.statement.span.start + at + (name?.length ?? 0) } } : d]);
  } finally {
    await dropRunTables(db, tag);
  }
}

/** Offset of `word` as a whole identifier in `text` (case-insensitive), or -1. */
function wordAt(text: string, word: string): number {
  const m = new RegExp(`(?<![A-Za-z0-9_])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`, 'i').exec(text);
  return m ? m.index : -1;
}

/**
 * Runs the rewritten statement. CREATE TABLE .. AS with model columns writes a Parquet table into the
 * lakehouse (tables/<name>.parquet), visible by name from then on; TEMP tables stay in DuckDB.
 */
export async function finishStatement(lakehouse: Lakehouse, bound: BoundQuery, final: { query: string; statement: string }): Promise<Rows> {
  const stmt = bound.statement;
  const copy = copyTarget(stmt);
  if (copy) return { columns: [{ name: 'Count', type: 'BIGINT' }], rows: [[await lakehouse.copyToObject(final.query, copy.uri, copy.options)]] };
  const m = /^\s*CREATE\s+(OR\s+REPLACE\s+)?(TEMP(?:ORARY)?\s+)?TABLE\s+(IF\s+NOT\s+EXISTS\s+)?/i.exec(stmt.text);
  const name = stmt.target?.name;
  if (stmt.form !== 'create_table_as' || !m || m[2] || !name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return lakehouse.db.query(final.statement);
  const exists = lakehouse.tables.includes(name) || (await lakehouse.db.query('SELECT 1 FROM duckdb_tables() WHERE table_name = $1', [name])).rows.length > 0;
  if (exists && m[3]) return { columns: [{ name: 'Count', type: 'BIGINT' }], rows: [[0]] };
  if (exists && !m[1]) fail('B0120', `table '${name}' already exists`, stmt.target?.span, { help: 'use CREATE OR REPLACE TABLE to replace it' });
  await lakehouse.writeTable(name, final.query);
  const n = await lakehouse.db.query(`SELECT count(*) FROM ${quoteIdent(name)}`);
  return { columns: [{ name: 'Count', type: 'BIGINT' }], rows: n.rows };
}

/**
 * What a failure of the final statement (a DuckDB error, an object store refusing a COPY target)
 * becomes: a diagnostic at the statement, never an internal error. Internal and user errors pass.
 */
export function statementError(e: unknown, stmt: SqlStatement): unknown {
  if (e instanceof UserError || e instanceof InternalError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/^[A-Za-z ]+ Error: /.test(message)) return new UserError([duckdbDiagnostic(e, stmt.text, undefined, stmt.span)]);
  return new UserError([diag('E0102', `cannot write the result: ${message}`, stmt.span)]);
}

/**
 * The object URI of `COPY (query) TO 's3://..' | 'lake://..' (options)`, which the lakehouse writes
 * (DuckDB cannot reach S3 offline); undefined for other statements and local paths.
 */
export function copyTarget(stmt: SqlStatement): { uri: string; options: string } | undefined {
  if (stmt.form !== 'copy' || !stmt.query) return undefined;
  const after = stmt.text.slice(stmt.query.span.end - stmt.span.start).replace(/^\s*\)/, '');
  const m = /^\s*TO\s+'((?:[^']|'')*)'\s*([\s\S]*?)\s*;?\s*$/i.exec(after);
  const uri = m?.[1]?.replace(/''/g, "'");
  if (!m || uri === undefined || !/^(s3|lake):\/\//i.test(uri)) return undefined;
  return { uri, options: m[2] ?? '' };
}
