// spectra(spectrum_id, material, technique, peaks, notes) and spectrum_points(spectrum_id, x,
// intensity): 160 variant spectra of reference materials, 200 points each (Lorentzian peaks + noise).
import { createRng, round } from './prng.ts';
import type { Rng } from './prng.ts';
import { MATERIALS, TECHNIQUES, TREATMENTS } from './spectra-materials.ts';
import type { Material, Peak, Technique } from './spectra-materials.ts';
import type { Cell, DemoTable } from './table.ts';

export const SPECTRUM_COUNT = 160;
export const POINTS_PER_SPECTRUM = 200;

interface SamplePeak {
  readonly pos: number;
  readonly height: number;
  readonly fwhm: number;
}

function instrument(rng: Rng, technique: Technique): string {
  switch (technique) {
    case 'XRD':
      return 'Cu Kα radiation (1.5406 Å), 0.02° step, exported at 200 points';
    case 'Raman':
      return `${rng.pick([532, 633, 785])} nm excitation, ${rng.int(1, 20)} mW, 1800 l/mm grating`;
    case 'FTIR':
      return `ATR-FTIR, 4 cm-1 resolution, ${rng.pick([32, 64, 128])} scans`;
  }
}

function samplePeaks(rng: Rng, ref: readonly Peak[], technique: Technique, broadening: number, shift: number): SamplePeak[] {
  const base = TECHNIQUES[technique].fwhm;
  const sign = rng.chance(0.5) ? 1 : -1;
  return ref.map(([pos, intensity]) => ({
    pos: pos + sign * shift * base * rng.float(0.5, 1.5) + 0.05 * base * rng.normal(),
    height: Math.max(2, intensity * (1 + 0.15 * rng.normal())),
    fwhm: base * broadening * (1 + 0.1 * rng.normal()),
  }));
}

function peakText(peaks: readonly SamplePeak[], technique: Technique): string {
  const max = Math.max(...peaks.map((p) => p.height));
  return [...peaks]
    .sort((a, b) => a.pos - b.pos)
    .map((p) => {
      const rel = Math.round((100 * p.height) / max);
      return technique === 'XRD' ? `${p.pos.toFixed(2)}° (${rel})` : `${p.pos.toFixed(0)} cm-1 (${rel})`;
    })
    .join(', ');
}

function points(rng: Rng, peaks: readonly SamplePeak[], technique: Technique): [number, number][] {
  const { lo, hi } = TECHNIQUES[technique];
  const step = (hi - lo) / (POINTS_PER_SPECTRUM - 1);
  const scale = rng.float(500, 5000) / 100;
  const out: [number, number][] = [];
  for (let j = 0; j < POINTS_PER_SPECTRUM; j++) {
    const x = lo + step * j;
    const f = (x - lo) / (hi - lo);
    const baseline = technique === 'XRD' ? 8 * Math.exp(-f * 4) + 2 : technique === 'Raman' ? 3 + 5 * f : 4;
    let y = baseline + 0.8 * rng.normal();
    for (const p of peaks) {
      const half = Math.max(p.fwhm, 1.5 * step) / 2;
      y += p.height / (1 + ((x - p.pos) / half) ** 2);
    }
    out.push([round(x, 3), round(Math.max(0, y * scale), 1)]);
  }
  return out;
}

/** Both spectra tables, ordered by spectrum_id (and x within a spectrum). */
export function spectraTables(): { spectra: DemoTable; points: DemoTable } {
  const rng = createRng('spectra');
  const spectra: Cell[][] = [];
  const pointRows: Cell[][] = [];
  for (let i = 0; i < SPECTRUM_COUNT; i++) {
    const id = `S${String(i + 1).padStart(3, '0')}`;
    const material = MATERIALS[i % MATERIALS.length] as Material;
    const technique = rng.pick(Object.keys(material.peaks) as Technique[]);
    const treatment = rng.pick(TREATMENTS);
    const peaks = samplePeaks(rng, material.peaks[technique] ?? [], technique, treatment.broadening, treatment.shift);
    const impurity = rng.chance(0.12) ? rng.pick(MATERIALS.filter((m) => m !== material && m.peaks[technique])) : undefined;
    const extra = impurity?.peaks[technique]?.slice(0, 1).map(([pos]): Peak => [pos, rng.float(5, 15)]) ?? [];
    const allPeaks = [...peaks, ...samplePeaks(rng, extra, technique, treatment.broadening, 0)];
    const remark = impurity
      ? 'Operator notes a weak unassigned feature; phase purity to be confirmed.'
      : rng.pick(['No anomalies noted.', 'Slight baseline drift corrected.', 'Replicate of an earlier batch.', 'Signal-to-noise adequate.']);
    const notes = `${material.name}, ${treatment.label}. ${instrument(rng, technique)}; positions in ${TECHNIQUES[technique].unit}. ${remark}`;
    // The peaks column lists the material's own peaks only; an impurity shows up in the points.
    spectra.push([id, material.name, technique, peakText(peaks, technique), notes]);
    for (const [x, y] of points(rng, allPeaks, technique)) pointRows.push([id, x, y]);
  }
  return {
    spectra: {
      name: 'spectra',
      columns: [
        { name: 'spectrum_id', type: 'VARCHAR' }, { name: 'material', type: 'VARCHAR' }, { name: 'technique', type: 'VARCHAR' },
        { name: 'peaks', type: 'VARCHAR' }, { name: 'notes', type: 'VARCHAR' },
      ],
      rows: spectra,
    },
    points: {
      name: 'spectrum_points',
      columns: [{ name: 'spectrum_id', type: 'VARCHAR' }, { name: 'x', type: 'DOUBLE' }, { name: 'intensity', type: 'DOUBLE' }],
      rows: pointRows,
    },
  };
}
