// One statement's part after its batch executed: the final SQL over its outputs, its provenance rows,
// its run row and its figures (the batch's makespan, GPU time and planning time are shared).
import type { ExecutedSite } from '../assemble/assemble-query.ts';
import { assembleStatement } from '../assemble/assemble-query.ts';
import { ensureProvenanceTables, writeProvenance, writeRun } from '../governance/provenance.ts';
import type { ActionId } from '../ir/action-dag.ts';
import type { RunStats } from '../ir/run-stats.ts';
import { clusterLabel, type ClusterSpec } from '../ir/cluster.ts';
import type { Column, Rows, Value } from '../ir/values.ts';
import type { ActionOutput } from '../runtime/action-output.ts';
import type { Lakehouse } from '../storage/lakehouse.ts';
import type { Item } from './batch-items.ts';
import { dropRunTables, finishStatement, statementError } from './finish-statement.ts';

export interface RunResult {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly Value[])[];
  readonly stats: RunStats;
  readonly runId: string;
}

/** What the whole batch measured, shared by its statements. */
export interface BatchFigures {
  readonly makespan: number;
  readonly busy: number;
  readonly switches: number;
  readonly preemptions: number;
  readonly optimizerSeconds: number;
  readonly wallStart: number;
  readonly startedAt: string;
  readonly simulated: boolean;
  readonly cluster: ClusterSpec;
}

/** Runs `item`'s statement over the batch's outputs and records its provenance and run. */
export async function finishItem(lakehouse: Lakehouse, item: Item, all: ReadonlyMap<ActionId, ActionOutput>, batch: BatchFigures, callsPlanned: number): Promise<RunResult> {
  const db = lakehouse.db;
  const { runId } = item;
  const bound = item.stmt.bound;
  const outputs = ownOutputs(item, all);
  const executed: ExecutedSite[] = item.parts.map((p) => ({ ...p, outputs }));
  const final = await assembleStatement(db, bound, executed, runId);
  let result: Rows;
  try {
    result = await finishStatement(lakehouse, bound, final);
  } catch (e) {
    throw statementError(e, bound.statement);
  } finally {
    // The per-run result tables are only needed by the statement just run.
    await dropRunTables(db, runId);
  }
  const govStart = performance.now();
  await ensureProvenanceTables(db);
  const job = item.stmt.job;
  await writeProvenance(db, job ? item.events.map((e) => ({ ...e, job_id: job.id, tenant: job.tenant })) : item.events);
  const stats = runStats(item, batch, callsPlanned, (performance.now() - govStart) / 1000);
  await writeRun(db, {
    run_id: runId, statement: bound.statement.text, started_at: batch.startedAt, wall_seconds: stats.wall_seconds,
    simulated: stats.simulated, makespan_seconds: round(batch.makespan), calls_total: stats.calls_total, calls_executed: stats.calls_executed,
    response_cache_hits: stats.response_cache_hits, prompt_tokens: stats.prompt_tokens, cached_tokens: stats.cached_tokens, errors: stats.errors, status: 'ok',
    ...(job ? { job_id: job.id, tenant: job.tenant } : {}),
  });
  return { columns: result.columns, rows: result.rows, stats, runId };
}

/** The statement's outputs under its own action ids. */
function ownOutputs(item: Item, all: ReadonlyMap<ActionId, ActionOutput>): ReadonlyMap<ActionId, ActionOutput> {
  if (item.prefix === '') return all;
  const own = new Map<ActionId, ActionOutput>();
  for (const [id, o] of all) if (id.startsWith(item.prefix)) own.set(id.slice(item.prefix.length), o);
  return own;
}

function runStats(item: Item, batch: BatchFigures, callsPlanned: number, governanceSeconds: number): RunStats {
  const n = item.n;
  const sim = batch.simulated;
  return {
    calls_total: callsPlanned,
    calls_executed: n.calls - n.cacheHits - n.deduped - n.skipped,
    response_cache_hits: n.cacheHits,
    dedup_saved: n.deduped + n.merged,
    prompt_tokens: n.promptTokens,
    cached_tokens: n.cachedTokens,
    errors: n.errors,
    simulated: sim,
    simulated_makespan_seconds: sim ? round(batch.makespan) : 0,
    simulated_gpu_busy_seconds: sim ? round(batch.busy) : 0,
    simulated_model_switches: sim ? batch.switches : 0,
    simulated_preemptions: sim ? batch.preemptions : 0,
    simulated_cluster: sim ? clusterLabel(batch.cluster) : null,
    optimizer_wall_seconds: round(batch.optimizerSeconds),
    governance_wall_seconds: round(governanceSeconds),
    wall_seconds: round((performance.now() - batch.wallStart) / 1000),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
