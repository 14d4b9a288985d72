// The ALGORITHMS.md §7 figures of one cell, from the run's stats and the captured calls: calls before
// and after dedup, prefill (naive, achieved, LB and its losses), cache hit rate, makespan against
// LB_time, optimizer and governance wall time. Every GPU figure is simulated (sim:// on H100s or H200s).
import type { RunStats } from '../src/ir/run-stats.ts';
import { DEVICES } from '../src/cost/cost-model.ts';
import type { DeviceKind } from '../src/ir/cluster.ts';
import { lbTime, prefillFigures, type BoundNode, type ExecutedCall } from '../src/cost/lower-bound.ts';
import type { CapturedAction, TokenizedCall } from './capture.ts';

/** Numeric RunStats fields, summed over a cell's statements. */
export type StatsSum = { -readonly [K in keyof RunStats as RunStats[K] extends number ? K : never]: number };

/** Adds one statement's stats to a running sum (makespans add: the statements ran one after the other). */
export function addStats(sum: StatsSum | undefined, s: RunStats): StatsSum {
  const out: StatsSum = sum ? { ...sum } : {
    calls_total: 0, calls_executed: 0, response_cache_hits: 0, dedup_saved: 0, prompt_tokens: 0, cached_tokens: 0, errors: 0,
    simulated_makespan_seconds: 0, simulated_gpu_busy_seconds: 0, simulated_model_switches: 0, simulated_preemptions: 0, optimizer_wall_seconds: 0, governance_wall_seconds: 0, wall_seconds: 0,
  };
  for (const k of Object.keys(out) as (keyof StatsSum)[]) out[k] += s[k];
  return out;
}

/** Every figure of one cell. */
export interface CellFigures {
  readonly calls: { readonly beforeDedup: number; readonly afterDedup: number; readonly dedupSaved: number; readonly responseCacheHits: number; readonly errors: number };
  readonly prefill: {
    /** Σ prompt tokens of the calls sent. */
    readonly naive: number;
    /** Σ (prompt − cached). */
    readonly achieved: number;
    /** LB_prefill: distinct prefixes per model over the prompts sent (identical prompts once). */
    readonly lb: number;
    readonly ratio: number;
    readonly perGpuLb: number;
    readonly placementLoss: number;
    readonly orderingLoss: number;
    /** cached / prompt. */
    readonly cacheHitRate: number;
  };
  readonly modelSwitches: number;
  /** KV pre-emptions over every GPU (`simulated_preemptions`, vllm:num_preemptions_total). */
  readonly preemptions: number;
  /**
   * End to end: the optimizer's wall seconds (planning runs before the first call; real) plus the
   * simulated execution. Every speedup compares these.
   */
  readonly makespanS: number;
  /** The simulated execution alone. */
  readonly simulatedMakespanS: number;
  readonly lbTime: { readonly seconds: number; readonly criticalPathS: number; readonly throughputS: number };
  readonly makespanOverLb: number;
  readonly gpuBusyS: number;
  /** busy / (GPUs × makespan): the share of the cell's GPU-seconds spent computing. */
  readonly gpuBusyShare: number;
  /** GPUs × makespan − busy: GPU-seconds spent loading, switching or idle. */
  readonly idleGpuS: number;
  readonly optimizerWallS: number;
  readonly governanceWallS: number;
  /** governance / wall. */
  readonly governanceShare: number;
  readonly wallS: number;
  /** Checks of the capture: calls whose re-tokenized prompt length differs from the reported one, deps dropped. */
  readonly checks: { readonly tokenMismatches: number; readonly tokenizedCalls: number; readonly droppedDeps: number };
}

