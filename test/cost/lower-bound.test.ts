// LB_prefill (ALGORITHMS.md §7): the sorted-LCP sum equals an explicit trie's node count (hand cases
// and a seeded property test, with and without cached generations), identical prompts count once,
// models are counted apart; the prefill figures (ratio = placement loss × ordering loss).
import { describe, expect, it } from 'vitest';
import { boundRatio, lbPrefill, lbPrefillByModel, lbPrefillTotal, prefillFigures, type Generation, type Tokens } from '../../src/cost/lower-bound.ts';
import { Prng } from '../../src/util/prng.ts';

interface TrieNode {
  readonly children: Map<number, TrieNode>;
  free: boolean;
}

/** Nodes (below the root) of the explicit trie of the prompts and generations, less the decoded ones. */
function trieCount(prompts: readonly Tokens[], generated: readonly Generation[] = []): number {
  const root: TrieNode = { children: new Map(), free: false };
  const insert = (seq: Tokens, freeFrom: number): void => {
    let node = root;
    [...seq].forEach((t, i) => {
      let next = node.children.get(t);
      if (!next) {
        next = { children: new Map(), free: false };
        node.children.set(t, next);
      }
      if (i + 1 > freeFrom) next.free = true;
      node = next;
    });
  };
  for (const p of prompts) insert(p, Number.POSITIVE_INFINITY);
  for (const g of generated) insert([...g.prompt, ...g.output], g.prompt.length);
  let count = 0;
  const walk = (n: TrieNode): void => {
    for (const c of n.children.values()) {
      if (!c.free) count++;
      walk(c);
    }
  };
  walk(root);
  return count;
}

function randomTokens(rng: Prng, alphabet: number, maxLen: number): number[] {
  return Array.from({ length: rng.int(0, maxLen) }, () => rng.int(1, alphabet));
}

describe('lbPrefill', () => {
  const cases: readonly [string, Tokens[], number][] = [
    ['no prompts', [], 0],
    ['an empty prompt', [[]], 0],
    ['one prompt', [[1, 2, 3]], 3],
    ['two prompts sharing two tokens', [[1, 2, 3], [1, 2, 4]], 4],
    ['a prompt that is a prefix of another', [[1, 2, 3], [1, 2]], 3],
    ['identical prompts, counted once', [[1, 2, 3], [1, 2, 3], [1, 2, 3]], 3],
    ['unsorted input', [[5], [1, 3], [2], [1, 2]], 5],
    ['disjoint prompts', [[9, 9], [8, 8, 8]], 5],
  ];
  for (const [what, prompts, expected] of cases) {
    it(`counts ${what}: ${expected}`, () => {
      expect(lbPrefill(prompts)).toBe(expected);
      expect(trieCount(prompts)).toBe(expected);
    });
  }

  it('equals the explicit trie node count on seeded random token sets', () => {
    const rng = new Prng('lb-prefill');
    for (let trial = 0; trial < 300; trial++) {
      const alphabet = rng.int(1, 4);
      const prompts = Array.from({ length: rng.int(0, 30) }, () => randomTokens(rng, alphabet, 12));
      expect(lbPrefill(prompts), `trial ${trial}`).toBe(trieCount(prompts));
    }
  });

  it('does not depend on prompt order or on repeated prompts', () => {
    const rng = new Prng(7);
    for (let trial = 0; trial < 50; trial++) {
      const prompts = Array.from({ length: rng.int(1, 20) }, () => randomTokens(rng, 3, 10));
      const shuffled = [...prompts].sort(() => rng.next() - 0.5);
      const repeated = [...prompts, ...prompts.filter(() => rng.next() < 0.5)];
      expect(lbPrefill(shuffled)).toBe(lbPrefill(prompts));
      expect(lbPrefill(repeated)).toBe(lbPrefill(prompts));
    }
  });

  it('does not count a continuation of a cached generation (hand case)', () => {
    const parent = [1, 2, 3];
    const output = [4, 5];
    const continuation = [1, 2, 3, 4, 5, 6, 7];
    expect(lbPrefill([parent, continuation])).toBe(7);
    expect(lbPrefill([parent, continuation], [{ prompt: parent, output }])).toBe(5);
    // A prompt that only shares the parent's prompt gains nothing from its output.
    expect(lbPrefill([parent, [1, 2, 3, 9]], [{ prompt: parent, output }])).toBe(4);
    // Generated tokens nobody continues are not prompts: they neither add nor remove anything.
    expect(lbPrefill([parent], [{ prompt: parent, output }])).toBe(3);
  });

  it('equals the explicit trie with decoded nodes left out, on seeded random conversations', () => {
    const rng = new Prng('lb-continuations');
    for (let trial = 0; trial < 300; trial++) {
      const alphabet = rng.int(1, 3);
      const prompts: number[][] = [];
      const generated: Generation[] = [];
      for (let i = rng.int(1, 12); i > 0; i--) {
        // A fresh prompt, or a continuation of an earlier call's prompt + output.
        const parent = generated.length > 0 && rng.next() < 0.5 ? rng.pick(generated) : undefined;
        const prompt = parent ? [...parent.prompt, ...parent.output, ...randomTokens(rng, alphabet, 4)] : randomTokens(rng, alphabet, 8);
        prompts.push(prompt);
        if (rng.next() < 0.7) generated.push({ prompt, output: randomTokens(rng, alphabet, 5) });
      }
      expect(lbPrefill(prompts, generated), `trial ${trial}`).toBe(trieCount(prompts, generated));
    }
  });
});

