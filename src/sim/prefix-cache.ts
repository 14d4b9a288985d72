// vLLM-style automatic prefix cache over token ids: a radix tree of full 16-token blocks in a
// finite pool, LRU eviction over blocks no running request holds (tail blocks first on ties).
// Hit rule: cached = min(longest cached prefix, floor((n-1)/16)*16); full blocks only.
import { BLOCK_TOKENS } from '../cost/cost-model.ts';
import { MinHeap } from '../util/min-heap.ts';

/** Tokens per KV block (vLLM's default block size). */

interface BlockNode {
  readonly id: number;
  readonly key: number;
  readonly depth: number;
  readonly parent: BlockNode | undefined;
  readonly children: Map<number, BlockNode>;
  refs: number;
  lastUsed: number;
  version: number;
  removed: boolean;
}

interface LruEntry {
  readonly node: BlockNode;
  readonly version: number;
  readonly lastUsed: number;
}

/** A running request's claim on the pool: its pinned cached prefix plus private blocks. */
export class CacheHold {
  /** @internal pinned tree blocks, in prefix order. */
  readonly path: BlockNode[] = [];
  /** @internal reserved blocks not (yet) in the tree. */
  reserved = 0;
  released = false;
  /** @param cachedTokens prompt tokens served from the cache at admission. */
  constructor(readonly cachedTokens: number) {}
}

/** Snapshot of the cache counters (tokens for hits and queries, as vLLM counts them). */
export interface PrefixCacheStats {
  readonly queries: number;
  readonly hits: number;
  readonly evictions: number;
  readonly capacityBlocks: number;
  /** Blocks held by running requests. */
  readonly usedBlocks: number;
  /** Blocks in the tree (held or evictable). */
  readonly cachedBlocks: number;
  /** usedBlocks / capacityBlocks, what vLLM reports as gpu_cache_usage_perc. */
  readonly usage: number;
}

/** A 53-bit hash of one block's 16 ids (two 32-bit mixes); a collision needs ~2^26 siblings. */
function blockKey(ids: readonly number[], block: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9;
  const end = Math.min((block + 1) * BLOCK_TOKENS, ids.length);
  for (let i = block * BLOCK_TOKENS; i < end; i++) {
    const id = ids[i] ?? 0;
    h1 = Math.imul(h1 ^ id, 0x01000193);
    h2 = Math.imul(h2 ^ id, 0x85ebca6b);
    h2 ^= h2 >>> 13;
  }
  return (h1 >>> 0) * 0x200000 + (h2 >>> 11);
}

/** Radix prefix cache over a pool of `capacityBlocks` KV blocks. */
export class PrefixCache {
  private root = PrefixCache.newRoot();
  private nextId = 1;
  private tick = 0;
  private treeBlocks = 0;
  private evictable = 0;
  private reservedBlocks = 0;
  private holds = 0;
  private counters = { queries: 0, hits: 0, evictions: 0 };
  private readonly lru = new MinHeap<LruEntry>(
    (a, b) =>
      a.lastUsed < b.lastUsed ||
      (a.lastUsed === b.lastUsed && (a.node.depth > b.node.depth || (a.node.depth === b.node.depth && a.node.id < b.node.id))),
  );

  /**
   * @param capacityBlocks the KV pool size in 16-token blocks.
   * @param caching vLLM's enable_prefix_caching: off, no prompt is ever served from cache and a
   *   request's blocks stay its own until it finishes (default on).
   */
  constructor(
    readonly capacityBlocks: number,
    readonly caching = true,
  ) {
    if (!Number.isInteger(capacityBlocks) || capacityBlocks < 1) throw new RangeError(`bad capacity ${capacityBlocks}`);
  }

  private static newRoot(): BlockNode {
    return { id: 0, key: 0, depth: 0, parent: undefined, children: new Map(), refs: 1, lastUsed: 0, version: 0, removed: false };
  }

  /** Cached tokens a prompt of token ids `ids` would get now (hit rule above); mutates nothing. */
  lookup(ids: readonly number[]): number {
    return this.match(ids).length * BLOCK_TOKENS;
  }

  /** Blocks a request needs in all (prompt + output) for `totalTokens` tokens of context. */
  static blocksFor(totalTokens: number): number {
    return Math.ceil(totalTokens / BLOCK_TOKENS);
  }

  /** Whether `acquire(ids, totalTokens)` would succeed now; mutates nothing. */
  canAcquire(ids: readonly number[], totalTokens: number): boolean {
    const path = this.match(ids);
    const unpinnedOnPath = path.filter((n) => n.refs === 0).length;
    const need = PrefixCache.blocksFor(totalTokens) - path.length;
    return need <= this.free() + this.evictable - unpinnedOnPath;
  }

