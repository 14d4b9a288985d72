// Result bodies: JSON (never throws on BigInt: such values become strings), CSV with a header row
// (RFC 4180 quoting; NULL is an empty field; nested values as JSON), and the Arrow IPC stream format
// (storage/arrow.ts types: numbers, booleans and dates typed, the rest as text; each field keeps its
// DuckDB type in metadata).
import { Table, tableToIPC } from 'apache-arrow';
import { batchFromRows } from '../../storage/arrow.ts';
import type { Column, Value } from '../../ir/values.ts';

export type ResultFormat = 'json' | 'csv' | 'arrow';

/** The content type of each format. */
export const CONTENT_TYPES: Readonly<Record<ResultFormat, string>> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  arrow: 'application/vnd.apache.arrow.stream',
};

/** True for a known format name. */
export function isResultFormat(x: unknown): x is ResultFormat {
  return x === 'json' || x === 'csv' || x === 'arrow';
}

/** JSON text of any value; BigInt as a decimal string. */
export function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** CSV with a header row. */
export function csvText(columns: readonly Column[], rows: readonly (readonly Value[])[]): string {
  const lines = [columns.map((c) => csvCell(c.name)).join(',')];
  for (const r of rows) lines.push(columns.map((_, i) => csvValue(r[i] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function csvValue(v: Value): string {
  if (v === null) return '';
  return csvCell(typeof v === 'string' ? v : typeof v === 'object' ? jsonText(v) : String(v));
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
}

/** An Arrow IPC stream of one record batch. */
export function arrowBytes(columns: readonly Column[], rows: readonly (readonly Value[])[]): Uint8Array {
  return tableToIPC(new Table(batchFromRows(columns, rows)), 'stream');
}
