// The physical limit of a batch (ALGORITHMS.md §7): LB_prefill, the number of distinct token prefixes
// per model (what a perfect prefix cache must still prefill), the figures every benchmark reports
// against it (ratio, placement and ordering loss), and LB_time from the §6 cost model. Pure; no
// bound here is ever above what any schedule on the simulator can achieve.
import { InternalError } from '../diag/diagnostic.ts';
import { DEVICES, modelCost, stepSeconds, type DeviceProfile, type ModelCost } from './cost-model.ts';

/** A prompt as token ids: an array or a typed array. */
export type Tokens = ArrayLike<number> & Iterable<number>;

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

/** A call's prompt and the tokens it generated, on an engine that caches generated tokens. */
export interface Generation {
  readonly prompt: Tokens;
  readonly output: Tokens;
}

/**
 * LB_prefill of one model's prompts: the distinct prefixes (nodes of their trie) =
 * Σ over the prompts sorted lexicographically of (length − LCP with the previous prompt).
 * Identical prompts count once (the second adds length − length = 0). With `generated`, a prefix
 * that extends a call's prompt into its own output was computed by decoding, so it does not count
 * (a continuation of prompt + output only prefills what it adds).
 */
export function lbPrefill(prompts: readonly Tokens[], generated: readonly Generation[] = []): number {
  const decoded = generated.filter((g) => g.output.length > 0).map((g) => ({ tokens: [...g.prompt, ...g.output], from: g.prompt.length }));
  return distinctPrefixes([...prompts, ...decoded.map((d) => d.tokens)]) - decodedPrefixes(decoded);
}

function distinctPrefixes(prompts: readonly Tokens[]): number {
  const sorted = [...prompts].sort(compareTokens);
  let total = 0;
  let prev: Tokens = [];
  for (const p of sorted) {
    total += p.length - commonPrefix(prev, p);
    prev = p;
  }
  return total;
}

/** Distinct prefixes made by decoding: longer than the prompt of some sequence that holds them. */
function decodedPrefixes(decoded: readonly { readonly tokens: Tokens; readonly from: number }[]): number {
  const sorted = [...decoded].sort((a, b) => compareTokens(a.tokens, b.tokens));
  const lcp = sorted.map((d, i) => commonPrefix(sorted[i - 1]?.tokens ?? [], d.tokens));
  let total = 0;
  sorted.forEach((d, i) => {
    // Depths (lcp[i], len] are first seen here. Depth k is shared by the run i..j of sequences that
    // agree with this one on k tokens (contiguous in sorted order), and decoded if one has from < k.
    const base = lcp[i] ?? 0;
    let hi = d.tokens.length;
    let from = d.from;
    for (let j = i; hi > base; ) {
      const lo = Math.max(base, Math.min(hi, lcp[j + 1] ?? 0));
      total += Math.max(0, hi - Math.max(lo, from));
      hi = lo;
      j++;
      from = Math.min(from, sorted[j]?.from ?? from);
    }
  });
  return total;
}

/** A prompt and the model it runs on. */
export interface ModelPrompt {
  readonly model: string;
  readonly tokens: Tokens;
  /** What the call generated, where the engine caches generated tokens (see `lbPrefill`). */
  readonly output?: Tokens;
}

/** LB_prefill per model (a prefix shared by two models is computed once by each). */
export function lbPrefillByModel(prompts: readonly ModelPrompt[]): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  for (const [model, list] of groupBy(prompts, (p) => p.model)) {
    const generated = list.flatMap((p) => (p.output ? [{ prompt: p.tokens, output: p.output }] : []));
    out.set(model, lbPrefill(list.map((p) => p.tokens), generated));
  }
  return out;
}

/** LB_prefill of a whole batch: Σ over models. */
export function lbPrefillTotal(prompts: readonly ModelPrompt[]): number {
  let total = 0;
  for (const n of lbPrefillByModel(prompts).values()) total += n;
  return total;
}

/** Prompt tokens and prefix-cache hits of one executed call. */
export interface CallUsage {
  readonly promptTokens: number;
  readonly cachedTokens: number;
}

/** achieved = Σ over calls of (prompt tokens − cached tokens at execution). */
export function achievedPrefill(calls: readonly CallUsage[]): number {
  let total = 0;
  for (const c of calls) total += c.promptTokens - c.cachedTokens;
  return total;
}

