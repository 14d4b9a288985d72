// Renders bench/results/latest.md: the targets, a summary (speedups, worst cell, prefill ratios at
// 4 GPUs, cross-tenant, optimizer timings) and one table per workload with every §7 figure. GPU times
// and tokens are from the simulator (virtual time); wall and optimizer times are real.
import type { CellResult } from './cell.ts';
import type { OptimizerTimings } from './optimizer-timing.ts';
import { MIN_COLD_LOAD_S, pct, x2, x3, type CrossTenant, type Speedup, type Summary } from './summary.ts';

/** Everything the report shows. */
export interface ReportInput {
  readonly generatedAt: string;
  /** Commit (and whether src/ was dirty) the bench ran on. */
  readonly code: string;
  readonly quick: boolean;
  readonly benchWallS: number;
  readonly cells: readonly CellResult[];
  readonly speedups: readonly Speedup[];
  readonly cross: CrossTenant | undefined;
  readonly optimizer: OptimizerTimings;
  readonly summary: Summary;
}

const n0 = (v: number): string => Math.round(v).toLocaleString('en-US');
const s1 = (v: number): string => v.toFixed(1);
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
const rule = (k: number): string => row(Array.from({ length: k }, () => '---'));

/** The markdown report. */
export function renderMarkdown(r: ReportInput): string {
  const out: string[] = [];
  out.push('# agentlake benchmark (simulated GPUs)', '');
  out.push(`Generated ${r.generatedAt} on ${r.code}${r.quick ? ' with `--quick` (40 inputs; 1 and 4 GPUs)' : ''}; bench wall time ${s1(r.benchWallS)} s.`);
  out.push('All GPU figures (makespans, LB_time, tokens, cache hits, model switches) come from the `sim://` simulator: simulated H100s in virtual time, response cache off, a fresh lakehouse copy and session per cell. Wall, optimizer and governance times are real. See bench/README.md for how to read this.', '');
  out.push('## Targets', '', row(['target', 'goal', 'measured', 'result']), rule(4));
  for (const t of r.summary.targets) out.push(row([t.name, t.target, t.measured, t.pass ? '**PASS**' : '**FAIL**']));
  out.push('', '## Summary', '');
  out.push(`- Average speedup (baseline makespan / agentlake makespan, simulated) at 4 GPUs over Q1-Q6: **${x2(r.summary.avgSpeedup4)}×** over every 4-GPU cell, ${x2(r.summary.avgSpeedup4Largest)}× at each workload's largest inputs.`);
  out.push(`- Ceiling: both engines start on cold GPUs and each GPU pays a model load before its first call (at least ${MIN_COLD_LOAD_S} s of engine start-up, plus its weights: 30 s for an 8B model, 54 s for a 32B one), so no engine can finish a cell before max(critical path, ${MIN_COLD_LOAD_S} s + LB_time's throughput term). Baseline makespan over that floor, averaged over the 4-GPU cells, is **${x2(r.summary.avgCeiling4)}×**: the most any scheduler could gain here (per cell: the ceiling column of the speedup table).`);
  const w = r.summary.worst;
  out.push(`- Worst cell vs baseline: ${w ? `${w.workload}, ${w.inputs} inputs, ${w.gpus} GPU${w.gpus > 1 ? 's' : ''}: ${x2(w.speedup)}× (agentlake ${s1(w.agentlakeS)} s vs baseline ${s1(w.baselineS)} s, simulated)` : 'n/a'}.`, '');
  out.push('### Speedup baseline/agentlake (simulated makespans)', '');
  const cols = [...new Set(r.speedups.map((s) => `${s.gpus}`))].sort((a, b) => Number(a) - Number(b));
  out.push(row(['workload', 'inputs', ...cols.map((g) => `${g} GPU${g === '1' ? '' : 's'}`), 'ceiling at 4 GPUs']), rule(3 + cols.length));
  for (const key of [...new Set(r.speedups.map((s) => `${s.workload}|${s.inputs}`))]) {
    const [wl, inputs] = key.split('|');
    out.push(row([wl ?? '', inputs ?? '', ...cols.map((g) => {
      const s = r.speedups.find((t) => `${t.workload}|${t.inputs}` === key && `${t.gpus}` === g);
      return s ? `${x2(s.speedup)}×` : '';
    }), ((c) => (c ? `${x2(c.ceiling)}×` : ''))(r.speedups.find((t) => `${t.workload}|${t.inputs}` === key && t.gpus === 4))]));
  }
  out.push('', '### Prefill achieved/LB at 4 GPUs', '', row(['workload', 'inputs', 'baseline', 'agentlake']), rule(4));
  for (const key of [...new Set(r.summary.prefill4.map((p) => `${p.workload}|${p.inputs}`))]) {
    const [wl, inputs] = key.split('|');
    const of = (e: string): string => {
      const p = r.summary.prefill4.find((q) => `${q.workload}|${q.inputs}` === key && q.engine === e);
      return p ? x3(p.ratio) : '';
    };
    out.push(row([wl ?? '', inputs ?? '', of('baseline'), of('agentlake')]));
  }
  if (r.cross) {
    const c = r.cross;
    out.push('', `### Cross-tenant: Q1 + Q2-text over the same ${c.inputs} symbols, ${c.gpus} GPUs (simulated)`, '');
    out.push('Together = one statement with both call sites (`... q1_social ... UNION ALL ... q2_text ...`), planned and run as one batch; sequential = two statements one after the other in one session (makespans add).', '');
    out.push(row(['engine', 'together makespan (s)', 'sequential makespan (s)', 'speedup', 'together calls', 'together switches', 'sequential switches']), rule(7));
    for (const [name, e] of [['agentlake', c.agentlake], ['baseline', c.baseline]] as const) {
      out.push(row([name, s1(e.together.makespanS), s1(e.sequential.makespanS), `${x2(e.speedup)}×`, n0(e.together.calls.beforeDedup), `${e.together.modelSwitches}`, `${e.sequential.modelSwitches}`]));
    }
  }
  out.push('', '### Optimizer wall time (real)', '');
  const o = r.optimizer;
  out.push(row(['what', 'size', 'median ms', 'runs (ms)', 'search']), rule(5));
  out.push(row([`scheduleBatch, ${o.schedule.workload} × ${o.schedule.inputs} inputs`, `${o.schedule.actions} actions (rewritten) → ${o.schedule.templateNodes} template nodes → ${o.schedule.contractedNodes} contracted, ${o.schedule.gpus} GPUs`, `${o.schedule.medianMs}`, o.schedule.runsMs.join(', '), `${o.schedule.dpExpansions} expansions, ${o.schedule.dpStoppedBy}`]));
  out.push(row([`optimizeBatch (rewrites + scheduleBatch), ${o.schedule.workload} × ${o.schedule.inputs} inputs`, 'same', `${o.schedule.optimizeMedianMs}`, o.schedule.optimizeRunsMs.join(', '), '']));
  for (const e of o.epochs) {
    const p = e.production;
    out.push(row([`planEpochs, syntheticBatch seed ${e.seed}, scheduleBatch's budget`, `${e.nodes} nodes, ${e.gpus} GPUs, ${e.models} models`, `${p.medianMs}`, '', `${p.expansions} expansions, ${p.stoppedBy}; plan ${s1(p.makespanS)} s`]));
    out.push(row([`planEpochs, syntheticBatch seed ${e.seed}, deep search`, `${e.nodes} nodes, ${e.gpus} GPUs, ${e.models} models`, `${e.medianMs}`, e.runsMs.join(', '), `${e.expansions} expansions, ${e.stoppedBy}${e.provedOptimal ? ', optimal' : ''}; plan ${s1(e.makespanS)} s`]));
    const d = e.withDeadline;
    out.push(row([`planEpochs, seed ${e.seed}, ${o.targetMs} ms deadline`, 'same', `${d.medianMs}`, '', `${d.expansions} expansions, ${d.stoppedBy}; plan ${s1(d.makespanS)} s (seed schedule ${s1(d.incumbentS)} s)`]));
  }
  out.push('', 'Plan makespans of the synthetic problems are the optimizer\'s estimates over made-up node costs (seconds), shown to compare the search scheduleBatch runs (its expansion budget) with a 20× deeper one and one stopped by a deadline.');
  for (const wl of [...new Set(r.cells.map((c) => c.workload))]) out.push('', ...workloadTable(wl, r.cells.filter((c) => c.workload === wl), r.speedups));
  if (r.cross) {
    const c = r.cross;
    out.push('', ...workloadTable('Cross-tenant (all figures)', [c.baseline.together, c.agentlake.together, c.baseline.sequential, c.agentlake.sequential], []));
  }
  out.push('', '## Columns', '');
  out.push('calls: before → after dedup (after = total − dedup saved − response-cache hits). Prefill tokens: naive = Σ prompt tokens, achieved = Σ (prompt − cached), LB = distinct token prefixes per model over the prompts sent (identical prompts once); ratio = achieved/LB (1.0 is the limit); place. = placement loss (Σ per-GPU LB / LB). hit = cached/prompt. sw = model loads and switches. makespan and LB_time in simulated seconds; LB_time = max(critical path, (LB_prefill/R + decode at full batch)/GPUs). opt = optimizer wall s; gov = provenance writing wall s (share of the run\'s wall time); wall = the run\'s wall s. speedup = baseline/agentlake makespan.');
  return `${out.join('\n')}\n`;
}

