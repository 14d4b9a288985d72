// Bulk-loads JS rows into DuckDB through the appender: values go into an all-VARCHAR staging temp table
// and come out through a SELECT that casts every column to its declared type (CREATE AS or INSERT it).
import { quoteIdent, type Database, type Value } from './duckdb.ts';

export interface TypedColumn {
  readonly name: string;
  readonly type: string;
}

let counter = 0;

/** Stages `rows` and calls `use` with a typed SELECT over them; the staging table is dropped after. */
export async function withStagedRows<T>(db: Database, columns: readonly TypedColumn[], rows: readonly (readonly Value[])[], use: (select: string) => Promise<T>): Promise<T> {
  const staging = `__agentlake_staging_${++counter}`;
  await db.run(`CREATE TEMP TABLE ${staging} (${columns.map((_, i) => `c${i} VARCHAR`).join(', ')})`);
  try {
    const appender = await db.connection.createAppender(staging, 'main', 'temp');
    try {
      for (const row of rows) {
        for (let i = 0; i < columns.length; i++) {
          const v = row[i] ?? null;
          if (v === null) appender.appendNull();
          else appender.appendVarchar(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const select = `SELECT ${columns.map((c, i) => `CAST(c${i} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ')} FROM ${staging}`;
    return await use(select);
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${staging}`);
  }
}
