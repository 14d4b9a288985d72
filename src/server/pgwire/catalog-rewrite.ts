// Lexical rewriting of a client's catalog query into SQL DuckDB runs with PostgreSQL's meaning:
// pg_catalog / information_schema relations become derived tables (given by the caller), and the
// PostgreSQL-only spellings BI drivers use (`'x'::regclass`, CAST(.. AS REGCLASS), partial-match
// `~`, format_type, json_build_object, array_upper) become DuckDB equivalents. Strings and comments
// are never touched; a query without catalog relations comes back unchanged (undefined).
import { lex } from './sql-text.ts';

/** The relations replaced, by lower-case `schema.name` (pg_catalog ones also unqualified). */
export type CatalogRelations = ReadonlyMap<string, string>;

/** What the rewriter needs to know: each relation's derived-table SQL and oids of named relations. */
export interface RewriteContext {
  readonly relations: CatalogRelations;
  /** The oid of a relation named in a `'name'::regclass` literal (undefined: leave it). */
  readonly regclass: (name: string) => number | undefined;
  /** format_type(oid, typmod) as SQL over the two argument expressions. */
  readonly formatType: (oid: string, typmod: string) => string;
}

const CATALOG_NAMES = /^(pg_class|pg_namespace|pg_attribute|pg_type|pg_attrdef|pg_description|pg_sequence|pg_enum|pg_index|pg_constraint|pg_inherits|pg_collation)$/i;

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
  edits.sort((a, b) => a.at - b.at);
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
  const re = /(?<![\w$.])(?:pg_catalog\s*\.\s*)?(format_type|json_build_object|array_upper|pg_get_serial_sequence|cast)\s*\(/gi;
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
    else if (fn === 'cast') {
      const t = /^([\s\S]*)\s+as\s+(regclass|oid|regtype|regproc)\s*$/i.exec(inner);
      text = !t ? `CAST(${inner})` : /oid/i.test(t[2] ?? '') ? `CAST(${t[1]} AS BIGINT)` : `(${t[1]})`;
    }
    // An unaliased select-list item keeps PostgreSQL's column name (the function's).
    const item = /(\bselect|,)\s*$/i.test(masked.slice(0, m.index ?? 0)) && /^\s*(,|\bfrom\b)/i.test(masked.slice(close));
    const alias = text !== undefined && item && fn !== 'cast' ? ` AS ${fn === 'array_upper' ? 'array_upper' : fn}` : '';
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
    } else edits.push({ at, end: at + m[0].length, text: `'${literal.replace(/^pg_catalog\./, '').replace(/'/g, "''")}'` });
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
