// The rewrite driver and its rules: node_absorption folds formats into their readers without
// changing any rendered prompt; merkle_dedup then merges chains that differ only in labels; the
// driver records a trace, resolves aliases to kept actions and refuses a rule that breaks the DAG.
import { describe, expect, it } from 'vitest';
import type { Action, ActionDag, ActionId, ImageInput } from '../../src/ir/action-dag.ts';
import type { ModelRef } from '../../src/ir/common.ts';
import { rewriteDag } from '../../src/optimizer/rewrite.ts';
import { nodeAbsorption } from '../../src/optimizer/rules/node-absorption.ts';
import { merkleDedup } from '../../src/optimizer/rules/merkle-dedup.ts';
import { prefixConsolidation } from '../../src/optimizer/rules/prefix-consolidation.ts';
import { vlmSplitting } from '../../src/optimizer/rules/vlm-splitting.ts';
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
      ['prefix_consolidation', 9, 9, 6, 6],
      ['merkle_dedup', 9, 6, 6, 4],
    ]);
    // Each entry keeps the DAG its rule returned (for EXPLAIN VERBOSE): the last one is the result itself.
    expect(r.trace.map((t) => t.dag.actions.length)).toEqual([9, 9, 6]);
    expect(r.trace[0]?.dag.actions.some((a) => a.kind === 'format')).toBe(false);
    expect(r.trace.at(-1)?.dag).toBe(r.dag);
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

const llava: ModelRef = { name: 'llava', kind: 'vlm', endpoint: 'sim://', modelName: 'llava-hf/llava-1.5-7b-hf', paramsB: 7, version: 1 };
const qwenVl: ModelRef = { name: 'qwen2_vl', kind: 'vlm', endpoint: 'sim://', modelName: 'Qwen/Qwen2-VL-7B-Instruct', paramsB: 7, version: 1 };

/** VLM calls: v0/v1 ask two questions of charts/a.png, v2 of charts/b.png, v3 of a.png on another model; f0/f1 fetch c.png twice and v4/v5 read them. */
function vlmBatch(temperature = 0): ActionDag {
  const vlm = (id: string, input: number, m: ModelRef, image: ImageInput, q: string, deps: string[] = []): Action =>
    ({ kind: 'vlm', id, step: 'look', input, deps, model: m, decoding: { ...decoding, temperature }, system: [], prompt: [{ kind: 'text', text: q }], image });
  const actions: Action[] = [
    vlm('v0', 0, llava, { kind: 'object', key: 'charts/a.png' }, 'Describe'),
    vlm('v1', 0, llava, { kind: 'object', key: 'charts/a.png' }, 'Rate'),
    vlm('v2', 1, llava, { kind: 'object', key: 'charts/b.png' }, 'Describe'),
    vlm('v3', 1, qwenVl, { kind: 'object', key: 'charts/a.png' }, 'Describe'),
    { kind: 'fetch', id: 'f0', step: 'get', input: 2, deps: [], key: 'charts/c.png' },
    { kind: 'fetch', id: 'f1', step: 'get', input: 3, deps: [], key: 'charts/c.png' },
    vlm('v4', 2, llava, { kind: 'ref', action: 'f0' }, 'Describe', ['f0']),
    vlm('v5', 3, llava, { kind: 'ref', action: 'f1' }, 'Rate', ['f1']),
  ];
  return { kind: 'action_dag', source: 't', inputs: [0, 1, 2, 3].map((i) => ({ index: i, values: {}, outputs: actions.filter((a) => a.input === i && a.kind === 'vlm').map((a) => a.id) })), actions };
}

