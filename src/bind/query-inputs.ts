// Builds the "input query" of a model call site by surgery on DuckDB's parse tree: the rows (and the
// argument values) a model function or workflow call is applied to, computed by DuckDB before any
// model runs. Conservative: when in doubt it returns a superset of the rows the final query needs.
import { MODEL_FUNCTIONS } from '../ir/bound-query.ts';
import { andAll, clone, conjuncts, contains, functionName, isNode, referencesRelation, type JsonNode } from '../sql/duck-ast.ts';

/** True when an expression contains a model function call. */
export function hasModelCall(v: unknown): boolean {
  return contains(v, (n) => (MODEL_FUNCTIONS as readonly string[]).includes(functionName(n) ?? ''));
}

/** Names of the aggregate functions DuckDB knows are not needed: any call with an aggregate-only name counts. */
const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'list', 'array_agg', 'string_agg', 'first', 'last', 'any_value', 'median', 'mode', 'stddev', 'variance', 'llm_agg', 'bool_and', 'bool_or', 'count_star', 'arg_max', 'arg_min', 'group_concat', 'histogram']);

/** True when a SELECT node aggregates (GROUP BY or an aggregate in its select list). */
export function isAggregate(select: JsonNode): boolean {
  const groups = select['group_expressions'];
  if (Array.isArray(groups) && groups.length > 0) return true;
  return contains(select['select_list'], (n) => AGGREGATES.has(functionName(n) ?? '') && n['type'] !== 'WINDOW_AGGREGATE');
}

/**
 * Input rows of model calls in `select`'s select list or WHERE: the same FROM, the WHERE conjuncts
 * that call no model, the GROUP BY; the select list replaced by `items`. ORDER BY / LIMIT are kept only
 * when no model output can change which rows survive them.
 */
export function inputsOfSelect(select: JsonNode, items: readonly JsonNode[], cteMap: unknown): JsonNode {
  const node = clone(select);
  // Names the final query gives to model outputs: ORDER BY on one of them needs every row's output.
  const modelAliases = (Array.isArray(select['select_list']) ? select['select_list'] : [])
    .filter((i): i is JsonNode => isNode(i) && hasModelCall(i) && typeof i['alias'] === 'string' && i['alias'] !== '')
    .map((i) => String(i['alias']).toLowerCase());
  const ordersByModel = referencesRelation(select['modifiers'], '\u0000', modelAliases) || hasPositionalOrder(select['modifiers']);
  const where = conjuncts(node['where_clause']);
  const plain = where.filter((c) => !hasModelCall(c));
  node['where_clause'] = andAll(plain);
  node['select_list'] = [...items];
  const having = node['having'];
  if (hasModelCall(having)) node['having'] = null;
  if (hasModelCall(node['qualify'])) node['qualify'] = null;
  const modelFilter = plain.length < where.length || having !== node['having'];
  node['modifiers'] = keepModifiers(node['modifiers'], modelFilter || ordersByModel || isDistinctOrAggregateOrder(select));
  if (cteMap !== undefined) node['cte_map'] = clone(cteMap);
  return { node: node, named_param_map: [] };
}

/**
 * Input rows of a workflow called in FROM (`FROM symbols s, trading(s.symbol) t`): the FROM without the
 * calls agentlake runs (at `callLocations`), the WHERE conjuncts that read none of their columns, and
 * the call's arguments as columns.
 */
export function inputsOfFromCall(select: JsonNode, callLocations: readonly unknown[], alias: string, otherAliases: readonly string[], outputColumns: readonly string[], args: readonly JsonNode[]): JsonNode {
  const node = clone(select);
  // A JOIN that loses one side to the removal keeps its ON condition as a filter.
  const dropped: JsonNode[] = [];
  for (const loc of callLocations) node['from_table'] = removeFrom(node['from_table'], loc, dropped);
  const where = [...conjuncts(node['where_clause']), ...dropped.flatMap(conjuncts)];
  const readsCall = (c: unknown): boolean => referencesRelation(c, alias, outputColumns) || otherAliases.some((a) => referencesRelation(c, a, []));
  const kept = where.filter((c) => !readsCall(c) && !hasModelCall(c));
  node['where_clause'] = andAll(kept);
  node['select_list'] = args.map((a, i) => ({ ...clone(a), alias: `arg${i + 1}` }));
  node['group_expressions'] = [];
  node['group_sets'] = [];
  node['aggregate_handling'] = 'STANDARD_HANDLING';
  node['having'] = null;
  node['qualify'] = null;
  const modsReadCall = readsCall(node['modifiers']);
  node['modifiers'] = keepModifiers(node['modifiers'], kept.length < where.length || modsReadCall || isAggregate(select));
  return { node, named_param_map: [] };
}

/** Drops ORDER BY/LIMIT when a model may filter rows, else keeps them (a pushed-down LIMIT saves calls). */
function keepModifiers(mods: unknown, drop: boolean): unknown[] {
  if (!Array.isArray(mods)) return [];
  if (drop) return [];
  const kinds = mods.filter(isNode).map((m) => m['type']);
  // An OFFSET would be applied twice (here and in the final query): push plain LIMITs only.
  const offset = mods.some((m) => isNode(m) && m['type'] === 'LIMIT_MODIFIER' && m['offset'] !== null && m['offset'] !== undefined);
  return !offset && kinds.every((k) => k === 'ORDER_MODIFIER' || k === 'LIMIT_MODIFIER') && !hasModelCall(mods) ? clone(mods) : [];
}

/** ORDER BY 2: a position may name a model output; treat it as one. */
function hasPositionalOrder(mods: unknown): boolean {
  return contains(mods, (n) => n['type'] === 'ORDER_MODIFIER' && Array.isArray(n['orders']) && n['orders'].some((o) => isNode(o) && isNode(o['expression']) && o['expression']['class'] === 'CONSTANT'));
}

function isDistinctOrAggregateOrder(select: JsonNode): boolean {
  const mods = select['modifiers'];
  const distinct = Array.isArray(mods) && mods.some((m) => isNode(m) && m['type'] === 'DISTINCT_MODIFIER');
  return distinct || hasModelCall(mods);
}

/** Removes the table-function leaf at `location` from a FROM tree (JOIN nodes collapse to their other side). */
function removeFrom(from: unknown, location: unknown, dropped: JsonNode[]): unknown {
  if (!isNode(from)) return from;
  if (from['type'] === 'TABLE_FUNCTION' && from['query_location'] === location) return { type: 'EMPTY', alias: '', sample: null, query_location: -1 };
  if (from['type'] !== 'JOIN') return from;
  const left = removeFrom(from['left'], location, dropped);
  const right = removeFrom(from['right'], location, dropped);
  const emptyRight = isNode(right) && right['type'] === 'EMPTY';
  const emptyLeft = isNode(left) && left['type'] === 'EMPTY';
  if ((emptyLeft || emptyRight) && isNode(from['condition'])) dropped.push(from['condition']);
  if (emptyRight) return left;
  if (emptyLeft) return right;
  return { ...from, left, right };
}
