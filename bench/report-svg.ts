// Renders bench/results/makespan.svg by hand (no dependency): per workload and scenario at 4 GPUs
// (or the largest GPU count run), grouped bars of the simulated makespan of each engine and LB_time,
// one panel for warm starts and one for cold, on a linear axis per panel with value labels. The axis
// fits agentlake, the fair baselines and LB_time; a taller bar (paper, langgraph) is cut at the top
// with a zigzag and keeps its value label. Every bar is a simulated figure, and the chart says so.
import { ENGINES, FAIR_BASELINES, type Engine, type Start } from './cell.ts';
import type { Comparison } from './summary.ts';

type Bar = Engine | 'lb';
const BARS: readonly Bar[] = [...ENGINES, 'lb'];
const COLORS: Readonly<Record<Bar, string>> = {
  agentlake: '#2f6fdf', 'ray-serve': '#9aa5b1', router: '#5c6b7a', paper: '#d9a441', langgraph: '#c2615a', lb: '#3aa76d',
};
const LABELS: Readonly<Record<Bar, string>> = {
  agentlake: 'agentlake', 'ray-serve': 'ray-serve', router: 'router', paper: 'paper (no prefix caching)', langgraph: 'langgraph', lb: 'LB_time (lower bound)',
};

const W = 1180;
const PANEL_H = 330;
const LEFT = 70;
const RIGHT = 20;
const TOP = 64;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A tick step giving about 5 gridlines up to `max`. */
function tickStep(max: number): number {
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

const valueOf = (c: Comparison, b: Bar): number | undefined => (b === 'lb' ? c.lbTimeS : c.makespanS[b]);

/** One panel (warm or cold) at `top`. */
function panel(groups: readonly Comparison[], start: Start, gpus: number, top: number): string[] {
  const out: string[] = [];
  const plotH = PANEL_H - 90;
  const plotW = W - LEFT - RIGHT;
  const fitted: Bar[] = ['agentlake', ...FAIR_BASELINES, 'lb'];
  const max = Math.max(1, ...groups.flatMap((g) => fitted.map((b) => valueOf(g, b) ?? 0)));
  const step = tickStep(max * 1.1);
  const yMax = Math.ceil((max * 1.1) / step) * step;
  const base = top + 30 + plotH;
  const y = (v: number): number => base - (Math.min(v, yMax) / yMax) * plotH;
  out.push(`<text x="${LEFT}" y="${top + 16}" font-size="14" font-weight="bold">${start === 'warm' ? 'Warm start' : 'Cold start'} (${gpus} GPUs): speedup under each group is agentlake vs the best fair baseline</text>`);
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    out.push(`<line x1="${LEFT}" y1="${y(v).toFixed(1)}" x2="${W - RIGHT}" y2="${y(v).toFixed(1)}" stroke="#e4e7eb"/>`);
    out.push(`<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${Number(v.toPrecision(6))}</text>`);
  }
  out.push(`<text transform="translate(18 ${top + 30 + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">simulated seconds</text>`);
  const gw = plotW / Math.max(1, groups.length);
  const bw = Math.min(22, (gw * 0.85) / BARS.length);
  groups.forEach((g, i) => {
    const x0 = LEFT + i * gw + (gw - BARS.length * bw) / 2;
    BARS.forEach((b, j) => {
      const v = valueOf(g, b);
      if (v === undefined) return;
      const x = x0 + j * bw;
      const cut = v > yMax;
      out.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(base - y(v)).toFixed(1)}" fill="${COLORS[b]}"><title>${esc(`${g.workload} ${start} ${LABELS[b]}: ${v.toFixed(1)} s (simulated)`)}</title></rect>`);
      if (cut) out.push(`<path d="M${x.toFixed(1)} ${(y(v) + 6).toFixed(1)} l${((bw - 2) / 2).toFixed(1)} -4 l${((bw - 2) / 2).toFixed(1)} 4" stroke="#fff" stroke-width="2" fill="none"/>`);
      out.push(`<text transform="translate(${(x + (bw - 2) / 2 + 3).toFixed(1)} ${(y(v) - 3).toFixed(1)}) rotate(-90)" font-size="9" fill="#333">${v.toFixed(0)}${cut ? '↑' : ''}</text>`);
    });
    const cx = LEFT + i * gw + gw / 2;
    out.push(`<text x="${cx.toFixed(1)}" y="${base + 16}" text-anchor="middle" font-weight="bold">${esc(g.workload)}</text>`);
    out.push(`<text x="${cx.toFixed(1)}" y="${base + 31}" text-anchor="middle" fill="#555">${g.inputs} in, ${g.speedup === undefined ? 'n/a' : `${g.speedup.toFixed(2)}×`}</text>`);
  });
  out.push(`<line x1="${LEFT}" y1="${base}" x2="${W - RIGHT}" y2="${base}" stroke="#333"/>`);
  return out;
}

/** The chart: a warm panel and a cold panel (those that ran), at 4 GPUs or the largest count run. */
export function renderSvg(all: readonly Comparison[], generatedAt: string, device = 'H100'): string {
  const gpus = all.some((s) => s.gpus === 4) ? 4 : Math.max(0, ...all.map((s) => s.gpus));
  const starts = (['warm', 'cold'] as const).filter((s) => all.some((c) => c.start === s && c.gpus === gpus));
  const H = TOP + starts.length * PANEL_H + 40;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Makespan per engine at ${gpus} GPUs: agentlake, the four baselines and LB_time</text>`);
  out.push(`<text x="${W / 2}" y="44" text-anchor="middle" fill="#555">all simulated: ${device}s (sim://, virtual time), response cache off; ${esc(generatedAt)}; a bar cut with a zigzag and ↑ is taller than the axis (its value is on it)</text>`);
  starts.forEach((start, k) => {
    const groups = all.filter((c) => c.start === start && c.gpus === gpus);
    out.push(...panel(groups, start, gpus, TOP + k * PANEL_H));
  });
  BARS.forEach((b, i) => {
    const x = LEFT + i * 180;
    out.push(`<rect x="${x}" y="${H - 26}" width="12" height="12" fill="${COLORS[b]}"/>`);
    out.push(`<text x="${x + 18}" y="${H - 16}">${esc(LABELS[b])}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
