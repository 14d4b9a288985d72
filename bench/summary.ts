// The benchmark's summary over its cells: per (workload, inputs, GPUs, start) the best fair baseline
// (the faster of ray-serve and router) and agentlake's speedup over it and over every baseline; per
// start (cold, warm) the geometric and arithmetic means and the worst cell; the cross-tenant speedups
// and the issue's targets with PASS/FAIL. Speedups compare simulated makespans (virtual time);
// optimizer timings are real wall clock.
import type { BaselineName } from '../src/ir/engines.ts';
import { DEFAULT_SWITCH_COSTS, coldLoadSeconds } from '../src/cost/cost-model.ts';
import { FAIR_BASELINES, STARTS, type CellResult, type Engine, type Start } from './cell.ts';
import type { OptimizerTimings } from './optimizer-timing.ts';

/** Every engine of one (workload, inputs, GPUs, start), against agentlake. */
export interface Comparison {
  readonly workload: string;
  readonly inputs: number;
  readonly gpus: number;
  readonly start: Start;
  readonly makespanS: Partial<Record<Engine, number>>;
  readonly agentlakeS: number;
  /** The faster of ray-serve and router (whichever of them ran). */
  readonly bestFair: { readonly engine: BaselineName; readonly makespanS: number } | undefined;
  /** best fair makespan / agentlake makespan. */
  readonly speedup: number | undefined;
  /** Each baseline's makespan / agentlake's. */
  readonly vs: Partial<Record<BaselineName, number>>;
  readonly lbTimeS: number;
  /**
   * A floor under any engine's makespan: warm, LB_time; cold, max(critical path, cold load +
   * throughput term), since every GPU loads a model before its first call.
   */
  readonly floorS: number;
  /** best fair makespan / floorS: the most any engine could gain over it on this cell. */
  readonly ceiling: number | undefined;
}

/** One tenant mix, submitted together (one statement) and one after the other, on one engine. */
export interface CrossTenantRun {
  readonly engine: Engine;
  readonly start: Start;
  readonly together: CellResult;
  readonly sequential: CellResult;
  /** sequential makespan / together makespan. */
  readonly speedup: number;
}

export interface CrossTenant {
  readonly inputs: number;
  readonly gpus: number;
  readonly runs: readonly CrossTenantRun[];
}

export interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

/** Speedups vs the best fair baseline over one start's cells. */
export interface StartSummary {
  readonly start: Start;
  /** Q1-Q6 at 4 GPUs: geometric mean, arithmetic mean, max, and how many cells. */
  readonly paper4: Stats;
  /** S1-S5 at 4 GPUs. */
  readonly scenarios4: Stats;
  /** The slowest cell vs its best fair baseline, over every workload and GPU count. */
  readonly worst: Comparison | undefined;
}

export interface Stats {
  readonly geomean: number;
  readonly mean: number;
  readonly max: number;
  readonly min: number;
  readonly n: number;
}

export interface Summary {
  readonly starts: readonly StartSummary[];
  readonly prefill4: readonly { readonly workload: string; readonly start: Start; readonly ratio: number }[];
  readonly targets: readonly Target[];
}

/** The least a cold model load takes: the engine start-up without any weights (cost-model.ts). */
export const MIN_COLD_LOAD_S = coldLoadSeconds(DEFAULT_SWITCH_COSTS, 0);

/** No engine ends before this on cold GPUs: every GPU loads a model before its first call. */
export function coldFloor(lb: CellResult['lbTime']): number {
  return Math.max(lb.criticalPathS, MIN_COLD_LOAD_S + lb.throughputS);
}

export const isPaper = (workload: string): boolean => /^Q\d$/.test(workload);
export const isScenario = (workload: string): boolean => /^S\d$/.test(workload);

/** Groups the cells by (workload, inputs, GPUs, start) and compares every engine with agentlake. */
export function comparisons(cells: readonly CellResult[]): Comparison[] {
  const out: Comparison[] = [];
  for (const a of cells) {
    if (a.engine !== 'agentlake') continue;
    const same = cells.filter((c) => c.workload === a.workload && c.inputs === a.inputs && c.gpus === a.gpus && c.start === a.start);
    const makespanS: Partial<Record<Engine, number>> = {};
    for (const c of same) makespanS[c.engine] = c.makespanS;
    const fair = same.filter((c) => (FAIR_BASELINES as readonly string[]).includes(c.engine)).sort((x, y) => x.makespanS - y.makespanS)[0];
    const bestFair = fair && fair.engine !== 'agentlake' ? { engine: fair.engine, makespanS: fair.makespanS } : undefined;
    const vs: Partial<Record<BaselineName, number>> = {};
    for (const c of same) if (c.engine !== 'agentlake') vs[c.engine] = ratio(c.makespanS, a.makespanS);
    const lb = same.map((c) => c.lbTime).reduce((x, y) => (y.seconds < x.seconds ? y : x));
    const floorS = a.start === 'cold' ? coldFloor(lb) : lb.seconds;
    out.push({
      workload: a.workload, inputs: a.inputs, gpus: a.gpus, start: a.start, makespanS, agentlakeS: a.makespanS, bestFair,
      speedup: bestFair ? ratio(bestFair.makespanS, a.makespanS) : undefined, vs, lbTimeS: lb.seconds, floorS,
      ceiling: bestFair ? ratio(bestFair.makespanS, floorS) : undefined,
    });
  }
  return out;
}