  /**
   * Admits a request: pins its cached prefix, reserves the rest of `totalTokens` (evicting LRU
   * blocks as needed) and counts the query and hit tokens. Undefined when the pool is too full.
   */
  acquire(ids: readonly number[], totalTokens: number): CacheHold | undefined {
    if (!this.canAcquire(ids, totalTokens)) return undefined;
    const path = this.match(ids);
    const hold = new CacheHold(path.length * BLOCK_TOKENS);
    for (const node of path) this.pin(node, hold);
    const need = PrefixCache.blocksFor(totalTokens) - path.length;
    this.makeRoom(need);
    hold.reserved = need;
    this.reservedBlocks += need;
    this.holds++;
    this.counters.queries += ids.length;
    this.counters.hits += hold.cachedTokens;
    return hold;
  }

  /**
   * Publishes the full blocks of `ids[0, upToTokens)` (computed or scheduled tokens of the
   * request) in the tree, turning reserved blocks into shared ones; an identical block already
   * there is shared instead and the reserved one goes back to the pool.
   */
  insert(hold: CacheHold, ids: readonly number[], upToTokens: number): void {
    if (!this.caching) return;
    const full = Math.floor(Math.min(upToTokens, ids.length) / BLOCK_TOKENS);
    for (let b = hold.path.length; b < full; b++) {
      const parent = hold.path[b - 1] ?? this.root;
      const key = blockKey(ids, b);
      let node = parent.children.get(key);
      if (node === undefined) {
        if (hold.reserved === 0) {
          if (this.free() + this.evictable === 0) return;
          this.makeRoom(1);
          hold.reserved++;
          this.reservedBlocks++;
        }
        node = { id: this.nextId++, key, depth: parent.depth + 1, parent, children: new Map(), refs: 0, lastUsed: 0, version: 0, removed: false };
        parent.children.set(key, node);
        this.treeBlocks++;
        this.evictable++; // pin() below takes it back out
      }
      if (hold.reserved > 0) {
        hold.reserved--;
        this.reservedBlocks--;
      }
      this.pin(node, hold);
    }
  }

  /**
   * Grows a running request's blocks to hold `totalTokens` (vLLM allocates KV block by block as a
   * request prefills and decodes), evicting LRU blocks as needed; false (nothing changed) when the
   * pool cannot give them: the scheduler then pre-empts a request.
   */
  grow(hold: CacheHold, totalTokens: number): boolean {
    const need = PrefixCache.blocksFor(totalTokens) - hold.path.length - hold.reserved;
    if (need <= 0) return true;
    if (need > this.free() + this.evictable) return false;
    this.makeRoom(need);
    hold.reserved += need;
    this.reservedBlocks += need;
    return true;
  }

  /** A finished or aborted request lets go: its tree blocks become evictable (LRU), the rest free. */
  release(hold: CacheHold): void {
    if (hold.released) return;
    hold.released = true;
    this.holds--;
    this.reservedBlocks -= hold.reserved;
    hold.reserved = 0;
    const t = ++this.tick;
    for (const node of hold.path) {
      node.refs--;
      node.lastUsed = t;
      if (node.refs === 0 && !node.removed) {
        this.evictable++;
        node.version++;
        this.lru.push({ node, version: node.version, lastUsed: t });
      }
    }
    hold.path.length = 0;
  }

  /** Empties the cache (a model switch); only legal while no request holds blocks. */
  clear(): void {
    if (this.holds > 0) throw new Error(`prefix cache: clear() with ${this.holds} running holds`);
    this.root = PrefixCache.newRoot();
    this.treeBlocks = 0;
    this.evictable = 0;
    this.reservedBlocks = 0;
    this.lru.clear();
  }

  /** Counters and occupancy. */
  stats(): PrefixCacheStats {
    const usedBlocks = this.treeBlocks - this.evictable + this.reservedBlocks;
    return {
      ...this.counters,
      capacityBlocks: this.capacityBlocks,
      usedBlocks,
      cachedBlocks: this.treeBlocks,
      usage: usedBlocks / this.capacityBlocks,
    };
  }

  private free(): number {
    return this.capacityBlocks - this.treeBlocks - this.reservedBlocks;
  }

  private match(ids: readonly number[]): BlockNode[] {
    if (!this.caching) return [];
    const limit = Math.floor((ids.length - 1) / BLOCK_TOKENS);
    const path: BlockNode[] = [];
    let node = this.root;
    for (let b = 0; b < limit; b++) {
      const child = node.children.get(blockKey(ids, b));
      if (child === undefined) break;
      path.push(child);
      node = child;
    }
    return path;
  }

  private pin(node: BlockNode, hold: CacheHold): void {
    if (node.refs === 0) {
      this.evictable--;
      node.version++;
    }
    node.refs++;
    hold.path.push(node);
  }

  private makeRoom(blocks: number): void {
    while (this.free() < blocks) {
      const entry = this.lru.pop();
      if (entry === undefined) throw new Error('prefix cache: out of blocks despite canAcquire');
      const node = entry.node;
      if (node.removed || node.refs > 0 || node.version !== entry.version) continue;
      if (node.children.size > 0) throw new Error('prefix cache: LRU victim is not a leaf');
      node.removed = true;
      node.parent?.children.delete(node.key);
      this.treeBlocks--;
      this.evictable--;
      this.counters.evictions++;
    }
  }
}
