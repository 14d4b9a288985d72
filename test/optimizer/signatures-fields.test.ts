// Pins what a signature covers: every label (ids, step names, input/row/round/speaker, spans, bound
// parameter names, estimates, ordering-only deps, how text is split into segments) leaves it alone;
// every field that changes an output changes it. Also: per-kind determinism and normalized decoding.
import { describe, expect, it } from 'vitest';
import type { Action, FetchAction, FormatAction, ImageAction, SqlAction, VlmAction } from '../../src/ir/action-dag.ts';
import { computeSignatures, isMergeable } from '../../src/optimizer/signatures.ts';
import { dagOf, GREEDY, INPUT, llm, QWEN, ref, text, value } from './fixtures.ts';

/** Two sources an action may read, with different outputs. */
const SRC_A = llm('src_a', 0, [text('source a')]);
const SRC_B = llm('src_b', 0, [text('source b')]);

/** The signature of `a` placed after the two sources. */
function sigOf(a: Action): string {
  return computeSignatures(dagOf([SRC_A, SRC_B, a], [[a.id]])).signature.get(a.id) ?? '';
}

const CALL = llm('call#0', 0, [text('Ticker: '), value('symbol', 'ACME'), text('\nData:\n'), ref('src_a')], {
  system: [text('You are an analyst.')],
  returns: { columns: [{ name: 'action', type: 'VARCHAR', check: "action IN ('BUY','SELL')" }] },
});

const SQL: SqlAction = { kind: 'sql', id: 'q#0', step: 'q', input: 0, deps: ['input'], sql: 'SELECT 1 WHERE $s = $s', params: { s: 'ACME' }, paramTypes: { s: 'VARCHAR' }, rows: 1, tokens: 9 };
const FETCH: FetchAction = { kind: 'fetch', id: 'f#0', step: 'f', input: 0, deps: ['input'], key: 'charts/ACME/1.png', objects: 1 };
const FORMAT: FormatAction = { kind: 'format', id: 'm#0', step: 'm', input: 0, deps: ['src_a'], format: 'markdown_table', parts: [ref('src_a', 'table')] };
const VLM: VlmAction = { kind: 'vlm', id: 'v#0', step: 'v', input: 0, deps: ['input'], model: { ...QWEN, name: 'llava', kind: 'vlm' }, system: [], prompt: [text('Describe.')], decoding: GREEDY, image: { kind: 'object', key: 'a.png' } };
const IMAGE: ImageAction = { kind: 'image', id: 'i#0', step: 'i', input: 0, deps: ['input'], model: { ...QWEN, name: 'zimage', kind: 'diffusion' }, system: [], prompt: [text('A chart.')], decoding: { ...GREEDY, seed: 7, width: 512, height: 512 } };

describe('signature labels (never in a signature)', () => {
  const labels: readonly [string, Action][] = [
    ['id', { ...CALL, id: 'renamed' }],
    ['step name', { ...CALL, step: 'other_step' }],
    ['input index', { ...CALL, input: 7 }],
    ['row, round and speaker', { ...CALL, row: 3, round: 2, speaker: 'bull' }],
    ['span', { ...CALL, span: { start: 5, end: 9 } }],
    ['bound parameter name', { ...CALL, prompt: [text('Ticker: '), value('ticker', 'ACME'), text('\nData:\n'), ref('src_a')] }],
    ['how text and values are split', { ...CALL, prompt: [text('Ticker: ACME'), text('\nData:'), value('nl', '\n'), ref('src_a')] }],
    ['an ordering-only dependency', { ...CALL, deps: ['src_a', 'src_b', 'input'] }],
    ['catalog size figures of the model', { ...CALL, model: { ...QWEN, paramsB: 70 } }],
    ['seed and top_p under greedy decoding', { ...CALL, decoding: { ...GREEDY, seed: 3, topP: 0.9 } }],
  ];
  for (const [what, changed] of labels) {
    it(`ignores the ${what}`, () => expect(sigOf(changed)).toBe(sigOf(CALL)));
  }
  it('ignores plan-time estimates of SQL and FETCH', () => {
    expect(sigOf({ ...SQL, rows: 100, tokens: 1000 })).toBe(sigOf(SQL));
    expect(sigOf({ ...FETCH, objects: 3 })).toBe(sigOf(FETCH));
  });
});

