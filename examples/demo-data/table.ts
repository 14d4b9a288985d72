// In-memory table model of the demo generator and its Parquet writer (DuckDB appender, then
// COPY TO). Dates are ISO 'YYYY-MM-DD' strings; BIGINT cells are bigint; null is SQL NULL.
import { dateValue } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';

export type ColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'DATE' | 'BOOLEAN';
export type Cell = string | number | bigint | boolean | null;

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

/** One demo table: its schema and rows (each row has one cell per column, in order). */
export interface DemoTable {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  readonly rows: readonly (readonly Cell[])[];
}

/** Days since 1970-01-01 of an ISO date (pure arithmetic, no clock). */
export function isoToDays(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number);
  if (y === undefined || m === undefined || d === undefined) throw new RangeError(`bad date '${iso}'`);
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

/** ISO date of a day number (inverse of isoToDays). */
export function daysToIso(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

function appendCell(app: DuckDBAppender, col: ColumnSpec, cell: Cell, table: string): void {
  if (cell === null) return app.appendNull();
  const bad = (): never => {
    throw new TypeError(`${table}.${col.name}: ${typeof cell} does not fit ${col.type}`);
  };
  switch (col.type) {
    case 'VARCHAR':
      return typeof cell === 'string' ? app.appendVarchar(cell) : bad();
    case 'INTEGER':
      return typeof cell === 'number' ? app.appendInteger(cell) : bad();
    case 'BIGINT':
      return typeof cell === 'bigint' ? app.appendBigInt(cell) : bad();
    case 'DOUBLE':
      return typeof cell === 'number' ? app.appendDouble(cell) : bad();
    case 'DATE':
      return typeof cell === 'string' ? app.appendDate(dateValue(isoToDays(cell))) : bad();
    case 'BOOLEAN':
      return typeof cell === 'boolean' ? app.appendBoolean(cell) : bad();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Creates `table` in the connection, appends its rows and copies it to `path` as Parquet. */
export async function writeParquet(conn: DuckDBConnection, table: DemoTable, path: string): Promise<void> {
  const cols = table.columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
  await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(table.name)} (${cols})`);
  const app = await conn.createAppender(table.name);
  for (const row of table.rows) {
    if (row.length !== table.columns.length) {
      throw new RangeError(`${table.name}: row has ${row.length} cells, expected ${table.columns.length}`);
    }
    table.columns.forEach((col, i) => appendCell(app, col, row[i] ?? null, table.name));
    app.endRow();
  }
  app.closeSync();
  const target = path.replaceAll("'", "''");
  await conn.run(`COPY ${quoteIdent(table.name)} TO '${target}' (FORMAT parquet)`);
}
