// Puts the results of model functions back into their query: each call's answers become a DuckDB MAP
// from the input row's key to the value (written through the appender), and the call in the parse
// tree becomes `map_extract(map, row key)[1]`, so WHERE, GROUP BY, ORDER BY and joins apply unchanged.
// llm_map's rows become a table that replaces the table function.
import { ROW_KEY, type FunctionSite, type MapSite } from '../ir/bound-query.ts';
import { call, columnRef, functionName, isNode, rowKey, walk, type JsonNode } from '../sql/duck-ast.ts';
import { InternalError } from '../diag/diagnostic.ts';
import type { ActionDag, ActionId } from '../ir/action-dag.ts';
import { quoteIdent, type Database } from '../storage/duckdb.ts';
import type { Value } from '../ir/values.ts';
import { outputRows, type ActionOutput } from '../runtime/action-output.ts';
import { writeResultTable, type ResultColumn } from './result-table.ts';

/** Output columns of a model function's value: RETURNS columns, or one column named by kind. */
function valueColumns(site: FunctionSite | MapSite): ResultColumn[] {
  if (site.returns) return site.returns.columns.map((c) => ({ name: c.name, type: c.type }));
  if (site.kind === 'function' && site.fn === 'embed') return [{ name: 'embedding', type: 'FLOAT[]' }];
  return [{ name: 'text', type: 'VARCHAR' }];
}

function valuesOf(o: ActionOutput | undefined, cols: readonly ResultColumn[]): { values: Value[]; error: string | null } {
  return outputRows(o, cols.map((c) => c.name))[0] ?? { values: cols.map(() => null), error: 'no output' };
}

/** Writes a function site's answers as a one-row table holding the key → value MAP; returns its name. */
export async function writeFunctionMap(db: Database, site: FunctionSite, dag: ActionDag, outputs: ReadonlyMap<ActionId, ActionOutput>, name: string): Promise<void> {
  const cols = valueColumns(site);
  const rows: Value[][] = [];
  const seen = new Set<string>();
  for (const slice of dag.inputs) {
    const key = slice.values[ROW_KEY];
    if (typeof key !== 'string' || seen.has(key)) continue;
    seen.add(key);
    const v = valuesOf(outputs.get(slice.outputs[0] ?? ''), cols);
    rows.push([key, ...v.values, v.error]);
  }
  const raw = `${name}__rows`;
  await writeResultTable(db, raw, [{ name: 'key', type: 'VARCHAR' }, ...cols, { name: '_error', type: 'VARCHAR' }], rows);
  // llm_filter's value is the boolean itself; RETURNS gives a STRUCT; otherwise the single column.
  const value = site.fn === 'llm_filter'
    ? quoteIdent('answer')
    : site.returns
      ? `struct_pack(${cols.map((c) => `${quoteIdent(c.name)} := ${quoteIdent(c.name)}`).join(', ')})`
      : quoteIdent(cols[0]?.name ?? 'text');
  await db.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} AS SELECT map_from_entries(list(struct_pack(k := key, v := ${value}))) AS m FROM ${quoteIdent(raw)}`);
}

/** Writes llm_map's rows (input columns, then outputs, then `_error`). */
export async function writeMapRows(db: Database, site: MapSite, dag: ActionDag, outputs: ReadonlyMap<ActionId, ActionOutput>, name: string, inputColumns: readonly ResultColumn[]): Promise<void> {
  const cols = valueColumns(site);
  const rows = dag.inputs.map((slice) => {
    const v = valuesOf(outputs.get(slice.outputs[0] ?? ''), cols);
    return [...inputColumns.map((c) => slice.values[c.name] ?? null), ...v.values, v.error];
  });
  const outNames = new Set(cols.map((c) => c.name));
  const ins = inputColumns.map((c) => (outNames.has(c.name) ? { ...c, name: `input_${c.name}` } : c));
  await writeResultTable(db, name, [...ins, ...cols, { name: '_error', type: 'VARCHAR' }], rows);
}

/** Replaces the function call at `site.location` by a MAP lookup and joins the map into its SELECT. */
export function replaceFunctionCall(root: Record<string, unknown>, site: FunctionSite, mapTable: string): void {
  const select = findSelectWithCall(root, site);
  if (!select) throw new InternalError(`call of ${site.fn}() not found in the query`);
  const { node: target, holder } = select;
  const mapRef: JsonNode = columnRef(mapTable);
  (mapRef['column_names'] as string[]).push('m');
  const map = site.aggregate ? call('any_value', [mapRef]) : mapRef;
  const lookup: JsonNode = {
    class: 'OPERATOR', type: 'ARRAY_EXTRACT', alias: '', query_location: -1,
    children: [call('map_extract', [map, rowKey(site.items)]), { class: 'CONSTANT', type: 'VALUE_CONSTANT', alias: '', query_location: -1, value: { type: { id: 'INTEGER', type_info: null }, is_null: false, value: 1 } }],
  };
  const alias = target['alias'];
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, lookup, { alias });
  const table: JsonNode = { type: 'BASE_TABLE', alias: '', sample: null, query_location: -1, schema_name: '', table_name: mapTable, column_name_alias: [], catalog_name: '', at_clause: null };
  const from = holder['from_table'];
  holder['from_table'] = isNode(from) && from['type'] !== 'EMPTY'
    ? { type: 'JOIN', alias: '', sample: null, query_location: -1, left: from, right: table, condition: null, join_type: 'INNER', ref_type: 'CROSS', using_columns: [], delim_flipped: false, duplicate_eliminated_columns: [] }
    : table;
}

/** Replaces the llm_map table function at `site.location` by its rows table. */
export function replaceMapCall(root: Record<string, unknown>, site: MapSite, table: string): void {
  let done = false;
  walk(root, (n) => {
    if (done || n['type'] !== 'TABLE_FUNCTION' || !isNode(n['function']) || n['function']['query_location'] !== site.location) return true;
    const alias = n['alias'];
    for (const k of Object.keys(n)) delete n[k];
    Object.assign(n, { type: 'BASE_TABLE', alias: alias || 'llm_map', sample: null, query_location: -1, schema_name: '', table_name: table, column_name_alias: [], catalog_name: '', at_clause: null });
    done = true;
    return false;
  });
  if (!done) throw new InternalError('llm_map call not found in the query');
}

/** The SELECT node whose own expressions (not nested SELECTs) contain the call. */
function findSelectWithCall(root: Record<string, unknown>, site: FunctionSite): { node: JsonNode; holder: JsonNode } | undefined {
  const selects: JsonNode[] = [];
  walk(root, (n) => {
    if (n['type'] === 'SELECT_NODE') selects.push(n);
  });
  for (const holder of selects) {
    let found: JsonNode | undefined;
    for (const key of ['select_list', 'where_clause', 'having', 'qualify', 'group_expressions', 'modifiers']) {
      walk(holder[key], (n) => {
        if (found || n['class'] === 'SUBQUERY' || n['type'] === 'SELECT_NODE') return false;
        if (functionName(n) === site.fn && n['query_location'] === site.location) {
          found = n;
          return false;
        }
        return true;
      });
    }
    if (found) return { node: found, holder };
  }
  return undefined;
}
