// The optimizer's part of EXPLAIN: the engine, rewrites that fired, calls before and after dedup,
// the placement (per worker: calls and models, a model's replicas and routing), each GPU's
// deployment, agentlake's residency plan and dispatch with the fluid replay's estimated makespan,
// and the lower bounds of ALGORITHMS.md §7; EXPLAIN
// ANALYZE adds the measured figures. Every time is simulated; every estimate is labelled. VERBOSE
// adds, under each rewrite, the DAG as that rule left it (dagView: whole if small, else input 0),
// and says so when no rule changed the plan.
import type { Optimized } from '../scheduler/optimize-batch.ts';
import type { RunStats } from '../ir/run-stats.ts';
import { dagView, type DagView, type TextPlan } from './render-text.ts';
import type { ClusterSpec, DeviceKind } from '../ir/cluster.ts';
import type { EngineName } from '../ir/engines.ts';
import type { GpuDeployment } from '../ir/physical-plan.ts';
import type { ResidencyReport } from '../scheduler/residency.ts';

/** JSON form (EXPLAIN --json: `optimizer`). */
export interface OptimizerReport {
  readonly engine: EngineName;
  readonly gpus: number;
  /** The simulated cluster planned for: its accelerator, and what is resident at time 0. */
  readonly device: DeviceKind;
  /** `cold`, `warm`, or `preload:<model per GPU>` (ir/cluster.ts). */
  readonly start: string;
  /** Present when the models think before they answer (thinking mode; ir/cluster.ts). */
  readonly reasoning?: true;
  readonly callsBefore: number;
  readonly callsAfter: number;
  /** Every rule application that changed the DAG; with VERBOSE, `after` is the DAG it left. */
  readonly rewrites: readonly { readonly rule: string; readonly round: number; readonly actions: string; readonly calls: string; readonly after?: DagView }[];
  readonly placement: readonly {
    readonly worker: string;
    readonly calls: number;
    readonly models: readonly string[];
    /** A model's replicas (the baselines): their GPUs and the router's policy. */
    readonly replicas?: { readonly gpus: readonly number[]; readonly routing: string };
  }[];
  /** What each GPU is deployed with before the run: co-located shares, or sleep-mode swaps; models started and put to sleep for later stints. */
  readonly deployment?: readonly { readonly gpu: number; readonly models: readonly string[]; readonly shares?: readonly number[]; readonly asleep?: readonly string[] }[];
  /** agentlake: what each GPU holds over time (stints, each from its estimated start) and the fluid replay's makespan. */
  readonly residency?: ResidencyReport;
  /** Inputs in flight, each one step at a time (the langgraph baseline). */
  readonly inputsInFlight?: number;
  readonly estimate?: {
    readonly simulated: true;
    readonly promptTokens: number;
    readonly lbPrefillTokens: number;
    readonly lbTimeS: number;
    readonly criticalPathS: number;
    readonly throughputS: number;
  };
  readonly measured?: RunStats & { readonly makespanOverLbTime: number | null };
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The report of an optimized batch (and, for EXPLAIN ANALYZE, the run's figures; for VERBOSE, the DAG after each rewrite). */
export function optimizerReport(o: Optimized, engine: OptimizerReport['engine'], cluster: ClusterSpec, measured?: RunStats, opts: { readonly verbose?: boolean } = {}): OptimizerReport {
  const byId = new Map(o.rewritten.dag.actions.map((a) => [a.id, a]));
  const placement: OptimizerReport['placement'][number][] = [];
  for (const [worker, ids] of [...(o.plan?.order ?? new Map<string, readonly string[]>())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (worker === 'cpu') continue;
    const models: string[] = [];
    let calls = 0;
    for (const id of ids) {
      const a = byId.get(id);
      if (!a || !('model' in a)) continue;
      calls++;
      if (models.at(-1) !== a.model.name) models.push(a.model.name);
    }
    const w = o.plan?.workers.get(worker);
    placement.push({ worker, calls, models, ...(w?.kind === 'replicas' ? { replicas: { gpus: w.gpus, routing: w.routing } } : {}) });
  }
  const deployment = [...(o.plan?.deployment ?? new Map<number, GpuDeployment>())].sort((a, b) => a[0] - b[0])
    .map(([gpu, d]) => ({ gpu, models: d.models.map((m) => m.name), ...(d.memoryFractions ? { shares: d.memoryFractions } : {}), ...(d.asleep?.length ? { asleep: d.asleep.map((m) => m.name) } : {}) }));
  const inFlight = o.plan?.admission?.inFlight;
  const e = o.estimate;
  return {
    engine,
    gpus: cluster.gpus,
    device: cluster.device,
    start: cluster.preload.length > 0 ? `preload:${cluster.preload.join(',')}` : cluster.warm ? 'warm' : 'cold',
    ...(cluster.reasoning ? { reasoning: true as const } : {}),
    callsBefore: o.callsBefore,
    callsAfter: o.callsAfter,
    rewrites: o.rewritten.trace.map((t) => ({
      rule: t.rule, round: t.round, actions: `${t.actionsBefore}->${t.actionsAfter}`, calls: `${t.callsBefore}->${t.callsAfter}`, ...(opts.verbose ? { after: dagView(t.dag) } : {}),
    })),
    placement,
    ...(deployment.length > 0 ? { deployment } : {}),
    ...(o.residency ? { residency: o.residency } : {}),
    ...(inFlight !== undefined ? { inputsInFlight: inFlight } : {}),
    ...(e ? { estimate: { simulated: true as const, promptTokens: e.promptTokens, lbPrefillTokens: e.lbPrefillTokens, lbTimeS: r3(e.lbTimeS), criticalPathS: r3(e.criticalPathS), throughputS: r3(e.throughputS) } } : {}),
    ...(measured ? { measured: { ...measured, makespanOverLbTime: e && e.lbTimeS > 0 && measured.simulated ? r3(measured.simulated_makespan_seconds / e.lbTimeS) : null } } : {}),
  };
}

/**
 * Text lines of the optimizer's report (wall-clock figures only in JSON: text plans are deterministic).
 * VERBOSE: each rewrite's `after` DAG under it, and a line saying so when the rules ran and none fired.
 */
export function renderOptimizer(t: TextPlan, r: OptimizerReport, opts: { readonly verbose?: boolean } = {}): void {
  t.add(1, 'Optimizer', { engine: r.engine, gpus: r.gpus, device: r.device, start: r.start, reasoning: r.reasoning ? 'on' : undefined, calls_before: r.callsBefore, calls_after: r.callsAfter });
  for (const w of r.rewrites) {
    t.add(2, 'Rewrite', { rule: w.rule, round: w.round, actions: w.actions, calls: w.calls });
    if (!opts.verbose || !w.after) continue;
    t.add(3, 'After', { actions: w.after.actions, shown: w.after.shown });
    for (const line of w.after.lines) t.addText(4, line);
  }
  if (opts.verbose && r.engine === 'agentlake' && r.rewrites.length === 0) t.add(2, 'Rewrite', { rule: 'none', note: 'no rule changed the plan' });
  for (const p of r.placement) t.add(2, 'Worker', { name: p.worker, calls: p.calls, models: p.models.join('>'), gpus: p.replicas?.gpus.join(','), routing: p.replicas?.routing });
  for (const d of r.deployment ?? []) {
    const several = d.models.length > 1;
    t.add(2, 'Deploy', { gpu: d.gpu, models: d.models.join('+'), shares: d.shares?.join(','), mode: several ? (d.shares ? 'colocated' : 'sleep') : undefined, asleep: d.asleep?.join('+') });
  }
  const res = r.residency;
  if (res) {
    t.add(2, 'Residency', { calls: res.calls, moves: 'when a GPU\'s models have no call left to send' });
    for (const g of res.stints) {
      t.add(3, 'Gpu', { gpu: g.gpu, stints: g.stints.map((s) => `${s.models.join('+')}${s.shares ? `(${s.shares.join(',')})` : ''}`).join(' > '), from_s: g.stints.map((s) => s.startS).join(' > ') });
    }
    t.add(2, 'Estimate', { simulated_makespan_s: res.estimatedMakespanS, method: 'fluid replay of each model\'s work at full batch' });
    t.add(2, 'Dispatch', { policy: 'planned', order: 'input, then DAG', admit: 'KV budget', prefer: 'longest prefix sent to the GPU' });
  }
  if (r.inputsInFlight !== undefined) t.add(2, 'Admission', { inputs_in_flight: r.inputsInFlight, steps_per_input: 'one at a time' });
  const e = r.estimate;
  if (e) t.add(2, 'LowerBound', { prompt_tokens: e.promptTokens, prefill_tokens: e.lbPrefillTokens, simulated_time_s: e.lbTimeS, critical_path_s: e.criticalPathS, throughput_s: e.throughputS });
  const m = r.measured;
  if (m) {
    t.add(2, 'Measured', {
      simulated_makespan_s: m.simulated_makespan_seconds, makespan_over_lb: m.makespanOverLbTime ?? undefined, calls_executed: m.calls_executed, dedup_saved: m.dedup_saved,
      prompt_tokens: m.prompt_tokens, cached_tokens: m.cached_tokens, model_switches: m.simulated_model_switches, errors: m.errors,
    });
  }
}
