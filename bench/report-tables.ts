// The detail tables of bench/results/latest.md: one per workload or scenario with every engine's
// §7 figures (cold and warm, each GPU count), the cross-tenant case, the optimizer timings and the
// column legend. GPU figures are simulated (virtual time); wall and optimizer times are real.
import type { CellResult } from './cell.ts';
import type { OptimizerTimings } from './optimizer-timing.ts';
import { row, rule } from './report-md.ts';
import { pct, x2, x3, type Comparison, type CrossTenant } from './summary.ts';
import type { Workload } from './workloads.ts';

const n0 = (v: number): string => Math.round(v).toLocaleString('en-US');
const s1 = (v: number): string => v.toFixed(1);
const share = (v: number): string => `${(v * 100).toFixed(0)}%`;

const HEADER = ['start', 'GPUs', 'engine', 'calls', 'rows', 'naive', 'achieved', 'LB', 'ratio', 'hit', 'sw', 'pre', 'makespan s', 'LB_time s', 'mk/LB', 'busy', 'idle GPU-s', 'opt s', 'gov', 'vs agentlake'];

/** One row of figures for a cell; `speed` is the last column. */
function figures(c: CellResult, speed: string, label?: string): string[] {
  return [
    ...(label === undefined ? [] : [label]), c.start, `${c.gpus}`, c.engine, `${n0(c.calls.beforeDedup)} → ${n0(c.calls.afterDedup)}`, n0(c.rows),
    n0(c.prefill.naive), n0(c.prefill.achieved), n0(c.prefill.lb), x3(c.prefill.ratio), share(c.prefill.cacheHitRate),
    `${c.modelSwitches}`, `${c.preemptions}`, s1(c.makespanS), s1(c.lbTime.seconds), x2(c.makespanOverLb), share(c.gpuBusyShare), n0(c.idleGpuS),
    x3(c.optimizerWallS), pct(c.governanceShare).replace('+', ''), speed,
  ];
}

/**
 * A workload's table: its statement, then a row per (start, GPUs, engine). agentlake's last column is
 * its speedup vs the best fair baseline; a baseline's is its makespan over agentlake's (how much
 * faster agentlake is), with * on the best fair one.
 */
export function workloadTable(w: Workload, cells: readonly CellResult[], cmp: readonly Comparison[]): string[] {
  const inputs = cells[0]?.inputs ?? w.inputs;
  const out = [`## ${w.id}: ${w.title} (${inputs} ${w.unit})`, ''];
  out.push(`\`${(cells[0]?.statements[0] ?? w.statement(inputs)).replace(/\s+/g, ' ')}\``, '');
  out.push(row(HEADER), rule(HEADER.length));
  const order = (c: CellResult): string => `${c.start === 'warm' ? 0 : 1}|${9 - c.gpus}`;
  const sorted = [...cells].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  for (const c of sorted) {
    const k = cmp.find((x) => x.workload === c.workload && x.inputs === c.inputs && x.gpus === c.gpus && x.start === c.start);
    let speed = '';
    if (k && c.engine === 'agentlake') speed = k.speedup === undefined ? '' : `**${x2(k.speedup)}×** vs best fair`;
    else if (k && c.engine !== 'agentlake') speed = `${x2(k.vs[c.engine] ?? Number.NaN)}×${k.bestFair?.engine === c.engine ? ' *' : ''}`;
    out.push(row(figures(c, speed)));
  }
  return out;
}

/** The cross-tenant case: per start and engine, together vs sequential, then every figure. */
export function crossTable(c: CrossTenant): string[] {
  const out = [`## Cross-tenant: Q1 + Q2-text over the same ${c.inputs} symbols, ${c.gpus} GPUs (simulated)`, ''];
  out.push('Together = one statement holding both call sites (`... q1_social ... UNION ALL ... q2_text ...`), planned and run as one batch; sequential = the two statements one after the other in one session (makespans add; models loaded by the first stay loaded for the second). The paper\'s 1.37× is its engine together vs its engine sequential: our agentlake row.', '');
  out.push(row(['start', 'engine', 'together s', 'sequential s', 'sequential / together', 'together calls (after dedup)', 'together sw', 'sequential sw', 'agentlake together vs this sequential']), rule(9));
  for (const r of c.runs) {
    const ours = c.runs.find((x) => x.engine === 'agentlake' && x.start === r.start);
    const vs = ours && ours.together.makespanS > 0 ? `${x2(r.sequential.makespanS / ours.together.makespanS)}×` : '';
    out.push(row([r.start, r.engine, s1(r.together.makespanS), s1(r.sequential.makespanS), `${x2(r.speedup)}×`, `${n0(r.together.calls.beforeDedup)} → ${n0(r.together.calls.afterDedup)}`, `${r.together.modelSwitches}`, `${r.sequential.modelSwitches}`, vs]));
  }
  out.push('', '### Cross-tenant: every figure', '', row(['case', ...HEADER]), rule(HEADER.length + 1));
  for (const r of c.runs) {
    out.push(row(figures(r.together, '', 'together')));
    out.push(row(figures(r.sequential, '', 'sequential')));
  }
  return out;
}

/** The optimizer's wall times (real). */
export function optimizerTable(o: OptimizerTimings): string[] {
  const out = ['## Optimizer wall time (real)', ''];
  out.push(row(['what', 'size', 'median ms', 'runs (ms)']), rule(4));
  out.push(row([`planResidency, ${o.plan.workload} × ${o.plan.inputs} inputs`, `${o.plan.actions} actions (rewritten), ${o.plan.calls} calls, ${o.plan.gpus} GPUs`, `${o.plan.medianMs}`, o.plan.runsMs.join(', ')]));
  out.push(row([`optimizeBatch (rewrites + planResidency), ${o.plan.workload} × ${o.plan.inputs} inputs`, 'same', `${o.plan.optimizeMedianMs}`, o.plan.optimizeRunsMs.join(', ')]));
  return out;
}

/** What each column means. */
export function legend(): string[] {
  return [
    '## Columns', '',
    'calls: before → after dedup (after = total − dedup saved − response-cache hits). rows: result rows. Prefill tokens (simulated): naive = Σ prompt tokens, achieved = Σ (prompt − cached), LB = distinct token prefixes per model over the prompts sent (identical prompts once); ratio = achieved/LB (1.0 is the limit). hit = cached/prompt (prefix-cache hit rate). sw = model loads and switches (first loads included). pre = KV pre-emptions (vllm:num_preemptions_total). makespan = the optimizer\'s wall seconds (real: planning runs before the first call) + the simulated execution, for every engine; LB_time in simulated seconds; LB_time = max(critical path, (LB_prefill/R + decode at full batch)/GPUs); mk/LB = makespan / LB_time. busy = GPU busy share of the simulated execution, busy / (GPUs × its makespan); idle GPU-s = GPUs × that makespan − busy (loading, switching or idle). opt s = optimizer wall seconds (included in makespan); gov = provenance writing, share of the run\'s wall time. vs agentlake: on agentlake\'s row its speedup vs the best fair baseline; on a baseline\'s row that baseline\'s makespan / agentlake\'s (* = the best fair baseline of the cell).',
  ];
}
