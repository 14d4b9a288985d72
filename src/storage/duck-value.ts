// DuckDB's JS values as agentlake's JSON-safe values: BIGINT as a number when safe (else a string),
// dates and timestamps as text, blobs as base64, lists and structs recursively.
import type { JS } from '@duckdb/node-api/lib/JS.js';
import type { Value } from '../ir/values.ts';

/** Converts a DuckDB JS value to a JSON-safe value. */
export function toValue(v: JS, type?: string): Value {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return type === 'DATE' ? v.toISOString().slice(0, 10) : v.toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map((x) => toValue(x));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toValue(x)]));
}
