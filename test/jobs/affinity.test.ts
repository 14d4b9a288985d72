// The affinity distance on hand-computed cases, and batch growth by average-linkage agglomeration:
// the tightest subset containing the fixed slices, seeds one per user, capacity respected.
import { describe, expect, it } from 'vitest';
import { affinityDistance, averageLinkage, jaccard, pickTightest, seedPerUser, spread, type AffinityPoint } from '../../src/jobs/affinity.ts';

const pt = (models: string[], systemTokens: string[], calls: number): AffinityPoint => ({ models, systemTokens, calls });

describe('affinityDistance', () => {
  it('is 0 for equal slices and 1 − 0.1 for disjoint ones of equal size', () => {
    const a = pt(['qwen3_8b'], ['you', 'are', 'an', 'analyst'], 4);
    expect(affinityDistance(a, a)).toBe(0);
    expect(affinityDistance(a, pt(['llama'], ['trader'], 4))).toBeCloseTo(0.9, 12);
  });

  it('weighs models 0.7, system-prompt tokens 0.2 and size 0.1', () => {
    // J(models) = 1/2, J(tokens) = |{you, are}| / |{you, are, analyst, trader}| = 1/2,
    // size = 1 − |4 − 2| / 4 = 1/2: D = 1 − (0.35 + 0.1 + 0.05) = 0.5.
    const a = pt(['m1', 'm2'], ['you', 'are', 'analyst'], 4);
    const b = pt(['m1'], ['you', 'are', 'trader'], 2);
    expect(affinityDistance(a, b)).toBeCloseTo(0.5, 12);
    expect(affinityDistance(b, a)).toBeCloseTo(0.5, 12);
    // Same models, no common token, sizes 1 and 3: D = 1 − (0.7 + 0 + 0.1·(1 − 2/3)) = 0.2666…
    expect(affinityDistance(pt(['m'], ['x'], 1), pt(['m'], ['y'], 3))).toBeCloseTo(1 - 0.7 - 0.1 / 3, 12);
    // One model of three shared: J = 1/3; empty prompts on both sides count as alike.
    expect(affinityDistance(pt(['a', 'b'], [], 5), pt(['b', 'c'], [], 5))).toBeCloseTo(1 - 0.7 / 3 - 0.2 - 0.1, 12);
  });

  it('jaccard of two empty sets is 1, of a set and the empty set 0', () => {
    expect(jaccard([], [])).toBe(1);
    expect(jaccard(['a'], [])).toBe(0);
    expect(jaccard(['a', 'a', 'b'], ['b'])).toBe(0.5);
  });
});

// Items on a line: distance |x_i − x_j| / 100.
const line = (xs: number[]) => (i: number, j: number): number => Math.abs((xs[i] ?? 0) - (xs[j] ?? 0)) / 100;

describe('pickTightest', () => {
  it('grows the fixed item into the tightest subset of size B', () => {
    // Seed at 0; a tight group at 10, 11 and scattered items at 40, 60, 90.
    const xs = [0, 90, 10, 60, 11, 40];
    const got = pickTightest({ n: xs.length, dist: line(xs), fixed: [0], limit: 3 });
    expect(got).toEqual([0, 2, 4]);
    // Every other subset of size 3 holding item 0 is looser.
    const best = spread(got, line(xs));
    for (let a = 1; a < xs.length; a++) for (let b = a + 1; b < xs.length; b++) {
      if (new Set([a, b]).size === 2 && !(a === 2 && b === 4)) expect(spread([0, a, b], line(xs))).toBeGreaterThan(best);
    }
  });

  it('lets a tight pair join whole when it fits, and leaves the far item out', () => {
    // Seed at 0; items at 30 and 31 form a pair (linkage 0.01); 25 is nearer the seed alone, 75 far.
    // B = 4: 25 joins, then the pair: {0, 25, 30, 31}.
    const xs = [0, 75, 30, 25, 31];
    expect(pickTightest({ n: xs.length, dist: line(xs), fixed: [0], limit: 4 }).sort()).toEqual([0, 2, 3, 4]);
  });

  it('always keeps the fixed items, even far ones, and breaks ties by order', () => {
    const xs = [0, 5, 5, 5, 99];
    expect(pickTightest({ n: xs.length, dist: line(xs), fixed: [4, 0], limit: 3 })).toEqual([4, 0, 1]);
  });

  it('takes only groups that fit the capacity', () => {
    const xs = [0, 1, 2, 3, 50];
    const cost = [1, 3, 3, 1, 1];
    const fits = (g: readonly number[], sel: readonly number[]): boolean => [...g, ...sel].reduce((n, i) => n + (cost[i] ?? 0), 0) <= 3;
    // Items 1 and 2 (cost 3) never fit beside the seed: 3 joins, then 4 although far.
    expect(pickTightest({ n: xs.length, dist: line(xs), fixed: [0], limit: 4, fits })).toEqual([0, 3, 4]);
  });

  it('average linkage is the mean over cross pairs', () => {
    const xs = [0, 10, 20, 40];
    expect(averageLinkage([0, 1], [2, 3], line(xs))).toBeCloseTo((0.2 + 0.4 + 0.1 + 0.3) / 4, 12);
  });
});

describe('seedPerUser', () => {
  it('takes one item per user in round-robin order, each the closest of that user', () => {
    const xs = [0, 50, 49, 2, 70];
    const users = ['a', 'b', 'b', 'c', 'c'];
    // a's first item; b's item nearest {0}: 49; c's nearest {0, 49}: 2 (avg .235) over 70 (avg .455).
    expect(seedPerUser(users, ['a', 'b', 'c'], line(xs), [], 5, () => true)).toEqual([0, 2, 3]);
    // Limited to two seeds, and a user already selected is skipped.
    expect(seedPerUser(users, ['a', 'b', 'c'], line(xs), [], 2, () => true)).toEqual([0, 2]);
    expect(seedPerUser(users, ['b', 'c', 'a'], line(xs), [1], 3, () => true)).toEqual([1, 4, 0]);
  });
});
