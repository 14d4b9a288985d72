// Capacity-aware batch formation (ALGORITHMS.md §5): a batch holds only slices whose total cost fits
// the runner's free capacity. Candidates are the starved (pinned) slices, then a window of the fair
// order; the batch is pinned slices, one seed per user among the first B of the fair order (so
// priorities hold), then the tightest growth by affinity over all candidates. A
// candidate left out of a full batch is passed over (a miss); one left out because capacity ran out
// is refused, which is not a miss.
import { affinityDistance, affinityPoint, pickTightest, seedPerUser } from './affinity.ts';
import { userKey, type SliceQueues } from './queues.ts';
import type { Slice } from './slicing.ts';

export interface BatchLimits {
  /** B: most slices in one batch. */
  readonly maxSlices: number;
  /** Free capacity of the runner, in slice cost units. */
  readonly freeCapacity: number;
  /** How many slices of the fair order are candidates (default 2·B). */
  readonly window?: number;
}

/** One formed batch and what happened to the other candidates. */
export interface BatchChoice {
  /** The batch: pinned slices first, then seeds, then in joining order. */
  readonly slices: readonly Slice[];
  /** Candidates left out of a full batch: each got a miss. */
  readonly passedOver: readonly Slice[];
  /** Candidates left out because they did not fit the capacity left: no miss. */
  readonly refused: readonly Slice[];
}

const NOTHING: BatchChoice = { slices: [], passedOver: [], refused: [] };

/**
 * Forms the next batch and takes it out of `queues` (counting misses). With no free capacity or no
 * queued slice nothing is formed and nothing counts as a miss.
 */
export function formBatch(queues: SliceQueues, limits: BatchLimits): BatchChoice {
  const limit = limits.maxSlices;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`batch size must be a positive integer, got ${limit}`);
  if (limits.freeCapacity <= 0 || queues.size === 0) return NOTHING;
  const pinned = queues.pinned();
  const seen = new Set(pinned.map((s) => s.id));
  const fair = queues.fairOrder(Math.max(limit, limits.window ?? 2 * limit));
  const pool = [...pinned, ...fair.filter((s) => !seen.has(s.id))];
  const points = pool.map(affinityPoint);
  const matrix = points.map((a) => points.map((b) => affinityDistance(a, b)));
  const dist = (i: number, j: number): number => matrix[i]?.[j] ?? 1;
  const cost = (group: readonly number[]): number => group.reduce((n, i) => n + (pool[i]?.cost ?? 0), 0);
  const fits = (group: readonly number[], selection: readonly number[]): boolean => cost(selection) + cost(group) <= limits.freeCapacity;

  const fixed: number[] = [];
  for (let i = 0; i < pinned.length && fixed.length < limit; i++) if (fits([i], fixed)) fixed.push(i);
  // Seeds: one per user of what plain round-robin would serve now (so priorities hold), each that
  // user's candidate closest to the batch so far.
  const seedKey = (s: Slice): string => `${s.priority}\0${userKey(s)}`;
  const seedUsers = [...new Set(fair.slice(0, limit).map(seedKey))];
  const seeded = seedPerUser(pool.map(seedKey), seedUsers, dist, fixed, limit, (i, sel) => fits([i], sel));
  const chosen = pickTightest({ n: pool.length, dist, fixed: seeded, limit, fits });

  const inBatch = new Set(chosen);
  const left = pool.filter((_, i) => !inBatch.has(i));
  const full = chosen.length >= limit;
  const slices = chosen.map((i) => pool[i]).filter((s): s is Slice => s !== undefined);
  const choice: BatchChoice = { slices, passedOver: full ? left : [], refused: full ? [] : left };
  queues.commit(choice.slices, choice.passedOver, fair);
  return choice;
}
