// Runs one benchmark cell: a fresh copy of the bench lakehouse, a fresh session (response cache off,
// N simulated H100s, cold or warm, agentlake or one of the baselines of ALGORITHMS.md §7), the cell's
// statements one after the other, every action captured; then the §7 figures. GPU time is virtual
// (the simulator's clock).
import type { DeviceKind } from '../src/ir/cluster.ts';
import { performance } from 'node:perf_hooks';
import { Session } from '../src/engine/session.ts';
import { BASELINES, type BaselineName } from '../src/ir/engines.ts';
import { EventCapture, tokenizeCalls } from './capture.ts';
import { addStats, cellFigures, type CellFigures, type StatsSum } from './figures.ts';
import type { BenchLakehouses } from './lakehouse.ts';

/** agentlake (the default planner) or a baseline (`Session.open({ baseline })`). */
export type Engine = 'agentlake' | BaselineName;
export const ENGINES: readonly Engine[] = ['agentlake', ...BASELINES];

/** The fair baselines: a cell's best fair baseline is the faster of these (ALGORITHMS.md §7). */
export const FAIR_BASELINES: readonly BaselineName[] = ['ray-serve', 'router'];

/** Cold: every model load paid. Warm: `Session.open({ warm: true })`, each engine's own initial placement resident. */
export type Start = 'cold' | 'warm';
export const STARTS: readonly Start[] = ['cold', 'warm'];

/** What a cell runs. */
export interface CellSpec {
  /** Q1..Q6, or a cross-tenant label. */
  readonly workload: string;
  readonly inputs: number;
  readonly gpus: number;
  readonly start: Start;
  readonly engine: Engine;
  /** Run in order in one session; figures are summed (makespans add). */
  readonly statements: readonly string[];
  /** The simulated accelerator (default H100). */
  readonly device?: DeviceKind;
}

/** A finished cell. */
export interface CellResult extends CellFigures {
  readonly workload: string;
  readonly inputs: number;
  readonly gpus: number;
  readonly start: Start;
  readonly engine: Engine;
  /** GPU figures come from the simulator (virtual time). */
  readonly simulated: true;
  readonly statements: readonly string[];
  /** Result rows, summed over the statements. */
  readonly rows: number;
  /** Bench wall time for the cell: copy, session, run, capture and figures. */
  readonly cellWallS: number;
}

/** Runs a cell on a fresh lakehouse copy. */
export async function runCell(spec: CellSpec, lakes: BenchLakehouses): Promise<CellResult> {
  const t0 = performance.now();
  const dir = await lakes.fresh();
  try {
    const session = await Session.open({ lakehouse: dir, gpus: spec.gpus, cache: false, warm: spec.start === 'warm', ...(spec.device ? { device: spec.device } : {}), ...(spec.engine === 'agentlake' ? {} : { baseline: spec.engine }) });
    try {
      const capture = new EventCapture();
      let stats: StatsSum | undefined;
      let rows = 0;
      for (const [i, text] of spec.statements.entries()) {
        capture.nextStatement();
        const out = await session.runScript({ name: `bench:${spec.workload}:${i + 1}`, text }, 'run', { onEvent: capture.onEvent });
        if (out.kind !== 'rows' || !out.stats) throw new Error(`bench: ${spec.workload} statement ${i + 1} ran no model calls`);
        if (!out.stats.simulated) throw new Error(`bench: ${spec.workload} statement ${i + 1} is not simulated`);
        stats = addStats(stats, out.stats);
        rows += out.rows.length;
      }
      if (!stats) throw new Error(`bench: ${spec.workload} has no statements`);
      const { calls, mismatches } = await tokenizeCalls(capture.actions, (key) => session.lakehouse.readObject(key));
      const figures = cellFigures(stats, capture.actions, calls, mismatches, spec.gpus, spec.device);
      return { workload: spec.workload, inputs: spec.inputs, gpus: spec.gpus, start: spec.start, engine: spec.engine, simulated: true, statements: spec.statements, rows, ...figures, cellWallS: round((performance.now() - t0) / 1000) };
    } finally {
      await session.close();
    }
  } finally {
    await lakes.discard(dir);
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
