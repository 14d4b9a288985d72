// The queues of ALGORITHMS.md §5: one per priority, inside it one FIFO per user served round-robin,
// priorities served by weighted round-robin (quanta high 20 / medium 10 / low 5 slices per round), and
// the starvation guard's miss counts (a slice passed over 3 times is pinned into the next batch).
// The fair order is what plain round-robin would serve next; batch selection may deviate from it
// (affinity), and the deviation is what the miss counts bound.
import { PRIORITIES, type Priority } from '../ir/common.ts';
import type { Slice } from './slicing.ts';

/** Slices of each priority per round of the weighted round-robin. */
export type Quanta = Readonly<Record<Priority, number>>;

export const DEFAULT_QUANTA: Quanta = { high: 20, medium: 10, low: 5 };

/** Misses at which a slice is pinned into the next batch. */
export const PIN_AT_MISSES = 3;

interface Lane {
  /** Users in order of arrival (tenant-qualified keys); a user leaves when its FIFO empties. */
  readonly users: string[];
  readonly fifo: Map<string, Slice[]>;
  /** Index into `users` of the user served first next time. */
  cursor: number;
}

/** A user as the queues know it: users of different tenants never share a FIFO. */
export function userKey(s: { readonly tenant: string; readonly user: string }): string {
  return JSON.stringify([s.tenant, s.user]);
}

/** Per-priority, per-user round-robin queues with quanta and miss counts. */
export class SliceQueues {
  private readonly lanes: Record<Priority, Lane>;
  private readonly left: Record<Priority, number>;
  private readonly misses = new Map<string, number>();
  /** Enqueue order, the tie-break between pinned slices (oldest first). */
  private readonly seq = new Map<string, number>();
  private nextSeq = 0;

  constructor(private readonly quanta: Quanta = DEFAULT_QUANTA) {
    for (const p of PRIORITIES) if (!Number.isInteger(quanta[p]) || quanta[p] < 1) throw new RangeError(`quantum of '${p}' must be a positive integer`);
    const lane = (): Lane => ({ users: [], fifo: new Map(), cursor: 0 });
    this.lanes = { high: lane(), medium: lane(), low: lane() };
    this.left = { ...quanta };
  }

  /** Number of queued slices. */
  get size(): number {
    let n = 0;
    for (const p of PRIORITIES) for (const q of this.lanes[p].fifo.values()) n += q.length;
    return n;
  }

  /** Appends a slice to its user's FIFO in its priority. */
  enqueue(s: Slice): void {
    const lane = this.lanes[s.priority];
    const key = userKey(s);
    let q = lane.fifo.get(key);
    if (q === undefined) {
      q = [];
      lane.fifo.set(key, q);
      lane.users.push(key);
    }
    q.push(s);
    this.seq.set(s.id, this.nextSeq++);
  }

  /** Removes every queued slice `drop` selects; returns them. */
  remove(drop: (s: Slice) => boolean): Slice[] {
    const out: Slice[] = [];
    for (const p of PRIORITIES) {
      const lane = this.lanes[p];
      for (const q of lane.fifo.values()) {
        const keep = q.filter((s) => !drop(s));
        if (keep.length === q.length) continue;
        out.push(...q.filter(drop));
        q.splice(0, q.length, ...keep);
      }
      this.pruneUsers(lane);
    }
    for (const s of out) this.forget(s.id);
    return out;
  }

  /** Times `id` was passed over since it was queued. */
  missCount(id: string): number {
    return this.misses.get(id) ?? 0;
  }

  /** Queued slices passed over PIN_AT_MISSES times or more: most misses first, then oldest first. */
  pinned(): Slice[] {
    const out: Slice[] = [];
    for (const p of PRIORITIES) for (const q of this.lanes[p].fifo.values()) for (const s of q) if (this.missCount(s.id) >= PIN_AT_MISSES) out.push(s);
    return out.sort((a, b) => this.missCount(b.id) - this.missCount(a.id) || (this.seq.get(a.id) ?? 0) - (this.seq.get(b.id) ?? 0));
  }

