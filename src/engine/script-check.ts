// Before a script runs: every parse error and every DuckDB syntax error of its plain SQL, all at once
// and before anything runs; and lake_objects() listed afresh when a statement may read it.
import { fail, UserError, type Diagnostic } from '../diag/diagnostic.ts';
import type { Source } from '../diag/span.ts';
import { duckdbDiagnostic } from '../sql/duckdb-error.ts';
import type { CatalogSnapshot } from '../catalog/catalog.ts';
import type { SqlStatement, Statement } from '../sql/ast.ts';
import { parseScript } from '../sql/parse.ts';
import type { Lakehouse } from '../storage/lakehouse.ts';

/** The SQL a statement (or the statement an EXPLAIN explains) runs, if any. */
function sqlOf(stmt: Statement): SqlStatement | undefined {
  return stmt.kind === 'sql' ? stmt : stmt.kind === 'explain' && stmt.statement.kind === 'sql' ? stmt.statement : undefined;
}

/** The script's statements; parse and DuckDB syntax errors, all at once, before anything runs. */
export async function parseChecked(lakehouse: Lakehouse, source: Source): Promise<readonly Statement[]> {
  const parsed = parseScript(source);
  const syntax = await checkSqlSyntax(lakehouse, parsed.script.statements);
  if (parsed.diagnostics.length > 0 || syntax.length > 0) throw new UserError([...parsed.diagnostics, ...syntax]);
  const stmts = parsed.script.statements;
  if (stmts.length === 0) fail('P0003', 'the script has no statements', { start: 0, end: Math.min(1, source.text.length) });
  return stmts;
}

/** DuckDB's parser over every plain statement, so its syntax errors are reported before anything runs. */
async function checkSqlSyntax(lakehouse: Lakehouse, stmts: readonly Statement[]): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const s of stmts) {
    const sql = sqlOf(s);
    if (!sql) continue;
    try {
      await lakehouse.db.connection.extractStatements(sql.text);
    } catch (e) {
      out.push(duckdbDiagnostic(e, sql.text, sql.span.start, { start: sql.span.end, end: sql.span.end + 1 }));
    }
  }
  return out;
}

/**
 * Lists objects afresh for lake_objects() when the statement's SQL, or a stored workflow it names,
 * mentions it, so objects written by earlier statements (generated images) show up.
 */
export async function refreshLakeObjects(lakehouse: Lakehouse, catalog: CatalogSnapshot, stmt: Statement): Promise<void> {
  const sql = sqlOf(stmt);
  if (!sql) return;
  const words = new Set(sql.text.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
  const workflows = [...catalog.workflows.values()].filter((w) => words.has(w.name.toLowerCase())).map((w) => w.source);
  await lakehouse.refreshLakeObjects([sql.text, ...workflows].join('\n'));
}
