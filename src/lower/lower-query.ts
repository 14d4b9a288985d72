// Lowers a bound query's call sites into one ActionDag: each site's input query runs in DuckDB, then
// a workflow instantiates per input row and a model function becomes one call per row (or group).
// With several call sites, action ids are prefixed with the site number so they stay unique.
import type { BoundQuery, CallSite } from '../bind/bind-query.ts';
import type { FunctionSite, MapSite } from '../bind/bind-function-site.ts';
import type { Action, ActionDag, InputSlice, PromptSegment } from '../ir/action-dag.ts';
import { valueText } from '../ir/markdown.ts';
import type { Rows, Value } from '../storage/duckdb.ts';
import { UserError } from '../diag/diagnostic.ts';
import { duckdbDiagnostic } from '../bind/duckdb-error.ts';
import type { DataProbe } from './data-probe.ts';
import { lowerWorkflow } from './lower-workflow.ts';

/** Instantiates every call site of the query over its input rows. */
export async function lowerQuery(bound: BoundQuery, probe: DataProbe): Promise<ActionDag> {
  const dags: ActionDag[] = [];
  for (const site of bound.sites) dags.push(await lowerSite(site, probe));
  if (dags.length === 1 && dags[0]) return dags[0];
  return combine(dags);
}

/** Instantiates one call site. */
export async function lowerSite(site: CallSite, probe: DataProbe): Promise<ActionDag> {
  let input: Rows;
  try {
    input = await probe.query(site.inputSql);
  } catch (e) {
    // The input query bound, so this is a data error (e.g. a scalar subquery returning many rows).
    const d = duckdbDiagnostic(e, site.inputSql, undefined, site.span, 'while computing the input rows of this call');
    const many = /more than one row returned by a subquery/i.test(d.message);
    throw new UserError([many ? { ...d, help: 'a workflow argument takes one value per row; to run over many rows use a table in FROM or run_workflow(name, (SELECT ...))' } : d]);
  }
  if (site.kind === 'workflow') {
    return lowerWorkflow(site.graph, input.rows, { sql: site.inputSql, span: site.span }, probe);
  }
  return lowerFunction(site, input);
}

function lowerFunction(site: FunctionSite | MapSite, input: Rows): ActionDag {
  const label = site.kind === 'llm_map' ? 'llm_map' : site.fn;
  const actions: Action[] = [{ kind: 'sql', id: 'input', step: '<input>', input: null, deps: [], sql: site.inputSql, params: {}, rows: input.rows.length, span: site.span }];
  const inputs: InputSlice[] = [];
  const col = new Map(input.columns.map((c, i) => [c.name, i]));
  input.rows.forEach((row, i) => {
    const get = (name: string): Value => row[col.get(name) ?? -1] ?? null;
    const values: Record<string, Value> = Object.fromEntries(input.columns.map((c, j) => [c.name, row[j] ?? null]));
    const prompt: PromptSegment[] = site.prompt.map((p) => (p.kind === 'text' ? { kind: 'text', text: p.text } : { kind: 'value', name: p.name, value: render(get(p.name)) }));
    const system: PromptSegment[] = site.system !== undefined ? [{ kind: 'text', text: site.system }] : [];
    const id = `${label}#${i}`;
    const common = { id, step: label, input: i, deps: ['input'], span: site.span, model: site.model, system, prompt, decoding: site.decoding };
    if (site.kind === 'function' && site.fn === 'vlm') {
      actions.push({ ...common, kind: 'vlm', image: { kind: 'object', key: valueText(get(site.imageColumn ?? 'image')) }, ...(site.returns ? { returns: site.returns } : {}) });
    } else if (site.kind === 'function' && site.fn === 'embed') {
      actions.push({ ...common, kind: 'embed' });
    } else {
      actions.push({ ...common, kind: 'llm', ...(site.returns ? { returns: site.returns } : {}) });
    }
    inputs.push({ index: i, values, outputs: [id] });
  });
  return { kind: 'action_dag', source: `${label}()`, inputs, actions };
}

/** Aggregated values render as a bullet list; other values as text. */
function render(v: Value): string {
  if (Array.isArray(v)) return v.map((x) => `- ${valueText(x as Value)}`).join('\n');
  return valueText(v);
}

/** Several sites in one statement: one DAG, ids prefixed by site ("s2/..."). */
function combine(dags: readonly ActionDag[]): ActionDag {
  const actions: Action[] = [];
  const inputs: InputSlice[] = [];
  dags.forEach((d, k) => {
    const p = (id: string): string => `s${k + 1}/${id}`;
    for (const a of d.actions) actions.push(prefixAction(a, p));
    for (const s of d.inputs) inputs.push({ ...s, index: inputs.length, outputs: s.outputs.map(p) });
  });
  return { kind: 'action_dag', source: dags.map((d) => d.source).join(' + '), inputs, actions };
}

function prefixAction(a: Action, p: (id: string) => string): Action {
  const seg = (s: PromptSegment): PromptSegment => (s.kind === 'ref' ? { ...s, action: p(s.action) } : s);
  const base = { ...a, id: p(a.id), deps: a.deps.map(p) };
  switch (base.kind) {
    case 'format':
      return { ...base, parts: base.parts.map(seg) };
    case 'llm':
    case 'embed':
    case 'image':
      return { ...base, system: base.system.map(seg), prompt: base.prompt.map(seg) };
    case 'vlm':
      return { ...base, system: base.system.map(seg), prompt: base.prompt.map(seg), image: base.image.kind === 'ref' ? { kind: 'ref', action: p(base.image.action) } : base.image };
    case 'vlm_reason':
      return { ...base, system: base.system.map(seg), prompt: base.prompt.map(seg), encoded: p(base.encoded) };
    case 'vlm_encode':
      return { ...base, image: base.image.kind === 'ref' ? { kind: 'ref', action: p(base.image.action) } : base.image };
    case 'sql':
    case 'fetch':
      return base;
  }
}
