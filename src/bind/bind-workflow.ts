// Binds a CREATE WORKFLOW statement into a WorkflowGraph: resolves models, prompts, parameters, steps
// and columns (via DuckDB), checks placeholders, FOR EACH sources, debate participants, RETURNS types
// and reference cycles. Every problem found is reported together in one UserError.
import type { CreateWorkflow, StepDecl } from '../sql/ast.ts';
import type { CatalogSnapshot } from '../catalog/catalog.ts';
import { DiagnosticSink } from '../diag/diagnostic.ts';
import { didYouMean } from '../diag/suggest.ts';
import type { Span } from '../diag/span.ts';
import type { StepEdge, WorkflowGraph, WorkflowParam, WorkflowStep } from '../ir/workflow-graph.ts';
import type { SqlEnv } from './sql-env.ts';
import { bindStep, stepOutputColumns, type StepScope } from './bind-step.ts';
import { resolveType } from './bind-clauses.ts';

/** Binds a workflow definition. `version` is the catalog version the graph will carry. */
export async function bindWorkflow(stmt: CreateWorkflow, catalog: CatalogSnapshot, env: SqlEnv, version = 1): Promise<WorkflowGraph> {
  const sink = new DiagnosticSink();
  const params = await bindParams(stmt, env, sink);
  const decls = new Map<string, StepDecl>();
  for (const s of stmt.steps) {
    if (decls.has(s.name.name)) sink.error('B0201', `duplicate step '${s.name.name}'`, s.name.span, { notes: ['each step name must be unique within the workflow'] });
    else if (params.some((p) => p.name === s.name.name)) sink.error('B0204', `step '${s.name.name}' has the same name as a parameter`, s.name.span);
    else decls.set(s.name.name, s);
  }
  // Pass 1: output columns of every step (SQL steps are bound by DuckDB), so forward references work.
  const columns = new Map<string, readonly { name: string; type: string }[]>();
  for (const [name, decl] of decls) columns.set(name, await stepOutputColumns(decl, params, env, sink));
  // Pass 2: resolve every reference.
  const scope: StepScope = { params, decls, columns, catalog, env };
  const steps: WorkflowStep[] = [];
  const edges: StepEdge[] = [];
  const refSpans = new Map<string, Span>();
  for (const decl of decls.values()) {
    const bound = await bindStep(decl, scope, sink);
    if (!bound) continue;
    steps.push(bound.step);
    for (const e of bound.edges) {
      edges.push(e);
      if (!refSpans.has(`${e.from}>${e.to}`)) refSpans.set(`${e.from}>${e.to}`, e.span);
    }
  }
  if (!decls.has(stmt.returns.name)) {
    sink.error('B0222', `RETURN names unknown step '${stmt.returns.name}'`, stmt.returns.span, { help: didYouMean(stmt.returns.name, decls.keys()) });
  }
  const ret = decls.get(stmt.returns.name);
  if (ret && (ret.body.kind === 'llm' || ret.body.kind === 'vlm')) {
    for (const c of ret.body.clauses.returns ?? []) {
      if (params.some((p) => p.name === c.name.name)) {
        sink.error('B0223', `returned column '${c.name.name}' has the name of parameter '${c.name.name}'`, c.name.span, { help: 'a workflow call returns its parameters beside its outputs: rename the column' });
      }
    }
  }
  if (sink.size === 0) checkCycles(steps, edges, refSpans, sink);
  sink.throwIfAny();
  const uniqueEdges = dedupeEdges(edges.map(({ from, to, via }) => ({ from, to, via })));
  return { kind: 'workflow_graph', name: stmt.name.name, version, params, steps, edges: uniqueEdges, output: stmt.returns.name };
}

async function bindParams(stmt: CreateWorkflow, env: SqlEnv, sink: DiagnosticSink): Promise<WorkflowParam[]> {
  const out: WorkflowParam[] = [];
  for (const p of stmt.params) {
    if (out.some((q) => q.name === p.name.name)) {
      sink.error('B0202', `duplicate parameter '${p.name.name}'`, p.name.span);
      continue;
    }
    const type = await resolveType(p.type.text, p.type.span, env, sink);
    out.push({ name: p.name.name, type: type ?? p.type.text.toUpperCase() });
  }
  return out;
}

/** Reports the first reference cycle found (a -> b -> a), at the reference that closes it. */
function checkCycles(steps: readonly WorkflowStep[], edges: readonly StepEdge[], spans: ReadonlyMap<string, Span>, sink: DiagnosticSink): void {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): boolean => {
    state.set(n, 'open');
    path.push(n);
    for (const m of next.get(n) ?? []) {
      if (state.get(m) === 'open') {
        const cycle = [...path.slice(path.indexOf(m)), m];
        const closing = spans.get(`${n}>${m}`);
        sink.error('B0220', `step reference cycle: ${cycle.map((c) => `'${c}'`).join(' -> ')}`, closing, {
          help: 'a step cannot use its own output, directly or through other steps',
        });
        return true;
      }
      if (!state.has(m) && visit(m)) return true;
    }
    path.pop();
    state.set(n, 'done');
    return false;
  };
  for (const s of steps) if (!state.has(s.name) && visit(s.name)) return;
}

function dedupeEdges(edges: StepEdge[]): StepEdge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const k = `${e.from}>${e.to}>${e.via}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