describe('vlm_splitting', () => {
  it('splits only calls of one model sharing an image (by signature); each keeps its id and request', () => {
    const dag = vlmBatch();
    const out = vlmSplitting.apply(dag, { alias: () => undefined, absorb: () => undefined });
    const kinds = Object.fromEntries(out.actions.map((a) => [a.id, a.kind]));
    // v2 (its own image) and v3 (same image, another model) stay whole; f0 and f1 fetch the same key.
    expect(kinds).toEqual({
      'v0~encode': 'vlm_encode', v0: 'vlm_reason', 'v1~encode': 'vlm_encode', v1: 'vlm_reason', v2: 'vlm', v3: 'vlm',
      f0: 'fetch', f1: 'fetch', 'v4~encode': 'vlm_encode', v4: 'vlm_reason', 'v5~encode': 'vlm_encode', v5: 'vlm_reason',
    });
    const v0 = out.actions.find((a) => a.id === 'v0');
    const before = dag.actions.find((a) => a.id === 'v0');
    if (v0?.kind !== 'vlm_reason' || before?.kind !== 'vlm') throw new Error('fixture');
    expect([v0.encoded, v0.prompt, v0.system, v0.decoding, v0.model]).toEqual(['v0~encode', before.prompt, before.system, before.decoding, before.model]);
    const e4 = out.actions.find((a) => a.id === 'v4~encode');
    expect(e4?.kind === 'vlm_encode' ? [e4.image, e4.deps, e4.model.name] : undefined).toEqual([{ kind: 'ref', action: 'f0' }, ['f0'], 'llava']);
    expect(vlmSplitting.apply(out, { alias: () => undefined, absorb: () => undefined })).toBe(out);
  });

  it('with merkle_dedup: one encode per (model, image), the reasoning calls all kept', () => {
    const r = rewriteDag(vlmBatch());
    const ids = r.dag.actions.map((a) => `${a.kind}:${a.id}`);
    expect(ids).toEqual(['vlm_encode:v0~encode', 'vlm_reason:v0', 'vlm_reason:v1', 'vlm:v2', 'vlm:v3', 'fetch:f0', 'vlm_encode:v4~encode', 'vlm_reason:v4', 'vlm_reason:v5']);
    const v1 = r.dag.actions.find((a) => a.id === 'v1');
    expect(v1?.kind === 'vlm_reason' ? [v1.encoded, v1.deps] : undefined).toEqual(['v0~encode', ['v0~encode']]);
    expect(Object.fromEntries(r.aliases)).toEqual({ 'v1~encode': 'v0~encode', f1: 'f0', 'v5~encode': 'v4~encode' });
    expect(r.trace.map((t) => [t.rule, t.callsBefore, t.callsAfter])).toEqual([['vlm_splitting', 6, 6], ['merkle_dedup', 6, 6]]);
  });

  it('splits sampling calls too (the encode is deterministic), but never merges their reasoning', () => {
    const r = rewriteDag(vlmBatch(0.8));
    expect(r.dag.actions.filter((a) => a.kind === 'vlm_reason').map((a) => a.id)).toEqual(['v0', 'v1', 'v4', 'v5']);
    expect(r.dag.actions.filter((a) => a.kind === 'vlm_encode').map((a) => a.id)).toEqual(['v0~encode', 'v4~encode']);
  });

  it('leaves a batch whose images are each read once alone', () => {
    const dag = vlmBatch();
    const single: ActionDag = { ...dag, actions: dag.actions.filter((a) => a.id === 'v0' || a.id === 'v2' || a.id === 'v3') };
    expect(vlmSplitting.apply(single, { alias: () => undefined, absorb: () => undefined })).toBe(single);
  });
});

describe('vlm_splitting and equal calls', () => {
  it('leaves identical calls on one image to merkle_dedup (nothing to split once they merge)', () => {
    const dag = vlmBatch();
    const actions = dag.actions.filter((a) => a.id === 'f0' || a.id === 'f1' || a.id === 'v4').concat(dag.actions.filter((a) => a.id === 'v4').map((a) => ({ ...a, id: 'v6', input: 3, deps: ['f1'], image: { kind: 'ref', action: 'f1' } }) as Action));
    const twins: ActionDag = { ...dag, actions, inputs: [{ index: 2, values: {}, outputs: ['v4'] }, { index: 3, values: {}, outputs: ['v6'] }] };
    expect(vlmSplitting.apply(twins, { alias: () => undefined, absorb: () => undefined })).toBe(twins);
    const r = rewriteDag(twins);
    expect(r.dag.actions.map((a) => `${a.kind}:${a.id}`)).toEqual(['fetch:f0', 'vlm:v4']);
  });
});

describe('prefix_consolidation', () => {
  it('joins text and bound values between references; every prompt renders byte-identically', () => {
    const dag = nodeAbsorption.apply(chains(['AAPL', 'MSFT']), { alias: () => undefined, absorb: () => undefined });
    const out = prefixConsolidation.apply(dag, { alias: () => undefined, absorb: () => undefined });
    const a0 = out.actions.find((a) => a.id === 'a0');
    // "AAPL", "\n", "Rows:\n" (the absorbed format's text) are one run now, then the table.
    expect(a0?.kind === 'llm' ? a0.prompt : undefined).toEqual([{ kind: 'text', text: 'AAPL\nRows:\n' }, { kind: 'ref', action: 's0', render: 'table' }]);
    const outputs = new Map<ActionId, ActionOutput>([
      ['s0', outputOf([tableBatch(batchFromRows([{ name: 'x', type: 'INTEGER' }], [[1]]))])],
      ['s1', outputOf([tableBatch(batchFromRows([{ name: 'x', type: 'INTEGER' }], [[2]]))])],
      ['a0', outputOf([textBatch('up')])],
      ['a1', outputOf([textBatch('down')])],
    ]);
    for (const b of out.actions) {
      const a = dag.actions.find((x) => x.id === b.id);
      if (!a || a.kind !== 'llm' || b.kind !== 'llm') continue;
      expect(renderSegments(b.prompt, outputs)).toBe(renderSegments(a.prompt, outputs));
      expect(b.prompt.some((s, i) => i > 0 && s.kind !== 'ref' && b.prompt[i - 1]?.kind !== 'ref')).toBe(false);
    }
    expect(prefixConsolidation.apply(out, { alias: () => undefined, absorb: () => undefined })).toBe(out);
  });
});
