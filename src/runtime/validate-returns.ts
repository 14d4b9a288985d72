// Validates a model's answer against a RETURNS spec: JSON object, every column present and castable to
// its DuckDB type (DuckDB does the casts), every CHECK true. A failure is a message, never an exception.
import type { ReturnSpec } from '../ir/common.ts';
import { quoteIdent, type Database } from '../storage/duckdb.ts';
import type { Value } from '../ir/values.ts';
import { isIntegerType } from './model-client.ts';

export type Validation = { readonly ok: true; readonly values: Readonly<Record<string, Value>> } | { readonly ok: false; readonly message: string };

/** Checks `text` against `spec` with DuckDB casts and CHECK constraints. */
export async function validateReturns(text: string, spec: ReturnSpec, db: Database): Promise<Validation> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(extractJson(text));
  } catch {
    return { ok: false, message: 'the answer is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, message: 'the answer is not a JSON object' };
  const obj = parsed as Record<string, unknown>;
  const missing = spec.columns.filter((c) => !(c.name in obj)).map((c) => c.name);
  if (missing.length > 0) return { ok: false, message: `the answer lacks ${missing.map((m) => `'${m}'`).join(', ')}` };
  // DuckDB would round 3.7 into an INTEGER: a fractional answer for an integer column is invalid.
  for (const c of spec.columns) {
    const v = obj[c.name];
    if (isIntegerType(c.type) && typeof v === 'number' && !Number.isInteger(v)) {
      return { ok: false, message: `'${c.name}' must be a whole number, got ${v}` };
    }
  }
  const casts = spec.columns.map((c, i) => `TRY_CAST($${i + 1} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
  const checks = spec.columns.map((c) => (c.check ? `(${c.check}) IS NOT FALSE` : 'true'));
  const sql = `SELECT *, ${checks.map((k, i) => `${k} AS __check_${i}`).join(', ')} FROM (SELECT ${casts})`;
  const params = spec.columns.map((c) => {
    const v = obj[c.name];
    return v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
  try {
    const row = (await db.query(sql, params)).rows[0] ?? [];
    const values: Record<string, Value> = {};
    for (const [i, c] of spec.columns.entries()) {
      const v = row[i] ?? null;
      if (v === null && obj[c.name] !== null) return { ok: false, message: `'${c.name}' is not a valid ${c.type}` };
      if (row[spec.columns.length + i] !== true) return { ok: false, message: `'${c.name}' fails CHECK (${c.check ?? ''})` };
      values[c.name] = v;
    }
    return { ok: true, values };
  } catch (e) {
    return { ok: false, message: `the answer does not fit the RETURNS types: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
}

/** Models sometimes wrap JSON in prose or a code fence: take the outermost {...}. */
function extractJson(text: string): string {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : text;
}
