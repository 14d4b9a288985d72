// Renders bench/results/latest.md: the targets and the summary (speedup vs the best fair baseline per
// workload, warm and cold separately, geometric mean and worst cell), the paper headline table, then
// (report-tables.ts) one table per workload and scenario with every engine's figures, the
// cross-tenant case and the optimizer timings. GPU figures are simulated; wall times are real.
import { BASELINE_SUMMARY, BASELINES } from '../src/ir/engines.ts';
import type { CellResult, Start } from './cell.ts';
import type { OptimizerTimings } from './optimizer-timing.ts';
import type { HeadlineRow } from './paper.ts';
import { PAPER } from './paper.ts';
import { crossTable, legend, optimizerTable, workloadTable } from './report-tables.ts';
import { MIN_COLD_LOAD_S, x2, type Comparison, type CrossTenant, type Summary } from './summary.ts';
import type { Workload } from './workloads.ts';

/** Everything the report shows. */
export interface ReportInput {
  readonly generatedAt: string;
  /** Commit (and whether src/ was dirty) the bench ran on. */
  readonly code: string;
  readonly quick: boolean;
  /** The simulated accelerator of every cell, as it reads in a sentence ("H100"). */
  readonly device: string;
  /** What ran: a sentence (matrix, engines, sizes). */
  readonly plan: string;
  readonly benchWallS: number;
  readonly machine: string;
  readonly workloads: readonly Workload[];
  readonly cells: readonly CellResult[];
  readonly comparisons: readonly Comparison[];
  readonly cross: CrossTenant | undefined;
  readonly optimizer: OptimizerTimings;
  readonly summary: Summary;
  readonly headline: readonly HeadlineRow[];
}

const s1 = (v: number): string => v.toFixed(1);
export const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
export const rule = (k: number): string => row(Array.from({ length: k }, () => '---'));

/** The markdown report. */
export function renderMarkdown(r: ReportInput): string {
  const out: string[] = [];
  out.push('# agentlake benchmark (simulated GPUs)', '');
  out.push(`Generated ${r.generatedAt} on ${r.code}${r.quick ? ' with `--quick`' : ''}; bench wall time ${s1(r.benchWallS)} s (${r.machine}).`, '');
  out.push(`${r.plan}`, '');
  out.push(`**Every GPU figure here is simulated**: makespans, LB_time, tokens, cache hits, model switches, pre-emptions and GPU busy time come from the \`sim://\` simulator (simulated ${r.device}s in virtual time; response cache off; a fresh lakehouse copy and session per cell). Wall, optimizer and governance times are real; every makespan includes the optimizer's wall time (planning runs before the first call). bench/README.md says how to read every figure.`, '');
  out.push('Engines (ALGORITHMS.md §7; same simulator, prompts and rows, only the engine differs): **agentlake** (the default planner); ' + BASELINES.map((b) => `**${b}** (${BASELINE_SUMMARY[b]})`).join('; ') + '. The **best fair baseline** of a cell is the faster of ray-serve and router; every speedup below is agentlake against it unless a column says otherwise. **Cold**: every model load paid; **warm**: `Session.open({ warm: true })`, each engine starting with its own initial placement loaded.', '');
  out.push('## Targets', '', row(['target', 'goal', 'measured', 'result']), rule(4));
  for (const t of r.summary.targets) out.push(row([t.name, t.target, t.measured, t.pass ? '**PASS**' : '**FAIL**']));
  out.push('', ...summarySection(r));
  out.push('', ...headlineSection(r));
  for (const w of r.workloads) {
    const cells = r.cells.filter((c) => c.workload === w.id);
    if (cells.length > 0) out.push('', ...workloadTable(w, cells, r.comparisons));
  }
  if (r.cross) out.push('', ...crossTable(r.cross));
  out.push('', ...optimizerTable(r.optimizer));
  out.push('', ...legend());
  return `${out.join('\n')}\n`;
}

