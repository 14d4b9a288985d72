// What an executed action produced: an Arrow table (the record batches its operator yielded), whose
// schema metadata `agentlake.kind` says what it holds and fixes its columns:
//   table: the SQL step's columns    object: key, size, text (NULL for binary objects)
//   text: text                        record: the RETURNS columns, then __text (the raw answer)
//   embedding: embedding FLOAT[]      error: code, message (a per-row error value, never a dead query)
import { RecordBatch, Schema, Table } from 'apache-arrow';
import type { ReturnColumnSpec } from '../ir/common.ts';
import { batchFromRows, columnsOf, rowsOf } from '../storage/arrow.ts';
import type { Column, Value } from '../ir/values.ts';

export type OutputKind = 'table' | 'object' | 'text' | 'record' | 'embedding' | 'error';

export type ActionOutput = Table;

const KIND = 'agentlake.kind';
const RAW = '__text';

function one(kind: OutputKind, columns: readonly Column[], row: readonly Value[]): RecordBatch {
  return batchFromRows(columns, [row], new Map([[KIND, kind]]));
}

/** A model's text answer (LLM, VLM) or a rendered format action. */
export function textBatch(text: string): RecordBatch {
  return one('text', [{ name: 'text', type: 'VARCHAR' }], [text]);
}

/** A per-row error value. */
export function errorBatch(code: string, message: string): RecordBatch {
  return one('error', [{ name: 'code', type: 'VARCHAR' }, { name: 'message', type: 'VARCHAR' }], [code, message]);
}

/** A fetched or generated object; `text` when its bytes are text. */
export function objectBatch(key: string, size: number, text?: string): RecordBatch {
  return one('object', [{ name: 'key', type: 'VARCHAR' }, { name: 'size', type: 'BIGINT' }, { name: 'text', type: 'VARCHAR' }], [key, size, text ?? null]);
}

export function embeddingBatch(vector: readonly number[]): RecordBatch {
  return one('embedding', [{ name: 'embedding', type: 'FLOAT[]' }], [[...vector]]);
}

/** A validated structured answer: one typed column per RETURNS column, then the raw text. */
export function recordBatch(columns: readonly ReturnColumnSpec[], values: Readonly<Record<string, Value>>, text: string): RecordBatch {
  const cols = [...columns.map((c) => ({ name: c.name, type: c.type })), { name: RAW, type: 'VARCHAR' }];
  return one('record', cols, [...columns.map((c) => values[c.name] ?? null), text]);
}

/** Marks a SQL result's batches as a table output (same data, schema with the kind). */
export function tableBatch(batch: RecordBatch): RecordBatch {
  const schema = new Schema(batch.schema.fields, new Map([...batch.schema.metadata, [KIND, 'table']]));
  return new RecordBatch(schema, batch.data);
}

/** The output an operator's batches make (operators always yield at least one batch). */
export function outputOf(batches: readonly RecordBatch[]): ActionOutput {
  return new Table(batches);
}

export function outputKind(o: ActionOutput | undefined): OutputKind | undefined {
  return o?.schema.metadata.get(KIND) as OutputKind | undefined;
}

/** The error an output carries, if it is an error value. */
export function errorOf(o: ActionOutput | undefined): { code: string; message: string } | undefined {
  if (outputKind(o) !== 'error' || !o) return undefined;
  const [code, message] = rowsOf(o)[0] ?? [];
  return { code: String(code ?? ''), message: String(message ?? '') };
}

/** The key of an object output. */
export function objectKey(o: ActionOutput | undefined): string | undefined {
  return outputKind(o) === 'object' && o ? String(rowsOf(o)[0]?.[0] ?? '') : undefined;
}

/** A table output's columns and rows (for markdown rendering). */
export function tableOf(o: ActionOutput): { columns: Column[]; rows: Value[][] } {
  return { columns: columnsOf(o.schema), rows: rowsOf(o) };
}

/** The text an output contributes when a prompt references it. */
export function outputText(o: ActionOutput | undefined, column?: string): string {
  if (!o) return '';
  const rows = rowsOf(o);
  const row = rows[0] ?? [];
  const names = o.schema.fields.map((f) => f.name);
  const get = (name: string): Value => row[names.indexOf(name)] ?? null;
  switch (outputKind(o)) {
    case 'text':
      return textOf(get('text'));
    case 'record':
      return textOf(get(column !== undefined ? column : RAW));
    case 'object':
      return column === 'key' || get('text') === null ? textOf(get('key')) : textOf(get('text'));
    case 'embedding':
      return `[${Array.isArray(get('embedding')) ? (get('embedding') as Value[]).length : 0}-dim embedding]`;
    case 'error':
      return `[error ${textOf(get('code'))}: ${textOf(get('message'))}]`;
    default:
      return rows.map((r) => r.map(textOf).join(' | ')).join('\n');
  }
}

/**
 * The rows an output contributes to a result with columns `names`: a table's rows, or one row (a
 * record's columns by name, another output's single value); an error gives one all-NULL row and
 * its error text.
 */
export function outputRows(o: ActionOutput | undefined, names: readonly string[]): { values: Value[]; error: string | null }[] {
  const nulls = names.map(() => null);
  if (!o) return [{ values: nulls, error: 'no output' }];
  const kind = outputKind(o);
  const rows = rowsOf(o);
  const fields = o.schema.fields.map((f) => f.name);
  switch (kind) {
    case 'error': {
      const e = errorOf(o);
      return [{ values: nulls, error: `${e?.code}: ${e?.message}` }];
    }
    case 'record':
      return [{ values: names.map((n) => (fields.includes(n) ? (rows[0]?.[fields.indexOf(n)] ?? null) : null)), error: null }];
    case 'table':
      return rows.map((r) => ({ values: names.map((_, i) => r[i] ?? null), error: null }));
    default:
      // text, object (its key), embedding: the single value.
      return [{ values: [rows[0]?.[0] ?? null], error: null }];
  }
}

function textOf(v: Value | undefined): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
