// Optimizer timings against the 100 ms target: scheduleBatch on a real batch (a workload lowered over
// its inputs and rewritten, the DAG a run plans; its contracted graph must have 50+ nodes), the whole
// optimizer (rewrites + scheduleBatch) on the same batch, and planEpochs on seeded synthetic 50-node
// problems (at scheduleBatch's budget, a 20× deeper search, and stopped by a 100 ms deadline). Wall-clock milliseconds, median of a few runs (real, not simulated).
import { performance } from 'node:perf_hooks';
import { Session } from '../src/engine/session.ts';
import { engineProbe } from '../src/engine/engine-probe.ts';
import { lowerSite } from '../src/lower/lower-query.ts';
import { planEpochs } from '../src/scheduler/epoch-dp.ts';
import { optimizeBatch } from '../src/scheduler/optimize-batch.ts';
import { rewriteDag } from '../src/optimizer/rewrite.ts';
import { DP_EXPANSIONS, scheduleBatch } from '../src/scheduler/schedule.ts';
import { syntheticBatch } from '../src/scheduler/synthetic-batch.ts';
import { parseScript } from '../src/sql/parse.ts';
import type { BenchLakehouses } from './lakehouse.ts';
import type { Workload } from './workloads.ts';

export const TARGET_MS = 100;

/** scheduleBatch on one real batch. */
export interface ScheduleTiming {
  readonly workload: string;
  readonly inputs: number;
  readonly gpus: number;
  readonly actions: number;
  readonly templateNodes: number;
  readonly contractedNodes: number;
  readonly epochs: number;
  readonly dpExpansions: number;
  readonly dpStoppedBy: string;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  /** The whole optimizer on the same batch: rewrite rules, then scheduleBatch (what a run pays). */
  readonly optimizeRunsMs: readonly number[];
  readonly optimizeMedianMs: number;
}

/** planEpochs on one synthetic problem. */
export interface EpochTiming {
  readonly seed: number;
  readonly nodes: number;
  readonly gpus: number;
  readonly models: number;
  readonly expansions: number;
  readonly stoppedBy: string;
  readonly provedOptimal: boolean;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  /** Estimated makespan of the plan (seconds, the problem's made-up costs). */
  readonly makespanS: number;
  /** The search scheduleBatch runs: the same problem at its expansion budget (DP_EXPANSIONS). */
  readonly production: { readonly medianMs: number; readonly expansions: number; readonly stoppedBy: string; readonly makespanS: number };
  /** The same search stopped by a deadline of `targetMs` (injected clock): what the budget buys. */
  readonly withDeadline: { readonly medianMs: number; readonly expansions: number; readonly stoppedBy: string; readonly makespanS: number; readonly incumbentS: number };
}

export interface OptimizerTimings {
  readonly targetMs: number;
  readonly schedule: ScheduleTiming;
  readonly epochs: readonly EpochTiming[];
}

/** Times scheduleBatch on `w` over `inputs` rows on `gpus` GPUs, and planEpochs on synthetic problems. */
export async function timeOptimizer(lakes: BenchLakehouses, w: Workload, inputs: number, gpus: number, runs: number): Promise<OptimizerTimings> {
  const dir = await lakes.fresh();
  let schedule: ScheduleTiming;
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
      // scheduleBatch is timed on what it plans in a run: the batch after the rewrite rules.
      const rewritten = rewriteDag(dag).dag;
      // Two untimed runs first: the tokenizer and the JIT warm up as in a long-running server.
      for (let i = 0; i < 2; i++) optimizeBatch(dag, { engine: 'agentlake', gpus });
      const runsMs: number[] = [];
      let last: ReturnType<typeof scheduleBatch> | undefined;
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        last = scheduleBatch(rewritten, { gpus });
        runsMs.push(performance.now() - t);
      }
      if (!last) throw new Error('bench: no scheduleBatch run');
      const optimizeRunsMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        optimizeBatch(dag, { engine: 'agentlake', gpus });
        optimizeRunsMs.push(performance.now() - t);
      }
      const r = last.report;
      schedule = {
        workload: w.id, inputs, gpus, actions: rewritten.actions.length, templateNodes: r.templateNodes, contractedNodes: r.contractedNodes, epochs: r.epochs,
        dpExpansions: r.dp.expansions, dpStoppedBy: r.dp.stoppedBy, runsMs: runsMs.map(ms), medianMs: ms(median(runsMs)),
        optimizeRunsMs: optimizeRunsMs.map(ms), optimizeMedianMs: ms(median(optimizeRunsMs)),
      };
    } finally {
      await session.close();
    }
  } finally {
    await lakes.discard(dir);
  }
  const epochs: EpochTiming[] = [];
  for (const seed of [1, 2, 3]) {
    const problem = syntheticBatch({ seed, nodes: 50, gpus: 4, models: 3 });
    const runsMs: number[] = [];
    let plan: ReturnType<typeof planEpochs> | undefined;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      plan = planEpochs(problem);
      runsMs.push(performance.now() - t);
    }
    const productionMs: number[] = [];
    let production: ReturnType<typeof planEpochs> | undefined;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      production = planEpochs(problem, { maxExpansions: DP_EXPANSIONS });
      productionMs.push(performance.now() - t);
    }
    const deadlineMs: number[] = [];
    let bounded: ReturnType<typeof planEpochs> | undefined;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      bounded = planEpochs(problem, { now: () => performance.now(), deadline: t + TARGET_MS });
      deadlineMs.push(performance.now() - t);
    }
    if (!plan || !bounded || !production) throw new Error('bench: no planEpochs run');
    epochs.push({
      seed, nodes: 50, gpus: 4, models: 3, expansions: plan.stats.expansions, stoppedBy: plan.stats.stoppedBy, provedOptimal: plan.stats.provedOptimal, runsMs: runsMs.map(ms), medianMs: ms(median(runsMs)), makespanS: plan.makespanS,
      production: { medianMs: ms(median(productionMs)), expansions: production.stats.expansions, stoppedBy: production.stats.stoppedBy, makespanS: production.makespanS },
      withDeadline: { medianMs: ms(median(deadlineMs)), expansions: bounded.stats.expansions, stoppedBy: bounded.stats.stoppedBy, makespanS: bounded.makespanS, incumbentS: bounded.stats.incumbentS },
    });
  }
  return { targetMs: TARGET_MS, schedule, epochs };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function ms(x: number): number {
  return Math.round(x * 100) / 100;
}