describe('signature content (always in a signature)', () => {
  const contents: readonly [string, Action, Action][] = [
    ['model name', CALL, { ...CALL, model: { ...QWEN, name: 'qwen3_32b' } }],
    ['model version', CALL, { ...CALL, model: { ...QWEN, version: 2 } }],
    ['model endpoint', CALL, { ...CALL, model: { ...QWEN, endpoint: 'http://gpu:8000/v1' } }],
    ['served model name', CALL, { ...CALL, model: { ...QWEN, modelName: 'Qwen/Qwen3-8B-AWQ' } }],
    ['max tokens', CALL, { ...CALL, decoding: { ...GREEDY, maxTokens: 10 } }],
    ['system text', CALL, { ...CALL, system: [text('You are a trader.')] }],
    ['prompt text', CALL, { ...CALL, prompt: [text('Ticker:  '), value('symbol', 'ACME'), text('\nData:\n'), ref('src_a')] }],
    ['bound value', CALL, { ...CALL, prompt: [text('Ticker: '), value('symbol', 'ACMF'), text('\nData:\n'), ref('src_a')] }],
    ['system versus prompt placement', CALL, { ...CALL, system: [], prompt: [text('You are an analyst.'), ...CALL.prompt] }],
    ['referenced action', CALL, { ...CALL, deps: ['src_b'], prompt: [text('Ticker: '), value('symbol', 'ACME'), text('\nData:\n'), ref('src_b')] }],
    ['render mode', CALL, { ...CALL, prompt: [text('Ticker: '), value('symbol', 'ACME'), text('\nData:\n'), ref('src_a', 'row')] }],
    ['referenced column', CALL, { ...CALL, prompt: [text('Ticker: '), value('symbol', 'ACME'), text('\nData:\n'), ref('src_a', 'text', 'why')] }],
    ['returns spec', CALL, { ...CALL, returns: { columns: [{ name: 'action', type: 'VARCHAR' }] } }],
    ['kind', CALL, { ...CALL, kind: 'embed' } as Action],
    ['SQL text', SQL, { ...SQL, sql: 'SELECT 2 WHERE $s = $s' }],
    ['SQL parameter', SQL, { ...SQL, params: { s: 'ACMF' } }],
    ['SQL parameter type', SQL, { ...SQL, paramTypes: { s: 'TEXT' } }],
    ['batch-level SQL (returns no rows)', SQL, { ...SQL, input: null }],
    ['fetch key', FETCH, { ...FETCH, key: 'charts/ACME/2.png' }],
    ['format kind', FORMAT, { ...FORMAT, format: 'transcript' }],
    ['format parts', FORMAT, { ...FORMAT, parts: [ref('src_a', 'table'), text('\n')] }],
    ['image key', VLM, { ...VLM, image: { kind: 'object', key: 'b.png' } }],
    ['image source', VLM, { ...VLM, deps: ['src_a'], image: { kind: 'ref', action: 'src_a' } }],
    ['diffusion seed', IMAGE, { ...IMAGE, decoding: { ...IMAGE.decoding, seed: 8 } }],
    ['diffusion size', IMAGE, { ...IMAGE, decoding: { ...IMAGE.decoding, width: 1024 } }],
  ];
  for (const [what, before, after] of contents) {
    it(`changes with the ${what}`, () => expect(sigOf(after)).not.toBe(sigOf(before)));
  }
  it('keeps SQL parameters under any key name, including __proto__ and span', () => {
    const proto = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    expect(sigOf({ ...SQL, params: proto })).not.toBe(sigOf({ ...SQL, params: {} }));
    expect(sigOf({ ...SQL, params: { span: 'a' } })).not.toBe(sigOf({ ...SQL, params: { span: 'b' } }));
  });
});

describe('determinism by kind', () => {
  it('merges sql, fetch, format and vlm_encode always; model calls at temperature 0 or with a seed', () => {
    expect([SQL, FETCH, FORMAT, INPUT].every(isMergeable)).toBe(true);
    expect(isMergeable({ kind: 'vlm_encode', id: 'e', step: 'e', input: 0, deps: [], model: VLM.model, image: VLM.image })).toBe(true);
    expect(isMergeable(CALL)).toBe(true);
    expect(isMergeable({ ...CALL, decoding: { ...GREEDY, temperature: 0.2 } })).toBe(false);
    expect(isMergeable({ ...CALL, decoding: { ...GREEDY, temperature: 0.2, seed: 1 } })).toBe(true);
    expect(isMergeable(VLM)).toBe(true);
  });

  it('merges image generation only with a fixed seed, whatever the temperature', () => {
    expect(isMergeable(IMAGE)).toBe(true);
    const { seed: _seed, ...unseeded } = IMAGE.decoding;
    expect(isMergeable({ ...IMAGE, decoding: unseeded })).toBe(false);
    const twins = dagOf([{ ...IMAGE, decoding: unseeded }, { ...IMAGE, id: 'i#1', decoding: unseeded }], [['i#0'], ['i#1']]);
    const sig = computeSignatures(twins).signature;
    expect(sig.get('i#1')).not.toBe(sig.get('i#0'));
  });
});
