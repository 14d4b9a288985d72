// Writes model results into a DuckDB temp table through the appender (never row-by-row INSERT).
import { quoteIdent, type Database } from '../storage/duckdb.ts';
import type { Value } from '../ir/values.ts';
import { withStagedRows, type TypedColumn } from '../storage/stage-rows.ts';

export type ResultColumn = TypedColumn;

/** Creates (or replaces) temp table `name` with `columns` and `rows`. */
export async function writeResultTable(db: Database, name: string, columns: readonly ResultColumn[], rows: readonly (readonly Value[])[]): Promise<void> {
  await withStagedRows(db, columns, rows, (select) => db.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} AS ${select}`));
}
