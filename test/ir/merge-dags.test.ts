// prefixActionIds renames every id and every reference to one (deps, prompt/system/format refs,
// image refs, the encoded action, input outputs); concatDags refuses colliding ids.
import { describe, expect, it } from 'vitest';
import type { Action, ActionDag } from '../../src/ir/action-dag.ts';
import type { ModelRef } from '../../src/ir/common.ts';
import { concatDags, prefixActionIds } from '../../src/ir/merge-dags.ts';

const model: ModelRef = { name: 'llava', kind: 'vlm', endpoint: 'sim://', modelName: 'llava', paramsB: 7, version: 1 };
const decoding = { temperature: 0, maxTokens: 8 };

const actions: Action[] = [
  { kind: 'fetch', id: 'f', step: 'img', input: 0, deps: [], key: 'a.png' },
  { kind: 'sql', id: 's', step: 'q', input: 0, deps: [], sql: 'SELECT 1', params: {} },
  { kind: 'format', id: 't', step: 'tab', input: 0, deps: ['s'], format: 'markdown_table', parts: [{ kind: 'ref', action: 's', render: 'table' }] },
  { kind: 'vlm_encode', id: 'e', step: 'see', input: 0, deps: ['f'], model, image: { kind: 'ref', action: 'f' } },
  { kind: 'vlm_reason', id: 'r', step: 'see', input: 0, deps: ['e', 't'], model, encoded: 'e', decoding, system: [{ kind: 'ref', action: 't', render: 'text' }], prompt: [{ kind: 'text', text: 'x' }] },
  { kind: 'vlm', id: 'v', step: 'see2', input: 0, deps: ['f'], model, decoding, image: { kind: 'ref', action: 'f' }, system: [], prompt: [{ kind: 'ref', action: 'r', render: 'text' }] },
];
const dag: ActionDag = { kind: 'action_dag', source: 'w', inputs: [{ index: 0, values: {}, outputs: ['v'] }], actions };

describe('merging call sites', () => {
  it('prefixes every id and every reference', () => {
    const p = prefixActionIds(dag, 'c2/');
    const text = JSON.stringify(p);
    // Every quoted id occurrence is prefixed: no bare reference is left behind.
    for (const id of ['f', 's', 't', 'e', 'r', 'v']) expect(text).not.toMatch(new RegExp(`"${id}"`));
    expect(p.actions.map((a) => a.id)).toEqual(['c2/f', 'c2/s', 'c2/t', 'c2/e', 'c2/r', 'c2/v']);
    expect(p.inputs[0]?.outputs).toEqual(['c2/v']);
    const r = p.actions[4];
    expect(r?.kind === 'vlm_reason' ? [r.encoded, r.deps, r.system] : undefined).toEqual(['c2/e', ['c2/e', 'c2/t'], [{ kind: 'ref', action: 'c2/t', render: 'text' }]]);
    // Everything else is unchanged.
    expect(JSON.stringify(p).replaceAll('c2/', '')).toBe(JSON.stringify(dag));
  });

  it('concatenates prefixed DAGs and refuses colliding ids', () => {
    const all = concatDags('stmt', [prefixActionIds(dag, 'c1/'), prefixActionIds(dag, 'c2/')]);
    expect(all.actions).toHaveLength(12);
    expect(() => concatDags('stmt', [dag, dag])).toThrow(/collide/);
  });
});