function workloadTable(workload: string, cells: readonly CellResult[], sp: readonly Speedup[]): string[] {
  const statements = [...new Set(cells.flatMap((c) => c.statements))];
  const out = [`## ${workload}`, '', statements.map((s) => `\`${s.replace(/\s+/g, ' ')}\``).join('<br>'), ''];
  const labelled = new Set(cells.map((c) => c.workload)).size > 1;
  out.push(row([...(labelled ? ['case'] : []), 'inputs', 'GPUs', 'engine', 'calls', 'naive', 'achieved', 'LB', 'ratio', 'place.', 'hit', 'sw', 'makespan s', 'LB_time s', 'mk/LB', 'opt s', 'gov s (share)', 'wall s', 'speedup']), rule(18 + (labelled ? 1 : 0)));
  for (const c of cells) {
    const s = c.engine === 'agentlake' ? sp.find((t) => t.workload === c.workload && t.inputs === c.inputs && t.gpus === c.gpus) : undefined;
    out.push(row([
      ...(labelled ? [c.workload] : []), `${c.inputs}`, `${c.gpus}`, c.engine, `${n0(c.calls.beforeDedup)} → ${n0(c.calls.afterDedup)}`,
      n0(c.prefill.naive), n0(c.prefill.achieved), n0(c.prefill.lb), x3(c.prefill.ratio), x3(c.prefill.placementLoss), pct(c.prefill.cacheHitRate).replace('+', ''),
      `${c.modelSwitches}`, s1(c.makespanS), s1(c.lbTime.seconds), x2(c.makespanOverLb), x3(c.optimizerWallS), `${x3(c.governanceWallS)} (${pct(c.governanceShare).replace('+', '')})`, s1(c.wallS), s ? `${x2(s.speedup)}×` : '',
    ]));
  }
  return out;
}
