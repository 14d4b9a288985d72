// Binds one workflow step: its model, SYSTEM prompt, PROMPT template, IMAGE source, FOR EACH source,
// RETURNS and WITH clauses, and the edges its references create. Called by bind-workflow.ts.
import type { StepDecl, StringLit, ModelStepBody, ValueRef, Ident } from '../sql/ast.ts';
import type { CatalogSnapshot } from '../catalog/catalog.ts';
import type { ModelKind } from '../ir/common.ts';
import { diag, type DiagnosticSink, type Diagnostic } from '../diag/diagnostic.ts';
import { assertNever } from '../diag/assert-never.ts';
import { didYouMean } from '../diag/suggest.ts';
import type { Span } from '../diag/span.ts';
import type { ModelRef, Template, TemplatePart } from '../ir/common.ts';
import type { EdgeVia, ImageSource, StepEdge, WorkflowParam, WorkflowStep } from '../ir/workflow-graph.ts';
import type { SqlEnv } from './sql-env.ts';
import { parseTemplateText, type RawPart } from './template-text.ts';
import { findSqlParams, toDollarParams } from '../sql/sql-params.ts';
import { duckdbDiagnostic } from '../sql/duckdb-error.ts';
import { bindDecoding, bindReturns } from './bind-clauses.ts';

/** Everything a step can refer to. */
export interface StepScope {
  readonly params: readonly WorkflowParam[];
  readonly decls: ReadonlyMap<string, StepDecl>;
  readonly columns: ReadonlyMap<string, readonly { name: string; type: string }[]>;
  readonly catalog: CatalogSnapshot;
  readonly env: SqlEnv;
}

export type SpannedEdge = StepEdge & { readonly span: Span };

/** Which model kind each step kind calls. */
const MODEL_KIND_FOR: Readonly<Record<ModelStepBody['kind'], ModelKind>> = { llm: 'llm', vlm: 'vlm', embed: 'embedding', image: 'diffusion' };

/** The columns a step's output has (one row per instance, or the SQL result). SQL steps are bound by DuckDB here. */
export async function stepOutputColumns(decl: StepDecl, params: readonly WorkflowParam[], env: SqlEnv, sink: DiagnosticSink): Promise<{ name: string; type: string }[]> {
  const b = decl.body;
  switch (b.kind) {
    case 'sql': {
      const refs = findSqlParams(b.query.text);
      let ok = true;
      for (const r of refs) {
        if (!params.some((p) => p.name === r.name)) {
          ok = false;
          const span = { start: b.query.span.start + r.offset, end: b.query.span.start + r.offset + r.length };
          sink.error('B0203', `unknown parameter ':${r.name}' in SQL step '${decl.name.name}'`, span, { help: didYouMean(r.name, params.map((p) => p.name)) });
        }
      }
      if (!ok) return [];
      // :name and $name have the same length, so DuckDB's positions hold for the text as written.
      const sql = toDollarParams(b.query.text, refs);
      try {
        const d = await env.describe(sql);
        return d.columns;
      } catch (e) {
        sink.add(duckdbDiagnostic(e, sql, b.query.span.start, b.query.span, `in SQL step '${decl.name.name}'`));
        return [];
      }
    }
    case 'fetch':
      return [{ name: 'key', type: 'VARCHAR' }, { name: 'size', type: 'BIGINT' }];
    case 'llm':
    case 'vlm':
      return b.clauses.returns ? b.clauses.returns.map((c) => ({ name: c.name.name, type: c.type.text.toUpperCase() })) : [{ name: 'text', type: 'VARCHAR' }];
    case 'embed':
      return [{ name: 'embedding', type: 'FLOAT[]' }];
    case 'image':
      return [{ name: 'key', type: 'VARCHAR' }];
    case 'debate':
      return [{ name: 'transcript', type: 'VARCHAR' }];
    default:
      return assertNever(b, 'step body');
  }
}

