// Binds the RETURNS (...) and WITH (...) clauses of model steps and model functions: DuckDB types and
// CHECK expressions validated by DuckDB itself; decoding options typed and range-checked.
import type { OptionPair, ReturnColumn } from '../sql/ast.ts';
import type { DiagnosticSink } from '../diag/diagnostic.ts';
import type { Span } from '../diag/span.ts';
import { didYouMean } from '../diag/suggest.ts';
import { DEFAULT_DECODING, type Decoding, type ReturnSpec } from '../ir/common.ts';
import { quoteIdent } from '../storage/duckdb.ts';
import type { SqlEnv } from './sql-env.ts';
import { duckdbDiagnostic } from '../sql/duckdb-error.ts';

/** Decoding options, each with its valid range. */
export const DECODING: Readonly<Record<string, { min: number; max: number; integer: boolean }>> = {
  temperature: { min: 0, max: 2, integer: false },
  max_tokens: { min: 1, max: 131072, integer: true },
  seed: { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true },
  top_p: { min: 0, max: 1, integer: false },
  width: { min: 16, max: 4096, integer: true },
  height: { min: 16, max: 4096, integer: true },
};

/** Binds RETURNS columns: unique names, valid DuckDB types, boolean CHECK expressions over the columns. */
export async function bindReturns(cols: readonly ReturnColumn[], env: SqlEnv, sink: DiagnosticSink): Promise<ReturnSpec | undefined> {
  const out: { name: string; type: string; check?: string }[] = [];
  let ok = true;
  for (const c of cols) {
    if (out.some((o) => o.name === c.name.name)) {
      sink.error('B0219', `returned column '${c.name.name}' is listed twice`, c.name.span);
      ok = false;
      continue;
    }
    const type = await resolveType(c.type.text, c.type.span, env, sink);
    if (!type) ok = false;
    out.push({ name: c.name.name, type: type ?? c.type.text, ...(c.check ? { check: c.check.text.trim() } : {}) });
  }
  if (!ok) return undefined;
  const relation = `(SELECT ${out.map((c) => `NULL::${c.type} AS ${quoteIdent(c.name)}`).join(', ')})`;
  for (const c of cols) {
    if (!c.check) continue;
    const prefix = 'SELECT (';
    const sql = `${prefix}${c.check.text}) AS ok FROM ${relation}`;
    try {
      const d = await env.describe(sql);
      const t = d.columns[0]?.type;
      if (t !== 'BOOLEAN') sink.error('B0303', `CHECK on '${c.name.name}' must be a boolean condition, found type ${t ?? 'unknown'}`, c.check.span);
    } catch (e) {
      // Map DuckDB's caret (in our wrapper query) back onto the CHECK text in the script.
      const d = duckdbDiagnostic(e, sql, c.check.span.start - prefix.length, c.check.span, `in CHECK of returned column '${c.name.name}'`);
      sink.add(d.span && d.span.start >= c.check.span.start && d.span.end <= c.check.span.end + 1 ? d : { ...d, span: c.check.span });
      ok = false;
    }
  }
  return ok ? { columns: out } : undefined;
}

/** Binds WITH (...) decoding options over the defaults (temperature 0). */
export function bindDecoding(opts: readonly OptionPair[], stepKind: string, sink: DiagnosticSink): Decoding {
  const values: Record<string, number> = {};
  for (const o of opts) {
    const key = o.key.name;
    const spec = DECODING[key];
    if (!spec) {
      sink.error('B0207', `unknown decoding option '${key}'`, o.key.span, { help: didYouMean(key, Object.keys(DECODING)) ?? `known options: ${Object.keys(DECODING).join(', ')}` });
      continue;
    }
    if ((key === 'width' || key === 'height') && stepKind !== 'image') {
      sink.error('B0207', `decoding option '${key}' is only for IMAGE steps`, o.key.span);
      continue;
    }
    if (key in values) {
      sink.error('B0114', `decoding option '${key}' is given twice`, o.key.span);
      continue;
    }
    const v = o.value;
    if (v.kind !== 'number' || !inRange(v.value, spec)) {
      sink.error('B0112', `decoding option '${key}' expects ${describeRange(spec)}`, v.span);
      continue;
    }
    values[key] = v.value;
  }
  const seed = values['seed'];
  const topP = values['top_p'];
  return {
    temperature: values['temperature'] ?? DEFAULT_DECODING.temperature,
    maxTokens: values['max_tokens'] ?? DEFAULT_DECODING.maxTokens,
    ...(seed !== undefined ? { seed } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(values['width'] !== undefined ? { width: values['width'] } : {}),
    ...(values['height'] !== undefined ? { height: values['height'] } : {}),
  };
}

/** True when a decoding value is within its option's range. */
export function inRange(v: number, spec: { min: number; max: number; integer: boolean }): boolean {
  return v >= spec.min && v <= spec.max && (!spec.integer || Number.isInteger(v));
}

/** "a number from 0 to 2" */
export function describeRange(spec: { min: number; max: number; integer: boolean }): string {
  return `${spec.integer ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max}`;
}

/** Validates a DuckDB type name; returns DuckDB's canonical spelling. */
export async function resolveType(text: string, span: Span, env: SqlEnv, sink: DiagnosticSink): Promise<string | undefined> {
  const sql = `SELECT NULL::${text} AS x`;
  try {
    const d = await env.describe(sql);
    return d.columns[0]?.type;
  } catch (e) {
    const d = duckdbDiagnostic(e, sql, undefined, span);
    sink.error('B0301', `unknown type '${text}'`, span, d.help ? { help: d.help } : {});
    return undefined;
  }
}
