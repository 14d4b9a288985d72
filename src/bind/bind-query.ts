// Binds a query that may call models: DuckDB parses it (json_serialize_sql), then every model function
// (llm, llm_agg, llm_filter, vlm, embed), llm_map, run_workflow and workflow call in FROM becomes a call
// site with its model, prompt and the input query DuckDB runs to get the rows it applies to.
import type { SqlStatement } from '../sql/ast.ts';
import { diag, DiagnosticSink, fail, UserError } from '../diag/diagnostic.ts';
import type { Span } from '../diag/span.ts';
import type { Priority } from '../ir/common.ts';
import { byteToChar, children, functionName, isNode, referencesRelation, stringConstant, tokenLength, walk, type JsonNode } from '../sql/duck-ast.ts';
import { duckdbDiagnostic } from '../sql/duckdb-error.ts';
import { QuerySource, type QueryScope } from './query-source.ts';
import { inputsOfFromCall } from './query-inputs.ts';
import { MODEL_FUNCTIONS, outputColumns, type BoundQuery, type CallSite, type WorkflowSite } from '../ir/bound-query.ts';
import { bindFunctionSite, bindMapSite } from './bind-function-site.ts';
import { loadWorkflow } from './load-workflow.ts';
import { didYouMean } from '../diag/suggest.ts';

/** Finds and binds every model call site of the statement's query part. */
export async function bindQuery(stmt: SqlStatement, scope: QueryScope): Promise<BoundQuery> {
  const query = stmt.query ?? { text: stmt.text, span: stmt.span };
  const parsed = await scope.db.parseSelect(query.text);
  if (!parsed.ok) {
    // Usually caught earlier by the syntax pass; DuckDB's parser message, at its position.
    const local = parsed.position !== undefined ? byteToChar(query.text, parsed.position) : 0;
    const d = duckdbDiagnostic(new Error(`Parser Error: ${parsed.message}`), query.text, undefined, { start: query.span.start + local, end: query.span.start + local + tokenLength(query.text, local) });
    throw new UserError([d]);
  }
  const root = parsed.statements[0];
  if (!root) return { statement: stmt, query, sites: [], template: undefined };
  const template = structuredClone(root);
  const src = new QuerySource(query.text, query.span.start);
  const sink = new DiagnosticSink();
  const sites: CallSite[] = [];
  const rootNode = root['node'];
  const cteMap = isNode(rootNode) ? rootNode['cte_map'] : undefined;
  const selects: JsonNode[] = [];
  walk(root, (n) => {
    if (n['type'] === 'SELECT_NODE') selects.push(n);
  });
  for (const select of selects) {
    const inner = select === rootNode ? undefined : cteMap;
    // Workflow, run_workflow and llm_map calls in this node's FROM.
    const calls = tableFunctions(select['from_table']).filter((t) => isCallSite(t, scope));
    for (const fromCall of calls) {
      const fn = fromCall['function'];
      if (!isNode(fn)) continue;
      const name = functionName(fn) ?? '';
      const span = src.span(fn);
      if (name === 'run_workflow') sites.push(...(await sink.captureAsync(() => bindRunWorkflow(fn, span, scope, src)) ?? []));
      else if (name === 'llm_map') {
        const s = await sink.captureAsync(() => bindMapSite(fn, span, scope, src));
        if (s) sites.push(s);
      } else {
        const s = await sink.captureAsync(() => bindFromWorkflow(select, fromCall, calls, fn, name, span, scope, inner, src));
        if (s) sites.push(s);
      }
    }
    // Model functions in this node's expressions (not in nested SELECTs, which are visited on their own).
    const found = sink.capture(() => modelCalls(select, src)) ?? [];
    for (const c of found) {
      const name = functionName(c) ?? '';
      const s = await sink.captureAsync(() => bindFunctionSite(c, name, select, inner, src.span(c), scope, src));
      if (s) sites.push(s);
    }
  }
  sink.throwIfAny();
  return { statement: stmt, query, sites, template };
}

/** A FROM table function agentlake runs: a workflow, run_workflow or llm_map. */
function isCallSite(t: JsonNode, scope: QueryScope): boolean {
  const fn = t['function'];
  const name = isNode(fn) ? (functionName(fn) ?? '') : '';
  return name === 'run_workflow' || name === 'llm_map' || scope.catalog.workflows.has(name);
}

/** TABLE_FUNCTION leaves of a FROM tree. */
function tableFunctions(from: unknown): JsonNode[] {
  if (!isNode(from)) return [];
  if (from['type'] === 'TABLE_FUNCTION') return [from];
  if (from['type'] === 'JOIN') return [...tableFunctions(from['left']), ...tableFunctions(from['right'])];
  return [];
}

/** Model function calls directly in a SELECT node (stopping at nested subqueries). */
function modelCalls(select: JsonNode, src: QuerySource): JsonNode[] {
  const out: JsonNode[] = [];
  for (const key of ['select_list', 'where_clause', 'having', 'qualify', 'group_expressions', 'modifiers']) {
    walk(select[key], (n) => {
      if (n['class'] === 'SUBQUERY' || n['type'] === 'SELECT_NODE') return false;
      if ((MODEL_FUNCTIONS as readonly string[]).includes(functionName(n) ?? '')) {
        out.push(n);
        let inner: JsonNode | undefined;
        for (const c of children(n)) walk(c, (x) => void (inner ??= (MODEL_FUNCTIONS as readonly string[]).includes(functionName(x) ?? '') ? x : undefined));
        if (inner) {
          throw new UserError([diag('B0510', `model call '${functionName(inner)}' inside the arguments of '${functionName(n)}'; compute the inner one first (in a CTE or a table)`, src.span(inner))]);
        }
        return false;
      }
      return true;
    });
  }
  return out;
}

