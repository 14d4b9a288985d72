// Longest-prefix-match order (ALGORITHMS.md §3): dependencies respected, deterministic, the trie
// bound with an unbounded cache, never worse than FIFO on prefix-sharing sets, and better than a
// random order under a finite LRU cache.
import { describe, expect, it } from 'vitest';
import { cachedTokens, measurePrefill, orderAndMeasure, prefixOrder, type PromptInstance } from '../../src/scheduler/prefix-order.ts';
import { commonPrefix, compareTokens } from '../../src/cost/prompt-trie.ts';
import { PrefixCache } from '../../src/sim/prefix-cache.ts';
import { Prng } from '../../src/util/prng.ts';

const words = (rng: Prng, n: number): number[] => Array.from({ length: n }, () => rng.int(0, 50_000));

/**
 * A synthetic prefix-sharing batch in arrival (FIFO) order: a few system prompts, each with a few
 * shared documents, one question per call; with `followUps`, some calls continue an earlier one
 * (their prompt extends the parent's, and they depend on it).
 */
function synthetic(seed: string, calls: number, followUps = false): PromptInstance[] {
  const rng = new Prng(seed);
  const systems = Array.from({ length: rng.int(2, 5) }, () => words(rng, rng.int(20, 300)));
  const docs = systems.map(() => Array.from({ length: rng.int(1, 4) }, () => words(rng, rng.int(10, 200))));
  const out: PromptInstance[] = [];
  for (let i = 0; i < calls; i++) {
    const parent = followUps && out.length > 0 && rng.next() < 0.3 ? rng.pick(out) : undefined;
    if (parent !== undefined) {
      out.push({ id: `c${i}`, deps: [parent.id], tokens: [...parent.tokens, ...words(rng, rng.int(5, 60))] });
      continue;
    }
    const s = rng.int(0, systems.length - 1);
    const doc = rng.pick(docs[s] ?? [[]]);
    out.push({ id: `c${i}`, deps: [], tokens: [...(systems[s] ?? []), ...doc, ...words(rng, rng.int(1, 40))] });
  }
  return out;
}

const tokensOf = (xs: readonly PromptInstance[], order: readonly string[]): (readonly number[])[] => {
  const byId = new Map(xs.map((x) => [x.id, x.tokens]));
  return order.map((id) => [...(byId.get(id) ?? [])]);
};

/** Σ over prompts sorted lexicographically of (length − LCP with the previous): the trie size. */
const trieSize = (prompts: readonly PromptInstance['tokens'][]): number => {
  const sorted = [...prompts].sort(compareTokens);
  return sorted.reduce((sum, p, i) => sum + p.length - (i === 0 ? 0 : commonPrefix(sorted[i - 1] ?? [], p)), 0);
};