/** Speedup vs the best fair baseline per workload (columns: GPUs × start), then the per-start means. */
function summarySection(r: ReportInput): string[] {
  const out = ['## Summary: agentlake vs the best fair baseline (simulated makespans)', ''];
  for (const s of r.summary.starts) {
    const w = s.worst;
    out.push(`- **${s.start}**: Q1-Q6 at 4 GPUs geometric mean **${x2(s.paper4.geomean)}×** (mean ${x2(s.paper4.mean)}×, range ${x2(s.paper4.min)}-${x2(s.paper4.max)}×); S1-S5 at 4 GPUs geometric mean **${x2(s.scenarios4.geomean)}×** (range ${x2(s.scenarios4.min)}-${x2(s.scenarios4.max)}×); worst cell ${w ? `${w.workload} × ${w.inputs}, ${w.gpus} GPU${w.gpus > 1 ? 's' : ''}: **${x2(w.speedup ?? 1)}×** (agentlake ${s1(w.agentlakeS)} s vs ${w.bestFair?.engine ?? 'n/a'} ${s1(w.bestFair?.makespanS ?? Number.NaN)} s)` : 'n/a'}.`);
  }
  const cols = [...new Set(r.comparisons.map((c) => `${c.gpus}|${c.start}`))].sort((a, b) => {
    const [ga, sa] = a.split('|');
    const [gb, sb] = b.split('|');
    return Number(gb) - Number(ga) || ((sb ?? '') < (sa ?? '') ? -1 : 1);
  });
  const label = (k: string): string => {
    const [g, st] = k.split('|');
    return `${g} GPU${g === '1' ? '' : 's'} ${st}`;
  };
  out.push('', 'Per workload: speedup vs the best fair baseline (which one in brackets: rs = ray-serve, rt = router); at 4 GPUs the ceiling (the best fair baseline over a floor no engine can beat: LB_time warm, the cold-load floor cold) beside.', '');
  out.push(row(['workload', 'inputs', ...cols.map(label), ...(['warm', 'cold'] as const).map((s) => `ceiling 4 GPUs ${s}`)]), rule(4 + cols.length));
  for (const w of r.workloads) {
    const own = r.comparisons.filter((c) => c.workload === w.id);
    if (own.length === 0) continue;
    const inputs = own[0]?.inputs ?? w.inputs;
    const cell = (k: string): string => {
      const c = own.find((x) => `${x.gpus}|${x.start}` === k);
      return c?.speedup === undefined ? '' : `${x2(c.speedup)}× (${c.bestFair?.engine === 'router' ? 'rt' : 'rs'})`;
    };
    const ceil = (s: Start): string => {
      const c = own.find((x) => x.gpus === 4 && x.start === s);
      return c?.ceiling === undefined ? '' : `${x2(c.ceiling)}×`;
    };
    out.push(row([`${w.id}`, `${inputs} ${w.unit}`, ...cols.map(cell), ceil('warm'), ceil('cold')]));
  }
  out.push('', `The cold floor is max(critical path, ${MIN_COLD_LOAD_S} s of engine start-up + LB_time's throughput term): every GPU loads a model before its first call. Both floors leave out diffusion and vision-encoder time, so they are loose where those dominate (Q3).`);
  return out;
}

function headlineSection(r: ReportInput): string[] {
  const out = ['## Paper headline figures beside ours', ''];
  out.push(`The LUMILAKE paper (shared/seeds/lumilake-paper.txt) ran on ${PAPER.setup} against Ray + vLLM with no KV-cache sharing, which is our \`paper\` baseline; ours run on simulated ${r.device}s; our speedups are against the best fair baseline (ray-serve or router, with prefix caching), and the last column gives ours against the \`paper\` baseline for the like-for-like comparison. "geo" = geometric mean. All our figures simulated.`, '');
  out.push(row(['figure', 'paper', 'ours, warm (vs best fair)', 'ours, cold (vs best fair)', 'ours vs `paper` baseline (warm / cold)', 'paper source']), rule(6));
  for (const h of r.headline) out.push(row([h.figure, h.paper, h.warm, h.cold, h.vsPaperBaseline, h.where]));
  return out;
}
