// Puts model results back under full SQL semantics: each workflow call's results go into a temp table
// (through DuckDB's appender), the call in the query's parse tree is replaced by a correlated subquery
// over that table, and DuckDB runs the rewritten statement: WHERE, joins, ORDER BY, CTAS all still apply.
import type { BoundQuery, CallSite, WorkflowSite } from '../ir/bound-query.ts';
import { replaceFunctionCall, replaceMapCall, writeFunctionMap, writeMapRows } from './assemble-functions.ts';
import { outputColumns } from '../ir/bound-query.ts';
import { children, functionName, isNode, walk, type JsonNode } from '../sql/duck-ast.ts';
import type { ActionDag, ActionId } from '../ir/action-dag.ts';
import { quoteIdent, type Database } from '../storage/duckdb.ts';
import type { Value } from '../ir/values.ts';
import { InternalError } from '../diag/diagnostic.ts';
import { outputRows, type ActionOutput } from '../runtime/action-output.ts';
import { writeResultTable, type ResultColumn } from './result-table.ts';

/** One executed call site: its bound site, DAG and the outputs of its actions. */
export interface ExecutedSite {
  readonly site: CallSite;
  readonly dag: ActionDag;
  readonly outputs: ReadonlyMap<ActionId, ActionOutput>;
}

/** Writes every site's results; returns the rewritten query and the statement to run instead of the original. */
export async function assembleStatement(db: Database, bound: BoundQuery, executed: readonly ExecutedSite[], runId: string): Promise<{ query: string; statement: string }> {
  // The binder's parse tree, copied: each assembly (the shape check, the run) rewrites its own.
  const root = bound.template === undefined ? undefined : structuredClone(bound.template);
  if (!root) throw new InternalError('the bound query has no parse tree');
  for (const [k, e] of executed.entries()) {
    const table = `__agentlake_${runId}_${k + 1}`;
    const site = e.site;
    if (site.kind === 'workflow') {
      await writeResultTable(db, table, resultColumns(site), resultRows(site, e));
      await replaceCall(db, root, site, table);
    } else if (site.kind === 'function') {
      await writeFunctionMap(db, site, e.dag, e.outputs, table);
      replaceFunctionCall(root, site, table);
    } else {
      const inputs = (await db.describe(site.inputSql)).columns;
      await writeMapRows(db, site, e.dag, e.outputs, table, inputs);
      replaceMapCall(root, site, table);
    }
  }
  const query = await db.renderSelect(root);
  const stmt = bound.statement;
  if (!stmt.query || stmt.form === 'query') return { query, statement: query };
  // CREATE TABLE .. AS / INSERT .. / COPY (..) TO: the statement text around the rewritten query.
  const start = stmt.query.span.start - stmt.span.start;
  const end = stmt.query.span.end - stmt.span.start;
  return { query, statement: `${stmt.text.slice(0, start)}${query}${stmt.text.slice(end)}` };
}

/** Parameter columns, then the RETURN step's columns, then `_error`. */
function resultColumns(site: WorkflowSite): ResultColumn[] {
  const step = site.graph.steps.find((s) => s.name === site.graph.output);
  const returns = step && (step.kind === 'llm' || step.kind === 'vlm') ? step.returns : undefined;
  const outs: ResultColumn[] = returns
    ? returns.columns.map((c) => ({ name: c.name, type: c.type }))
    : step?.kind === 'sql'
      ? step.columns.map((c) => ({ name: c.name, type: c.type }))
      : outputColumns(site.graph).map((name) => ({ name, type: name === 'embedding' ? 'FLOAT[]' : 'VARCHAR' }));
  return [...site.graph.params.map((p) => ({ name: p.name, type: p.type })), ...outs, { name: '_error', type: 'VARCHAR' }];
}

/** One row per output of each distinct input (identical inputs are one result). */
function resultRows(site: WorkflowSite, e: ExecutedSite): Value[][] {
  const cols = resultColumns(site);
  const params = site.graph.params.map((p) => p.name);
  const outNames = cols.slice(params.length, -1).map((c) => c.name);
  const seen = new Set<string>();
  const rows: Value[][] = [];
  for (const slice of e.dag.inputs) {
    const args = params.map((p) => slice.values[p] ?? null);
    const key = JSON.stringify(args);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const id of slice.outputs) {
      const o = e.outputs.get(id);
      rows.push(...outputRows(o, outNames).map((r) => [...args, ...r.values, r.error]));
    }
  }
  return rows;
}

/** Replaces the site's table function in the parse tree by a subquery over its result table. */
async function replaceCall(db: Database, root: Record<string, unknown>, site: WorkflowSite, table: string): Promise<void> {
  const params = site.graph.params.map((p) => p.name);
  let replaced = false;
  const tasks: Promise<void>[] = [];
  walk(root, (n) => {
    if (replaced || n['type'] !== 'TABLE_FUNCTION' || !isNode(n['function'])) return true;
    const fn = n['function'];
    const name = functionName(fn) ?? '';
    if (name !== site.graph.name && name !== 'run_workflow') return true;
    replaced = true;
    tasks.push(subqueryFor(db, name === 'run_workflow' ? [] : children(fn), params, table).then((sub) => {
      for (const k of Object.keys(n)) if (k !== 'alias') delete n[k];
      Object.assign(n, sub, { alias: n['alias'] || site.graph.name });
    }));
    return false;
  });
  await Promise.all(tasks);
  if (!replaced) throw new InternalError(`call of workflow '${site.graph.name}' not found in the query`);
}

/** `(SELECT * EXCLUDE (params) FROM table WHERE p1 IS NOT DISTINCT FROM arg1 ...)`, or all rows for run_workflow. */
async function subqueryFor(db: Database, args: readonly JsonNode[], params: readonly string[], table: string): Promise<JsonNode> {
  const where = args.map((_, i) => `${quoteIdent(params[i] ?? '')} IS NOT DISTINCT FROM __agentlake_arg_${i}`).join(' AND ');
  const sql = args.length > 0
    ? `SELECT * FROM (SELECT * EXCLUDE (${params.map(quoteIdent).join(', ')}) FROM ${quoteIdent(table)} WHERE ${where})`
    : `SELECT * FROM (SELECT * FROM ${quoteIdent(table)})`;
  const parsed = await db.parseSelect(sql);
  const stmt = parsed.ok ? parsed.statements[0] : undefined;
  const node = stmt?.['node'];
  if (!isNode(node) || !isNode(node['from_table'])) throw new InternalError('result subquery does not parse');
  const from = node['from_table'];
  walk(from, (x) => {
    if (x['class'] !== 'COLUMN_REF') return true;
    const m = /^__agentlake_arg_(\d+)$/.exec(String((x['column_names'] as unknown[])[0] ?? ''));
    const arg = m ? args[Number(m[1])] : undefined;
    if (arg) {
      for (const k of Object.keys(x)) delete x[k];
      Object.assign(x, structuredClone(arg), { alias: '' });
    }
    return true;
  });
  return from;
}
