// What a tenant's SQL may read of the server's own tables, when the server has users (several
// tenants share one DuckDB). agentlake_jobs, agentlake_job_results and agentlake_response_cache are
// the server's: a job that names them fails (B0141) — jobs, results and provenance are read through
// the API, which checks the tenant. agentlake_provenance and agentlake_runs are renamed, like
// job_inputs, to temporary views of the same name length holding the job's tenant's rows only. The
// SQL-text table functions query() and query_table() are refused (B0142): they would run text this
// check never saw. Names are matched as bare or double-quoted identifiers outside strings and
// comments (sql-text.ts lex).
import { diag, type Diagnostic } from '../diag/diagnostic.ts';
import { createHash } from 'node:crypto';
import { quoteIdent, quoteString, type Database } from '../storage/duckdb.ts';
import { identifiers, renameIdentifiers } from '../sql/sql-text.ts';

const SERVER_TABLES: Readonly<Record<string, string>> = {
  agentlake_jobs: 'GET /v1/jobs lists your jobs',
  agentlake_job_results: 'GET /v1/jobs/<id>/result returns a job\'s result',
  agentlake_response_cache: 'the response cache is the server\'s',
};
const TENANT_TABLES = ['agentlake_provenance', 'agentlake_runs'] as const;
const SQL_TEXT_FUNCTIONS = new Set(['query', 'query_table']);

/** Why a tenant's script may not run as it is (empty: it may). */
export function tenantScriptProblems(sql: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const w of identifiers(sql)) {
    const help = SERVER_TABLES[w.name];
    if (help !== undefined) out.push(diag('B0141', `${w.name} is the server's own table; a tenant's SQL cannot read it`, { start: w.start, end: w.end }, { help }));
    else if (!w.quoted && SQL_TEXT_FUNCTIONS.has(w.name) && /^\s*\(/.test(sql.slice(w.end))) {
      out.push(diag('B0142', `${w.name}() runs SQL text, which a shared server does not allow`, { start: w.start, end: w.end }, { help: 'write the query itself' }));
    }
  }
  return out;
}

/** Temporary views of the tenant's own provenance and runs, named to the length of the tables they stand for. */
export async function tenantViews(db: Database, tenant: string): Promise<ReadonlyMap<string, string>> {
  const hash = createHash('sha256').update(tenant).digest('hex');
  const names = new Map<string, string>();
  for (const table of TENANT_TABLES) {
    const name = `tv_${hash.slice(0, table.length - 3)}`;
    await db.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS SELECT * FROM main.${table} WHERE tenant = ${quoteString(tenant)}`);
    names.set(table, name);
  }
  return names;
}

/** `sql` with every bare or quoted reference to a tenant table renamed to its view (same length: positions hold). */
export function scopeToTenant(sql: string, views: ReadonlyMap<string, string>): string {
  for (const [table, view] of views) if (table.length !== view.length) throw new RangeError(`the view of ${table} needs a name of ${table.length} characters, not '${view}'`);
  // A qualified name (main.agentlake_runs) is renamed too: it then names nothing and fails.
  return renameIdentifiers(sql, (id) => {
    const view = views.get(id.name);
    return view === undefined ? undefined : id.quoted ? `"${view}"` : view;
  });
}
