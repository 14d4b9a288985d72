// Loads a stored workflow for use in a query: re-parses its CREATE WORKFLOW source and binds it against
// the current catalog (models or prompts may have changed since). Bound graphs are cached per
// (name, version, catalog snapshot) so a query that uses a workflow many times binds it once.
import type { CatalogSnapshot } from '../catalog/catalog.ts';
import { diag, fail, UserError } from '../diag/diagnostic.ts';
import type { Span } from '../diag/span.ts';
import type { WorkflowGraph } from '../ir/workflow-graph.ts';
import { parseScript } from '../sql/parse.ts';
import type { Database } from '../storage/duckdb.ts';
import { bindWorkflow } from './bind-workflow.ts';

const cache = new WeakMap<CatalogSnapshot, Map<string, WorkflowGraph>>();

/** The bound graph of workflow `name`; a UserError at `span` when it no longer binds. */
export async function loadWorkflow(name: string, scope: { catalog: CatalogSnapshot; db: Database }, span: Span): Promise<WorkflowGraph> {
  const def = scope.catalog.workflows.get(name);
  if (!def) fail('B0502', `unknown workflow '${name}'`, span);
  const perSnapshot = cache.get(scope.catalog) ?? new Map<string, WorkflowGraph>();
  cache.set(scope.catalog, perSnapshot);
  const hit = perSnapshot.get(name);
  if (hit) return hit;
  const parsed = parseScript({ name: `workflow ${name}`, text: def.source });
  const stmt = parsed.script.statements[0];
  if (parsed.diagnostics.length > 0 || stmt?.kind !== 'create_workflow') {
    throw new UserError([diag('B0506', `stored workflow '${name}' no longer parses`, span, { notes: parsed.diagnostics.map((d) => `${d.code}: ${d.message}`) })]);
  }
  try {
    const graph = await bindWorkflow(stmt, scope.catalog, scope.db, def.version);
    perSnapshot.set(name, graph);
    return graph;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    throw new UserError([
      diag('B0506', `workflow '${name}' no longer binds against the catalog`, span, {
        notes: e.diagnostics.map((d) => `${d.code}: ${d.message}`),
        help: `re-create it with CREATE OR REPLACE WORKFLOW ${name}`,
      }),
    ]);
  }
}
