// `:name` parameters in SQL step bodies: found outside strings, comments and `::` casts, and rewritten
// to DuckDB's `$name` so the step runs as a prepared statement.
import { skipAtom } from './sql-text.ts';

/** A `:name` occurrence: lower-cased name and its offset in the SQL text. */
export interface SqlParamRef {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
}

/** Finds `:name` parameters (not `::type` casts, not slices like `[1:n]`). */
export function findSqlParams(sql: string): SqlParamRef[] {
  const out: SqlParamRef[] = [];
  for (let i = 0; i < sql.length; i++) {
    const skip = skipAtom(sql, i);
    if (skip > i) {
      i = skip - 1;
      continue;
    }
    if (sql[i] !== ':' || sql[i + 1] === ':' || sql[i - 1] === ':') continue;
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1));
    if (!m) continue;
    const before = sql.slice(0, i).trimEnd();
    const prev = before[before.length - 1] ?? '';
    if (/[A-Za-z0-9_\])'"]/.test(prev)) continue;
    out.push({ name: m[0].toLowerCase(), offset: i, length: m[0].length + 1 });
  }
  return out;
}

/** Rewrites every `:name` to `$name`. */
export function toDollarParams(sql: string, refs: readonly SqlParamRef[]): string {
  let out = '';
  let last = 0;
  for (const r of refs) {
    out += `${sql.slice(last, r.offset)}$${r.name}`;
    last = r.offset + r.length;
  }
  return out + sql.slice(last);
}

/** Replaces each `$name` parameter (outside strings and comments) with `fn(name)`; unknown names stay. */
export function replaceDollarParams(sql: string, fn: (name: string) => string | undefined): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < sql.length; i++) {
    const skip = skipAtom(sql, i);
    if (skip > i) {
      i = skip - 1;
      continue;
    }
    if (sql[i] !== '$') continue;
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1));
    const rep = m ? fn(m[0].toLowerCase()) : undefined;
    if (!m || rep === undefined) continue;
    out += sql.slice(last, i) + rep;
    last = i + 1 + m[0].length;
    i = last - 1;
  }
  return out + sql.slice(last);
}
