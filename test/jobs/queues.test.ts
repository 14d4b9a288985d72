// The queues and batch formation, one batch at a time: round-robin order inside a priority, quanta
// 20/10/5 across priorities, the starvation guard (a slice passed over three times is pinned into
// the next batch) and capacity refusals, which are not misses.
import { describe, expect, it } from 'vitest';
import { formBatch } from '../../src/jobs/dispatch.ts';
import type { AffinityProfile } from '../../src/jobs/job.ts';
import { SliceQueues } from '../../src/jobs/queues.ts';
import { handSlices } from './support.ts';

const P: AffinityProfile = { models: ['qwen3_8b'], systemTokens: ['analyst'], callsPerInput: 1 };
const Q: AffinityProfile = { models: ['flux'], systemTokens: ['painter'], callsPerInput: 1 };

/** The user of each slice of each batch, as letters. */
const users = (ids: readonly (readonly string[])[]): string => ids.map((b) => b.map((id) => id.split(':')[0]).join('')).join(' ');

describe('round-robin inside a priority', () => {
  it('serves users in turn, one slice each, whatever their queue lengths', () => {
    const q = new SliceQueues();
    for (const [u, n] of [['a', 5], ['b', 2], ['c', 4]] as const) for (const s of handSlices(u, { inputs: n })) q.enqueue(s);
    const served: string[][] = [];
    for (let i = 0; i < 11; i++) served.push(formBatch(q, { maxSlices: 1, freeCapacity: 100 }).slices.map((s) => s.id));
    expect(users(served)).toBe('a b c a b c a c a c a');
    // Each user's slices in order.
    expect(served.flat().filter((id) => id.startsWith('a:'))).toEqual(['a:0', 'a:1', 'a:2', 'a:3', 'a:4']);
    expect(q.size).toBe(0);
    expect(formBatch(q, { maxSlices: 1, freeCapacity: 100 }).slices).toEqual([]);
  });

  it('keeps the rotation across batches of several slices', () => {
    const q = new SliceQueues();
    for (const u of ['a', 'b', 'c']) for (const s of handSlices(u, { inputs: 6 })) q.enqueue(s);
    const served: string[][] = [];
    for (let i = 0; i < 4; i++) served.push(formBatch(q, { maxSlices: 2, freeCapacity: 100 }).slices.map((s) => s.id));
    expect(users(served)).toBe('ab ca bc ab');
  });

  it('keeps users of different tenants apart even when their names are equal', () => {
    const q = new SliceQueues();
    for (const s of handSlices('x', { tenant: 't1', user: 'bob', inputs: 2 })) q.enqueue(s);
    for (const s of handSlices('y', { tenant: 't2', user: 'bob', inputs: 2 })) q.enqueue(s);
    expect(formBatch(q, { maxSlices: 2, freeCapacity: 100 }).slices.map((s) => s.id)).toEqual(['x:0', 'y:0']);
  });
});

describe('quanta across priorities', () => {
  it('serves high, medium and low 20/10/5 per round while all are backlogged', () => {
    const q = new SliceQueues();
    for (const [u, p] of [['h', 'high'], ['m', 'medium'], ['l', 'low']] as const) for (const s of handSlices(u, { priority: p, inputs: 100 })) q.enqueue(s);
    const count = { high: 0, medium: 0, low: 0 };
    const firstBatches: string[] = [];
    // Window = B: the batch is exactly the fair order (no affinity choice, no misses).
    for (let i = 0; i < 14; i++) {
      const b = formBatch(q, { maxSlices: 5, freeCapacity: 100, window: 5 });
      for (const s of b.slices) count[s.priority]++;
      if (i < 7) firstBatches.push(b.slices.map((s) => s.priority[0]).join(''));
    }
    // Two rounds of 35 slices.
    expect(count).toEqual({ high: 40, medium: 20, low: 10 });
    expect(firstBatches).toEqual(['hhhhh', 'hhhhh', 'hhhhh', 'hhhhh', 'mmmmm', 'mmmmm', 'lllll']);
  });

  it('gives a priority without work its turn to the others (no idle slots)', () => {
    const q = new SliceQueues();
    for (const s of handSlices('l', { priority: 'low', inputs: 12 })) q.enqueue(s);
    expect(formBatch(q, { maxSlices: 8, freeCapacity: 100 }).slices).toHaveLength(8);
  });
});

describe('starvation guard', () => {
  /** Users a, b, c (profile P) and d, whose first slice alone has the odd profile Q. */
  function oddQueues(): SliceQueues {
    const q = new SliceQueues();
    for (const u of ['a', 'b', 'c']) for (const s of handSlices(u, { inputs: 8, profile: P })) q.enqueue(s);
    const [d0, ...rest] = handSlices('d', { inputs: 8, profile: P });
    if (d0 === undefined) throw new Error('no slice');
    q.enqueue({ ...d0, profile: Q });
    for (const s of rest) q.enqueue(s);
    return q;
  }

  it('pins a slice passed over three times into the next batch', () => {
    const q = oddQueues();
    const misses: number[] = [];
    const batches: string[][] = [];
    for (let i = 0; i < 4; i++) {
      const b = formBatch(q, { maxSlices: 4, freeCapacity: 100, window: 8 });
      batches.push(b.slices.map((s) => s.id));
      misses.push(q.missCount('d:0'));
    }
    // Affinity seeds d with its P slices, passing d:0 over, until the guard pins it.
    expect(batches.slice(0, 3).every((b) => !b.includes('d:0') && b.length === 4)).toBe(true);
    expect(batches[0]).toEqual(['a:0', 'b:0', 'c:0', 'd:1']);
    expect(misses).toEqual([1, 2, 3, 0]);
    expect(batches[3]?.[0]).toBe('d:0');
    expect(batches[3]).toHaveLength(4);
  });

  it('counts no miss when capacity, not the batch size, left slices out', () => {
    const q = oddQueues();
    for (let i = 0; i < 6; i++) {
      const b = formBatch(q, { maxSlices: 4, freeCapacity: 1, window: 8 });
      expect(b.slices).toHaveLength(1);
      expect(b.passedOver).toEqual([]);
      expect(b.refused.length).toBeGreaterThan(0);
    }
    expect(['a:1', 'b:1', 'c:1', 'd:0', 'd:1'].map((id) => q.missCount(id))).toEqual([0, 0, 0, 0, 0]);
    expect(q.pinned()).toEqual([]);
  });

  it('forms nothing and counts nothing without free capacity', () => {
    const q = oddQueues();
    formBatch(q, { maxSlices: 4, freeCapacity: 100, window: 8 });
    const before = q.size;
    const b = formBatch(q, { maxSlices: 4, freeCapacity: 0, window: 8 });
    expect(b.slices).toEqual([]);
    expect(q.size).toBe(before);
    expect(q.missCount('d:0')).toBe(1);
  });

  it('refuses a slice bigger than the capacity left, without a miss, and takes smaller ones', () => {
    const q = new SliceQueues();
    for (const s of handSlices('big', { inputs: 8, sliceSize: 4, profile: P })) q.enqueue(s);
    for (const s of handSlices('small', { inputs: 3, profile: P })) q.enqueue(s);
    const b = formBatch(q, { maxSlices: 4, freeCapacity: 3 });
    expect(b.slices.map((s) => s.id)).toEqual(['small:0', 'small:1', 'small:2']);
    expect(b.refused.map((s) => s.id)).toEqual(['big:0', 'big:1']);
    expect(q.missCount('big:0')).toBe(0);
  });
});