/** value / bound, with 0 / 0 = 1 (nothing to do, nothing done: at the limit). */
export function boundRatio(value: number, bound: number): number {
  if (bound === 0) return value === 0 ? 1 : Number.POSITIVE_INFINITY;
  return value / bound;
}

/** One call as it ran: its model, the GPU that ran it, its prompt and the tokens the cache served. */
export interface ExecutedCall extends ModelPrompt {
  readonly gpu: string;
  readonly cachedTokens: number;
}

/** The prefill figures of §7 (tokens; ratios are 1.0 at the limit). */
export interface PrefillFigures {
  /** Σ prompt tokens (no cache at all). */
  readonly naive: number;
  readonly achieved: number;
  /** LB_prefill over all calls, per model. */
  readonly lb: number;
  /** Σ over (GPU, model) of LB_prefill of the calls that ran there: the limit for this placement. */
  readonly perGpuLb: number;
  /** achieved / lb = placementLoss × orderingLoss. */
  readonly ratio: number;
  /** perGpuLb / lb: prefixes computed on several GPUs. */
  readonly placementLoss: number;
  /** achieved / perGpuLb: prefixes computed again on one GPU (evicted or not yet cached). */
  readonly orderingLoss: number;
}

/** The §7 prefill figures of a run. */
export function prefillFigures(calls: readonly ExecutedCall[]): PrefillFigures {
  let naive = 0;
  for (const c of calls) naive += c.tokens.length;
  const achieved = achievedPrefill(calls.map((c) => ({ promptTokens: c.tokens.length, cachedTokens: c.cachedTokens })));
  const lb = lbPrefillTotal(calls);
  let perGpuLb = 0;
  for (const list of groupBy(calls, (c) => c.gpu).values()) perGpuLb += lbPrefillTotal(list);
  return { naive, achieved, lb, perGpuLb, ratio: boundRatio(achieved, lb), placementLoss: boundRatio(perGpuLb, lb), orderingLoss: boundRatio(achieved, perGpuLb) };
}

/**
 * One node of the batch for LB_time: a text or vision-language model call (image tokens in its
 * prompt), or other work, free in the bound (CPU steps, and diffusion calls, which are not modelled).
 */
export interface BoundNode {
  readonly id: string;
  readonly deps: readonly string[];
  readonly call?: BoundCall;
}

/** A model call: model, prompt and the tokens it generates. */
export interface BoundCall extends ModelPrompt {
  readonly paramsB: number;
  readonly outTokens: number;
}

/** LB_time and its two terms, in simulated seconds. */
export interface TimeBound {
  /** max(criticalPathS, throughputS). */
  readonly seconds: number;
  /** Longest dependency chain, each call alone on an idle GPU with the best cache hit it could get. */
  readonly criticalPathS: number;
  /** (Σ per model LB_prefill / R + decode work at full batch) / GPUs. */
  readonly throughputS: number;
}

/**
 * LB_time = max(critical path with no queueing, (LB_prefill/R + decode work at full batch) / GPUs).
 * Nodes must be in topological order. Model switches, CPU time and the prefill attention term are
 * left out (each only adds time), so the bound holds for every schedule.
 */
export function lbTime(nodes: readonly BoundNode[], gpus: number, device: DeviceProfile = DEVICES.h100): TimeBound {
  if (!(gpus >= 1)) throw new RangeError(`gpus must be >= 1, got ${gpus}`);
  const calls = nodes.flatMap((n) => (n.call ? [n.call] : []));
  const costs = new Map<string, ModelCost>();
  // One cost per model name (the first call's size names it).
  const cost = (c: BoundCall): ModelCost => {
    const known = costs.get(c.model);
    if (known) return known;
    const made = modelCost(device, { paramsB: c.paramsB });
    costs.set(c.model, made);
    return made;
  };
  const shared = sharedPrefixes(calls);
  const finish = new Map<string, number>();
  let criticalPathS = 0;
  for (const n of nodes) {
    let start = 0;
    for (const d of n.deps) {
      const f = finish.get(d);
      if (f === undefined) throw new InternalError(`lbTime: '${n.id}' depends on '${d}', which does not precede it`);
      start = Math.max(start, f);
    }
    const end = start + (n.call ? callSeconds(cost(n.call), n.call, shared.get(n.call) ?? 0) : 0);
    finish.set(n.id, end);
    criticalPathS = Math.max(criticalPathS, end);
  }
  let work = 0;
  const lb = lbPrefillByModel(calls);
  for (const [model, list] of groupBy(calls, (c) => c.model)) {
    const first = list[0];
    if (!first) continue;
    const c = cost(first);
    work += (lb.get(model) ?? 0) / c.prefillTokensPerS + decodeWorkSeconds(c, list, shared);
  }
  const throughputS = work / gpus;
  return { seconds: Math.max(criticalPathS, throughputS), criticalPathS, throughputS };
}