/** Binds one step; undefined when it had errors (reported to `sink`). */
export async function bindStep(decl: StepDecl, scope: StepScope, sink: DiagnosticSink): Promise<{ step: WorkflowStep; edges: SpannedEdge[] } | undefined> {
  const before = sink.size;
  const name = decl.name.name;
  const b = decl.body;
  const edges: SpannedEdge[] = [];
  const diags: Diagnostic[] = [];
  const forEach = 'forEach' in b && b.forEach ? b.forEach : b.kind !== 'sql' && b.kind !== 'fetch' && b.kind !== 'debate' ? b.clauses.forEach : undefined;
  if (forEach) bindForEach(name, forEach, scope, sink, edges);
  const fe = forEach && scope.decls.has(forEach.name) ? forEach.name : undefined;
  const base = { name, span: decl.span, ...(fe ? { forEach: fe } : {}) };
  // With an unknown FOR EACH source its columns are unknown too: report only that, not each column.
  const resolver = makeResolver(name, fe, scope, edges, forEach && !fe ? [] : diags);
  let step: WorkflowStep | undefined;
  switch (b.kind) {
    case 'sql': {
      const refs = findSqlParams(b.query.text);
      step = { ...base, kind: 'sql', sql: toDollarParams(b.query.text, refs), params: [...new Set(refs.map((r) => r.name))], columns: scope.columns.get(name) ?? [] };
      break;
    }
    case 'fetch':
      step = { ...base, kind: 'fetch', target: resolveValueRef(b.target, resolver, 'placeholder', diags) };
      break;
    case 'debate': {
      const participants = bindDebate(name, b.participants, b.rounds.value, b.rounds.span, scope, sink, edges);
      step = { ...base, kind: 'debate', participants, rounds: b.rounds.value };
      break;
    }
    case 'llm':
    case 'vlm':
    case 'embed':
    case 'image':
      step = await bindModelStep(b, base, scope, sink, resolver, edges);
      break;
    default:
      assertNever(b, 'step body');
  }
  for (const d of diags) sink.add(d);
  return sink.size === before && step ? { step, edges } : undefined;
}

type Resolver = (part: RawPart & { kind: 'slot' }, via: EdgeVia, bare?: boolean) => TemplatePart | undefined;

/** Resolves {{name}}: a column of the FOR EACH row, then a parameter, then another step. */
function makeResolver(self: string, forEach: string | undefined, scope: StepScope, edges: SpannedEdge[], diags: Diagnostic[]): Resolver {
  const rowColumns = forEach ? (scope.columns.get(forEach) ?? []).map((c) => c.name.toLowerCase()) : [];
  return (slot, via, bare = false) => {
    if (rowColumns.includes(slot.name)) return { kind: 'column', name: slot.name, span: slot.span };
    if (scope.params.some((p) => p.name === slot.name)) return { kind: 'param', name: slot.name, span: slot.span };
    if (scope.decls.has(slot.name)) {
      if (slot.name === self) {
        diags.push(diag('B0220', `step '${self}' refers to itself`, slot.span, { help: 'a step cannot use its own output' }));
        return undefined;
      }
      edges.push({ from: slot.name, to: self, via, span: slot.span });
      return { kind: 'step', name: slot.name, span: slot.span };
    }
    const candidates = [...rowColumns, ...scope.params.map((p) => p.name), ...[...scope.decls.keys()].filter((n) => n !== self)];
    const where = forEach ? `a column of '${forEach}', a parameter or a step` : 'a parameter or a step';
    const what = bare ? `unknown name '${slot.name}'` : `unknown placeholder '{{${slot.name}}}'`;
    diags.push(diag('B0206', `${what}: not ${where}`, slot.span, { help: didYouMean(slot.name, candidates) }));
    return undefined;
  };
}

function resolveTemplate(lit: StringLit, resolve: Resolver, diags: Diagnostic[]): Template {
  const out: TemplatePart[] = [];
  for (const p of parseTemplateText(lit, diags)) {
    if (p.kind === 'text') out.push(p);
    else {
      const r = resolve(p, 'placeholder');
      if (r) out.push(r);
    }
  }
  return out;
}

/** A FETCH target / IMAGE key: a string template, or a bare name (column of the row, or parameter). */
function resolveValueRef(v: ValueRef, resolve: Resolver, via: EdgeVia, diags: Diagnostic[]): Template {
  if (v.kind === 'string') return resolveTemplate(v, resolve, diags);
  const r = resolve({ kind: 'slot', name: v.name, span: v.span }, via, true);
  return r ? [r] : [];
}

