// LB_prefill counts distinct token prefixes: against a brute-force count on hand-made and random
// prompt sets (duplicates, proper prefixes, empty prompts), and the token helpers it sorts with.
import { describe, expect, it } from 'vitest';
import { commonPrefix, compareTokens, lbPrefill } from '../../src/cost/lower-bound.ts';
import { Prng } from '../../src/util/prng.ts';

/** Distinct non-empty prefixes, counted by brute force. */
const distinctPrefixes = (prompts: readonly (readonly number[])[]): number => {
  const seen = new Set<string>();
  for (const p of prompts) for (let i = 1; i <= p.length; i++) seen.add(p.slice(0, i).join(','));
  return seen.size;
};

describe('distinct prefixes (LB_prefill)', () => {
  it('counts duplicates once, proper prefixes inside longer prompts, empty prompts as nothing', () => {
    const prompts = [[1, 2, 3], [1, 2], [1, 2, 3], [], [1, 4], [5]];
    expect(lbPrefill(prompts)).toBe(distinctPrefixes(prompts));
    expect(lbPrefill(prompts)).toBe(5);
  });

  it('matches the brute-force prefix count on random prompt sets', () => {
    for (let seed = 0; seed < 100; seed++) {
      const rng = new Prng(`trie-${seed}`);
      const prompts = Array.from({ length: rng.int(1, 12) }, () => Array.from({ length: rng.int(0, 8) }, () => rng.int(0, 2)));
      expect(lbPrefill(prompts)).toBe(distinctPrefixes(prompts));
    }
  });

  it('compares and measures common prefixes of token arrays', () => {
    expect(compareTokens([1, 2], [1, 2, 0])).toBeLessThan(0);
    expect(compareTokens([2], [1, 9])).toBeGreaterThan(0);
    expect(commonPrefix([1, 2, 3], [1, 2, 4])).toBe(2);
  });
});
