// The rewrite driver and its rules: node_absorption folds formats into their readers without
// changing any rendered prompt; merkle_dedup then merges chains that differ only in labels; the
// driver records a trace, resolves aliases to kept actions and refuses a rule that breaks the DAG.
import { describe, expect, it } from 'vitest';
import type { Action, ActionDag, ActionId } from '../../src/ir/action-dag.ts';
import type { ModelRef } from '../../src/ir/common.ts';
import { rewriteDag } from '../../src/optimizer/rewrite.ts';
import { nodeAbsorption } from '../../src/optimizer/rules/node-absorption.ts';
import { merkleDedup } from '../../src/optimizer/rules/merkle-dedup.ts';
import type { Rule } from '../../src/optimizer/rules/rule.ts';
import { outputOf, tableBatch, textBatch, type ActionOutput } from '../../src/runtime/action-output.ts';
import { renderSegments } from '../../src/runtime/render-prompt.ts';
import { batchFromRows } from '../../src/storage/arrow.ts';

const model: ModelRef = { name: 'qwen3_8b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-8B', paramsB: 8, version: 1 };
const decoding = { temperature: 0, maxTokens: 16 };

/** Two inputs over the same symbol (ids differ), each sql → format → llm → llm. */
function chains(symbols: readonly string[], temperature = 0): ActionDag {
  const actions: Action[] = [];
  symbols.forEach((sym, i) => {
    actions.push({ kind: 'sql', id: `s${i}`, step: 'rows', input: i, deps: [], sql: 'SELECT 1 AS x WHERE $sym IS NOT NULL', params: { sym }, paramTypes: { sym: 'VARCHAR' } });
    actions.push({ kind: 'format', id: `f${i}`, step: 'table', input: i, deps: [`s${i}`], format: 'markdown_table', parts: [{ kind: 'text', text: 'Rows:\n' }, { kind: 'ref', action: `s${i}`, render: 'table' }] });
    actions.push({ kind: 'llm', id: `a${i}`, step: 'analyst', input: i, deps: [`f${i}`], model, decoding: { ...decoding, temperature }, system: [], prompt: [{ kind: 'value', name: 'symbol', value: sym }, { kind: 'text', text: '\n' }, { kind: 'ref', action: `f${i}`, render: 'text' }] });
    actions.push({ kind: 'llm', id: `b${i}`, step: 'judge', input: i, deps: [`a${i}`], model, decoding: { ...decoding, temperature }, system: [], prompt: [{ kind: 'text', text: 'Judge: ' }, { kind: 'ref', action: `a${i}`, render: 'text' }] });
  });
  return { kind: 'action_dag', source: 't', inputs: symbols.map((_, i) => ({ index: i, values: {}, outputs: [`b${i}`] })), actions };
}

describe('node_absorption', () => {
  it('renders every prompt exactly as before, with the format gone and its deps taken over', () => {
    const dag = chains(['AAPL', 'MSFT']);
    const absorbed = new Map<ActionId, ActionId>();
    const out = nodeAbsorption.apply(dag, { alias: () => undefined, absorb: (r, i) => void absorbed.set(r, i) });
    expect(out.actions.map((a) => a.id)).toEqual(['s0', 'a0', 'b0', 's1', 'a1', 'b1']);
    expect(absorbed).toEqual(new Map([['f0', 'a0'], ['f1', 'a1']]));
    const a0 = out.actions.find((a) => a.id === 'a0');
    expect(a0?.deps).toEqual(['s0']);
    // The same outputs give the same text before and after.
    const outputs = new Map<ActionId, ActionOutput>([
      ['s0', outputOf([tableBatch(batchFromRows([{ name: 'x', type: 'INTEGER' }], [[1], [2]]))])],
    ]);
    const before = dag.actions.find((a) => a.id === 'f0');
    if (before?.kind !== 'format') throw new Error('fixture');
    outputs.set('f0', outputOf([textBatch(renderSegments(before.parts, outputs))]));
    const original = dag.actions.find((a) => a.id === 'a0');
    if (original?.kind !== 'llm' || a0?.kind !== 'llm') throw new Error('fixture');
    expect(renderSegments(a0.prompt, outputs)).toBe(renderSegments(original.prompt, outputs));
    expect(renderSegments(a0.prompt, outputs)).toBe('AAPL\nRows:\n| x |\n| --- |\n| 1 |\n| 2 |');
  });

  it("keeps a format that is an input's output", () => {
    const dag = chains(['AAPL']);
    const withFormatOutput: ActionDag = { ...dag, inputs: [{ index: 0, values: {}, outputs: ['f0'] }] };
    expect(nodeAbsorption.apply(withFormatOutput, { alias: () => undefined, absorb: () => undefined })).toBe(withFormatOutput);
  });
});

describe('rewriteDag', () => {
  it('absorbs, then merges the repeated input whole; aliases resolve to kept actions; trace says so', () => {
    const r = rewriteDag(chains(['AAPL', 'AAPL', 'MSFT']));
    expect(r.dag.actions.map((a) => a.id)).toEqual(['s0', 'a0', 'b0', 's2', 'a2', 'b2']);
    expect(Object.fromEntries(r.aliases)).toEqual({ s1: 's0', a1: 'a0', b1: 'b0' });
    expect(Object.fromEntries(r.absorbed)).toEqual({ f0: 'a0', f1: 'a0', f2: 'a2' });
    expect(r.dag.inputs.map((s) => s.outputs)).toEqual([['b0'], ['b0'], ['b2']]);
    expect(r.trace.map((t) => [t.rule, t.actionsBefore, t.actionsAfter, t.callsBefore, t.callsAfter])).toEqual([
      ['node_absorption', 12, 9, 6, 6],
      ['merkle_dedup', 9, 6, 6, 4],
    ]);
  });

  it('merges nothing at temperature > 0 (only the deterministic SQL)', () => {
    const r = rewriteDag(chains(['AAPL', 'AAPL'], 0.7));
    expect(r.dag.actions.filter((a) => a.kind === 'llm')).toHaveLength(4);
    expect([...r.aliases.keys()]).toEqual(['s1']);
  });

  it('is the identity on a DAG with nothing to rewrite', () => {
    const dag: ActionDag = { kind: 'action_dag', source: 't', inputs: [], actions: [{ kind: 'sql', id: 'q', step: 's', input: 0, deps: [], sql: 'SELECT 1', params: {} }] };
    const r = rewriteDag(dag, [nodeAbsorption, merkleDedup]);
    expect(r.dag).toBe(dag);
    expect(r.trace).toEqual([]);
  });

  it('refuses a rule that leaves a reference without its dependency', () => {
    const broken: Rule = { name: 'broken', apply: (d) => ({ ...d, actions: d.actions.map((a) => (a.id === 'a0' ? { ...a, deps: [] } : a)) }) };
    expect(() => rewriteDag(chains(['AAPL']), [broken])).toThrow(/broken: 'a0' reads 'f0' without depending on it/);
  });
});
