// What the binder needs from DuckDB: bind a query without running it. The Database class implements it.
import type { Column } from '../ir/values.ts';

export interface SqlEnv {
  /** Result columns and parameter names of a query; throws DuckDB's error when it does not bind. */
  describe(sql: string): Promise<{ columns: Column[]; params: string[] }>;
}
