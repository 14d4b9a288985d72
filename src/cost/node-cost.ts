// Cost parts of a GPU node for the epoch DP (ALGORITHMS.md §4), from token counts and the §6 cost
// model: `eligible` is the prefill that could reuse the parent's KV, `invariant` the rest of the
// prefill (after what the §3 order serves from cache) plus batched decode. Estimates, in seconds.
import { prefillSeconds, stepSeconds, type ModelCost } from './cost-model.ts';

/** Token work of one GPU node (a super-node's calls, or a single call). */
export interface GpuNodeWork {
  readonly calls: number;
  /** Σ prompt tokens over the calls. */
  readonly promptTokens: number;
  /** Of those, tokens served from the prefix cache inside the node (the §3 order's hits). */
  readonly cachedTokens: number;
  /** Of the rest, tokens that could reuse the parent node's KV if the parent ran last on the GPU. */
  readonly parentTokens: number;
  readonly outputTokens: number;
  /** Requests decoded together at most (vLLM max_num_seqs); 256 when absent. */
  readonly maxBatch?: number;
}

/** The two cost parts the epoch DP takes for a GPU node. */
export interface GpuNodeCost {
  readonly eligibleS: number;
  readonly invariantS: number;
}

/**
 * Estimates a node's cost parts on one model/device: per-call means for the prefill (with the §6
 * attention term), and decode in waves of `maxBatch` calls, each output token one continuous-
 * batching step over the wave's average context.
 */
export function estimateGpuNode(cost: ModelCost, work: GpuNodeWork): GpuNodeCost {
  if (work.calls <= 0) return { eligibleS: 0, invariantS: 0 };
  if (work.cachedTokens + work.parentTokens > work.promptTokens) throw new RangeError('cached + parent tokens exceed the prompt tokens');
  const n = work.calls;
  const cached = work.cachedTokens / n;
  const parent = work.parentTokens / n;
  const fresh = (work.promptTokens - work.cachedTokens - work.parentTokens) / n;
  const eligibleS = n * prefillSeconds(cost, parent, cached);
  const prefillS = n * prefillSeconds(cost, fresh, cached + parent);
  const batch = Math.min(n, Math.max(1, work.maxBatch ?? 256));
  const waves = Math.ceil(n / batch);
  const out = work.outputTokens / n;
  const context = work.promptTokens / n + out / 2;
  const step = stepSeconds(cost, { decodeSeqs: batch, decodeContextTokens: batch * context, prefill: [] });
  return { eligibleS, invariantS: prefillS + waves * out * step };
}
