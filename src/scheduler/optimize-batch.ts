// The optimizer's one entry point, shared by execution and EXPLAIN: rewrites (unless off), then the
// physical plan (agentlake's residency plan, a baseline's, or none: dependency order), plus
// the estimated figures EXPLAIN shows (prompt tokens, their lower bound, LB_time). Pure.
import { isModelCall, type ActionDag, type ActionId } from '../ir/action-dag.ts';
import type { PhysicalPlan } from '../ir/physical-plan.ts';
import { baselinePlan } from './baseline.ts';
import { estimateCalls } from '../cost/estimate.ts';
import { DEVICES } from '../cost/cost-model.ts';
import type { DeviceKind } from '../ir/cluster.ts';
import { isBaseline, type EngineName } from '../ir/engines.ts';
import { lbPrefillTotal, lbTime, type BoundNode } from '../cost/lower-bound.ts';
import { rewriteDag, type Rewritten } from '../optimizer/rewrite.ts';
import type { DeclaredWorker } from './workers.ts';
import { planResidency, type ResidencyReport } from './residency.ts';

/** How to plan: the engine, and the simulated cluster serving sim:// models (ir/cluster.ts). */
export interface OptimizeOptions {
  readonly engine: EngineName;
  readonly gpus: number;
  /** The accelerator (default h100). */
  readonly device?: DeviceKind;
  /** GPUs start with their first planned model loaded: the planner charges no first load. */
  readonly warm?: boolean;
  /** Models resident at time 0 on GPU 0, 1, ... (catalog names). */
  readonly preload?: readonly string[];
  /** Thinking mode: calls are expected to think before they answer (cost/cost-model.ts expectedOutput). */
  readonly reasoning?: boolean;
  /** Declared workers (CREATE WORKER) for calls to non-sim endpoints. */
  readonly workers?: readonly DeclaredWorker[];
  /** Also compute the estimated figures (EXPLAIN); execution does not need them. */
  readonly estimate?: boolean;
}

/** Estimated figures of a planned batch (simulated seconds; tokens estimated before any output exists). */
export interface PlanEstimate {
  readonly promptTokens: number;
  /** ALGORITHMS.md §7: distinct token prefixes over the estimated prompts, per model, summed. */
  readonly lbPrefillTokens: number;
  readonly lbTimeS: number;
  readonly criticalPathS: number;
  readonly throughputS: number;
}

export interface Optimized {
  readonly rewritten: Rewritten;
  /** Undefined: the runtime's default dependency-order plan. */
  readonly plan?: PhysicalPlan;
  /** agentlake's residency plan (what each GPU holds over time), for EXPLAIN. */
  readonly residency?: ResidencyReport;
  readonly callsBefore: number;
  readonly callsAfter: number;
  readonly estimate?: PlanEstimate;
}

/** Plans `dag` for execution. */
export function optimizeBatch(dag: ActionDag, opts: OptimizeOptions): Optimized {
  const rewritten = opts.engine === 'agentlake' ? rewriteDag(dag) : { dag, aliases: new Map<ActionId, ActionId>(), absorbed: new Map<ActionId, ActionId>(), trace: [] };
  const batch = rewritten.dag;
  const workers = opts.workers ?? [];
  const cluster = { ...(opts.device ? { device: opts.device } : {}), ...(opts.warm ? { warm: true } : {}), ...(opts.preload ? { preload: opts.preload } : {}), ...(opts.reasoning ? { reasoning: true } : {}) };
  const residency = opts.engine === 'agentlake' ? planResidency(batch, { gpus: opts.gpus, workers, ...cluster }) : undefined;
  // Without the optimizer, calls to declared workers still need a placement: the static split.
  const baseline = isBaseline(opts.engine) ? opts.engine : workers.length > 0 ? 'paper' : undefined;
  const plan = residency?.plan ?? (baseline ? baselinePlan(batch, { name: baseline, gpus: opts.gpus, workers, ...(opts.device ? { device: opts.device } : {}) }) : undefined);
  return {
    rewritten,
    ...(plan ? { plan } : {}),
    ...(residency ? { residency: residency.report } : {}),
    callsBefore: dag.actions.filter(isModelCall).length,
    callsAfter: batch.actions.filter(isModelCall).length,
    ...(opts.estimate ? { estimate: estimateFigures(batch, opts.gpus, opts.device, opts.reasoning) } : {}),
  };
}

/**
 * Estimated prompt tokens, LB_prefill and LB_time of a batch on `gpus` simulated GPUs. LB_time leaves
 * model loads out (a GPU may already hold the model), so it holds for every run.
 */
export function estimateFigures(dag: ActionDag, gpus: number, device: DeviceKind = 'h100', reasoning = false): PlanEstimate {
  const calls = estimateCalls(dag, { reasoning });
  const nodes: BoundNode[] = dag.actions.map((a) => {
    const c = calls.get(a.id);
    const call = c && 'model' in a && a.kind !== 'image' && a.kind !== 'embed' ? { model: a.model.name, tokens: c.tokens, paramsB: a.model.paramsB, outTokens: c.outputTokens } : undefined;
    return { id: a.id, deps: a.deps, ...(call ? { call } : {}) };
  });
  const prompts = nodes.flatMap((n) => (n.call ? [n.call] : []));
  const t = lbTime(nodes, Math.max(1, gpus), DEVICES[device]);
  return {
    promptTokens: prompts.reduce((n, p) => n + p.tokens.length, 0),
    lbPrefillTokens: lbPrefillTotal(prompts),
    lbTimeS: t.seconds,
    criticalPathS: t.criticalPathS,
    throughputS: t.throughputS,
  };
}
