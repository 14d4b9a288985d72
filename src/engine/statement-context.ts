// What a statement handler (catalog statements, EXPLAIN, the catalog bootstrap) may use of the
// session it runs in: the lakehouse, the catalog, the settings and planning choices, binding, and
// running another statement. Handlers take this, never the Session itself.
import type { BoundQuery } from '../ir/bound-query.ts';
import type { CatalogStore } from '../catalog/catalog-store.ts';
import type { Source } from '../diag/span.ts';
import type { OptimizeOptions } from '../scheduler/optimize-batch.ts';
import type { DeclaredWorker } from '../scheduler/workers.ts';
import type { SqlStatement, Statement } from '../sql/ast.ts';
import type { Lakehouse } from '../storage/lakehouse.ts';
import type { ExecContext, Outcome } from './outcome.ts';
import type { Settings } from './settings.ts';
import type { ClusterSpec } from '../ir/cluster.ts';

export interface StatementContext {
  readonly lakehouse: Lakehouse;
  readonly catalog: CatalogStore;
  /** The settings statements run under now. */
  readonly current: Settings;
  /** The simulated cluster statements run on now (from the settings). */
  readonly cluster: ClusterSpec;
  /** How statements are planned: the baseline, the optimizer, or neither. */
  engine(): OptimizeOptions['engine'];
  /** The workers declared with CREATE WORKER, for the planner. */
  declaredWorkers(): DeclaredWorker[];
  /** Binds the query part of a SQL statement, or undefined when it calls no model. */
  bindSql(stmt: SqlStatement): Promise<BoundQuery | undefined>;
  /** Runs one statement. */
  execute(stmt: Statement, source: Source, ctx?: ExecContext): Promise<Outcome>;
}
