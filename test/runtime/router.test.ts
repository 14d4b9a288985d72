// The router in front of a model's replicas (the baselines' serving layer): the SGLang router's
// approximate text tree, and the three policies, each on a hand-worked case.
import { describe, expect, it } from 'vitest';
import { CACHE_AWARE, ReplicaRouter } from '../../src/runtime/router.ts';
import { TextRadix } from '../../src/runtime/text-radix.ts';

describe('TextRadix (the router\'s approximate tree)', () => {
  it('matches the longest prefix any tenant was sent, and names the latest such tenant', () => {
    const t = new TextRadix();
    t.insert('system: analyst. ticker AAPL', 0);
    t.insert('system: analyst. ticker MSFT', 1);
    expect(t.match('system: analyst. ticker AMZN')).toEqual({ length: 'system: analyst. ticker A'.length, tenant: 0 });
    // Both sent 'system: analyst. ticker '; tenant 1 most recently.
    expect(t.match('system: analyst. ticker GOOG')).toEqual({ length: 'system: analyst. ticker '.length, tenant: 1 });
    expect(t.match('user: hello')).toEqual({ length: 0, tenant: undefined });
    expect(t.match('system: analyst. ticker AAPL and more')).toEqual({ length: 'system: analyst. ticker AAPL'.length, tenant: 0 });
  });

  it('counts each tenant\'s characters once per shared edge', () => {
    const t = new TextRadix();
    t.insert('abcdef', 0);
    t.insert('abcxyz', 0);
    t.insert('abcdef', 1);
    // Tenant 0: 'abc' + 'def' + 'xyz'; tenant 1: 'abc' + 'def'.
    expect([t.size(0), t.size(1), t.size(2)]).toEqual([9, 6, 0]);
  });
});

describe('ReplicaRouter', () => {
  it('round-robin: each replica in turn', () => {
    const r = new ReplicaRouter([4, 5, 6], 'round-robin', 's');
    expect([r.pick('a'), r.pick('b'), r.pick('c'), r.pick('d')]).toEqual([4, 5, 6, 4]);
  });

  it('power-of-two: of the two replicas drawn, the one with fewer requests in flight', () => {
    // With two replicas both are always drawn: shortest queue.
    const r = new ReplicaRouter([0, 1], 'power-of-two', 'seed');
    const first = r.pick('x');
    const second = r.pick('y');
    expect(second).toBe(1 - first);
    r.release(first);
    expect(r.pick('z')).toBe(first);
    // Three replicas, two loaded: a draw never picks a loaded replica over an idle one it drew.
    const three = new ReplicaRouter([0, 1, 2], 'power-of-two', 'seed');
    const picks = Array.from({ length: 30 }, (_, i) => three.pick(String(i)));
    const counts = [0, 1, 2].map((g) => picks.filter((p) => p === g).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(3);
  });

  it('cache-aware: the replica holding more than 30% of the prompt, else the smallest tree', () => {
    const r = new ReplicaRouter([0, 1], 'cache-aware', 's');
    const doc = 'D'.repeat(700);
    // Nothing routed yet: the smallest tree (replica 0).
    expect(r.pick(`${doc} question 1`)).toBe(0);
    // Shares 700 of 711 characters with replica 0's text: replica 0 again (its queue is longer).
    expect(r.pick(`${doc} question 2`)).toBe(0);
    // A prompt sharing nothing: the smallest tree, replica 1.
    expect(r.pick('E'.repeat(100))).toBe(1);
    // Shares 30 of 130 characters (23%) with replica 0: not enough; replica 1's tree is smaller.
    expect(r.pick(`${'D'.repeat(30)}${'F'.repeat(100)}`)).toBe(1);
    expect(CACHE_AWARE).toEqual({ cacheThreshold: 0.3, balanceAbs: 64, balanceRel: 1.5 });
  });

  it('cache-aware: an imbalanced load goes to the least-loaded replica whatever the cache says', () => {
    const r = new ReplicaRouter([0, 1], 'cache-aware', 's');
    const doc = 'D'.repeat(500);
    // 65 in flight on replica 0 and none on 1: max − min = 65 > 64 and 65 > 1.5 × 0.
    for (let i = 0; i < 65; i++) expect(r.pick(`${doc} q${i}`)).toBe(0);
    expect(r.pick(`${doc} q65`)).toBe(1);
    // 65 vs 1: max − min = 64 is not above 64, so balanced and the tree decides: both replicas now
    // hold the document; the one sent it most recently (1) wins.
    expect(r.pick(`${doc} q66`)).toBe(1);
    expect(r.pick('G'.repeat(10))).toBe(1);
  });
});
