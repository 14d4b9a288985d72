// A static radix trie over a fixed set of token prompts, and a model of a prefix cache over it:
// the cache holds a prefix-closed part of the trie (token granular), optionally capped in tokens
// with LRU eviction from the leaves (tail tokens first). What the cache can hold is always a
// prefix of some prompt in the set, so the static trie is enough to represent it.
import { MinHeap } from '../util/min-heap.ts';

/** A prompt as token ids: an array or a typed array. */
export type Tokens = ArrayLike<number> & Iterable<number>;

/** Radix trie over prompts; node 0 is the root (depth 0). */
export interface RadixTrie {
  /** Parent of each node; -1 for the root. */
  readonly parent: Int32Array;
  /** Tokens from the root to the end of each node's edge. */
  readonly depth: Int32Array;
  /** Per prompt: its nodes from below the root down to its end (empty for an empty prompt). */
  readonly paths: readonly Int32Array[];
  /** Per prompt: its position in lexicographic token order (equal prompts by input position). */
  readonly rank: Int32Array;
  /** Distinct non-empty token prefixes over all prompts (Σ edge lengths). */
  readonly tokens: number;
}

/** Lexicographic comparison of token arrays (a proper prefix sorts first). */
export function compareTokens(a: Tokens, b: Tokens): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Length of the longest common prefix of two token arrays. */
export function commonPrefix(a: Tokens, b: Tokens): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Builds the radix trie from the prompts sorted lexicographically and their adjacent LCPs. */
export function buildRadixTrie(prompts: readonly Tokens[]): RadixTrie {
  const order = prompts.map((_, i) => i).sort((a, b) => compareTokens(prompts[a] ?? [], prompts[b] ?? []) || a - b);
  const parent: number[] = [-1];
  const depth: number[] = [0];
  const terminal = new Int32Array(prompts.length);
  const rank = new Int32Array(prompts.length);
  const add = (p: number, d: number): number => {
    parent.push(p);
    depth.push(d);
    return parent.length - 1;
  };
  const stack = [0];
  const top = (): number => stack[stack.length - 1] ?? 0;
  order.forEach((i, r) => {
    rank[i] = r;
    const cur = prompts[i] ?? [];
    const l = r === 0 ? 0 : commonPrefix(prompts[order[r - 1] ?? 0] ?? [], cur);
    let last = -1;
    while ((depth[top()] ?? 0) > l) last = stack.pop() ?? -1;
    if ((depth[top()] ?? 0) < l) {
      const mid = add(top(), l);
      parent[last] = mid;
      stack.push(mid);
    }
    if (cur.length > l) stack.push(add(top(), cur.length));
    terminal[i] = top();
  });
  const paths = prompts.map((_, i) => {
    const path: number[] = [];
    for (let v = terminal[i] ?? 0; v > 0; v = parent[v] ?? 0) path.push(v);
    return Int32Array.from(path.reverse());
  });
  let tokens = 0;
  for (let v = 1; v < parent.length; v++) tokens += (depth[v] ?? 0) - (depth[parent[v] ?? 0] ?? 0);
  return { parent: Int32Array.from(parent), depth: Int32Array.from(depth), paths, rank, tokens };
}

interface LruEntry {
  readonly node: number;
  readonly lastUsed: number;
  readonly depth: number;
}

/**
 * The modelled contents of a prefix cache over the prompts of a trie. Unbounded by default; with
 * `capacityTokens`, inserting beyond it evicts the least recently used leaf edges, deepest first
 * on ties, a token at a time from their tails (the prompt just inserted is the newest).
 */
export class PrefixCacheModel {
  private readonly cached: Int32Array;
  private readonly lastUsed: Float64Array;
  private readonly cachedChildren: Int32Array;
  private readonly lru = new MinHeap<LruEntry>(
    (a, b) => a.lastUsed < b.lastUsed || (a.lastUsed === b.lastUsed && (a.depth > b.depth || (a.depth === b.depth && a.node < b.node))),
  );
  private held = 0;
  private tick = 0;

  /** @param capacityTokens the most tokens the cache holds (Infinity: unbounded). */
  constructor(
    private readonly trie: RadixTrie,
    private readonly capacityTokens = Number.POSITIVE_INFINITY,
  ) {
    if (!(capacityTokens >= 0)) throw new RangeError(`capacityTokens must be >= 0, got ${capacityTokens}`);
    const nodes = trie.parent.length;
    this.cached = new Int32Array(nodes);
    this.lastUsed = new Float64Array(nodes);
    this.cachedChildren = new Int32Array(nodes);
  }

  /** Tokens held now. */
  get tokens(): number {
    return this.held;
  }

  /** Longest cached prefix of prompt `p` (an index into the trie's prompts), in tokens. */
  match(p: number): number {
    let total = 0;
    for (const v of this.trie.paths[p] ?? []) {
      const c = this.cached[v] ?? 0;
      total += c;
      if (c < this.edge(v)) break;
    }
    return total;
  }

  /** Prompt `p` was prefilled: all its tokens are now cached and most recently used. */
  insert(p: number): void {
    const path = this.trie.paths[p] ?? new Int32Array(0);
    const now = ++this.tick;
    for (const v of path) {
      const len = this.edge(v);
      const c = this.cached[v] ?? 0;
      const up = this.trie.parent[v] ?? 0;
      if (c === 0) this.cachedChildren[up] = (this.cachedChildren[up] ?? 0) + 1;
      this.held += len - c;
      this.cached[v] = len;
      this.lastUsed[v] = now;
    }
    const end = path[path.length - 1];
    if (end !== undefined && this.cachedChildren[end] === 0) this.pushLeaf(end);
    this.evict();
  }

  private edge(v: number): number {
    return (this.trie.depth[v] ?? 0) - (this.trie.depth[this.trie.parent[v] ?? 0] ?? 0);
  }

  private pushLeaf(v: number): void {
    this.lru.push({ node: v, lastUsed: this.lastUsed[v] ?? 0, depth: this.trie.depth[v] ?? 0 });
  }

  private evict(): void {
    while (this.held > this.capacityTokens) {
      const e = this.lru.pop();
      if (e === undefined) throw new Error('internal: cache over capacity with nothing to evict');
      const v = e.node;
      const c = this.cached[v] ?? 0;
      if (c === 0 || this.cachedChildren[v] !== 0 || this.lastUsed[v] !== e.lastUsed) continue; // stale entry
      const drop = Math.min(c, this.held - this.capacityTokens);
      this.cached[v] = c - drop;
      this.held -= drop;
      if (c - drop > 0) {
        this.lru.push(e);
        continue;
      }
      const p = this.trie.parent[v] ?? 0;
      const left = (this.cachedChildren[p] ?? 0) - 1;
      this.cachedChildren[p] = left;
      if (left === 0 && p > 0) this.pushLeaf(p);
    }
  }
}
