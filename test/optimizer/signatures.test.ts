// Merkle dedup (ALGORITHMS.md §1): chains that differ only in labels merge and cascade; nothing
// non-deterministic merges; signatures ignore dependency and action order; two outputs are aliased,
// never merged; a hash match is confirmed structurally; the rewritten DAG stays well formed.
import { describe, expect, it } from 'vitest';
import { InternalError } from '../../src/diag/diagnostic.ts';
import type { Action, ActionDag, ActionId, LlmAction } from '../../src/ir/action-dag.ts';
import { computeSignatures, dedupDag } from '../../src/optimizer/signatures.ts';
import { dagOf, GREEDY, llm, ref, shuffleTopologically, text, tradingChain } from './fixtures.ts';

/** Two copies of the trading chain for one symbol, as inputs 0 and 1, with every label different. */
function twoChains(opts: { symbolB?: string; temperature?: number; seed?: number } = {}): ActionDag {
  const decoding = { ...GREEDY, temperature: opts.temperature ?? 0, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
  const a = tradingChain({ prefix: 'a.', input: 0, spanAt: 10 }, { symbol: 'ACME', analystDecoding: decoding });
  const b = tradingChain({ prefix: 'b.', input: 1, param: 'ticker', spanAt: 500 }, { symbol: opts.symbolB ?? 'ACME', analystDecoding: decoding });
  return dagOf([...a.actions, ...b.actions], [[a.trader], [b.trader]]);
}

const STEPS = ['fund', 'fund:md', 'analyst', 'bull', 'bear', 'trader'];

/** Checks what every rewrite must keep: unique ids, topological order, references among kept actions. */
function expectWellFormed(dag: ActionDag): void {
  const seen = new Set<ActionId>();
  for (const a of dag.actions) {
    expect(seen.has(a.id)).toBe(false);
    for (const d of a.deps) expect(seen.has(d), `${a.id} → ${d}`).toBe(true);
    const refs = 'prompt' in a ? [...a.system, ...a.prompt] : a.kind === 'format' ? a.parts : [];
    for (const s of refs) if (s.kind === 'ref') expect(a.deps).toContain(s.action);
    seen.add(a.id);
  }
  for (const s of dag.inputs) for (const o of s.outputs) expect(seen.has(o)).toBe(true);
}

describe('computeSignatures', () => {
  it('gives two trading chains that differ only in labels the same signatures, step by step', () => {
    const sig = computeSignatures(twoChains()).signature;
    for (const s of STEPS) expect(sig.get(`b.${s}`), s).toBe(sig.get(`a.${s}`));
    expect(new Set(STEPS.map((s) => sig.get(`a.${s}`))).size).toBe(STEPS.length);
  });

  it('cascades: a different SQL parameter changes every signature downstream of it', () => {
    const sig = computeSignatures(twoChains({ symbolB: 'OTHR' })).signature;
    for (const s of STEPS) expect(sig.get(`b.${s}`), s).not.toBe(sig.get(`a.${s}`));
    // The markdown action is structurally identical in both chains: only its input differs.
    const md = twoChains({ symbolB: 'OTHR' }).actions.filter((a) => a.kind === 'format').map((a) => (a.kind === 'format' ? a.parts.length : 0));
    expect(md).toEqual([1, 1]);
  });

  it('gives every sampling call (temperature > 0, no seed) a signature of its own', () => {
    const { signature, deterministic } = computeSignatures(twoChains({ temperature: 0.7 }));
    expect(signature.get('b.fund:md')).toBe(signature.get('a.fund:md'));
    for (const s of ['analyst', 'bull', 'bear', 'trader']) expect(signature.get(`b.${s}`), s).not.toBe(signature.get(`a.${s}`));
    expect(deterministic.has('a.analyst')).toBe(false);
    expect(deterministic.has('a.bull')).toBe(true);
  });

  it('does not change when dependencies are declared in another order', () => {
    const dag = twoChains();
    const reversed: ActionDag = { ...dag, actions: dag.actions.map((a) => ({ ...a, deps: [...a.deps].reverse() }) as Action) };
    expect(reversed.actions.some((a, i) => a.deps.join() !== dag.actions[i]?.deps.join())).toBe(true);
    expect([...computeSignatures(reversed).signature]).toEqual([...computeSignatures(dag).signature]);
  });

  it('does not change when actions are listed in another topological order', () => {
    const dag = twoChains({ temperature: 0.5 });
    const base = computeSignatures(dag).signature;
    for (let seed = 1; seed <= 20; seed++) {
      const other = shuffleTopologically(dag, seed);
      const sig = computeSignatures(other).signature;
      for (const [id, s] of base) expect(sig.get(id), `seed ${seed}, ${id}`).toBe(s);
    }
  });

  it('ignores ordering-only dependencies but not the outputs a prompt reads', () => {
    const x = llm('x', 0, [text('hello')]);
    const y = llm('y', 0, [text('hello')], { deps: ['input', 'x'] });
    const z = llm('z', 0, [text('hello '), ref('x')]);
    const sig = computeSignatures(dagOf([x, y, z], [['z']])).signature;
    expect(sig.get('y')).toBe(sig.get('x'));
    expect(sig.get('z')).not.toBe(sig.get('x'));
  });

  it('confirms a hash match structurally: a colliding hash never merges different actions', () => {
    const dag = dagOf([llm('p', 0, [text('one')]), llm('q', 0, [text('two')]), llm('r', 0, [text('one')])], [['p', 'q', 'r']]);
    const { signature, representative } = computeSignatures(dag, { hash: () => 'h' });
    expect(new Set([signature.get('input'), signature.get('p'), signature.get('q')]).size).toBe(3);
    expect(signature.get('r')).toBe(signature.get('p'));
    expect(representative.get('r')).toBe('p');
    expect(representative.get('q')).toBe('q');
  });

  it('separates the sampling calls of two DAGs by scope', () => {
    const dag = twoChains({ temperature: 1 });
    const one = computeSignatures(dag, { scope: 'batch-1' }).signature;
    const two = computeSignatures(dag, { scope: 'batch-2' }).signature;
    expect(two.get('a.fund')).toBe(one.get('a.fund'));
    expect(two.get('a.analyst')).not.toBe(one.get('a.analyst'));
    expect(two.get('a.trader')).not.toBe(one.get('a.trader'));
  });

  it('rejects a DAG that is not in topological order', () => {
    const dag = dagOf([llm('late', 0, [text('x')]), llm('early', 0, [ref('late')])], [['early']]);
    const swapped: ActionDag = { ...dag, actions: [dag.actions[0], dag.actions[2], dag.actions[1]].filter((a): a is Action => a !== undefined) };
    expect(() => computeSignatures(swapped)).toThrow(InternalError);
    expect(() => computeSignatures({ ...dag, actions: [...dag.actions, dag.actions[1] as Action] })).toThrow(/appears twice/);
  });
});

describe('dedupDag', () => {
  it('merges two label-different trading chains and aliases their two outputs', () => {
    const dag = twoChains();
    const r = dedupDag(dag);
    expect(r.merged).toBe(5);
    expect([...r.aliases]).toEqual([['b.trader', 'a.trader']]);
    expect(r.dag.actions.map((a) => a.id)).toEqual(['input', ...STEPS.map((s) => `a.${s}`), 'b.trader']);
    // The alias reads what the original trader reads.
    const alias = r.dag.actions.find((a): a is LlmAction => a.id === 'b.trader' && a.kind === 'llm');
    expect(alias?.deps).toEqual(['a.bull', 'a.bear']);
    expect(r.dag.inputs.map((s) => s.outputs)).toEqual([['a.trader'], ['b.trader']]);
    expect(r.canonical.get('b.analyst')).toBe('a.analyst');
    expect(r.canonical.get('b.trader')).toBe('b.trader');
    expectWellFormed(r.dag);
  });

  it('merges two chains inside one input completely and rewires their reader', () => {
    const a = tradingChain({ prefix: 'a.', input: 0 }, { symbol: 'ACME' });
    const b = tradingChain({ prefix: 'b.', input: 0, param: 'ticker' }, { symbol: 'ACME' });
    const decision = llm('decision', 0, [text('A: '), ref(a.trader), text('\nB: '), ref(b.trader)]);
    const r = dedupDag(dagOf([...a.actions, ...b.actions, decision], [['decision']]));
    expect(r.merged).toBe(6);
    expect(r.aliases.size).toBe(0);
    const d = r.dag.actions.find((x) => x.id === 'decision');
    expect(d?.deps).toEqual(['a.trader']);
    expect(d?.kind === 'llm' && d.prompt.filter((s) => s.kind === 'ref').map((s) => (s.kind === 'ref' ? s.action : ''))).toEqual(['a.trader', 'a.trader']);
    expectWellFormed(r.dag);
  });

  it('merges nothing at temperature > 0 except the deterministic steps before it', () => {
    const r = dedupDag(twoChains({ temperature: 0.7 }));
    expect(r.merged).toBe(2);
    expect([...r.canonical].filter(([k, v]) => k !== v)).toEqual([['b.fund', 'a.fund'], ['b.fund:md', 'a.fund:md']]);
    expect(r.aliases.size).toBe(0);
    expectWellFormed(r.dag);
  });

  it('merges sampling calls with a fixed seed', () => {
    const r = dedupDag(twoChains({ temperature: 0.7, seed: 42 }));
    expect(r.merged).toBe(5);
  });

  it('cascades through sql → format → llm and stops where the SQL differs', () => {
    expect(dedupDag(twoChains()).merged).toBe(5);
    const r = dedupDag(twoChains({ symbolB: 'OTHR' }));
    expect(r.merged).toBe(0);
    expect(r.aliases.size).toBe(0);
  });

  it('returns the same DAG object when nothing merges, and is idempotent', () => {
    const distinct = twoChains({ symbolB: 'OTHR' });
    expect(dedupDag(distinct).dag).toBe(distinct);
    const once = dedupDag(twoChains()).dag;
    const twice = dedupDag(once);
    expect(twice.merged).toBe(0);
    expect(twice.dag).toBe(once);
  });

  it('merges an output into an equal non-output, then aliases the next equal output', () => {
    const x = llm('x', 0, [text('same')]);
    const user = llm('user', 0, [ref('x'), text('!')]);
    const o1 = llm('o1', 1, [text('same')]);
    const o2 = llm('o2', 2, [text('same')]);
    const r = dedupDag(dagOf([x, user, o1, o2], [['user'], ['o1'], ['o2']]));
    expect(r.canonical.get('o1')).toBe('x');
    expect([...r.aliases]).toEqual([['o2', 'x']]);
    expect(r.dag.inputs.map((s) => s.outputs)).toEqual([['user'], ['x'], ['o2']]);
    expect(r.dag.actions.map((a) => a.id)).toEqual(['input', 'x', 'user', 'o2']);
  });

  it('never merges two outputs of one input either', () => {
    const r = dedupDag(dagOf([llm('p', 0, [text('t')]), llm('q', 0, [text('t')])], [['p', 'q']]));
    expect(r.merged).toBe(0);
    expect([...r.aliases]).toEqual([['q', 'p']]);
    expect(r.dag.inputs[0]?.outputs).toEqual(['p', 'q']);
  });

  it('keeps every kept action topologically ordered after merging a shuffled DAG', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = dedupDag(shuffleTopologically(twoChains(), seed));
      expect(r.merged).toBe(5);
      expect(r.aliases.size).toBe(1);
      expectWellFormed(r.dag);
    }
  });
});