/** The figures of a cell from its summed stats and captured actions. */
export function cellFigures(stats: StatsSum, actions: readonly CapturedAction[], calls: readonly TokenizedCall[], mismatches: number, gpus: number, device: DeviceKind = 'h100'): CellFigures {
  const sent = calls.filter((c) => !c.action.notSent);
  const executed: ExecutedCall[] = sent.map((c) => ({ model: c.model.name, tokens: c.tokens, gpu: c.action.worker, cachedTokens: c.action.usage?.cachedTokens ?? 0 }));
  const pf = prefillFigures(executed);
  const bound = boundGraph(actions, calls);
  const time = lbTime(bound.nodes, gpus, DEVICES[device]);
  const achieved = stats.prompt_tokens - stats.cached_tokens;
  const gpuSeconds = gpus * stats.simulated_makespan_seconds;
  return {
    calls: {
      beforeDedup: stats.calls_total,
      afterDedup: stats.calls_total - stats.dedup_saved - stats.response_cache_hits,
      dedupSaved: stats.dedup_saved,
      responseCacheHits: stats.response_cache_hits,
      errors: stats.errors,
    },
    prefill: {
      naive: stats.prompt_tokens,
      achieved,
      lb: pf.lb,
      ratio: pf.lb > 0 ? achieved / pf.lb : 1,
      perGpuLb: pf.perGpuLb,
      placementLoss: pf.placementLoss,
      orderingLoss: pf.perGpuLb > 0 ? achieved / pf.perGpuLb : 1,
      cacheHitRate: stats.prompt_tokens > 0 ? stats.cached_tokens / stats.prompt_tokens : 0,
    },
    modelSwitches: stats.simulated_model_switches,
    preemptions: stats.simulated_preemptions,
    makespanS: stats.optimizer_wall_seconds + stats.simulated_makespan_seconds,
    simulatedMakespanS: stats.simulated_makespan_seconds,
    lbTime: { seconds: time.seconds, criticalPathS: time.criticalPathS, throughputS: time.throughputS },
    makespanOverLb: time.seconds > 0 ? (stats.optimizer_wall_seconds + stats.simulated_makespan_seconds) / time.seconds : 1,
    gpuBusyS: stats.simulated_gpu_busy_seconds,
    gpuBusyShare: gpuSeconds > 0 ? stats.simulated_gpu_busy_seconds / gpuSeconds : 0,
    idleGpuS: Math.max(0, gpuSeconds - stats.simulated_gpu_busy_seconds),
    optimizerWallS: stats.optimizer_wall_seconds,
    governanceWallS: stats.governance_wall_seconds,
    governanceShare: stats.wall_seconds > 0 ? stats.governance_wall_seconds / stats.wall_seconds : 0,
    wallS: stats.wall_seconds,
    checks: { tokenMismatches: mismatches, tokenizedCalls: calls.length, droppedDeps: bound.droppedDeps },
  };
}

/**
 * The graph LB_time is taken over (bench/README.md, "LB_time"): every captured action in completion
 * order (a topological order), with its dependencies. A chat call is a bound call (its model, the
 * prompt ids sent, the model's size, the tokens it generated). Deterministic calls with the same
 * model and prompt are one piece of work: the first in the order carries the call, the others become
 * free nodes that wait for it, so LB_time is the same whether or not the engine deduplicated them.
 * Everything else (SQL, fetch, format, image generation, calls that failed before a prompt) is free.
 */
export function boundGraph(actions: readonly CapturedAction[], calls: readonly TokenizedCall[]): { nodes: BoundNode[]; droppedDeps: number } {
  const tokensOf = new Map(calls.map((c) => [c.action.id, c]));
  const keyOf = (c: TokenizedCall): string | undefined => (c.action.deterministic ? `${c.model.name}\u0000${c.tokens.join(',')}` : undefined);
  // The generated length of a piece of work: the most any of its copies reported (copies served by
  // dedup report none).
  const outTokens = new Map<string, number>();
  for (const c of calls) {
    const k = keyOf(c) ?? c.action.id;
    outTokens.set(k, Math.max(outTokens.get(k) ?? 0, c.action.usage?.completionTokens ?? 0));
  }
  const seen = new Set<string>();
  const owner = new Map<string, string>();
  const nodes: BoundNode[] = [];
  let droppedDeps = 0;
  for (const a of actions) {
    const deps = a.deps.filter((d) => seen.has(d));
    droppedDeps += a.deps.length - deps.length;
    seen.add(a.id);
    const c = tokensOf.get(a.id);
    if (!c) {
      nodes.push({ id: a.id, deps });
      continue;
    }
    const k = keyOf(c);
    const first = k === undefined ? undefined : owner.get(k);
    if (first !== undefined) {
      nodes.push({ id: a.id, deps: [...deps, first] });
      continue;
    }
    if (k !== undefined) owner.set(k, a.id);
    nodes.push({ id: a.id, deps, call: { model: c.model.name, tokens: c.tokens, paramsB: c.model.paramsB, outTokens: outTokens.get(k ?? a.id) ?? 0 } });
  }
  return { nodes, droppedDeps };
}