/**
 * One call alone on an idle GPU: one prefill step (its new tokens after the longest prefix it shares
 * with another prompt of its model, cached in full 16-token blocks only, §6), then out − 1 decode
 * steps at batch 1.
 */
export function callSeconds(cost: ModelCost, call: BoundCall, sharedPrefix: number): number {
  const n = call.tokens.length;
  const cached = Math.min(sharedPrefix, Math.floor(Math.max(0, n - 1) / 16) * 16);
  const prefill = stepSeconds(cost, { decodeSeqs: 0, decodeContextTokens: 0, prefill: [{ newTokens: n - cached, contextTokens: cached }] });
  const k = Math.max(0, call.outTokens - 1);
  if (k === 0) return prefill;
  // At batch 1 the step time is linear in the context (t_w + β·ctx is above t_c), so the k steps
  // with contexts n+1 .. n+k sum to k × the mean of the first and last.
  const step = (ctx: number): number => stepSeconds(cost, { decodeSeqs: 1, decodeContextTokens: ctx, prefill: [] });
  return prefill + (k * (step(n + 1) + step(n + k))) / 2;
}

/**
 * Decode work of one model's calls at full batch, summed over GPUs: every step holds at most the KV
 * capacity of context, so there are at least ⌈Σ KV / capacity⌉ steps (and at least the longest
 * call's), each paying t0 + max(t_w + β·Σctx, t_c·tokens); the sum of maxima is at least the max of
 * the sums. A prefix a call shares with another call's prompt (`shared`) may sit in KV once for all
 * of them (vLLM shares its blocks), so it is left out of the KV count; attention still reads it per
 * sequence (β·Σctx).
 */
export function decodeWorkSeconds(cost: ModelCost, calls: readonly BoundCall[], shared: ReadonlyMap<BoundCall, number> = new Map()): number {
  let tokens = 0;
  let ctxSum = 0;
  let kvSum = 0;
  let longest = 0;
  for (const c of calls) {
    const k = Math.max(0, c.outTokens - 1);
    tokens += k;
    ctxSum += k * c.tokens.length + (k * (k + 1)) / 2;
    kvSum += k * Math.max(0, c.tokens.length - (shared.get(c) ?? 0)) + (k * (k + 1)) / 2;
    longest = Math.max(longest, k);
  }
  if (tokens === 0) return 0;
  const steps = Math.max(longest, Math.ceil(kvSum / cost.kvCapacityTokens));
  return steps * cost.stepOverheadS + Math.max(steps * cost.weightsStepS + cost.perContextTokenS * ctxSum, cost.computePerTokenS * tokens);
}

/**
 * For each call, the longest prefix it shares with another call's prompt, or with another call's
 * prompt + output where outputs are cached, of its model: the nearest such neighbours in sorted order.
 */
function sharedPrefixes(calls: readonly BoundCall[]): ReadonlyMap<BoundCall, number> {
  const out = new Map<BoundCall, number>();
  for (const list of groupBy(calls, (c) => c.model).values()) {
    const entries = list.flatMap((c) => [{ owner: c, tokens: c.tokens, prompt: true }, ...(c.output ? [{ owner: c, tokens: [...c.tokens, ...c.output], prompt: false }] : [])]);
    entries.sort((a, b) => compareTokens(a.tokens, b.tokens));
    entries.forEach((e, i) => {
      if (!e.prompt) return;
      let best = 0;
      for (const step of [-1, 1]) {
        let j = i + step;
        while (entries[j]?.owner === e.owner) j += step;
        const other = entries[j];
        if (other) best = Math.max(best, commonPrefix(other.tokens, e.tokens));
      }
      out.set(e.owner, Math.max(best, out.get(e.owner) ?? 0));
    });
  }
  return out;
}

function groupBy<T>(items: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}
