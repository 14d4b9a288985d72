// Renders bench/results/makespan.svg by hand (no dependency): per workload at 4 GPUs (its largest
// inputs in the run), grouped bars of the simulated makespan of the baseline, of agentlake, and
// LB_time, on one linear axis with value labels. Every bar is a simulated figure, and the chart says so.
import type { Speedup } from './summary.ts';

const COLORS = { baseline: '#9aa5b1', agentlake: '#2f6fdf', lb: '#3aa76d' } as const;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A tick step giving about 5 gridlines up to `max`. */
function tickStep(max: number): number {
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

/** The chart for the 4-GPU speedups (or the largest GPU count present). */
export function renderSvg(all: readonly Speedup[], generatedAt: string): string {
  const gpus = all.some((s) => s.gpus === 4) ? 4 : Math.max(0, ...all.map((s) => s.gpus));
  const groups = [...new Set(all.filter((s) => s.gpus === gpus).map((s) => s.workload))].flatMap((w) => {
    const own = all.filter((s) => s.gpus === gpus && s.workload === w);
    const inputs = Math.max(...own.map((s) => s.inputs));
    const s = own.find((t) => t.inputs === inputs);
    return s ? [s] : [];
  });
  const W = 860;
  const H = 460;
  const left = 70;
  const right = 20;
  const top = 70;
  const bottom = 80;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const max = Math.max(1, ...groups.flatMap((g) => [g.baselineS, g.agentlakeS, g.lbTimeS]));
  const step = tickStep(max);
  const yMax = Math.ceil(max / step) * step;
  const y = (v: number): number => top + plotH - (v / yMax) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Makespan at ${gpus} GPUs: baseline (Ray + vLLM) vs agentlake vs LB_time</text>`);
  out.push(`<text x="${W / 2}" y="44" text-anchor="middle" fill="#555">simulated H100s (sim://, virtual time), response cache off; each workload at its largest inputs; ${esc(generatedAt)}</text>`);
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    out.push(`<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${W - right}" y2="${y(v).toFixed(1)}" stroke="#e4e7eb"/>`);
    out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${Number(v.toPrecision(6))}</text>`);
  }
  out.push(`<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">simulated seconds</text>`);
  const gw = plotW / Math.max(1, groups.length);
  const bw = Math.min(40, (gw * 0.75) / 3);
  groups.forEach((g, i) => {
    const x0 = left + i * gw + (gw - 3 * bw) / 2;
    const bars: [keyof typeof COLORS, number][] = [['baseline', g.baselineS], ['agentlake', g.agentlakeS], ['lb', g.lbTimeS]];
    bars.forEach(([k, v], j) => {
      const x = x0 + j * bw;
      out.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(top + plotH - y(v)).toFixed(1)}" fill="${COLORS[k]}"><title>${esc(`${g.workload} ${k === 'lb' ? 'LB_time' : k}: ${v.toFixed(1)} s (simulated)`)}</title></rect>`);
      out.push(`<text x="${(x + (bw - 2) / 2).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#333">${v.toFixed(0)}</text>`);
    });
    const cx = left + i * gw + gw / 2;
    out.push(`<text x="${cx.toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle" font-weight="bold">${esc(g.workload)}</text>`);
    out.push(`<text x="${cx.toFixed(1)}" y="${top + plotH + 34}" text-anchor="middle" fill="#555">${g.inputs} inputs, ${g.speedup.toFixed(2)}×</text>`);
  });
  out.push(`<line x1="${left}" y1="${top + plotH}" x2="${W - right}" y2="${top + plotH}" stroke="#333"/>`);
  const legend: [keyof typeof COLORS, string][] = [['baseline', 'baseline (Ray + vLLM), simulated'], ['agentlake', 'agentlake, simulated'], ['lb', 'LB_time (lower bound), simulated']];
  legend.forEach(([k, label], i) => {
    const x = left + i * 250;
    out.push(`<rect x="${x}" y="${H - 26}" width="12" height="12" fill="${COLORS[k]}"/>`);
    out.push(`<text x="${x + 18}" y="${H - 16}">${esc(label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
