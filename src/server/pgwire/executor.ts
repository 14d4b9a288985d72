// The one thing the Postgres-wire server needs from the engine: run one SQL statement for a user.
// `agentlake serve` implements it over the job service (job-executor.ts); tests also use one over a
// plain Session. Tenant, user, cancellation and progress notices are all in the context.
import type { Column, Value } from '../../ir/values.ts';

/** Who runs a statement, how to stop it, and where progress goes. */
export interface QueryContext {
  /** The authenticated user (the startup message's user when the server trusts connections). */
  readonly user: string;
  /** The user's tenant ('default' when the server trusts connections). */
  readonly tenant: string;
  /** Aborted by a CancelRequest, statement_timeout or the client going away. */
  readonly signal: AbortSignal;
  /** Sends a NoticeResponse to the client at once (progress of long model queries). */
  notice(message: string): void;
  /**
   * Values the executor keeps per connection (e.g. `agentlake.priority` set by `SET`); the same map
   * for every statement of one connection, empty at its start. Absent in describe calls.
   */
  readonly vars?: Map<string, string>;
}

/** What a statement produced. */
export type QueryResult =
  /** A result set; `columns[i].type` is the DuckDB type name as DuckDB prints it (e.g. `DECIMAL(10,2)`). */
  | { readonly kind: 'rows'; readonly columns: readonly Column[]; readonly rows: readonly (readonly Value[])[] }
  /** A statement without a result set; `rowCount` when it changed or wrote rows. */
  | { readonly kind: 'command'; readonly message: string; readonly rowCount?: number };

/**
 * Runs statements for the Postgres-wire server.
 *
 * - `run` gets ONE statement (the server splits a Query message at top-level semicolons and has
 *   already substituted `$n` parameters as SQL literals). It resolves with the statement's result or
 *   rejects with a `UserError` whose diagnostics' spans are offsets into `sql` (they become the
 *   ErrorResponse's SQLSTATE and position); any other rejection is reported as XX000 (internal).
 *   When `ctx.signal` aborts, it should reject soon (with the signal's reason or a UserError E0002).
 * - Calls on one connection never overlap; implementations serialize across connections as needed.
 * - `describe` (optional) returns a statement's result columns without running it, or undefined
 *   when it cannot tell (the server then answers a statement Describe with NoData).
 */
export interface QueryExecutor {
  run(sql: string, ctx: QueryContext): Promise<QueryResult>;
  describe?(sql: string, ctx: Omit<QueryContext, 'notice'>): Promise<readonly Column[] | undefined>;
}
