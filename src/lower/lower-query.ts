// Lowers one call site of a bound query into an ActionDag: its input query runs in DuckDB, then a
// workflow instantiates per input row and a model function becomes one call per row (or group).
import type { CallSite } from '../ir/bound-query.ts';
import type { FunctionSite, MapSite } from '../ir/bound-query.ts';
import type { Action, ActionDag, InputSlice, PromptSegment } from '../ir/action-dag.ts';
import { valueText } from '../ir/markdown.ts';
import type { Rows, Value } from '../ir/values.ts';
import { UserError } from '../diag/diagnostic.ts';
import { duckdbDiagnostic } from '../sql/duckdb-error.ts';
import type { DataProbe } from './data-probe.ts';
import { lowerWorkflow } from './lower-workflow.ts';

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