/** Summary figures and the targets. */
export function summarize(cells: readonly CellResult[], cmp: readonly Comparison[], cross: CrossTenant | undefined, opt: OptimizerTimings): Summary {
  const starts = STARTS.filter((s) => cmp.some((c) => c.start === s)).map((start): StartSummary => {
    const own = cmp.filter((c) => c.start === start && c.speedup !== undefined);
    const at4 = own.filter((c) => c.gpus === 4);
    return {
      start,
      paper4: stats(at4.filter((c) => isPaper(c.workload)).map((c) => c.speedup ?? 1)),
      scenarios4: stats(at4.filter((c) => isScenario(c.workload)).map((c) => c.speedup ?? 1)),
      worst: own.reduce<Comparison | undefined>((w, c) => (w === undefined || (c.speedup ?? 1) < (w.speedup ?? 1) ? c : w), undefined),
    };
  });
  const prefill4 = cells.filter((c) => c.gpus === 4 && c.engine === 'agentlake').map((c) => ({ workload: c.workload, start: c.start, ratio: c.prefill.ratio }));
  const paperPrefill = prefill4.filter((p) => isPaper(p.workload));
  const worstPrefill = paperPrefill.reduce((m, p) => Math.max(m, p.ratio), 0);
  const scenarioPrefill = prefill4.filter((p) => isScenario(p.workload)).reduce((m, p) => Math.max(m, p.ratio), 0);
  const targets: Target[] = [];
  for (const s of starts) {
    targets.push({ name: `4 GPUs, ${s.start}: speedup vs the best fair baseline over Q1-Q6 (geometric mean)`, target: '≥ 2.5×', measured: s.paper4.n > 0 ? `${x2(s.paper4.geomean)}× (mean ${x2(s.paper4.mean)}×, range ${x2(s.paper4.min)}-${x2(s.paper4.max)}×, ${s.paper4.n} cells)` : 'not run', pass: s.paper4.n > 0 && s.paper4.geomean >= 2.5 });
    const w = s.worst;
    targets.push({ name: `${s.start}: no cell more than 5% slower than its best fair baseline`, target: 'speedup ≥ 0.95× everywhere', measured: w ? `worst ${w.workload}/${w.inputs}/${w.gpus} GPU: ${x2(w.speedup ?? 1)}× (${pct(1 / (w.speedup ?? 1) - 1)} vs ${w.bestFair?.engine ?? 'n/a'})` : 'n/a', pass: w !== undefined && (w.speedup ?? 0) >= 1 / 1.05 });
  }
  targets.push({ name: 'prefill achieved/LB on every 4-GPU agentlake cell of Q1-Q6 (cold and warm)', target: '≤ 1.15', measured: `max ${x3(worstPrefill)} over ${paperPrefill.length} cells${scenarioPrefill > 0 ? ` (scenarios: max ${x3(scenarioPrefill)})` : ''}`, pass: paperPrefill.length > 0 && worstPrefill <= 1.15 });
  targets.push(crossTarget(cross));
  targets.push(
    { name: `optimizer: planResidency on ${opt.plan.workload} × ${opt.plan.inputs} inputs, ${opt.plan.gpus} GPUs (${opt.plan.calls} calls)`, target: `≤ ${opt.targetMs} ms`, measured: `${opt.plan.medianMs} ms (median)`, pass: opt.plan.medianMs <= opt.targetMs },
    { name: 'optimizer: whole optimizer (rewrite rules + planResidency) on the same batch', target: `≤ ${opt.targetMs} ms`, measured: `${opt.plan.optimizeMedianMs} ms (median)`, pass: opt.plan.optimizeMedianMs <= opt.targetMs },
  );
  return { starts, prefill4, targets };
}

/** agentlake's cross-tenant speedup (sequential / together) of one start, if it ran. */
export function crossRun(cross: CrossTenant | undefined, engine: Engine, start: Start): CrossTenantRun | undefined {
  return cross?.runs.find((r) => r.engine === engine && r.start === start);
}

function crossTarget(cross: CrossTenant | undefined): Target {
  const cold = crossRun(cross, 'agentlake', 'cold');
  const warm = crossRun(cross, 'agentlake', 'warm');
  const main = cold ?? warm;
  const measured = main ? [cold ? `cold ${x2(cold.speedup)}×` : '', warm ? `warm ${x2(warm.speedup)}×` : ''].filter((s) => s !== '').join(', ') : 'not run';
  return { name: 'cross-tenant: together vs sequential (agentlake; cold where run)', target: '≥ 1.37×', measured, pass: main !== undefined && main.speedup >= 1.37 };
}

export function stats(xs: readonly number[]): Stats {
  if (xs.length === 0) return { geomean: Number.NaN, mean: Number.NaN, max: Number.NaN, min: Number.NaN, n: 0 };
  return {
    geomean: Math.exp(xs.reduce((a, b) => a + Math.log(b), 0) / xs.length),
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    max: Math.max(...xs),
    min: Math.min(...xs),
    n: xs.length,
  };
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 1;
}

export function x2(v: number): string {
  return Number.isFinite(v) ? v.toFixed(2) : 'n/a';
}

export function x3(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : 'n/a';
}

export function pct(v: number): string {
  return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
}
