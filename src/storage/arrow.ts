// Arrow record batches, the form data takes between operators: DuckDB results become batches (each
// field keeps its DuckDB type in metadata, so a batch converts back losslessly), and batches become
// DuckDB rows again (see stage-rows.ts). Numbers, booleans, dates and float lists are typed Arrow
// columns; every other DuckDB type travels as its text (nested values as JSON).
import { Bool, DateDay, Field, Float32, Float64, Int32, Int64, List, RecordBatch, Schema, Struct, Table, Type, Utf8, makeData, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import { JSDuckDBValueConverter, type DuckDBResult } from '@duckdb/node-api';
import { toValue } from './duck-value.ts';
import type { Column, Value } from '../ir/values.ts';

/** Field metadata key holding the column's DuckDB type. */
export const DUCKDB_TYPE = 'duckdb.type';

/** The Arrow type a DuckDB column travels as. */
export function arrowType(duck: string): DataType {
  switch (duck) {
    case 'BOOLEAN':
      return new Bool();
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'UTINYINT':
    case 'USMALLINT':
      return new Int32();
    case 'BIGINT':
    case 'UINTEGER':
      return new Int64();
    case 'FLOAT':
      return new Float32();
    case 'DOUBLE':
      return new Float64();
    case 'DATE':
      return new DateDay();
    case 'FLOAT[]':
      return new List(new Field('item', new Float32(), true));
    case 'DOUBLE[]':
      return new List(new Field('item', new Float64(), true));
    default:
      return duck.startsWith('DECIMAL') ? new Float64() : new Utf8();
  }
}

/** DuckDB types whose values are nested (lists, structs, maps): text columns hold them as JSON. */
function isNested(duck: string): boolean {
  return duck.endsWith(']') || /^(STRUCT|MAP|UNION)\(/.test(duck);
}

const DAY_MS = 86_400_000;

/** One value on its way into an Arrow column of `type`; undefined when it does not fit that type. */
function encode(v: Value, type: DataType): unknown {
  if (v === null) return null;
  switch (type.typeId) {
    case Type.Bool:
      return typeof v === 'boolean' ? v : undefined;
    case Type.Int:
      if ((type as Int32 | Int64).bitWidth === 64) {
        if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
        return typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : undefined;
      }
      return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
    case Type.Float:
      return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
    case Type.Date: {
      const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : NaN;
      return Number.isFinite(ms) ? new Date(ms) : undefined;
    }
    case Type.List:
      return Array.isArray(v) && v.every((x) => x === null || typeof x === 'number') ? v : undefined;
    default:
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** One column's vector: typed when every value fits the column's Arrow type, else the values' text. */
function columnVector(values: readonly Value[], duck: string): Vector {
  const type = arrowType(duck);
  const typed = values.map((v) => encode(v, type));
  if (typed.every((x) => x !== undefined)) return vectorFromArray(typed, type);
  return vectorFromArray(values.map((v) => encode(v, new Utf8())), new Utf8());
}

/** A batch from rows; `metadata` lands on the schema. */
export function batchFromRows(columns: readonly Column[], rows: readonly (readonly Value[])[], metadata: ReadonlyMap<string, string> = new Map()): RecordBatch {
  return batchFromColumns(columns, columns.map((_, i) => rows.map((r) => r[i] ?? null)), rows.length, metadata);
}

/** A batch from column-major values (`values[i]` is column i, `length` rows). */
export function batchFromColumns(columns: readonly Column[], values: readonly (readonly Value[])[], length: number, metadata: ReadonlyMap<string, string> = new Map()): RecordBatch {
  const vectors = columns.map((c, i) => columnVector(values[i] ?? [], c.type));
  const fields = columns.map((c, i) => new Field(c.name, vectors[i]?.type ?? new Utf8(), true, new Map([[DUCKDB_TYPE, c.type]])));
  const schema = new Schema(fields, new Map(metadata));
  const data = makeData({ type: new Struct(fields), length, nullCount: 0, children: vectors.map((v) => v.data[0]).filter((d) => d !== undefined) });
  return new RecordBatch(schema, data);
}

/** The columns (name, DuckDB type) of a schema. */
export function columnsOf(schema: Schema): Column[] {
  return schema.fields.map((f) => ({ name: f.name, type: f.metadata.get(DUCKDB_TYPE) ?? 'VARCHAR' }));
}

/** One Arrow value back as a JSON-safe value, given the column's DuckDB type. */
function decode(x: unknown, field: Field): Value {
  if (x === null || x === undefined) return null;
  const duck = field.metadata.get(DUCKDB_TYPE) ?? 'VARCHAR';
  switch (field.type.typeId) {
    case Type.Int:
      return typeof x === 'bigint' ? (Number.isSafeInteger(Number(x)) ? Number(x) : x.toString()) : Number(x);
    case Type.Date:
      return new Date(Math.round(Number(x) / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
    case Type.List:
      return Array.from(x as Iterable<number | null>, (e) => (e === null ? null : Number(e)));
    case Type.Utf8:
      if (isNested(duck)) {
        try {
          return JSON.parse(String(x)) as Value;
        } catch {
          return String(x);
        }
      }
      return String(x);
    default:
      return x as Value;
  }
}

/** The rows of one batch (or several with the same schema), as JSON-safe values. */
export function rowsOf(batches: RecordBatch | Table | readonly RecordBatch[]): Value[][] {
  const list = batches instanceof RecordBatch ? [batches] : batches instanceof Table ? batches.batches : batches;
  const rows: Value[][] = [];
  for (const b of list) {
    const cols = b.schema.fields.map((f, i) => ({ f, v: b.getChildAt(i) }));
    for (let r = 0; r < b.numRows; r++) rows.push(cols.map(({ f, v }) => decode(v?.get(r), f)));
  }
  return rows;
}

/** Streams a DuckDB result as record batches, one per DuckDB chunk; at least one (maybe empty) batch. */
export async function* resultBatches(result: DuckDBResult): AsyncGenerator<RecordBatch> {
  const columns = result.columnNames().map((name, i) => ({ name, type: String(result.columnType(i)) }));
  let yielded = false;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const cols = chunk.convertColumns(JSDuckDBValueConverter).map((c, i) => c.map((v) => toValue(v, columns[i]?.type)));
    yielded = true;
    yield batchFromColumns(columns, cols, chunk.rowCount);
  }
  if (!yielded) yield batchFromColumns(columns, [], 0);
}
