// The benchmark's summary over its cells: speedup baseline/agentlake per (workload, inputs, GPUs), the
// 4-GPU average, the worst cell, the cross-tenant speedups and the targets with PASS/FAIL.
// Speedups compare simulated makespans (virtual time); optimizer timings are real wall clock.
import { DEFAULT_SWITCH_COSTS, coldLoadSeconds } from '../src/cost/cost-model.ts';
import type { CellResult } from './cell.ts';
import type { OptimizerTimings } from './optimizer-timing.ts';

/** baseline makespan / agentlake makespan for one (workload, inputs, GPUs). */
export interface Speedup {
  readonly workload: string;
  readonly inputs: number;
  readonly gpus: number;
  readonly baselineS: number;
  readonly agentlakeS: number;
  readonly lbTimeS: number;
  /**
   * A floor under any engine's makespan on cold GPUs: every GPU loads a model (cold load) before its
   * first call, so all GPU work fits in GPUs × (makespan − load): max(critical path, load + throughput).
   */
  readonly coldFloorS: number;
  readonly speedup: number;
  /** baseline makespan / coldFloorS: the most any engine could gain over the baseline on this cell. */
  readonly ceiling: number;
}

/** One tenant mix, submitted together (one statement) and one after the other. */
export interface CrossTenantEngine {
  readonly together: CellResult;
  readonly sequential: CellResult;
  /** sequential makespan / together makespan. */
  readonly speedup: number;
}

export interface CrossTenant {
  readonly inputs: number;
  readonly gpus: number;
  readonly agentlake: CrossTenantEngine;
  readonly baseline: CrossTenantEngine;
}

export interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

export interface Summary {
  /** Mean speedup over the 4-GPU (workload, inputs) pairs of Q1-Q6, and at each workload's largest inputs. */
  readonly avgSpeedup4: number;
  readonly avgSpeedup4Largest: number;
  /** Mean of the 4-GPU cells' ceilings: the largest average speedup any engine could reach here. */
  readonly avgCeiling4: number;
  readonly worst: Speedup | undefined;
  readonly prefill4: readonly { readonly workload: string; readonly inputs: number; readonly engine: string; readonly ratio: number }[];
  readonly targets: readonly Target[];
}

/** The least a cold model load takes: the engine start-up without any weights (cost-model.ts). */
export const MIN_COLD_LOAD_S = coldLoadSeconds(DEFAULT_SWITCH_COSTS, 0);

/** No engine ends before this on cold GPUs: every GPU loads a model before its first call. */
function coldFloor(lb: CellResult['lbTime']): number {
  return Math.max(lb.criticalPathS, MIN_COLD_LOAD_S + lb.throughputS);
}

/**
 * The most any engine could gain by running the tenants together: agentlake's sequential makespan
 * over the together batch's cold-GPU floor, max(critical path, load + throughput term).
 */
export function crossCeiling(cross: CrossTenant): number {
  const floor = coldFloor(cross.agentlake.together.lbTime);
  return floor > 0 ? cross.agentlake.sequential.makespanS / floor : 1;
}

/** Pairs each agentlake cell with its baseline cell. */
export function speedups(cells: readonly CellResult[]): Speedup[] {
  const out: Speedup[] = [];
  for (const a of cells) {
    if (a.engine !== 'agentlake') continue;
    const b = cells.find((c) => c.engine === 'baseline' && c.workload === a.workload && c.inputs === a.inputs && c.gpus === a.gpus);
    if (!b) continue;
    const lb = [a.lbTime, b.lbTime].reduce((x, y) => (y.seconds < x.seconds ? y : x));
    const coldFloorS = coldFloor(lb);
    out.push({ workload: a.workload, inputs: a.inputs, gpus: a.gpus, baselineS: b.makespanS, agentlakeS: a.makespanS, lbTimeS: lb.seconds, coldFloorS, speedup: a.makespanS > 0 ? b.makespanS / a.makespanS : 1, ceiling: coldFloorS > 0 ? b.makespanS / coldFloorS : 1 });
  }
  return out;
}