async function bindFromWorkflow(select: JsonNode, fromCall: JsonNode, calls: readonly JsonNode[], fn: JsonNode, name: string, span: Span, scope: QueryScope, cteMap: unknown, src: QuerySource): Promise<WorkflowSite> {
  const graph = await loadWorkflow(name, scope, span);
  const args = children(fn);
  const named = args.filter((a) => typeof a['alias'] === 'string' && a['alias'] !== '');
  if (named[0]) fail('B0504', `workflow '${name}' takes positional arguments only; found '${String(named[0]['alias'])} =>'`, src.argName(named[0]));
  if (args.length !== graph.params.length) {
    fail('B0501', `workflow '${name}' takes ${graph.params.length} argument${graph.params.length === 1 ? '' : 's'} (${graph.params.map((p) => `${p.name} ${p.type}`).join(', ')}), got ${args.length}`, span);
  }
  const alias = String(fromCall['alias'] ?? '').toLowerCase() || name;
  const others = calls.filter((c) => c !== fromCall).map((c) => String(c['alias'] ?? '').toLowerCase() || (isNode(c['function']) ? (functionName(c['function']) ?? '') : ''));
  for (const other of others) {
    if (referencesRelation(args, other, [])) fail('B0511', `the arguments of '${name}' read the output of '${other}', another call in the same FROM; compute that one first (CREATE TABLE ... AS) and query the table`, span);
  }
  const outputs = outputColumns(graph);
  const stmt = inputsOfFromCall(select, calls.map((c) => c['query_location']), alias, [...others], outputs, args);
  if (cteMap !== undefined && isNode(stmt['node'])) stmt['node']['cte_map'] = cteMap;
  const inputSql = await scope.db.renderSelect(stmt);
  try {
    await scope.db.describe(inputSql);
  } catch (e) {
    throw new UserError([src.diagnose(e, inputSql, span)]);
  }
  return { kind: 'workflow', graph, inputSql, span };
}

/** run_workflow('name', (SELECT ...) | value, ..., priority => 'high'). */
async function bindRunWorkflow(fn: JsonNode, span: Span, scope: QueryScope, src: QuerySource): Promise<WorkflowSite[]> {
  const args = children(fn);
  const positional = args.filter((a) => !a['alias']);
  const named = args.filter((a) => a['alias']);
  const nameArg = positional[0];
  const name = stringConstant(nameArg)?.toLowerCase();
  if (!nameArg || name === undefined) fail('B0505', "run_workflow() needs the workflow name as a quoted string first, e.g. run_workflow('trading', (SELECT symbol FROM symbols))", span);
  if (!scope.catalog.workflows.has(name)) {
    fail('B0502', `unknown workflow '${name}'`, src.span(nameArg), { help: didYouMean(name, scope.catalog.workflows.keys()) });
  }
  let priority: Priority | undefined;
  for (const n of named) {
    const key = String(n['alias']).toLowerCase();
    const v = stringConstant(n)?.toLowerCase();
    if (key !== 'priority') fail('B0504', `unknown argument '${key}' of run_workflow()`, src.argName(n), { help: didYouMean(key, ['priority']) });
    if (v !== 'high' && v !== 'medium' && v !== 'low') fail('B0503', "priority must be 'high', 'medium' or 'low'", src.span(n));
    priority = v;
  }
  const graph = await loadWorkflow(name, scope, span);
  const rest = positional.slice(1);
  let inputSql: string;
  if (rest.length === 1 && rest[0]?.['class'] === 'SUBQUERY' && isNode(rest[0]['subquery'])) {
    inputSql = await scope.db.renderSelect(rest[0]['subquery']);
    let cols: readonly unknown[];
    try {
      cols = (await scope.db.describe(inputSql)).columns;
    } catch (e) {
      throw new UserError([src.diagnose(e, inputSql, src.span(rest[0]), rest[0])]);
    }
    if (cols.length !== graph.params.length) {
      fail('B0501', `workflow '${name}' takes ${graph.params.length} parameter${graph.params.length === 1 ? '' : 's'} (${graph.params.map((p) => p.name).join(', ')}), but the input query returns ${cols.length} column${cols.length === 1 ? '' : 's'}`, src.span(rest[0]));
    }
  } else {
    if (rest.length !== graph.params.length) fail('B0501', `workflow '${name}' takes ${graph.params.length} argument${graph.params.length === 1 ? '' : 's'}, got ${rest.length}`, span);
    const select = { node: { type: 'SELECT_NODE', modifiers: [], cte_map: { map: [] }, select_list: rest, from_table: { type: 'EMPTY', alias: '', sample: null, query_location: -1 }, where_clause: null, group_expressions: [], group_sets: [], aggregate_handling: 'STANDARD_HANDLING', having: null, sample: null, qualify: null }, named_param_map: [] };
    inputSql = await scope.db.renderSelect(select);
  }
  return [{ kind: 'workflow', graph, inputSql, span, ...(priority ? { priority } : {}) }];
}

