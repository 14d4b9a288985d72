// The DataProbe lowering uses while planning, over an open lakehouse. SQL steps run for a whole batch
// at once: one LATERAL query over a VALUES list of the inputs (DuckDB decorrelates it: one scan, not
// one per input), with a row_number() built from the step's own ORDER BY so each input's rows keep
// their order. Steps that cannot be rewritten that way run as UNION ALL branches, one per input.
// Results come back as Arrow record batches per input (sliced from DuckDB's chunks, never copied row by
// row); the planning probe reads them as rows.
import { RecordBatch } from 'apache-arrow';
import type { DataProbe } from '../lower/data-probe.ts';
import type { Lakehouse } from '../storage/lakehouse.ts';
import { columnsOf, rowsOf } from '../storage/arrow.ts';
import { quoteIdent, quoteString, type Database } from '../storage/duckdb.ts';
import type { Value } from '../ir/values.ts';
import { replaceDollarParams } from '../sql/sql-params.ts';
import { isNode, type JsonNode } from '../sql/duck-ast.ts';

/** Inputs per UNION ALL query in the fallback: bounded so one query's text stays small. */
const BATCH = 64;
const TAG = '__agentlake_input';
const RN = '__agentlake_rn';

type Params = readonly Readonly<Record<string, Value>>[];

/** The probe lowering uses, plus `sqlBatches` (the same batch runs, as record batches) for the runtime. */
export function engineProbe(lakehouse: Lakehouse): DataProbe & { sqlBatches: (sql: string, params: Params, types: Readonly<Record<string, string>>) => Promise<RecordBatch[][]> } {
  const db = lakehouse.db;
  const sqlBatches = (sql: string, params: Params, types: Readonly<Record<string, string>>): Promise<RecordBatch[][]> => batchesPerInput(db, sql, params, types);
  return {
    query: (sql) => db.query(sql),
    listObjects: (pattern) => lakehouse.listObjects(pattern),
    sqlBatches,
    async runSqlBatch(sql, params, types) {
      return (await sqlBatches(sql, params, types)).map((bs) => ({ columns: bs[0] ? columnsOf(bs[0].schema) : [], rows: rowsOf(bs) }));
    },
  };
}

/** Runs a SQL step for every parameter set: each input's result as record batches (at least one). */
async function batchesPerInput(db: Database, sql: string, params: Params, types: Readonly<Record<string, string>>): Promise<RecordBatch[][]> {
  const used = Object.keys(params[0] ?? {});
  if (params.length === 0) return [];
  if (used.length === 0) {
    const once = await collect(db.batches(sql));
    return params.map(() => once);
  }
  const lateral = await lateralQuery(db, sql, params, used, types);
  if (lateral) {
    try {
      return split(await collect(db.batches(lateral)), params.length);
    } catch {
      // Fall through to the per-input form, which DuckDB runs exactly as written.
    }
  }
  const out: RecordBatch[][] = [];
  for (let start = 0; start < params.length; start += BATCH) {
    const chunk = params.slice(start, start + BATCH);
    const branches = chunk.map((p, k) => `SELECT ${start + k} AS ${TAG}, * FROM (${replaceDollarParams(sql, (n) => (n in p ? literal(p[n] ?? null, types[n]) : undefined))})`);
    out.push(...split(await collect(db.batches(branches.join('\nUNION ALL\n'))), chunk.length, start));
  }
  return out;
}

async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/**
 * Splits batches ordered by the input index in column 0 into each input's slices, without the index
 * and row-number columns. Every input gets at least one (maybe empty) batch.
 */