const shuffle = <T>(rng: Prng, xs: readonly T[]): T[] => {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

describe('prefixOrder', () => {
  it('respects dependencies and emits every instance once', () => {
    for (let seed = 0; seed < 30; seed++) {
      const xs = synthetic(`deps-${seed}`, 60, true);
      for (const capacityTokens of [undefined, 800]) {
        const order = prefixOrder(xs, capacityTokens === undefined ? {} : { capacityTokens });
        expect([...order].sort()).toEqual(xs.map((x) => x.id).sort());
        const at = new Map(order.map((id, i) => [id, i]));
        for (const x of xs) for (const d of x.deps) expect(at.get(d)).toBeLessThan(at.get(x.id) as number);
      }
    }
  });

  it('is deterministic and, for distinct prompts, independent of the input order', () => {
    const xs = synthetic('det', 80, true);
    const order = prefixOrder(xs, { capacityTokens: 1000 });
    expect(prefixOrder(xs, { capacityTokens: 1000 })).toEqual(order);
    expect(prefixOrder(shuffle(new Prng('s'), xs), { capacityTokens: 1000 })).toEqual(order);
  });

  it('orders independent equal-cost calls lexicographically (a DFS over the prompt trie)', () => {
    const xs = synthetic('dfs', 50);
    const sorted = [...xs].sort((a, b) => compareTokens(a.tokens, b.tokens) || a.id.localeCompare(b.id)).map((x) => x.id);
    expect(prefixOrder(xs)).toEqual(sorted);
  });

  it('breaks equal matches by the larger remaining critical path, then the smaller prompt', () => {
    const xs: PromptInstance[] = [
      { id: 'short', deps: [], tokens: [1, 2] },
      { id: 'long', deps: [], tokens: [3, 4] },
      { id: 'after', deps: ['long'], tokens: [5], cost: 10 },
      { id: 'external', deps: ['not-in-this-set'], tokens: [0] },
    ];
    expect(prefixOrder(xs)).toEqual(['long', 'after', 'external', 'short']);
    // with the longer chain weighing nothing, the lexicographic order decides
    expect(prefixOrder(xs.map((x) => ({ ...x, cost: 0 })))).toEqual(['external', 'short', 'long', 'after']);
  });

  it('unbounded cache: prefilled tokens of the order equal the trie size (exact token reuse)', () => {
    // What is compared: with every matched token reused (hitRule 'exact') and no eviction, the
    // prefilled tokens equal the distinct non-empty token prefixes over all prompts, identical
    // prompts once (§7's LB_prefill without the 16-token block rule). Every order reaches it.
    for (let seed = 0; seed < 20; seed++) {
      const xs = synthetic(`lb-${seed}`, 70, true);
      const lpm = measurePrefill(tokensOf(xs, prefixOrder(xs)), { hitRule: 'exact' });
      const fifo = measurePrefill(tokensOf(xs, xs.map((x) => x.id)), { hitRule: 'exact' });
      expect(lpm.prefilledTokens).toBe(trieSize(xs.map((x) => x.tokens)));
      expect(fifo.prefilledTokens).toBe(lpm.prefilledTokens);
    }
  });

  it('unbounded cache, 16-token blocks: the lexicographic order pays the trie size plus block remainders', () => {
    // With the §6 rule each prompt reuses its LCP with the previous prompt in sorted order,
    // rounded down to full blocks and never the whole prompt.
    for (let seed = 0; seed < 20; seed++) {
      const xs = synthetic(`blocks-${seed}`, 60);
      const prompts = tokensOf(xs, prefixOrder(xs));
      const expected = prompts.reduce((sum, p, i) => sum + p.length - cachedTokens(p.length, i === 0 ? 0 : commonPrefix(prompts[i - 1] ?? [], p)), 0);
      expect(measurePrefill(prompts).prefilledTokens).toBe(expected);
      expect(expected).toBeGreaterThanOrEqual(trieSize(prompts));
    }
  });

  it('is never worse than FIFO on synthetic prefix-sharing sets, unbounded or finite', () => {
    let gained = 0;
    for (let seed = 0; seed < 40; seed++) {
      const xs = synthetic(`fifo-${seed}`, 80, seed % 2 === 0);
      for (const capacityTokens of [undefined, 600, 2000]) {
        const opts = capacityTokens === undefined ? {} : { capacityTokens };
        const lpm = measurePrefill(tokensOf(xs, prefixOrder(xs, opts)), opts).prefilledTokens;
        const fifo = measurePrefill(tokensOf(xs, xs.map((x) => x.id)), opts).prefilledTokens;
        expect(lpm).toBeLessThanOrEqual(fifo);
        if (lpm < fifo) gained++;
      }
    }
    expect(gained).toBeGreaterThan(60);
  });

  it('orderAndMeasure: the same order, and what measurePrefill says that order prefills', () => {
    for (let seed = 0; seed < 20; seed++) {
      const xs = synthetic(`om-${seed}`, 60, seed % 2 === 0);
      for (const capacityTokens of [undefined, 600, 2000]) {
        const opts = capacityTokens === undefined ? {} : { capacityTokens };
        const r = orderAndMeasure(xs, opts);
        expect(r.order).toEqual(prefixOrder(xs, opts));
        expect(r.measure).toEqual(measurePrefill(tokensOf(xs, r.order), opts));
      }
    }
  });

  it('finite LRU cache: beats a random dependency-respecting order', () => {
    for (let seed = 0; seed < 20; seed++) {
      const xs = synthetic(`rand-${seed}`, 100);
      const opts = { capacityTokens: 700 };
      const lpm = measurePrefill(tokensOf(xs, prefixOrder(xs, opts)), opts).prefilledTokens;
      const random = measurePrefill(tokensOf(xs, shuffle(new Prng(`r-${seed}`), xs).map((x) => x.id)), opts).prefilledTokens;
      expect(lpm).toBeLessThan(random);
    }
  });
});

describe('measurePrefill', () => {
  it('applies the §6 hit rule: full blocks only, never the whole prompt', () => {
    expect(cachedTokens(40, 40)).toBe(32);
    expect(cachedTokens(33, 40)).toBe(32);
    expect(cachedTokens(32, 32)).toBe(16);
    expect(cachedTokens(16, 16)).toBe(0);
    expect(cachedTokens(100, 20)).toBe(16);
    expect(cachedTokens(40, 40, 'exact')).toBe(40);
  });

  it('agrees with the simulator prefix cache when capacity is not binding', () => {
    for (let seed = 0; seed < 10; seed++) {
      const xs = synthetic(`sim-${seed}`, 40, true);
      const prompts = tokensOf(xs, prefixOrder(xs));
      const sim = new PrefixCache(100_000);
      let cached = 0;
      for (const p of prompts) {
        const hold = sim.acquire(p, p.length);
        if (hold === undefined) throw new Error('did not fit');
        sim.insert(hold, p, p.length);
        sim.release(hold);
        cached += hold.cachedTokens;
      }
      expect(measurePrefill(prompts).cachedTokens).toBe(cached);
    }
  });
});
