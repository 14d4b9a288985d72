// The prefix cache's hit rule (full 16-token blocks, never the whole prompt) and LRU eviction
// under a small capacity, against hand-computed cases.
import { describe, expect, it } from 'vitest';
import { PrefixCache } from '../../src/sim/prefix-cache.ts';

const seq = (n: number, start = 0): number[] => Array.from({ length: n }, (_, i) => start + i);

/** Admits, publishes and finishes one prompt; returns the cached tokens it got at admission. */
function serve(cache: PrefixCache, ids: readonly number[], total = ids.length): number {
  const hold = cache.acquire(ids, total);
  if (hold === undefined) throw new Error('did not fit');
  cache.insert(hold, ids, ids.length);
  cache.release(hold);
  return hold.cachedTokens;
}

describe('hit rule: cached = min(longest cached prefix, floor((n-1)/16)*16)', () => {
  it('a fully cached 40-token prompt gets 32', () => {
    const cache = new PrefixCache(100);
    expect(serve(cache, seq(40))).toBe(0);
    expect(cache.lookup(seq(40))).toBe(32);
    expect(serve(cache, seq(40))).toBe(32);
  });

  it('n = 33 gets 32, n = 32 gets 16, n = 16 gets 0', () => {
    const cache = new PrefixCache(100);
    serve(cache, seq(33));
    expect(cache.lookup(seq(33))).toBe(32);
    expect(cache.lookup(seq(32))).toBe(16);
    expect(cache.lookup(seq(16))).toBe(0);
    expect(cache.lookup(seq(17))).toBe(16);
  });

  it('two prompts sharing 20 tokens share one block', () => {
    const cache = new PrefixCache(100);
    const a = [...seq(20), ...seq(30, 1000)];
    const b = [...seq(20), ...seq(30, 5000)];
    serve(cache, a);
    expect(cache.lookup(b)).toBe(16);
    expect(serve(cache, b)).toBe(16);
  });

  it('lookup does not mutate; acquire counts query and hit tokens', () => {
    const cache = new PrefixCache(100);
    serve(cache, seq(40));
    cache.lookup(seq(40));
    expect(cache.stats()).toMatchObject({ queries: 40, hits: 0, cachedBlocks: 2, usedBlocks: 0 });
    serve(cache, seq(40));
    expect(cache.stats()).toMatchObject({ queries: 80, hits: 32 });
  });
});

describe('LRU eviction with a 4-block pool', () => {
  it('evicts least recently used blocks, tail first, never held ones', () => {
    const cache = new PrefixCache(4);
    const a = seq(33, 0);
    const b = seq(33, 100);
    const c = seq(48, 200);
    serve(cache, a); // tree: a0 a1 (+1 partial block freed)
    serve(cache, b); // needs 3 blocks, 2 free: evicts a1 (a's tail) → tree a0 b0 b1
    expect(cache.stats().evictions).toBe(1);
    expect(cache.lookup(a)).toBe(16);
    expect(cache.lookup(b)).toBe(32);
    serve(cache, c); // needs 3 blocks, 1 free: evicts a0 (oldest), then b1 (b's tail)
    expect(cache.stats().evictions).toBe(3);
    expect(cache.lookup(a)).toBe(0);
    expect(cache.lookup(b)).toBe(16);
    expect(cache.lookup(c)).toBe(32);
  });

  it('a running request pins its blocks: a prompt that would need them does not fit', () => {
    const cache = new PrefixCache(4);
    const held = cache.acquire(seq(48), 48);
    expect(held).toBeDefined();
    if (held === undefined) return;
    cache.insert(held, seq(48), 48);
    expect(cache.stats().usage).toBe(0.75);
    expect(cache.canAcquire(seq(40, 500), 40)).toBe(false);
    expect(cache.acquire(seq(40, 500), 40)).toBeUndefined();
    cache.release(held);
    expect(cache.stats().usage).toBe(0);
    expect(serve(cache, seq(40, 500))).toBe(0);
    expect(cache.lookup(seq(48))).toBe(16); // the tail two blocks went first
  });

  it('a reused prefix becomes recent again', () => {
    const cache = new PrefixCache(4);
    serve(cache, seq(17, 0)); // x0
    serve(cache, seq(17, 100)); // y0
    serve(cache, seq(17, 0)); // hit x0: now x0 is newer than y0
    serve(cache, seq(48, 300)); // needs 3 blocks, 2 free: evicts y0 only
    expect(cache.lookup(seq(17, 100))).toBe(0);
    expect(cache.lookup(seq(17, 0))).toBe(16);
  });

  it('clear() empties the tree (a model switch)', () => {
    const cache = new PrefixCache(10);
    serve(cache, seq(40));
    cache.clear();
    expect(cache.lookup(seq(40))).toBe(0);
    expect(cache.stats().cachedBlocks).toBe(0);
  });
});
