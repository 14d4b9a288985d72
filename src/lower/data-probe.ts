// What lowering may read while planning: SQL step results (pure DuckDB queries) and object listings.
// Never a model call. The engine implements it over the open lakehouse.
import type { ObjectInfo } from '../storage/lakehouse.ts';
import type { Rows, Value } from '../ir/values.ts';

export interface DataProbe {
  /** Runs a SQL step once per parameter set ($name parameters); results in the same order. */
  runSqlBatch(sql: string, params: readonly Readonly<Record<string, Value>>[], types: Readonly<Record<string, string>>): Promise<Rows[]>;
  /** Runs an input query (the rows a model call or workflow applies to). */
  query(sql: string): Promise<Rows>;
  /** Lists the objects a glob matches, sorted by key. */
  listObjects(pattern: string): Promise<ObjectInfo[]>;
}
