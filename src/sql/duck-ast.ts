// Helpers over DuckDB's JSON parse tree (json_serialize_sql): walking, finding function calls,
// splitting WHERE conjuncts and building small nodes. The tree is DuckDB's; we only read it and
// build modified copies that DuckDB turns back into SQL (json_deserialize_sql).
import { skipAtom } from './sql-text.ts';

/** A node of DuckDB's JSON parse tree. */
export type JsonNode = { [key: string]: unknown };

export function isNode(v: unknown): v is JsonNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy (the tree is plain JSON). */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Visits every node depth-first; `visit` returning false skips the node's children. */
export function walk(v: unknown, visit: (node: JsonNode, parentKey: string) => boolean | void, parentKey = ''): void {
  if (Array.isArray(v)) {
    for (const x of v) walk(x, visit, parentKey);
    return;
  }
  if (!isNode(v)) return;
  if (visit(v, parentKey) === false) return;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'object' && x !== null) walk(x, visit, k);
}

/** A FUNCTION expression node's lower-case name, or undefined. */
export function functionName(n: JsonNode): string | undefined {
  return n['class'] === 'FUNCTION' && typeof n['function_name'] === 'string' ? n['function_name'].toLowerCase() : undefined;
}

/** Expression children of a FUNCTION node. */
export function children(n: JsonNode): JsonNode[] {
  const c = n['children'];
  return Array.isArray(c) ? c.filter(isNode) : [];
}

/** A string constant's value, or undefined. */
export function stringConstant(n: JsonNode | undefined): string | undefined {
  if (!n || n['class'] !== 'CONSTANT') return undefined;
  const v = n['value'];
  if (!isNode(v) || v['is_null'] === true) return undefined;
  const t = v['type'];
  return isNode(t) && t['id'] === 'VARCHAR' && typeof v['value'] === 'string' ? v['value'] : undefined;
}

/** A numeric constant's value (including a negated one), or undefined. */
export function numberConstant(n: JsonNode | undefined): number | undefined {
  if (!n) return undefined;
  if (n['class'] === 'CONSTANT') {
    const v = n['value'];
    if (!isNode(v) || v['is_null'] === true) return undefined;
    const x = v['value'];
    return typeof x === 'number' ? x : typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x) ? Number(x) : undefined;
  }
  if (functionName(n) === '-' && children(n).length === 1) {
    const x = numberConstant(children(n)[0]);
    return x === undefined ? undefined : -x;
  }
  return undefined;
}

/** A bare column reference's single name (e.g. a prompt name passed as `system => analyst`). */
export function bareName(n: JsonNode | undefined): string | undefined {
  if (!n || n['class'] !== 'COLUMN_REF') return undefined;
  const names = n['column_names'];
  return Array.isArray(names) && names.length === 1 && typeof names[0] === 'string' ? names[0].toLowerCase() : undefined;
}

/** The source offset DuckDB recorded for a node (bytes into the SQL), or undefined. */
export function location(n: JsonNode): number | undefined {
  const l = n['query_location'];
  return typeof l === 'number' && l >= 0 ? l : undefined;
}

/** Splits a WHERE tree into its AND-ed conjuncts. */
export function conjuncts(where: unknown): JsonNode[] {
  if (!isNode(where)) return [];
  if (where['class'] === 'CONJUNCTION' && where['type'] === 'CONJUNCTION_AND') {
    const c = where['children'];
    return Array.isArray(c) ? c.flatMap(conjuncts) : [];
  }
  return [where];
}

/** AND-s conjuncts back together (null when none). */
export function andAll(list: readonly JsonNode[]): JsonNode | null {
  if (list.length === 0) return null;
  if (list.length === 1) return list[0] ?? null;
  return { class: 'CONJUNCTION', type: 'CONJUNCTION_AND', alias: '', query_location: -1, children: [...list] };
}

/** True when any node under `v` satisfies `pred`. */
export function contains(v: unknown, pred: (n: JsonNode) => boolean): boolean {
  let found = false;
  walk(v, (n) => {
    if (found) return false;
    if (pred(n)) found = true;
    return !found;
  });
  return found;
}

/** True when an expression refers to a column qualified by `alias` or to one of `names` unqualified. */
export function referencesRelation(expr: unknown, alias: string, names: readonly string[]): boolean {
  return contains(expr, (n) => {
    if (n['class'] !== 'COLUMN_REF') return false;
    const cols = (n['column_names'] as unknown[]).map((c) => String(c).toLowerCase());
    if (cols.length >= 2) return cols[0] === alias;
    return names.includes(cols[0] ?? '');
  });
}

/** A column reference node. */
export function columnRef(name: string): JsonNode {
  return { class: 'COLUMN_REF', type: 'COLUMN_REF', alias: '', query_location: -1, column_names: [name] };
}

/** A plain function call node, e.g. list(x). */
export function call(name: string, args: readonly JsonNode[], extra: JsonNode = {}): JsonNode {
  return {
    class: 'FUNCTION', type: 'FUNCTION', alias: '', query_location: -1, function_name: name, schema: '', children: [...args],
    filter: null, order_bys: { type: 'ORDER_MODIFIER', orders: [] }, distinct: false, is_operator: false, export_state: false, catalog: '',
    ...extra,
  };
}

/** Converts a UTF-8 byte offset (what DuckDB records) into a string index. */
export function byteToChar(text: string, byteOffset: number): number {
  const buf = Buffer.from(text, 'utf8');
  return buf.subarray(0, Math.min(byteOffset, buf.length)).toString('utf8').length;
}

/** Length of the SQL token starting at `i`: a quoted string or name, a parenthesized group, a dotted name, else 1. */
export function tokenLength(text: string, i: number): number {
  const c = text[i];
  if (c === "'" || c === '"') return skipAtom(text, i) - i;
  if (c === '(') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const after = skipAtom(text, j);
      if (after > j) {
        j = after - 1;
        continue;
      }
      if (text[j] === '(') depth++;
      else if (text[j] === ')' && --depth === 0) return j + 1 - i;
    }
    return text.length - i;
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(text.slice(i));
  return m ? m[0].length : 1;
}

/** Offset of the whole word `word` (case-insensitive) in `text` within [from, to), or undefined. */
export function findWord(text: string, word: string, from = 0, to = text.length): number | undefined {
  const re = new RegExp(`(?<![A-Za-z0-9_])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`, 'gi');
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    if (!inStringAt(text, m.index)) return m.index;
  }
  return undefined;
}

/** True when offset `at` lies inside a single-quoted string literal. */
function inStringAt(text: string, at: number): boolean {
  let inside = false;
  for (let i = 0; i < at; i++) if (text[i] === "'") inside = !inside;
  return inside;
}

/** CAST(node AS VARCHAR). */
export function castVarchar(n: JsonNode): JsonNode {
  return { class: 'CAST', type: 'OPERATOR_CAST', alias: '', query_location: -1, child: n, cast_type: { id: 'VARCHAR', type_info: null }, try_cast: false };
}

/**
 * The lookup key of a model call's input row: CAST(to_json(list_value(CAST(item AS VARCHAR), ...)) AS
 * VARCHAR). Computed by DuckDB both in the input query and in the rewritten final query, so the two
 * agree exactly on every value.
 */
export function rowKey(items: readonly JsonNode[]): JsonNode {
  const parts = items.map((i) => castVarchar({ ...clone(i), alias: '' }));
  return castVarchar(call('to_json', [call('list_value', parts)]));
}