function bindForEach(self: string, fe: Ident, scope: StepScope, sink: DiagnosticSink, edges: SpannedEdge[]): void {
  if (fe.name === self) sink.error('B0220', `step '${self}' cannot fan out over itself`, fe.span);
  else if (!scope.decls.has(fe.name)) {
    sink.error('B0211', `FOR EACH ROW OF names unknown step '${fe.name}'`, fe.span, { help: didYouMean(fe.name, [...scope.decls.keys()].filter((n) => n !== self)) });
  } else edges.push({ from: fe.name, to: self, via: 'for_each', span: fe.span });
}

function bindDebate(self: string, participants: readonly Ident[], rounds: number, roundsSpan: Span, scope: StepScope, sink: DiagnosticSink, edges: SpannedEdge[]): string[] {
  const names: string[] = [];
  if (participants.length < 2) sink.error('B0215', `debate '${self}' needs at least two participants`, participants[0]?.span);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) sink.error('B0214', `ROUNDS must be an integer from 1 to 50, found ${rounds}`, roundsSpan);
  for (const p of participants) {
    const decl = scope.decls.get(p.name);
    if (names.includes(p.name)) sink.error('B0213', `debate participant '${p.name}' is listed twice`, p.span);
    else if (!decl) sink.error('B0212', `unknown debate participant '${p.name}'`, p.span, { help: didYouMean(p.name, [...scope.decls.keys()].filter((n) => n !== self)) });
    else if (decl.body.kind !== 'llm') {
      sink.error('B0216', `debate participant '${p.name}' is ${article(decl.body.kind)} step; participants must be LLM steps`, p.span);
    } else if (decl.body.clauses.forEach) {
      sink.error('B0217', `debate participant '${p.name}' fans out (FOR EACH ROW OF); participants must produce one answer per input`, p.span);
    } else if (p.name === self) sink.error('B0220', `debate '${self}' cannot take part in itself`, p.span);
    else edges.push({ from: p.name, to: self, via: 'participant', span: p.span });
    names.push(p.name);
  }
  return names;
}

/** "an LLM", "a SQL", "an IMAGE": by how the upper-case keyword is spoken. */
function article(kind: string): string {
  const k = kind.toUpperCase();
  return `${/^(?:[AEIOU]|LLM)/.test(k) ? 'an' : 'a'} ${k}`;
}

async function bindModelStep(
  b: ModelStepBody,
  base: { name: string; span: Span; forEach?: string },
  scope: StepScope,
  sink: DiagnosticSink,
  resolve: Resolver,
  edges: SpannedEdge[],
): Promise<WorkflowStep | undefined> {
  const diags: Diagnostic[] = [];
  const model = bindModelRef(b.model, b.kind, scope.catalog, sink);
  const c = b.clauses;
  let system: Template | undefined;
  let systemPrompt: { name: string; version: number } | undefined;
  if (c.system?.kind === 'string') system = resolveTemplate(c.system, resolve, diags);
  else if (c.system?.kind === 'ident') {
    const p = scope.catalog.prompts.get(c.system.name);
    if (!p) sink.error('B0104', `unknown prompt '${c.system.name}'`, c.system.span, { help: didYouMean(c.system.name, scope.catalog.prompts.keys()) ?? 'create it with CREATE PROMPT name AS \'...\'' });
    else {
      systemPrompt = { name: p.name, version: p.version };
      const lit: StringLit = { kind: 'string', value: p.text, raw: p.text, rawStart: c.system.span.start, quote: 'dollar', span: c.system.span };
      // Placeholders inside a stored prompt are reported at the SYSTEM name that uses it.
      const inner: Diagnostic[] = [];
      system = resolveTemplate(lit, (slot, via) => resolve({ ...slot, span: c.system?.span ?? slot.span }, via), inner);
      diags.push(...inner.map((d) => ({ ...d, span: c.system?.span ?? b.span })));
    }
  }
  if (!c.prompt) sink.error('B0205', `${b.kind.toUpperCase()} step '${base.name}' needs a PROMPT clause`, b.span);
  const prompt = c.prompt ? resolveTemplate(c.prompt, resolve, diags) : [];
  if (c.image && b.kind !== 'vlm') sink.error('B0208', `IMAGE clause is only for VLM steps, not ${b.kind.toUpperCase()}`, c.image.span);
  if (b.kind === 'vlm' && !c.image) sink.error('B0209', `VLM step '${base.name}' needs an IMAGE clause (a column with an object key, or a FETCH or IMAGE step)`, b.span);
  if (c.returns && b.kind !== 'llm' && b.kind !== 'vlm') {
    const first = c.returns[0]?.span;
    const last = c.returns[c.returns.length - 1]?.span;
    sink.error('B0210', `RETURNS is only for LLM and VLM steps, not ${b.kind.toUpperCase()}`, first && last ? { start: first.start, end: last.end } : b.span);
  }
  const returns = c.returns && (b.kind === 'llm' || b.kind === 'vlm') ? await bindReturns(c.returns, scope.env, sink) : undefined;
  const decoding = bindDecoding(c.with ?? [], b.kind, sink);
  for (const d of diags) sink.add(d);
  if (!model) return undefined;
  const common = { ...base, model, prompt, decoding, ...(system ? { system } : {}), ...(systemPrompt ? { systemPrompt } : {}) };
  switch (b.kind) {
    case 'llm':
      return { ...common, kind: 'llm', ...(returns ? { returns } : {}) };
    case 'vlm': {
      const image = c.image ? bindImageSource(c.image, base, scope, sink, resolve, edges, c.forEach !== undefined && !base.forEach) : undefined;
      return image ? { ...common, kind: 'vlm', image, ...(returns ? { returns } : {}) } : undefined;
    }
    case 'embed':
      return { ...common, kind: 'embed' };
    case 'image':
      return { ...common, kind: 'image' };
    default:
      return assertNever(b.kind, 'model step');
  }
}

