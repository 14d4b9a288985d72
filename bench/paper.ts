// The LUMILAKE paper's headline figures (shared/seeds/lumilake-paper.txt, the section given with
// each) and the rows of the report's paper headline table: the paper's figure beside ours. The
// paper's speedups are over "Ray with vLLM", which it describes as serving each call independently
// with no KV-cache sharing (§1, §4): our `paper` baseline. Ours are quoted against the best fair
// baseline (ALGORITHMS.md §7), with the `paper` baseline beside. Our GPU figures are simulated.
import { readFile } from 'node:fs/promises';
import { crossRun, isPaper, stats, x2, type Comparison, type CrossTenant, type Stats } from './summary.ts';

/** What the paper reports, as text, with where. */
export const PAPER = {
  setup: 'four NVIDIA H200s (§4, "Experiment setup")',
  finance: { workloads: ['Q1', 'Q2', 'Q3', 'Q4'], mean: 1.7, max: 2.2, where: '§4 "End-to-end performance": with four GPUs, averaging 1.7× (up to 2.2×) on financial workloads' },
  science: { workloads: ['Q5', 'Q6'], mean: 2.2, max: 3.8, where: '§4 "End-to-end performance": 2.2× (up to 3.8×) on AI4Science workloads' },
  perWorkload: '§4: "with four GPUs, LUMILAKE outperforms Ray on all six workloads" (per-workload values only plotted, Figures 4-5)',
  perWorkloadShort: '§4, Figures 4-5',
  upTo: { value: 3.8, where: 'Abstract and §1: up to 3.8× over Ray' },
  cross: { together: 92.3, sequential: 126.5, speedup: 1.37, where: '§4 "Cross-tenant merging": Q1-Social + text-only Q2-Trading over the same 160 symbols, 92.3 min together vs 126.5 min sequential' },
  priority: { where: '§4 "Priority scheduling": a medium-priority Q2-Trading job and a low-priority Q4-Summary job submitted together; both progress from the start, the medium one significantly faster; the low one accelerates once it completes (no number given)' },
  overhead: { value: 0.02, where: '§3 "Governance layer" and §5: optimization + governance overhead below 2% of end-to-end time' },
} as const;

/** What bench/results/multitenant.json says about priorities (a separate bench), if present. */
export interface PriorityDigest {
  readonly generatedAt: string;
  readonly code: string;
  readonly lowFinished: boolean;
  readonly lowPosition: number;
  readonly jobs: number;
  readonly highStillToArrive: number;
  readonly meanSimLatencyS: { readonly high: number; readonly medium: number; readonly low: number };
  readonly jain: number;
}

/** Reads the priority part of bench/results/multitenant.json; undefined when missing or unreadable. */
export async function readPriorityDigest(path: string): Promise<PriorityDigest | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
  const at = (v: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), v);
  const p = at(raw, 'priority');
  if (p === undefined) return undefined;
  const seq = at(p, 'sequence');
  return {
    generatedAt: String(at(raw, 'generatedAt') ?? ''),
    code: String(at(raw, 'code') ?? ''),
    lowFinished: at(p, 'low', 'finished') === true,
    lowPosition: num(at(p, 'low', 'position')),
    jobs: typeof seq === 'string' ? seq.length : Number.NaN,
    highStillToArrive: num(at(p, 'low', 'highStillToArrive')),
    meanSimLatencyS: {
      high: num(at(p, 'perPriority', 'high', 'simLatencyS', 'mean')),
      medium: num(at(p, 'perPriority', 'medium', 'simLatencyS', 'mean')),
      low: num(at(p, 'perPriority', 'low', 'simLatencyS', 'mean')),
    },
    jain: num(at(p, 'fairness', 'jainInWindow')),
  };
}

/** One row of the headline table. */
export interface HeadlineRow {
  readonly figure: string;
  readonly paper: string;
  readonly warm: string;
  readonly cold: string;
  /** Ours vs the `paper` baseline (what the paper compared against), warm / cold. */
  readonly vsPaperBaseline: string;
  readonly where: string;
}

