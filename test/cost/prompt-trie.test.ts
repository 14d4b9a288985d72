// The radix trie over prompts and the modelled prefix cache: trie size is the number of distinct
// prefixes; matches grow with insertions; a finite cache evicts least recently used tails first.
import { describe, expect, it } from 'vitest';
import { PrefixCacheModel, buildRadixTrie, commonPrefix, compareTokens } from '../../src/cost/prompt-trie.ts';
import { Prng } from '../../src/util/prng.ts';

/** Distinct non-empty prefixes, counted by brute force. */
const distinctPrefixes = (prompts: readonly (readonly number[])[]): number => {
  const seen = new Set<string>();
  for (const p of prompts) for (let i = 1; i <= p.length; i++) seen.add(p.slice(0, i).join(','));
  return seen.size;
};

describe('buildRadixTrie', () => {
  it('counts distinct prefixes and handles duplicates, prefixes and empty prompts', () => {
    const prompts = [[1, 2, 3], [1, 2], [1, 2, 3], [], [1, 4], [5]];
    const trie = buildRadixTrie(prompts);
    expect(trie.tokens).toBe(distinctPrefixes(prompts));
    expect(trie.paths[3]).toHaveLength(0);
    expect(trie.paths[0]).toEqual(trie.paths[2]);
    expect([...trie.rank]).toEqual([2, 1, 3, 0, 4, 5]);
  });

  it('matches the brute-force prefix count on random prompt sets', () => {
    for (let seed = 0; seed < 100; seed++) {
      const rng = new Prng(`trie-${seed}`);
      const prompts = Array.from({ length: rng.int(1, 12) }, () => Array.from({ length: rng.int(0, 8) }, () => rng.int(0, 2)));
      const trie = buildRadixTrie(prompts);
      expect(trie.tokens).toBe(distinctPrefixes(prompts));
      prompts.forEach((p, i) => expect(trie.depth[trie.paths[i]?.at(-1) ?? 0]).toBe(p.length));
    }
  });

  it('compares and measures common prefixes of token arrays', () => {
    expect(compareTokens([1, 2], [1, 2, 0])).toBeLessThan(0);
    expect(compareTokens([2], [1, 9])).toBeGreaterThan(0);
    expect(commonPrefix([1, 2, 3], [1, 2, 4])).toBe(2);
  });
});

describe('PrefixCacheModel', () => {
  it('unbounded: the match is the longest common prefix with any inserted prompt', () => {
    for (let seed = 0; seed < 50; seed++) {
      const rng = new Prng(`cache-${seed}`);
      const prompts = Array.from({ length: 10 }, () => Array.from({ length: rng.int(0, 10) }, () => rng.int(0, 2)));
      const cache = new PrefixCacheModel(buildRadixTrie(prompts));
      const inserted: number[] = [];
      for (let step = 0; step < 10; step++) {
        prompts.forEach((p, i) => expect(cache.match(i)).toBe(Math.max(0, ...inserted.map((j) => commonPrefix(p, prompts[j] ?? [])))));
        const next = rng.int(0, 9);
        cache.insert(next);
        inserted.push(next);
      }
      expect(cache.tokens).toBe(distinctPrefixes(inserted.map((j) => prompts[j] ?? [])));
    }
  });

  it('finite: evicts the least recently used tail first and keeps the shared prefix', () => {
    const a = [1, 1, 1, 1, 2, 2, 2, 2];
    const b = [1, 1, 1, 1, 3, 3, 3, 3];
    const c = [9, 9, 9, 9];
    const cache = new PrefixCacheModel(buildRadixTrie([a, b, c]), 12);
    cache.insert(0);
    cache.insert(1); // 12 tokens: shared 4 + two tails of 4
    expect(cache.tokens).toBe(12);
    expect(cache.match(0)).toBe(8);
    cache.insert(2); // needs 4 more: a's tail (least recently used) goes
    expect(cache.tokens).toBe(12);
    expect(cache.match(0)).toBe(4);
    expect(cache.match(1)).toBe(8);
    expect(cache.match(2)).toBe(4);
    cache.insert(0); // a again: b's tail is now the least recently used leaf
    expect(cache.match(0)).toBe(8);
    expect(cache.match(1)).toBe(4);
    expect(cache.match(2)).toBe(4);
  });

  it('evicts token by token from a tail and never holds more than its capacity', () => {
    const rng = new Prng('finite');
    const prompts = Array.from({ length: 30 }, () => Array.from({ length: rng.int(1, 40) }, () => rng.int(0, 3)));
    const cache = new PrefixCacheModel(buildRadixTrie(prompts), 50);
    for (let step = 0; step < 200; step++) {
      const i = rng.int(0, 29);
      cache.insert(i);
      expect(cache.tokens).toBeLessThanOrEqual(50);
      expect(cache.match(i)).toBe(Math.min(50, prompts[i]?.length ?? 0));
    }
  });
});
