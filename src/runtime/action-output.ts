// What an executed action produced, as plain data: a table (SQL), an object (FETCH, IMAGE), text (LLM,
// VLM, format), a typed record (RETURNS), an embedding, or a per-row error value (never a dead query).
import type { Column, Value } from '../storage/duckdb.ts';

export type ActionOutput =
  | { readonly kind: 'table'; readonly columns: readonly Column[]; readonly rows: readonly (readonly Value[])[] }
  | { readonly kind: 'object'; readonly key: string; readonly size: number; readonly text?: string }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'record'; readonly values: Readonly<Record<string, Value>>; readonly text: string }
  | { readonly kind: 'embedding'; readonly vector: readonly number[] }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

/** The text an output contributes when a prompt references it. */
export function outputText(o: ActionOutput | undefined, column?: string): string {
  if (!o) return '';
  switch (o.kind) {
    case 'text':
      return o.text;
    case 'record':
      return column !== undefined ? textOf(o.values[column]) : o.text;
    case 'object':
      return column === 'key' || o.text === undefined ? o.key : o.text;
    case 'embedding':
      return `[${o.vector.length}-dim embedding]`;
    case 'table':
      return o.rows.map((r) => r.map(textOf).join(' | ')).join('\n');
    case 'error':
      return `[error ${o.code}: ${o.message}]`;
  }
}

function textOf(v: Value | undefined): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
