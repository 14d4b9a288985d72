// Lexical rewriting of a client's catalog query into SQL DuckDB runs with PostgreSQL's meaning:
// pg_catalog / information_schema relations become derived tables (given by the caller), and the
// PostgreSQL-only spellings BI drivers use (`'x'::regclass`, CAST(.. AS REGCLASS), partial-match
// `~`, format_type, json_build_object, array_upper) become DuckDB equivalents. Strings and comments
// are never touched; a query without catalog relations comes back unchanged (undefined).
import { lex } from '../../sql/sql-text.ts';

/** The relations replaced, by lower-case `schema.name` (pg_catalog ones also unqualified). */
export type CatalogRelations = ReadonlyMap<string, string>;

/** What the rewriter needs to know: each relation's derived-table SQL and oids of named relations. */
export interface RewriteContext {
  readonly relations: CatalogRelations;
  /** The oid of a relation named in a `'name'::regclass` literal (undefined: leave it). */
  readonly regclass: (name: string) => number | undefined;
  /** format_type(oid, typmod) as SQL over the two argument expressions. */
  readonly formatType: (oid: string, typmod: string) => string;
  /** The oid of a function named in a `'name'::regproc` literal (undefined: leave the name). */
  readonly regproc?: (name: string) => number | undefined;
  /** Derived tables (oid, def) and (oid, n, def) behind pg_get_constraintdef and pg_get_indexdef. */
  readonly definitions?: { readonly constraints: string; readonly indexes: string };
}

const CATALOG_NAMES = /^(pg_class|pg_namespace|pg_attribute|pg_type|pg_attrdef|pg_description|pg_sequence|pg_enum|pg_index|pg_constraint|pg_inherits|pg_collation|pg_proc|pg_range|pg_am|pg_opclass|pg_depend|pg_roles|pg_user|pg_database)$/i;

/** Words that may follow a table reference without being its alias. */
const NOT_ALIAS = /^(where|join|left|right|inner|outer|full|cross|natural|on|using|group|order|limit|offset|union|except|intersect|having|window|qualify|returning|fetch|for|as)$/i;

/**
 * `sql` with comments, dollar-quoted text and the insides of string literals blanked out (same length;
 * a string's quotes stay to mark its extent; quoted identifiers stay), so patterns never match inside them.
 */
export function maskLiterals(sql: string): string {
  const out = sql.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < out.length; k++) out[k] = out[k] === '\n' ? '\n' : ' ';
  };
  lex(sql, () => undefined, (kind, from, to) => {
    if (kind === 'string') blank(from + 1, to - 1);
    else if (kind !== 'identifier') blank(from, to);
  });
  return out.join('');
}