function bindModelRef(id: Ident, stepKind: ModelStepBody['kind'], catalog: CatalogSnapshot, sink: DiagnosticSink): ModelRef | undefined {
  const m = catalog.models.get(id.name);
  if (!m) {
    sink.error('B0102', `unknown model '${id.name}'`, id.span, { help: didYouMean(id.name, catalog.models.keys()) ?? 'declare it with CREATE MODEL' });
    return undefined;
  }
  const want = MODEL_KIND_FOR[stepKind];
  if (m.kind !== want) {
    sink.error('B0103', `model '${id.name}' has KIND ${m.kind}; ${article(stepKind)} step needs a model of KIND ${want}`, id.span);
    return undefined;
  }
  return { name: m.name, kind: m.kind, endpoint: m.endpoint, modelName: m.modelName, paramsB: m.paramsB ?? 8, version: m.version };
}

/** IMAGE source: a column of the FOR EACH row holding a key, a FETCH or IMAGE step, or a key template. */
function bindImageSource(v: ValueRef, base: { name: string; forEach?: string }, scope: StepScope, sink: DiagnosticSink, resolve: Resolver, edges: SpannedEdge[], quiet: boolean): ImageSource | undefined {
  if (v.kind === 'string') {
    const diags: Diagnostic[] = [];
    const key = resolveValueRef(v, resolve, 'image', diags);
    for (const d of diags) sink.add(d);
    return { kind: 'key', key };
  }
  const rowCols = base.forEach ? (scope.columns.get(base.forEach) ?? []).map((c) => c.name.toLowerCase()) : [];
  if (rowCols.includes(v.name)) return { kind: 'key', key: [{ kind: 'column', name: v.name, span: v.span }] };
  const decl = scope.decls.get(v.name);
  if (decl) {
    if (decl.body.kind !== 'fetch' && decl.body.kind !== 'image') {
      sink.error('B0218', `IMAGE source '${v.name}' is ${article(decl.body.kind)} step; use a FETCH or IMAGE step or a column holding an object key`, v.span);
      return undefined;
    }
    if (v.name === base.name) return undefined;
    edges.push({ from: v.name, to: base.name, via: 'image', span: v.span });
    return { kind: 'step', step: v.name };
  }
  if (scope.params.some((p) => p.name === v.name)) return { kind: 'key', key: [{ kind: 'param', name: v.name, span: v.span }] };
  if (quiet) return undefined;
  sink.error('B0206', `unknown IMAGE source '${v.name}': not a column${base.forEach ? ` of '${base.forEach}'` : ''}, a parameter or a step`, v.span, {
    help: didYouMean(v.name, [...rowCols, ...scope.params.map((p) => p.name), ...scope.decls.keys()]),
  });
  return undefined;
}