/** Summary figures and the targets. */
export function summarize(cells: readonly CellResult[], sp: readonly Speedup[], cross: CrossTenant | undefined, opt: OptimizerTimings): Summary {
  const at4 = sp.filter((s) => s.gpus === 4);
  const largest = at4.filter((s) => s.inputs === Math.max(...at4.filter((t) => t.workload === s.workload).map((t) => t.inputs)));
  const avgSpeedup4 = mean(at4.map((s) => s.speedup));
  const avgSpeedup4Largest = mean(largest.map((s) => s.speedup));
  const avgCeiling4 = mean(at4.map((s) => s.ceiling));
  const worst = sp.reduce<Speedup | undefined>((w, s) => (w === undefined || s.speedup < w.speedup ? s : w), undefined);
  const prefill4 = cells.filter((c) => c.gpus === 4).map((c) => ({ workload: c.workload, inputs: c.inputs, engine: c.engine, ratio: c.prefill.ratio }));
  const ours4 = prefill4.filter((p) => p.engine === 'agentlake');
  const worstPrefill = ours4.reduce((m, p) => Math.max(m, p.ratio), 0);
  const epochMs = Math.max(...opt.epochs.map((e) => e.production.medianMs));
  const deepMs = Math.max(...opt.epochs.map((e) => e.medianMs));
  const targets: Target[] = [
    { name: '4 GPUs: average speedup over Q1-Q6 (all 4-GPU cells)', target: '≥ 2.5×', measured: `${x2(avgSpeedup4)}× (largest inputs only: ${x2(avgSpeedup4Largest)}×; ceiling for any engine on cold GPUs: ${x2(avgCeiling4)}×)`, pass: avgSpeedup4 >= 2.5 },
    { name: 'no cell slower than baseline by more than 5%', target: 'speedup ≥ 0.95× everywhere', measured: worst ? `worst ${worst.workload}/${worst.inputs} inputs/${worst.gpus} GPU: ${x2(worst.speedup)}× (${pct(1 / worst.speedup - 1)} vs baseline)` : 'n/a', pass: worst !== undefined && worst.speedup >= 1 / 1.05 },
    { name: 'prefill achieved/LB on every 4-GPU cell (agentlake)', target: '≤ 1.15', measured: `max ${x3(worstPrefill)} over ${ours4.length} cells`, pass: ours4.length > 0 && worstPrefill <= 1.15 },
    { name: 'cross-tenant: together vs sequential (agentlake)', target: '≥ 1.37×', measured: cross ? `${x2(cross.agentlake.speedup)}× (baseline ${x2(cross.baseline.speedup)}×; ceiling on cold GPUs: ${x2(crossCeiling(cross))}×)` : 'not run', pass: cross !== undefined && cross.agentlake.speedup >= 1.37 },
    { name: `optimizer: scheduleBatch on ${opt.schedule.workload} × ${opt.schedule.inputs} inputs, ${opt.schedule.gpus} GPUs (${opt.schedule.contractedNodes} contracted nodes)`, target: `≤ ${opt.targetMs} ms`, measured: `${opt.schedule.medianMs} ms (median)`, pass: opt.schedule.contractedNodes >= 50 && opt.schedule.medianMs <= opt.targetMs },
    { name: `optimizer: whole optimizer (rewrite rules + scheduleBatch) on the same batch`, target: `≤ ${opt.targetMs} ms`, measured: `${opt.schedule.optimizeMedianMs} ms (median)`, pass: opt.schedule.optimizeMedianMs <= opt.targetMs },
    { name: 'optimizer: planEpochs on syntheticBatch, 50 nodes × 4 GPUs, scheduleBatch\'s budget', target: `≤ ${opt.targetMs} ms`, measured: `${epochMs} ms (worst median of ${opt.epochs.length} seeds; a 20× deeper search: ${deepMs} ms)`, pass: epochMs <= opt.targetMs },
  ];
  return { avgSpeedup4, avgSpeedup4Largest, avgCeiling4, worst, prefill4, targets };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
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
