// EXPLAIN of one statement: for a query that calls models, the instantiated plan (inputs, actions by
// kind and model, fan-out, estimated tokens); for plain SQL, DuckDB's own plan; for catalog
// statements, what they would change. The optimizer's section shows rewrites, placement, estimates and
// lower bounds; EXPLAIN ANALYZE runs the statement and adds what was measured.
import { fail, UserError, type Diagnostic } from '../diag/diagnostic.ts';
import { parseTemplateText } from '../bind/template-text.ts';
import type { Source } from '../diag/span.ts';
import type { Explain, SqlStatement, Statement } from '../sql/ast.ts';
import { bindWorkflow } from '../bind/bind-workflow.ts';
import { bindModel } from '../bind/bind-model.ts';
import { bindWorker } from '../bind/bind-worker.ts';
import { stepFields } from '../ir/format-node.ts';
import { duckdbDiagnostic } from '../sql/duckdb-error.ts';
import { checkShape } from './finish-statement.ts';
import { lowerStatement } from '../lower/lower-statement.ts';
import type { RunStats } from '../ir/run-stats.ts';
import { optimizeBatch } from '../scheduler/optimize-batch.ts';
import { optimizerReport, renderOptimizer } from '../explain/optimizer-report.ts';
import { planReport, type PlanPart } from '../explain/plan-report.ts';
import { renderPlanText, TextPlan } from '../explain/render-text.ts';
import { engineProbe } from './engine-probe.ts';
import type { StatementContext } from './statement-context.ts';
import type { Outcome } from './outcome.ts';

/** Explains `stmt.statement`. */
export async function explainStatement(session: StatementContext, stmt: Explain, source: Source): Promise<Outcome> {
  const inner = stmt.statement;
  if (inner.kind === 'explain') fail('P0004', 'EXPLAIN of an EXPLAIN', inner.span);
  if (inner.kind !== 'sql') return explainCatalogStatement(session, inner);
  const bound = await session.bindSql(inner);
  if (!bound) return explainPlainSql(session, inner.text, inner.span.start, stmt.mode);
  await checkShape(session.lakehouse, bound, 'explain');
  const probe = engineProbe(session.lakehouse);
  const parts: PlanPart[] = [];
  const lowered = await lowerStatement(bound, probe);
  for (const { site, dag } of lowered.parts) {
    if (site.kind === 'workflow') {
      parts.push({ dag, inputSql: site.inputSql, label: site.graph.name, graph: site.graph, ...(site.priority ? { priority: site.priority } : {}) });
    } else {
      const returns = site.returns?.columns.map((c) => `${c.name} ${c.type}`).join(', ');
      parts.push({ dag, inputSql: site.inputSql, label: site.kind === 'llm_map' ? 'llm_map' : site.fn, model: site.model.name, ...(returns ? { returns } : {}) });
    }
  }
  const report = planReport(parts);
  const engine = session.engine();
  const optimized = optimizeBatch(lowered.lowered, { engine, ...session.cluster, workers: session.declaredWorkers(), estimate: true });
  // EXPLAIN ANALYZE runs the statement (it plans the same way: planning is deterministic).
  let measured: RunStats | undefined;
  if (stmt.mode === 'analyze') {
    const out = await session.execute(inner, source);
    measured = out.kind === 'rows' ? out.stats : undefined;
  }
  const verbose = stmt.mode === 'verbose';
  const optimizer = optimizerReport(optimized, engine, session.cluster, measured, { verbose });
  const text = renderPlanText(report, verbose ? parts : undefined, (t) => renderOptimizer(t, optimizer, { verbose }));
  return { kind: 'explain', text, json: { ...report, optimizer } };
}

/** EXPLAIN of a catalog statement: validates it as CREATE would (nothing is stored) and describes it. */
async function explainCatalogStatement(session: StatementContext, stmt: Exclude<Statement, SqlStatement | Explain>): Promise<Outcome> {
  const t = new TextPlan();
  const json: Record<string, unknown> = { statement: stmt.kind, inputs: 0, actions: { total: 0, modelCalls: 0, byKind: {}, byModel: {} } };
  if (stmt.kind === 'create_workflow') {
    const graph = await bindWorkflow(stmt, session.catalog.snapshot, session.lakehouse.db);
    t.add(0, 'Catalog', { statement: stmt.kind, name: graph.name, params: `(${graph.params.map((p) => `${p.name} ${p.type}`).join(', ')})`, return: graph.output });
    for (const s of graph.steps) {
      const after = graph.edges.filter((e) => e.to === s.name).map((e) => e.from);
      t.add(1, 'Step', { kind: s.kind, ...stepFields(s), after: after.length > 0 ? after.join(',') : undefined });
    }
    json['workflow'] = graph;
  } else if (stmt.kind === 'create_model') {
    const m = bindModel(stmt);
    t.add(0, 'Catalog', { statement: stmt.kind, name: m.name, kind: m.kind, endpoint: m.endpoint, model: m.modelName });
    json['model'] = m;
  } else if (stmt.kind === 'create_worker') {
    const w = bindWorker(stmt, session.catalog.snapshot);
    t.add(0, 'Catalog', { statement: stmt.kind, name: w.name, endpoint: w.endpoint, models: w.models.join(','), gpu: w.gpu, max_concurrency: w.maxConcurrency });
    json['worker'] = w;
  } else if (stmt.kind === 'create_prompt') {
    const diags: Diagnostic[] = [];
    const parts = parseTemplateText(stmt.text, diags);
    if (diags.length > 0) throw new UserError(diags);
    t.add(0, 'Catalog', { statement: stmt.kind, name: stmt.name.name, placeholders: parts.filter((p) => p.kind === 'slot').map((p) => (p.kind === 'slot' ? p.name : '')).join(',') });
  } else {
    t.add(0, 'Catalog', { statement: stmt.kind, name: 'name' in stmt ? stmt.name.name : stmt.what });
  }
  return { kind: 'explain', text: t.toString(), json };
}

async function explainPlainSql(session: StatementContext, sql: string, at: number, mode: Explain['mode']): Promise<Outcome> {
  const prefix = `EXPLAIN ${mode === 'analyze' ? 'ANALYZE ' : ''}`;
  try {
    const result = await session.lakehouse.db.query(prefix + sql);
    const plan = result.rows.map((r) => String(r[r.length - 1] ?? '')).join('\n');
    const t = new TextPlan();
    t.add(0, 'Plan', { inputs: 0, actions: 0, model_calls: 0 });
    t.add(1, 'DuckDB', { note: 'plain SQL: runs in DuckDB unchanged' });
    const text = `${t.toString()}${plan}\n`;
    return { kind: 'explain', text, json: { statement: 'sql', inputs: 0, actions: { total: 0, modelCalls: 0, byKind: {}, byModel: {} }, duckdbPlan: plan } };
  } catch (e) {
    throw new UserError([duckdbDiagnostic(e, prefix + sql, at - prefix.length)]);
  }
}