  /**
   * The next `limit` slices plain scheduling would serve, without taking them: priorities by weighted
   * round-robin from the quanta left in this round (a new round starts when no priority with work has
   * quantum left), users round-robin inside a priority from its cursor, each user's slices in order.
   */
  fairOrder(limit: number): Slice[] {
    const left = { ...this.left };
    const cursor = { high: this.lanes.high.cursor, medium: this.lanes.medium.cursor, low: this.lanes.low.cursor };
    const used = new Map<string, number>();
    const remaining = (p: Priority): number => {
      let n = 0;
      for (const [key, q] of this.lanes[p].fifo) n += q.length - (used.get(`${p}\0${key}`) ?? 0);
      return n;
    };
    const out: Slice[] = [];
    while (out.length < limit) {
      const p = PRIORITIES.find((x) => left[x] > 0 && remaining(x) > 0);
      if (p === undefined) {
        if (!PRIORITIES.some((x) => remaining(x) > 0)) break;
        Object.assign(left, this.quanta);
        continue;
      }
      const lane = this.lanes[p];
      // The next user (cyclically from the cursor) with a slice not yet in `out`.
      for (let k = 0; k < lane.users.length; k++) {
        const i = (cursor[p] + k) % lane.users.length;
        const key = lane.users[i] ?? '';
        const q = lane.fifo.get(key) ?? [];
        const n = used.get(`${p}\0${key}`) ?? 0;
        const s = q[n];
        if (s === undefined) continue;
        out.push(s);
        used.set(`${p}\0${key}`, n + 1);
        cursor[p] = (i + 1) % lane.users.length;
        break;
      }
      left[p]--;
    }
    return out;
  }

  /**
   * Takes `chosen` out of the queues as one batch: charges their priorities' quanta, moves each
   * priority's cursor to the user after the last chosen slice of `fair` (the fair order the batch
   * was formed from), clears their miss counts, and counts a miss for each of `passedOver` (slices
   * that could have been in the batch but were not; one refused for lack of capacity is not).
   */
  commit(chosen: readonly Slice[], passedOver: readonly Slice[], fair: readonly Slice[]): void {
    const ids = new Set(chosen.map((s) => s.id));
    for (const p of PRIORITIES) {
      const taken = chosen.filter((s) => s.priority === p).length;
      this.left[p] = Math.max(0, this.left[p] - taken);
      const lane = this.lanes[p];
      const last = fair.filter((s) => s.priority === p && ids.has(s.id)).at(-1);
      if (last !== undefined) lane.cursor = (lane.users.indexOf(userKey(last)) + 1) % lane.users.length;
    }
    this.remove((s) => ids.has(s.id));
    for (const s of passedOver) if (!ids.has(s.id)) this.misses.set(s.id, this.missCount(s.id) + 1);
    if (!PRIORITIES.some((p) => this.left[p] > 0 && this.hasWork(p))) Object.assign(this.left, this.quanta);
  }

  private hasWork(p: Priority): boolean {
    for (const q of this.lanes[p].fifo.values()) if (q.length > 0) return true;
    return false;
  }

  /** Drops users whose FIFO emptied, keeping the cursor on the same next user. */
  private pruneUsers(lane: Lane): void {
    for (let i = lane.users.length - 1; i >= 0; i--) {
      const key = lane.users[i] ?? '';
      if ((lane.fifo.get(key)?.length ?? 0) > 0) continue;
      lane.fifo.delete(key);
      lane.users.splice(i, 1);
      if (i < lane.cursor) lane.cursor--;
    }
    if (lane.cursor >= lane.users.length) lane.cursor = 0;
  }

  private forget(id: string): void {
    this.misses.delete(id);
    this.seq.delete(id);
  }
}
