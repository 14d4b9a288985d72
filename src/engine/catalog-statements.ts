// Executes catalog statements: CREATE/DROP MODEL, PROMPT, WORKFLOW and WORKER, and SHOW. Definitions are
// validated (bound) before they are stored; a workflow is stored as its CREATE source text.
import type { CreateModel, CreatePrompt, CreateWorker, CreateWorkflow, DropObject, Show } from '../sql/ast.ts';
import { bindWorker } from '../bind/bind-worker.ts';
import { DiagnosticSink, fail } from '../diag/diagnostic.ts';
import { assertNever } from '../diag/assert-never.ts';
import type { Source } from '../diag/span.ts';
import { didYouMean } from '../diag/suggest.ts';
import { bindModel } from '../bind/bind-model.ts';
import { bindWorkflow } from '../bind/bind-workflow.ts';
import { parseTemplateText } from '../bind/template-text.ts';
import type { Diagnostic } from '../diag/diagnostic.ts';
import type { StatementContext } from './statement-context.ts';
import type { Outcome } from './outcome.ts';
import { structuralHash } from '../ir/structural-hash.ts';

/** Runs one catalog statement against the session's catalog. */
export async function executeCatalogStatement(session: StatementContext, stmt: CreateModel | CreatePrompt | CreateWorkflow | CreateWorker | DropObject | Show, source: Source): Promise<Outcome> {
  const store = session.catalog;
  const snap = store.snapshot;
  switch (stmt.kind) {
    case 'create_model': {
      if (!stmt.orReplace && snap.models.has(stmt.name.name)) alreadyExists('model', stmt.name.name, stmt.name.span);
      const def = await store.putModel(bindModel(stmt));
      return { kind: 'ok', message: `created model ${def.name} (${def.kind}, ${def.endpoint}) version ${def.version}` };
    }
    case 'create_prompt': {
      if (!stmt.orReplace && snap.prompts.has(stmt.name.name)) alreadyExists('prompt', stmt.name.name, stmt.name.span);
      const diags: Diagnostic[] = [];
      parseTemplateText(stmt.text, diags);
      const sink = new DiagnosticSink();
      for (const d of diags) sink.add(d);
      sink.throwIfAny();
      const def = await store.putPrompt({ name: stmt.name.name, text: decodeEscapes(stmt.text.quote === 'single' ? stmt.text.raw : stmt.text.value, stmt.text.quote) });
      return { kind: 'ok', message: `created prompt ${def.name} version ${def.version}` };
    }
    case 'create_workflow': {
      if (!stmt.orReplace && snap.workflows.has(stmt.name.name)) alreadyExists('workflow', stmt.name.name, stmt.name.span);
      const graph = await bindWorkflow(stmt, snap, session.lakehouse.db);
      const def = await store.putWorkflow({
        name: graph.name,
        params: graph.params,
        returnStep: graph.output,
        stepCount: graph.steps.length,
        source: source.text.slice(stmt.span.start, stmt.span.end),
        fingerprint: workflowFingerprint(stmt),
      });
      return { kind: 'ok', message: `created workflow ${def.name}(${def.params.map((p) => `${p.name} ${p.type}`).join(', ')}) with ${def.stepCount} step${def.stepCount === 1 ? '' : 's'}, version ${def.version}` };
    }
    case 'create_worker': {
      if (!stmt.orReplace && snap.workers.has(stmt.name.name)) alreadyExists('worker', stmt.name.name, stmt.name.span);
      const def = await store.putWorker(bindWorker(stmt, snap));
      return { kind: 'ok', message: `created worker ${def.name} (${def.endpoint}, ${def.models.join(', ')}) version ${def.version}` };
    }
    case 'drop': {
      const existed = await store.drop(stmt.object, stmt.name.name);
      if (!existed && !stmt.ifExists) {
        const names = { model: snap.models, prompt: snap.prompts, workflow: snap.workflows, worker: snap.workers }[stmt.object].keys();
        fail('B0121', `unknown ${stmt.object} '${stmt.name.name}'`, stmt.name.span, { help: didYouMean(stmt.name.name, names) ?? `use DROP ${stmt.object.toUpperCase()} IF EXISTS to ignore a missing one` });
      }
      return { kind: 'ok', message: existed ? `dropped ${stmt.object} ${stmt.name.name}` : `${stmt.object} ${stmt.name.name} does not exist, nothing dropped` };
    }
    case 'show':
      return show(session, stmt.what);
    default:
      return assertNever(stmt, 'catalog statement');
  }
}

/** What a workflow definition means, independent of layout: its AST without spans or OR REPLACE. */
function workflowFingerprint(stmt: CreateWorkflow): string {
  const { orReplace: _ignored, ...rest } = stmt;
  return structuralHash(JSON.parse(JSON.stringify(rest, (k, v: unknown) => (k === 'rawStart' || k === 'span' ? undefined : v))));
}

function alreadyExists(kind: string, name: string, span: { start: number; end: number }): never {
  fail('B0120', `${kind} '${name}' already exists`, span, { help: `use CREATE OR REPLACE ${kind.toUpperCase()} to replace it` });
}

/** \n, \t and \\ in single-quoted prompt text (the same rule as workflow prompts); '' is a quote. */
function decodeEscapes(raw: string, quote: 'single' | 'dollar'): string {
  if (quote === 'dollar') return raw;
  return raw.replace(/''/g, "'").replace(/\\([nt\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

function show(session: StatementContext, what: Show['what']): Outcome {
  const snap = session.catalog.snapshot;
  const col = (name: string, type = 'VARCHAR'): { name: string; type: string } => ({ name, type });
  if (what === 'models') {
    return {
      kind: 'rows',
      columns: [col('name'), col('kind'), col('endpoint'), col('model_name'), col('params_b', 'DOUBLE'), col('api_key_env'), col('version', 'INTEGER')],
      rows: sortedByName(snap.models).map((m) => [m.name, m.kind, m.endpoint, m.modelName, m.paramsB ?? null, m.apiKeyEnv ?? null, m.version]),
    };
  }
  if (what === 'prompts') {
    return {
      kind: 'rows',
      columns: [col('name'), col('version', 'INTEGER'), col('chars', 'INTEGER'), col('text')],
      rows: sortedByName(snap.prompts).map((p) => [p.name, p.version, p.text.length, p.text.length > 60 ? `${p.text.slice(0, 57).replace(/\s+/g, ' ')}...` : p.text.replace(/\s+/g, ' ')]),
    };
  }
  if (what === 'workers') {
    return {
      kind: 'rows',
      columns: [col('name'), col('endpoint'), col('models'), col('gpu'), col('max_concurrency', 'INTEGER'), col('version', 'INTEGER')],
      rows: sortedByName(snap.workers).map((w) => [w.name, w.endpoint, w.models.join(', '), w.gpu ?? null, w.maxConcurrency ?? null, w.version]),
    };
  }
  return {
    kind: 'rows',
    columns: [col('name'), col('params'), col('steps', 'INTEGER'), col('return_step'), col('version', 'INTEGER')],
    rows: sortedByName(snap.workflows).map((w) => [w.name, w.params.map((p) => `${p.name} ${p.type}`).join(', '), w.stepCount, w.returnStep, w.version]),
  };
}

function sortedByName<T extends { name: string }>(m: ReadonlyMap<string, T>): T[] {
  return [...m.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