/** The headline rows: Q1-Q6 at 4 GPUs, the finance and science averages, cross-tenant, priority, overhead. */
export function headlineRows(cmp: readonly Comparison[], cross: CrossTenant | undefined, priority: PriorityDigest | undefined, maxGovShare: number | undefined): HeadlineRow[] {
  const at4 = (start: 'warm' | 'cold', ids: readonly string[]): Comparison[] => cmp.filter((c) => c.gpus === 4 && c.start === start && ids.includes(c.workload));
  const fmtGroup = (xs: readonly Comparison[], pick: (c: Comparison) => number | undefined): string => {
    const s: Stats = stats(xs.map(pick).filter((v): v is number => v !== undefined));
    return s.n === 0 ? 'not run' : s.n === 1 ? `${x2(s.mean)}×` : `mean ${x2(s.mean)}× (max ${x2(s.max)}×; geo ${x2(s.geomean)}×)`;
  };
  const pair = (ids: readonly string[], pick: (c: Comparison) => number | undefined): { warm: string; cold: string } => ({ warm: fmtGroup(at4('warm', ids), pick), cold: fmtGroup(at4('cold', ids), pick) });
  const fair = (c: Comparison): number | undefined => c.speedup;
  const vsPaper = (c: Comparison): number | undefined => c.vs.paper;
  const rows: HeadlineRow[] = [];
  const ids = [...new Set(cmp.filter((c) => isPaper(c.workload) && c.gpus === 4).map((c) => c.workload))];
  for (const [i, id] of ids.entries()) {
    const p = pair([id], fair);
    const b = pair([id], vsPaper);
    rows.push({ figure: `${id} at 4 GPUs`, paper: '> 1× (plotted only)', warm: p.warm, cold: p.cold, vsPaperBaseline: `${b.warm} / ${b.cold}`, where: i === 0 ? PAPER.perWorkload : PAPER.perWorkloadShort });
  }
  for (const g of [PAPER.finance, PAPER.science]) {
    const p = pair(g.workloads, fair);
    const b = pair(g.workloads, vsPaper);
    rows.push({ figure: `${g.workloads.join(', ')} at 4 GPUs (average)`, paper: `${g.mean}× (max ${g.max}×)`, warm: p.warm, cold: p.cold, vsPaperBaseline: `${b.warm} / ${b.cold}`, where: g.where });
  }
  const best = (start: 'warm' | 'cold', pick: (c: Comparison) => number | undefined): string => {
    const top = at4(start, ids).map((c) => ({ c, v: pick(c) })).filter((x): x is { c: Comparison; v: number } => x.v !== undefined).sort((a, b) => b.v - a.v)[0];
    return top ? `${x2(top.v)}× (${top.c.workload})` : 'not run';
  };
  rows.push({ figure: 'Q1-Q6 at 4 GPUs (best cell)', paper: `up to ${PAPER.upTo.value}×`, warm: best('warm', fair), cold: best('cold', fair), vsPaperBaseline: `${best('warm', vsPaper)} / ${best('cold', vsPaper)}`, where: PAPER.upTo.where });
  rows.push(crossRow(cross));
  rows.push({
    figure: 'priority scheduling', paper: 'medium job faster, low job not starved (qualitative)',
    warm: priority ? priorityText(priority) : 'bench/results/multitenant.json not found (run `npx tsx bench/multitenant-run.ts`)', cold: '(same, from that bench)', vsPaperBaseline: 'n/a', where: PAPER.priority.where,
  });
  rows.push({ figure: 'optimizer + governance overhead', paper: `< ${PAPER.overhead.value * 100}%`, warm: maxGovShare === undefined ? 'n/a' : `governance ≤ ${(maxGovShare * 100).toFixed(1)}% of a cell's wall time (max over agentlake cells); optimizer: see below`, cold: '(same)', vsPaperBaseline: 'n/a', where: PAPER.overhead.where });
  return rows;
}

function crossRow(cross: CrossTenant | undefined): HeadlineRow {
  const cell = (start: 'warm' | 'cold'): string => {
    const r = crossRun(cross, 'agentlake', start);
    return r ? `${x2(r.speedup)}× (${r.together.makespanS.toFixed(1)} s vs ${r.sequential.makespanS.toFixed(1)} s)` : 'not run';
  };
  const paperBase = (start: 'warm' | 'cold'): string => {
    const a = crossRun(cross, 'agentlake', start);
    const b = crossRun(cross, 'paper', start);
    return a && b && a.together.makespanS > 0 ? `${x2(b.sequential.makespanS / a.together.makespanS)}×` : 'n/a';
  };
  return {
    figure: `cross-tenant: Q1 + Q2-text, ${cross?.inputs ?? 160} symbols, ${cross?.gpus ?? 4} GPUs, sequential / together`,
    paper: `${PAPER.cross.speedup}× (${PAPER.cross.together} vs ${PAPER.cross.sequential} min)`,
    warm: cell('warm'), cold: cell('cold'),
    vsPaperBaseline: `paper baseline sequential / agentlake together: ${paperBase('warm')} / ${paperBase('cold')}`,
    where: PAPER.cross.where,
  };
}

function priorityText(p: PriorityDigest): string {
  const l = p.meanSimLatencyS;
  return `from bench/results/multitenant.md (a separate bench, ${p.code}): mean simulated latency high ${l.high.toFixed(2)} s, medium ${l.medium.toFixed(2)} s, low ${l.low.toFixed(2)} s; the low job ${p.lowFinished ? `finished at position ${p.lowPosition} of ${p.jobs} with ${p.highStillToArrive} high jobs still to arrive` : 'did not finish'}; Jain's index over medium users ${p.jain.toFixed(2)}`;
}