function split(batches: readonly RecordBatch[], n: number, offset = 0): RecordBatch[][] {
  const first = batches[0];
  if (!first) return Array.from({ length: n }, () => []);
  // selectAt, not select: apache-arrow 21's select(names) misplaces children when a leading column is dropped.
  const keep = first.schema.fields.map((f, i) => (i > 0 && f.name !== RN ? i : -1)).filter((i) => i >= 0);
  const groups: RecordBatch[][] = Array.from({ length: n }, () => []);
  for (const batch of batches) {
    const tags = batch.getChildAt(0);
    const body = batch.selectAt(keep);
    let start = 0;
    for (let r = 1; r <= batch.numRows; r++) {
      if (r < batch.numRows && Number(tags?.get(r)) === Number(tags?.get(start))) continue;
      groups[Number(tags?.get(start)) - offset]?.push(body.slice(start, r));
      start = r;
    }
  }
  const empty = first.selectAt(keep).slice(0, 0);
  return groups.map((g) => (g.length > 0 ? g : [empty]));
}

/** The decorrelated batch query, or undefined when the step's shape does not allow it. */
async function lateralQuery(db: Database, sql: string, params: readonly Readonly<Record<string, Value>>[], used: readonly string[], types: Readonly<Record<string, string>>): Promise<string | undefined> {
  const correlated = replaceDollarParams(sql, (n) => (used.includes(n) ? `__in.${quoteIdent(n)}` : undefined));
  const parsed = await db.parseSelect(correlated);
  const stmt = parsed.ok ? parsed.statements[0] : undefined;
  const node = stmt?.['node'];
  if (!isNode(node) || node['type'] !== 'SELECT_NODE') return undefined;
  const mods = Array.isArray(node['modifiers']) ? node['modifiers'].filter(isNode) : [];
  if (mods.some((m) => m['type'] === 'DISTINCT_MODIFIER')) return undefined;
  const order = mods.find((m) => m['type'] === 'ORDER_MODIFIER');
  const orders = Array.isArray(order?.['orders']) ? (order['orders'] as JsonNode[]) : [];
  if (orders.some((o) => isNode(o['expression']) && o['expression']['class'] === 'CONSTANT')) return undefined;
  // Break ties in the step's own order by the selected values, so the batch is deterministic.
  const items = (node['select_list'] as unknown[]).filter(isNode);
  const ties = items.every((i) => i['class'] !== 'STAR' && i['class'] !== 'WINDOW' && i['class'] !== 'COLUMNS')
    ? items.map((i) => ({ type: 'ASCENDING', null_order: 'ORDER_DEFAULT', expression: { ...i, alias: '' } }))
    : [];
  const rn: JsonNode = {
    class: 'WINDOW', type: 'WINDOW_ROW_NUMBER', alias: RN, query_location: -1, function_name: 'row_number', schema: '', catalog: '',
    children: [], partitions: [], orders: [...orders, ...ties], start: 'UNBOUNDED_PRECEDING', end: 'CURRENT_ROW_RANGE', start_expr: null, end_expr: null,
    offset_expr: null, default_expr: null, ignore_nulls: false, filter_expr: null, exclude_clause: 'NO_OTHER', distinct: false, arg_orders: [],
  };
  const withRn = { ...stmt, node: { ...node, select_list: [...(node['select_list'] as unknown[]), rn] } };
  const inner = await db.renderSelect(withRn);
  const cols = used.map((n) => quoteIdent(n)).join(', ');
  const values = params.map((p, i) => `(${i}, ${used.map((n) => literal(p[n] ?? null, types[n])).join(', ')})`).join(',\n');
  return `SELECT __in.__i AS ${TAG}, s.* FROM (VALUES ${values}) AS __in(__i, ${cols}), LATERAL (${inner}) AS s ORDER BY ${TAG}, s.${RN}`;
}

/** A typed SQL literal for a parameter value. */
function literal(v: Value, type = 'VARCHAR'): string {
  if (v === null) return `CAST(NULL AS ${type})`;
  const lit = typeof v === 'number' || typeof v === 'boolean' ? String(v) : quoteString(typeof v === 'string' ? v : JSON.stringify(v));
  return `CAST(${lit} AS ${type})`;
}
