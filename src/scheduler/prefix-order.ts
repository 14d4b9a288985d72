// Cache-aware order inside a super-node (ALGORITHMS.md §3): dependency-respecting longest-prefix-
// match over the modelled cache contents; ties by larger remaining critical path, then by
// lexicographic prompt. Plus the prefilled-token measure of an order (§6 hit rule, §7 figures).
import { BLOCK_TOKENS } from '../cost/cost-model.ts';
import { indexDag, type DagNode } from './graph.ts';
import { PrefixCacheModel, buildRadixTrie, type Tokens } from '../cost/prompt-trie.ts';

/** One call (action × input): its prompt as token ids. */
export interface PromptInstance extends DagNode {
  readonly tokens: Tokens;
  /** Weight on the critical path (e.g. estimated seconds); 1 when absent. */
  readonly cost?: number;
}

/** How the order models the server's cache. */
export interface PrefixOrderOptions {
  /** KV capacity in tokens (LRU eviction); unbounded when absent. */
  readonly capacityTokens?: number;
}

/**
 * Orders `instances` for one worker: each step takes the ready instance whose prompt shares the
 * longest prefix (in tokens) with the modelled cache, then assumes its prompt cached. Dependencies
 * on ids outside `instances` are taken as met. For independent calls of equal cost under an
 * unbounded cache this is the lexicographic order (a DFS over the prompt trie). O(n·ready·depth).
 */
export function prefixOrder(instances: readonly PromptInstance[], options: PrefixOrderOptions = {}): string[] {
  return orderAndMeasure(instances, options).order;
}

/**
 * `prefixOrder` and, from the same pass over the same modelled cache, what running that order
 * prefills: equal to `measurePrefill` of the order under the same capacity (§6 block rule).
 */
export function orderAndMeasure(instances: readonly PromptInstance[], options: PrefixOrderOptions = {}): { order: string[]; measure: PrefillMeasure } {
  const g = indexDag(instances, 'ignore');
  const trie = buildRadixTrie(instances.map((x) => x.tokens));
  const cache = new PrefixCacheModel(trie, options.capacityTokens);
  const critical = new Float64Array(instances.length);
  for (let r = g.topo.length - 1; r >= 0; r--) {
    const v = g.topo[r] ?? 0;
    let tail = 0;
    for (const c of g.children[v] ?? []) tail = Math.max(tail, critical[c] ?? 0);
    critical[v] = (instances[v]?.cost ?? 1) + tail;
  }
  const pending = g.deps.map((d) => d.length);
  const ready: number[] = [];
  pending.forEach((p, i) => p === 0 && ready.push(i));
  const order: string[] = [];
  let promptTokens = 0;
  let cached = 0;
  while (ready.length > 0) {
    let best = 0;
    let bestMatch = -1;
    for (let k = 0; k < ready.length; k++) {
      const v = ready[k] ?? 0;
      const m = cache.match(v);
      const b = ready[best] ?? 0;
      const better =
        m > bestMatch ||
        (m === bestMatch && ((critical[v] ?? 0) > (critical[b] ?? 0) || (critical[v] === critical[b] && (trie.rank[v] ?? 0) < (trie.rank[b] ?? 0))));
      if (better) {
        best = k;
        bestMatch = m;
      }
    }
    const v = ready[best] ?? 0;
    ready[best] = ready[ready.length - 1] ?? v;
    ready.pop();
    order.push(g.ids[v] ?? '');
    const n = instances[v]?.tokens.length ?? 0;
    promptTokens += n;
    cached += cachedTokens(n, Math.max(0, bestMatch));
    cache.insert(v);
    for (const c of g.children[v] ?? []) {
      const left = (pending[c] ?? 0) - 1;
      pending[c] = left;
      if (left === 0) ready.push(c);
    }
  }
  return { order, measure: { promptTokens, cachedTokens: cached, prefilledTokens: promptTokens - cached } };
}

/**
 * How cached tokens follow from the longest cached prefix: 'blocks' is the §6 rule (full 16-token
 * blocks, never the whole prompt: min(⌊match/16⌋·16, ⌊(n−1)/16⌋·16)); 'exact' reuses every
 * matched token (an idealised token cache, the §7 lower bound's model).
 */
export type HitRule = 'blocks' | 'exact';

/** Options of `measurePrefill`. */
export interface PrefillOptions {
  /** KV capacity in tokens (LRU eviction from the tails); unbounded when absent. */
  readonly capacityTokens?: number;
  /** 'blocks' (default) or 'exact'. */
  readonly hitRule?: HitRule;
}

/** Prompt tokens of an execution order and how many of them the cache served. */
export interface PrefillMeasure {
  readonly promptTokens: number;
  readonly cachedTokens: number;
  /** promptTokens − cachedTokens: what §7 calls "achieved". */
  readonly prefilledTokens: number;
}

/** Cached tokens for an `n`-token prompt whose longest cached prefix is `match` tokens. */
export function cachedTokens(n: number, match: number, rule: HitRule = 'blocks'): number {
  if (rule === 'exact') return Math.min(match, n);
  const block = (x: number): number => Math.floor(Math.max(0, x) / BLOCK_TOKENS) * BLOCK_TOKENS;
  return Math.min(block(match), block(n - 1));
}

/**
 * Prefilled tokens when `prompts` run one after another in this order on one server with an
 * empty cache (no concurrency: each prompt is cached in full before the next one starts; the
 * finite cache counts tokens, evicting least recently used tails).
 */
export function measurePrefill(prompts: readonly Tokens[], options: PrefillOptions = {}): PrefillMeasure {
  const cache = new PrefixCacheModel(buildRadixTrie(prompts), options.capacityTokens);
  let promptTokens = 0;
  let cached = 0;
  prompts.forEach((p, i) => {
    promptTokens += p.length;
    cached += cachedTokens(p.length, cache.match(i), options.hitRule);
    cache.insert(i);
  });
  return { promptTokens, cachedTokens: cached, prefilledTokens: promptTokens - cached };
}