describe('per model', () => {
  it('counts a prefix shared by two models once for each', () => {
    const prompts = [
      { model: 'a', tokens: [1, 2, 3] },
      { model: 'a', tokens: [1, 2, 4] },
      { model: 'b', tokens: [1, 2, 3] },
      { model: 'b', tokens: [1, 2, 3] },
    ];
    expect([...lbPrefillByModel(prompts)]).toEqual([['a', 4], ['b', 3]]);
    expect(lbPrefillTotal(prompts)).toBe(7);
    expect(lbPrefill(prompts.map((p) => p.tokens))).toBe(4);
  });

  it('takes cached generations from the calls that made them', () => {
    const prompts = [
      { model: 'a', tokens: [1, 2], output: [3, 4] },
      { model: 'a', tokens: [1, 2, 3, 4, 5] },
      { model: 'b', tokens: [1, 2, 3, 4, 5] },
    ];
    expect([...lbPrefillByModel(prompts)]).toEqual([['a', 3], ['b', 5]]);
  });
});

describe('prefill figures', () => {
  it('reports naive, achieved, LB, per-GPU LB, and ratio = placement loss × ordering loss', () => {
    const f = prefillFigures([
      { model: 'm1', gpu: 'g0', tokens: [1, 2, 3, 4], cachedTokens: 0 },
      { model: 'm1', gpu: 'g0', tokens: [1, 2, 3, 5], cachedTokens: 3 },
      { model: 'm1', gpu: 'g1', tokens: [1, 2, 3, 6], cachedTokens: 0 },
      { model: 'm2', gpu: 'g1', tokens: [1, 2, 3, 4], cachedTokens: 0 },
      { model: 'm2', gpu: 'g1', tokens: [1, 2, 3, 4], cachedTokens: 2 },
    ]);
    // LB: m1 4 + 1 + 1, m2 4. Per GPU: g0 m1 5; g1 m1 4 + m2 4.
    expect(f).toMatchObject({ naive: 20, achieved: 15, lb: 10, perGpuLb: 13 });
    expect(f.ratio).toBeCloseTo(1.5);
    expect(f.placementLoss).toBeCloseTo(1.3);
    expect(f.orderingLoss).toBeCloseTo(15 / 13);
    expect(f.placementLoss * f.orderingLoss).toBeCloseTo(f.ratio);
  });

  it('is at the limit for an empty run, and infinite work over a zero bound is flagged', () => {
    expect(prefillFigures([])).toMatchObject({ naive: 0, achieved: 0, lb: 0, ratio: 1, placementLoss: 1, orderingLoss: 1 });
    expect(boundRatio(5, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(boundRatio(6, 3)).toBe(2);
  });
});
