// The values stages pass each other: JSON-safe cells, typed columns and materialized rows (what
// DuckDB returns through storage/duckdb.ts, what jobs store and servers encode).

/** A JSON-safe value as agentlake passes data between stages. */
export type Value = null | boolean | number | string | readonly Value[] | { readonly [key: string]: Value };

/** A result column: name and DuckDB type as DuckDB prints it. */
export interface Column {
  readonly name: string;
  readonly type: string;
}

/** A materialized result. */
export interface Rows {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly Value[])[];
}

/** Statement parameters: positional or named. */
export type Params = readonly Value[] | Readonly<Record<string, Value>>;
