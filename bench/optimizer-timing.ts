// Optimizer timings against the 100 ms target: agentlake's planner (planResidency) on a real batch (a
// workload lowered over its inputs and rewritten, the DAG a run plans), and the whole optimizer
// (rewrite rules + planResidency) on the same batch: what a run pays before its first call.
// Wall-clock milliseconds, median of a few runs (real, not simulated).
import { performance } from 'node:perf_hooks';
import { Session } from '../src/engine/session.ts';
import { engineProbe } from '../src/engine/engine-probe.ts';
import { lowerSite } from '../src/lower/lower-query.ts';
import { optimizeBatch } from '../src/scheduler/optimize-batch.ts';
import { rewriteDag } from '../src/optimizer/rewrite.ts';
import { planResidency } from '../src/scheduler/residency.ts';
import { parseScript } from '../src/sql/parse.ts';
import type { BenchLakehouses } from './lakehouse.ts';
import type { Workload } from './workloads.ts';

export const TARGET_MS = 100;

/** The planner and the whole optimizer on one real batch. */
export interface PlanTiming {
  readonly workload: string;
  readonly inputs: number;
  readonly gpus: number;
  /** Actions after the rewrite rules, and the model calls among them. */
  readonly actions: number;
  readonly calls: number;
  /** planResidency alone, on the rewritten batch. */
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  /** The whole optimizer on the same batch: rewrite rules, then planResidency (what a run pays). */
  readonly optimizeRunsMs: readonly number[];
  readonly optimizeMedianMs: number;
}

export interface OptimizerTimings {
  readonly targetMs: number;
  readonly plan: PlanTiming;
}

/** Times planResidency and the whole optimizer on `w` over `inputs` rows on `gpus` GPUs. */
export async function timeOptimizer(lakes: BenchLakehouses, w: Workload, inputs: number, gpus: number, runs: number): Promise<OptimizerTimings> {
  const dir = await lakes.fresh();
  try {
    const session = await Session.open({ lakehouse: dir, gpus, cache: false });
    try {
      const parsed = parseScript({ name: 'bench:optimizer', text: w.statement(inputs) });
      const stmt = parsed.script.statements[0];
      if (!stmt || stmt.kind !== 'sql') throw new Error('bench: the optimizer statement did not parse as SQL');
      const bound = await session.bindSql(stmt);
      const site = bound?.sites[0];
      if (!site) throw new Error('bench: the optimizer statement has no call site');
      const dag = await lowerSite(site, engineProbe(session.lakehouse));
      // The planner is timed on what it plans in a run: the batch after the rewrite rules.
      const rewritten = rewriteDag(dag).dag;
      // Two untimed runs first: the tokenizer and the JIT warm up as in a long-running server.
      for (let i = 0; i < 2; i++) optimizeBatch(dag, { engine: 'agentlake', gpus });
      const runsMs: number[] = [];
      let calls = 0;
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        calls = planResidency(rewritten, { gpus }).report.calls;
        runsMs.push(performance.now() - t);
      }
      const optimizeRunsMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        optimizeBatch(dag, { engine: 'agentlake', gpus });
        optimizeRunsMs.push(performance.now() - t);
      }
      return {
        targetMs: TARGET_MS,
        plan: { workload: w.id, inputs, gpus, actions: rewritten.actions.length, calls, runsMs: runsMs.map(ms), medianMs: ms(median(runsMs)), optimizeRunsMs: optimizeRunsMs.map(ms), optimizeMedianMs: ms(median(optimizeRunsMs)) },
      };
    } finally {
      await session.close();
    }
  } finally {
    await lakes.discard(dir);
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function ms(x: number): number {
  return Math.round(x * 100) / 100;
}