/** True when `sql` names a pg_catalog or information_schema relation this layer answers. */
export function namesCatalogRelation(sql: string, relations: Iterable<string>): boolean {
  const masked = maskLiterals(sql).toLowerCase().replace(/"/g, '');
  for (const key of relations) {
    const [schema, name] = key.split('.');
    if (!name) continue;
    if (new RegExp(`(?<![\\w$.])${schema}\\s*\\.\\s*${name}(?![\\w$])`).test(masked)) return true;
    if (schema === 'pg_catalog' && new RegExp(`\\b(from|join|,)\\s+${name}(?![\\w$.])`).test(masked)) return true;
  }
  return false;
}

interface Edit {
  readonly at: number;
  readonly end: number;
  readonly text: string;
}

function applyEdits(sql: string, edits: Edit[]): string {
  edits.sort((a, b) => a.at - b.at || (a.end - a.at) - (b.end - b.at)); // inserts before replacements at one place
  let out = '';
  let last = 0;
  for (const e of edits) {
    if (e.at < last) continue; // overlapping edits: the first wins
    out += sql.slice(last, e.at) + e.text;
    last = e.end;
  }
  return out + sql.slice(last);
}

/** The offset just past the parenthesis matching the one at `open` (masked text), or -1. */
function closeParen(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    if (masked[i] === '(') depth++;
    else if (masked[i] === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/** The offset just past the bracket matching the '[' at `open` (masked text), or -1. */
function closeBracket(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    if (masked[i] === '[') depth++;
    else if (masked[i] === ']' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Top-level comma-separated arguments between `open` (a '(') and `close` (just past ')'). */
function splitArgs(sql: string, masked: string, open: number, close: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < close - 1; i++) {
    const c = masked[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      args.push(sql.slice(start, i).trim());
      start = i + 1;
    }
  }
  args.push(sql.slice(start, close - 1).trim());
  return args;
}

/** One pass of function-call rewrites (innermost calls are handled by rewriting their arguments first). */
function rewriteCalls(sql: string, ctx: RewriteContext): string {
  const masked = maskLiterals(sql);
  const re = /(?<![\w$.])(?:(?:pg_catalog|information_schema)\s*\.\s*)?(format_type|json_build_object|array_upper|pg_get_serial_sequence|pg_get_constraintdef|pg_get_indexdef|_pg_expandarray|cast)\s*\(/gi;
  const edits: Edit[] = [];
  for (const m of masked.matchAll(re)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const close = closeParen(masked, open);
    if (close < 0) continue;
    const fn = (m[1] ?? '').toLowerCase();
    const inner = rewriteCalls(sql.slice(open + 1, close - 1), ctx);
    const innerMasked = maskLiterals(inner);
    const args = splitArgs(`(${inner})`, `(${innerMasked})`, 0, inner.length + 2);
    let text: string | undefined;
    if (fn === 'format_type' && args.length === 2) text = ctx.formatType(args[0] ?? 'NULL', args[1] ?? 'NULL');
    else if (fn === 'json_build_object') text = `json_object(${inner})`;
    else if (fn === 'array_upper' && args.length === 2) text = `len(${args[0] ?? 'NULL'})`;
    else if (fn === 'pg_get_serial_sequence') text = 'CAST(NULL AS VARCHAR)';
    else if (fn === 'pg_get_constraintdef' && ctx.definitions && args.length >= 1) text = `(SELECT "__al_def".def FROM ${ctx.definitions.constraints} AS "__al_def" WHERE "__al_def".oid = ${args[0] ?? 'NULL'})`;
    else if (fn === 'pg_get_indexdef' && ctx.definitions && args.length >= 1) text = `(SELECT "__al_def".def FROM ${ctx.definitions.indexes} AS "__al_def" WHERE "__al_def".oid = ${args[0] ?? 'NULL'} AND "__al_def".n = ${args.length >= 2 ? args[1] : '0'})`;
    // information_schema._pg_expandarray(a): one row (x = element, n = its 1-based position) per element.
    else if (fn === '_pg_expandarray' && args.length === 1) text = `unnest(list_transform(${args[0] ?? 'NULL'}, lambda "__al_x", "__al_n": {'x': "__al_x", 'n': CAST("__al_n" AS INTEGER)}))`;
    else if (fn === 'cast') {
      const t = /^([\s\S]*)\s+as\s+(regclass|oid|regtype|regproc)\s*$/i.exec(inner);
      text = !t ? `CAST(${inner})` : /oid/i.test(t[2] ?? '') ? `CAST(${t[1]} AS BIGINT)` : `(${t[1]})`;
    }
    // An unaliased select-list item keeps PostgreSQL's column name (the function's).
    const item = /(\bselect|,)\s*$/i.test(masked.slice(0, m.index ?? 0)) && /^\s*(,|\bfrom\b)/i.test(masked.slice(close));
    const alias = text !== undefined && item && fn !== 'cast' ? ` AS ${fn}` : '';
    edits.push({ at: m.index ?? 0, end: close, text: (text ?? `${sql.slice(m.index ?? 0, open + 1)}${inner})`) + alias });
  }
  return applyEdits(sql, edits);
}

/** Rewrites a catalog query for DuckDB; undefined when it names no catalog relation. */
export function rewriteCatalogQuery(sql: string, ctx: RewriteContext): string | undefined {
  if (!namesCatalogRelation(sql, ctx.relations.keys())) return undefined;
  let text = rewriteCalls(sql, ctx);
  const masked = maskLiterals(text);
  const edits: Edit[] = [];
  // Relations: `[schema.]name [alias]` in a FROM list, `schema.name.column` as a column qualifier.
  const rel = /(?<![\w$."])(?:"?(pg_catalog|information_schema)"?\s*\.\s*)?"?([a-z_]+)"?(?![\w$"])/gi;
  for (const m of masked.matchAll(rel)) {
    const schema = (m[1] ?? '').toLowerCase();
    const name = (m[2] ?? '').toLowerCase();
    const key = `${schema || 'pg_catalog'}.${name}`;
    const derived = ctx.relations.get(key);
    if (!derived || (schema === '' && !CATALOG_NAMES.test(name))) continue;
    const at = m.index ?? 0;
    const end = at + m[0].length;
    const after = masked.slice(end);
    if (/^\s*\.\s*["\w]/.test(after)) {
      // A column qualifier: keep the relation name only (the derived table is aliased by it).
      if (schema) edits.push({ at, end, text: name });
      continue;
    }
    if (!schema && !/\b(from|join)\s*$|,\s*$/i.test(masked.slice(Math.max(0, at - 12), at))) continue;
    const alias = /^\s+("?)([A-Za-z_]\w*)\1/.exec(after);
    const hasAlias = alias !== null && !NOT_ALIAS.test(alias[2] ?? '') || /^\s+as\b/i.test(after);
    edits.push({ at, end, text: hasAlias ? derived : `${derived} AS ${name}` });
  }
  // 'name'::regclass → the relation's oid; 'pg_catalog.array_in'::regproc → 'array_in'.
  for (const m of masked.matchAll(/'([^']*)'\s*::\s*(regclass|regproc|regtype)\b/gi)) {
    const at = m.index ?? 0;
    const literal = text.slice(at + 1, at + 1 + (m[1] ?? '').length).replace(/''/g, "'");
    if ((m[2] ?? '').toLowerCase() === 'regclass') {
      const oid = ctx.regclass(literal);
      if (oid !== undefined) edits.push({ at, end: at + m[0].length, text: String(oid) });
    } else {
      const name = literal.replace(/^pg_catalog\./, '');
      const oid = (m[2] ?? '').toLowerCase() === 'regproc' ? ctx.regproc?.(name) : undefined;
      edits.push({ at, end: at + m[0].length, text: oid !== undefined ? String(oid) : `'${name.replace(/'/g, "''")}'` });
    }
  }
  // int2vector / oidvector columns (pg_index's indkey, indclass, indoption, indcollation) are 0-based
  // in PostgreSQL and lists (1-based) here: shift their subscripts and generate_subscripts().
  for (const m of masked.matchAll(/\b(?:indkey|indclass|indoption|indcollation)\s*\[/gi)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const close = closeBracket(masked, open);
    // Inserts only, so rewrites inside the subscript still apply.
    if (close > 0) edits.push({ at: open + 1, end: open + 1, text: '(' }, { at: close - 1, end: close - 1, text: ') + 1' });
  }
  for (const m of masked.matchAll(/(?<![\w$.])generate_subscripts\s*\(/gi)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const close = closeParen(masked, open);
    if (close > 0 && /\b(?:indkey|indclass|indoption|indcollation)\s*,\s*1\s*\)$/i.test(masked.slice(open, close))) edits.push({ at: m.index ?? 0, end: m.index ?? 0, text: '(' }, { at: close, end: close, text: ' - 1)' });
  }
  // Table functions DuckDB has outside pg_catalog.
  for (const m of masked.matchAll(/(?<![\w$.])pg_catalog\s*\.\s*(?=(?:generate_series|generate_subscripts|unnest)\s*\()/gi)) {
    edits.push({ at: m.index ?? 0, end: (m.index ?? 0) + m[0].length, text: '' });
  }
  // PostgreSQL's `~` is a partial match; DuckDB's is a full match: wrap the pattern.
  for (const m of masked.matchAll(/(?<![~!<>=@#&|^*-])(!?~)(\*?)\s*'([^']*)'/g)) {
    const at = m.index ?? 0;
    const litStart = at + m[0].length - (m[3] ?? '').length - 1;
    const pattern = text.slice(litStart, litStart + (m[3] ?? '').length);
    edits.push({ at, end: at + m[0].length, text: `${m[1]} '(?s${m[2] ? 'i' : ''}).*(?:${pattern}).*'` });
  }
  // PostgreSQL folds unquoted aliases to lower case (pgjdbc's `AS TABLE_SCHEM` is table_schem).
  for (const m of masked.matchAll(/\bas\s+([A-Za-z_][\w$]*)(?![\w$"])/gi)) {
    const alias = m[1] ?? '';
    if (alias === alias.toLowerCase()) continue;
    const at = (m.index ?? 0) + m[0].length - alias.length;
    edits.push({ at, end: at + alias.length, text: alias.toLowerCase() });
  }
  return applyEdits(text, edits);
}
