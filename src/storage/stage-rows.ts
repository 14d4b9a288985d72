// Bulk-loads record batches into DuckDB through the appender, one DuckDB data chunk at a time: values go
// into an all-VARCHAR staging temp table and come out through a SELECT that casts every column to its
// declared type (CREATE AS or INSERT it). Never row-by-row INSERT.
import { DuckDBDataChunk, VARCHAR } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import { batchFromRows, rowsOf } from './arrow.ts';
import { quoteIdent, type Database } from './duckdb.ts';
import type { Value } from '../ir/values.ts';

export interface TypedColumn {
  readonly name: string;
  readonly type: string;
}

/** Rows per DuckDB data chunk (DuckDB's vector size). */
const CHUNK = 2048;

let counter = 0;

/**
 * Stages the batches (columns in `columns` order) and calls `use` with a typed SELECT over them; the
 * staging table is dropped after.
 */
export async function withStagedBatches<T>(db: Database, columns: readonly TypedColumn[], batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>, use: (select: string) => Promise<T>): Promise<T> {
  const staging = `__agentlake_staging_${++counter}`;
  // Everything to append, gathered before the appender opens (Database.withAppender: no other
  // statement may run on the connection while it is open).
  const all: RecordBatch[] = [];
  for await (const batch of batches) all.push(batch);
  await db.run(`CREATE TEMP TABLE ${staging} (${columns.map((_, i) => `c${i} VARCHAR`).join(', ')})`);
  try {
    await db.withAppender(staging, 'temp', (appender) => {
      for (const batch of all) {
        const rows = rowsOf(batch);
        for (let start = 0; start < rows.length; start += CHUNK) {
          const part = rows.slice(start, start + CHUNK);
          const chunk = DuckDBDataChunk.create(columns.map(() => VARCHAR), part.length);
          chunk.setColumns(columns.map((_, i) => part.map((r) => text(r[i] ?? null))));
          appender.appendDataChunk(chunk);
        }
      }
    });
    const select = `SELECT ${columns.map((c, i) => `CAST(c${i} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ')} FROM ${staging}`;
    return await use(select);
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${staging}`);
  }
}

/** withStagedBatches over plain rows. */
export async function withStagedRows<T>(db: Database, columns: readonly TypedColumn[], rows: readonly (readonly Value[])[], use: (select: string) => Promise<T>): Promise<T> {
  return withStagedBatches(db, columns, [batchFromRows(columns, rows)], use);
}

function text(v: Value): string | null {
  return v === null ? null : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
