// Convex contraction (ALGORITHMS.md §2): the diamond and long-path counterexamples stay acyclic,
// same-model chains merge, and on seeded random DAGs the quotient is acyclic with every edge
// inside a super-node or pointing forward.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/ir/action-dag.ts';
import type { ModelRef } from '../../src/ir/common.ts';
import { contractConvex, contractionKey, isConvex, type ContractNode } from '../../src/scheduler/contract.ts';
import { Prng } from '../../src/util/prng.ts';

const n = (id: string, deps: string[], key: string | null): ContractNode => ({ id, deps, key });

/** Group members by group, as sorted lists, for readable assertions. */
const groupsOf = (nodes: readonly ContractNode[]): string[][] => contractConvex(nodes).groups.map((g) => [...g.members]);

/** Checks the quotient: each edge inside a group or forward in group order, and Kahn empties it. */
function checkQuotient(nodes: readonly ContractNode[]): void {
  const c = contractConvex(nodes);
  const pos = new Map(c.groups.map((g, i) => [g.id, i]));
  expect(Object.keys(c.groupOf).sort()).toEqual(nodes.map((x) => x.id).sort());
  const edges = new Set<string>();
  for (const v of nodes) {
    for (const u of v.deps) {
      const gu = c.groupOf[u] as string;
      const gv = c.groupOf[v.id] as string;
      if (gu === gv) continue;
      expect(pos.get(gu)).toBeLessThan(pos.get(gv) as number);
      edges.add(`${gu}>${gv}`);
    }
  }
  // independent acyclicity check of the quotient (Kahn over group edges)
  const indeg = new Map(c.groups.map((g) => [g.id, 0]));
  for (const e of edges) {
    const to = e.split('>')[1] as string;
    indeg.set(to, (indeg.get(to) ?? 0) + 1);
  }
  const queue = c.groups.filter((g) => indeg.get(g.id) === 0).map((g) => g.id);
  let seen = 0;
  while (queue.length > 0) {
    const g = queue.pop() as string;
    seen++;
    for (const e of edges) {
      const [from, to] = e.split('>') as [string, string];
      if (from !== g) continue;
      indeg.set(to, (indeg.get(to) ?? 0) - 1);
      if (indeg.get(to) === 0) queue.push(to);
    }
  }
  expect(seen).toBe(c.groups.length);
  const keyOf = new Map(nodes.map((x) => [x.id, x.key]));
  for (const g of c.groups) {
    expect(isConvex(nodes, g.members)).toBe(true);
    expect(new Set(g.members.map((m) => keyOf.get(m))).size).toBe(1);
    if (g.members.length > 1) expect(g.key).not.toBeNull();
    expect(g.deps).toEqual([...new Set(g.members.flatMap((m) => nodes.find((x) => x.id === m)?.deps ?? []).map((d) => c.groupOf[d] as string))].filter((d) => d !== g.id).sort((a, b) => (pos.get(a) ?? 0) - (pos.get(b) ?? 0)));
  }
}

describe('contractConvex', () => {
  it('merges a same-model chain into one super-node', () => {
    const nodes = [n('a', [], 'm1'), n('b', ['a'], 'm1'), n('c', ['b'], 'm1'), n('d', ['c'], 'm2')];
    expect(groupsOf(nodes)).toEqual([['a', 'b', 'c'], ['d']]);
    expect(contractConvex(nodes).groups.map((g) => g.deps)).toEqual([[], ['a']]);
  });

  it('keeps the diamond A→{x(tool),B}→C a DAG', () => {
    const nodes = [n('A', [], 'm'), n('x', ['A'], null), n('B', ['A'], 'm'), n('C', ['x', 'B'], 'm')];
    const groups = groupsOf(nodes);
    expect(groups).toEqual([['A', 'B'], ['x'], ['C']]);
    checkQuotient(nodes);
  });

  it('refuses the long-path counterexample C → x → y → C that the direct-edge check misses', () => {
    // a and b share a model; the path a → x → y → b leaves the set and comes back through two nodes
    const nodes = [n('a', [], 'm'), n('x', ['a'], null), n('y', ['x'], null), n('b', ['a', 'y'], 'm')];
    const outsideWithEdgeInAndOut = nodes.some(
      (v) => v.key === null && v.deps.some((d) => d === 'a' || d === 'b') && nodes.some((w) => (w.id === 'a' || w.id === 'b') && w.deps.includes(v.id)),
    );
    expect(outsideWithEdgeInAndOut).toBe(false); // the naive check would allow merging {a, b}
    expect(isConvex(nodes, ['a', 'b'])).toBe(false);
    expect(groupsOf(nodes)).toEqual([['a'], ['x'], ['y'], ['b']]);
    checkQuotient(nodes);
  });

  it('does not merge different models or ineligible nodes', () => {
    const nodes = [n('a', [], 'm1'), n('b', ['a'], 'm2'), n('t', ['b'], null), n('u', ['t'], null)];
    expect(groupsOf(nodes)).toEqual([['a'], ['b'], ['t'], ['u']]);
  });

  it('accepts nodes in any order and merges siblings only through an edge path', () => {
    const nodes = [n('c', ['a'], 'm'), n('b', ['a'], 'm'), n('a', [], 'm')];
    expect(groupsOf(nodes)).toEqual([['a', 'c', 'b']]);
    const apart = [n('a', [], 'm'), n('b', [], 'm')];
    expect(groupsOf(apart)).toEqual([['a'], ['b']]);
  });

  it('is deterministic and keeps every edge inside a group or forward on seeded random DAGs', () => {
    for (let seed = 0; seed < 300; seed++) {
      const rng = new Prng(`contract-${seed}`);
      const size = rng.int(2, 16);
      const keys = ['m1', 'm2', null] as const;
      const nodes: ContractNode[] = [];
      for (let i = 0; i < size; i++) {
        const deps = new Set<string>();
        for (let j = 0; j < i; j++) if (rng.next() < 0.3) deps.add(`n${j}`);
        nodes.push(n(`n${i}`, [...deps], rng.pick(keys)));
      }
      // shuffle the declaration order: the pass must sort topologically itself
      const shuffled = [...nodes];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [shuffled[i], shuffled[j]] = [shuffled[j] as ContractNode, shuffled[i] as ContractNode];
      }
      checkQuotient(shuffled);
      expect(contractConvex(shuffled)).toEqual(contractConvex(shuffled));
    }
  });

  it('throws on a cycle or an unknown dependency (internal misuse)', () => {
    expect(() => contractConvex([n('a', ['b'], 'm'), n('b', ['a'], 'm')])).toThrow(/cycle/);
    expect(() => contractConvex([n('a', ['zz'], 'm')])).toThrow(/unknown/);
  });
});

describe('contractionKey', () => {
  const model: ModelRef = { name: 'qwen', kind: 'llm', endpoint: 'sim://', modelName: 'qwen', paramsB: 8, version: 1 };
  const base = { step: 's', input: 0, deps: [], system: [], prompt: [], decoding: { temperature: 0, maxTokens: 8 } };
  it('is the model name for text-only LLM calls and null otherwise', () => {
    const llm: Action = { ...base, kind: 'llm', id: 'l', model };
    const embed: Action = { ...base, kind: 'embed', id: 'e', model };
    const sql: Action = { kind: 'sql', id: 'q', step: 's', input: null, deps: [], sql: 'SELECT 1', params: {} };
    expect(contractionKey(llm)).toBe('qwen');
    expect(contractionKey(embed)).toBeNull();
    expect(contractionKey(sql)).toBeNull();
  });
});
