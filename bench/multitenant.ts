// The multi-tenant section of the benchmark (ALGORITHMS.md §5), part (a) and the shared helpers: a
// JobManager (src/jobs) driving the serve runner (src/service/session-runner.ts: one Session, one
// batch of jobs at a time, a batch's model statements run as one DAG) on a fresh copy of the bench
// lakehouse with sim:// models. Cross-tenant merging: two tenants submit the same workflow over
// overlapping symbols; (1) both jobs in one batch, response cache off (every saving is the merge),
// (2) one job per batch with the response cache on, (3) one job per batch, cache off (the control),
// and a one-statement reference. Part (b) is multitenant-priority.ts. GPU times are simulated
// (virtual time); wall times are real.
import { performance } from 'node:perf_hooks';
import { Session } from '../src/engine/session.ts';
import type { RunStats } from '../src/ir/run-stats.ts';
import type { Job } from '../src/jobs/job.ts';
import { JobManager } from '../src/jobs/manager.ts';
import { JobResults, type JobRecord } from '../src/service/job-results.ts';
import { SessionRunner } from '../src/service/session-runner.ts';
import type { Database } from '../src/storage/duckdb.ts';
import type { Value } from '../src/ir/values.ts';
import type { BenchLakehouses } from './lakehouse.ts';

/** Jain's fairness index (Σx)² / (n·Σx²): 1 when every x is equal, 1/n when one gets everything. */
export function jain(xs: readonly number[]): number {
  const sum = xs.reduce((a, b) => a + b, 0);
  const sq = xs.reduce((a, b) => a + b * b, 0);
  return xs.length === 0 || sq === 0 ? 1 : (sum * sum) / (xs.length * sq);
}

/**
 * A manager over the serve runner (batches of up to `batchSize` jobs) on a fresh lakehouse copy;
 * everything is closed and removed after `fn`.
 */
export async function withManager<T>(
  lakes: BenchLakehouses,
  opts: { gpus: number; cache: boolean; batchSize: number; onChange?: (job: Job) => void },
  fn: (m: JobManager, results: JobResults, session: Session) => Promise<T>,
): Promise<T> {
  const dir = await lakes.fresh();
  try {
    const session = await Session.open({ lakehouse: dir, gpus: opts.gpus, cache: opts.cache });
    try {
      const results = await JobResults.open(session.lakehouse.db, { keep: 1024 });
      // The runner and the manager take the same batch size (the runner's capacity caps it anyway).
      const runner = await SessionRunner.open(session, results, { batchSize: opts.batchSize });
      const manager = await JobManager.open({ runner, batchSize: opts.batchSize, clock: () => performance.now(), ...(opts.onChange ? { onChange: opts.onChange } : {}) });
      try {
        return await fn(manager, results, session);
      } finally {
        await manager.close();
      }
    } finally {
      await session.close();
    }
  } finally {
    await lakes.discard(dir);
  }
}

/** A finished job's rows and stats (throws when it did not end with rows and stats). */
export async function rowsAndStats(results: JobResults, id: string): Promise<{ rows: readonly (readonly Value[])[]; stats: RunStats; rec: JobRecord }> {
  const rec = await results.get(id);
  const r = rec?.result;
  if (!rec || r?.kind !== 'rows' || !r.stats) throw new Error(`bench: job ${id} has no rows with stats (${r?.kind ?? 'no result'}${r?.kind === 'internal' ? `: ${r.message}` : ''})`);
  return { rows: r.rows, stats: r.stats, rec };
}


// ---------------------------------------------------------------- (a) cross-tenant merging

export interface CrossTenantSpec {
  readonly workflow: string;
  /** Symbols per tenant; tenant B starts `symbols·(1 − overlap)` symbols after tenant A. */
  readonly symbols: number;
  readonly overlap: number;
  readonly gpus: number;
  /** Jobs per batch of the merged variant (≥ 2, so both tenants' jobs share one batch). */
  readonly batchSize: number;
}

/** One tenant's statement: the workflow over `limit` symbols from `offset`, in key order. */
export function tenantStatement(workflow: string, offset: number, limit: number): string {
  return `SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT ${limit} OFFSET ${offset}) s, ${workflow}(s.symbol) t ORDER BY s.symbol`;
}

/**
 * The sharer's provenance rows that point at the other tenant's run (`shared_with` =
 * `<executor run>/<action>`), and how many of those pointers name a call the executor's run
 * executed itself (a row with that output_ref, no shared_with, the same prompt hash).
 */
export interface SharedPointers {
  /** Tenant whose job's calls were merged away (it reuses the other's execution). */
  readonly sharer: string;
  readonly rows: number;
  /** Of `rows`, model calls (kind llm). */
  readonly modelCallRows: number;
  readonly resolved: number;
  /** Rows of the executor's run pointing back at the sharer's (expected 0). */
  readonly reverse: number;
}

/** Model-call and simulated figures of one variant (calls and tokens summed over its jobs; GPU figures once per batch). */
export interface CrossTenantFigures {
  readonly label: string;
  /** Jobs per batch (null: the one-statement reference, outside the manager). */
  readonly batchSize: number | null;
  readonly cache: boolean;
  /** Batches the two jobs ran in (1: merged into one DAG). */
  readonly batches: number;
  /** calls_total: what the tenants asked for. */
  readonly callsAsked: number;
  /** calls_executed: sent to a (simulated) GPU. */
  readonly callsExecuted: number;
  /** response_cache_hits: served from the other tenant's earlier execution. */
  readonly servedShared: number;
  /** dedup_saved: identical calls merged (across the batch's jobs, or inside the one statement). */
  readonly dedupSaved: number;
  /** Simulated makespan: per batch (the jobs of a batch share one), summed over the batches run one after the other. */
  readonly makespanS: number;
  readonly perBatchMakespanS: readonly number[];
  /** Simulated GPU busy seconds, once per batch: the work done, whatever the critical path. */
  readonly gpuBusyS: number;
  /** Simulated model loads and switches, once per batch. */
  readonly modelSwitches: number;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  /** Result rows of the shared symbols equal in both tenants' results. */
  readonly sharedRowsIdentical: boolean;
  /** Both tenants' rows equal to the control's (one job per batch, cache off); null for the control. */
  readonly rowsAsControl: boolean | null;
  /** Provenance rows of the later job marked response_cache_hit (one job per batch); null otherwise. */
  readonly cacheHitRows: number | null;
  /** The merged-away job's provenance pointers into the executor's run (one batch); null otherwise. */
  readonly pointers: SharedPointers | null;
  readonly wallS: number;
}

export interface CrossTenantResult {
  readonly spec: CrossTenantSpec;
  readonly sharedSymbols: number;
  readonly distinctSymbols: number;
  /** Distinct model calls: distinct symbols × calls per symbol (the least any engine must execute). */
  readonly distinctCalls: number;
  /** (1) both jobs in one batch, response cache off: every saving is the merge. */
  readonly merged: CrossTenantFigures;
  /** (2) one job per batch, response cache on: the later job's shared calls come from the cache. */
  readonly cached: CrossTenantFigures;
  /** (3) one job per batch, cache off: no sharing (the control). */
  readonly control: CrossTenantFigures;
  /** Reference, not through the job manager: both tenants' call sites in ONE statement (optimizer dedup, cache off). */
  readonly oneStatement: CrossTenantFigures;
  /** Control makespan / merged makespan (simulated), and the calls the merge saved. */
  readonly speedup: number;
  readonly callsSaved: number;
  /**
   * The most the merge could gain here: control makespan / the control's first job alone (cold
   * GPUs). The merged batch holds all of that job's work and starts on cold GPUs too, so even a
   * free second job would not beat this.
   */
  readonly ceiling: number;
}

type Rows = readonly (readonly Value[])[];

/** Both tenants through the job manager: A (acme/alice) and B (globex/bob), submitted before the manager starts. */
async function crossTenantJobs(
  lakes: BenchLakehouses,
  spec: CrossTenantSpec,
  v: { label: string; batchSize: number; cache: boolean },
): Promise<{ figures: Omit<CrossTenantFigures, 'rowsAsControl'>; rows: readonly [Rows, Rows]; perSymbolCalls: number }> {
  const t0 = performance.now();
  const offsetB = Math.round(spec.symbols * (1 - spec.overlap));
  return withManager(lakes, { gpus: spec.gpus, cache: v.cache, batchSize: v.batchSize }, async (m, results, session) => {
    const a = await m.submit({ tenant: 'acme', user: 'alice', sql: tenantStatement(spec.workflow, 0, spec.symbols) });
    const b = await m.submit({ tenant: 'globex', user: 'bob', sql: tenantStatement(spec.workflow, offsetB, spec.symbols) });
    m.start();
    await m.idle();
    const jobs = [a, b].map((j) => {
      const s = m.status(j.id, j.tenant);
      if (s?.state !== 'done') throw new Error(`bench: cross-tenant job ${j.id} ended ${s?.state ?? 'unknown'}${s?.error ? `: ${s.error}` : ''}`);
      return s;
    });
    const ra = await rowsAndStats(results, a.id);
    const rb = await rowsAndStats(results, b.id);
    // The manager stamps every job of a dispatched batch with the same start: equal starts, one batch.
    const byBatch = new Map<number, RunStats[]>();
    for (const [i, j] of jobs.entries()) {
      const key = j.startedAt ?? -1 - i;
      byBatch.set(key, [...(byBatch.get(key) ?? []), (i === 0 ? ra : rb).stats]);
    }
    const batches = [...byBatch.entries()].sort(([x], [y]) => x - y).map(([, s]) => s);
    for (const s of batches) {
      if (new Set(s.map((x) => x.simulated_makespan_seconds)).size > 1) throw new Error(`bench: jobs of one batch report different makespans (${s.map((x) => x.simulated_makespan_seconds).join(', ')})`);
    }
    const db = session.lakehouse.db;
    const runA = ra.rec.runIds[0] ?? '';
    const runB = rb.rec.runIds[0] ?? '';
    let cacheHitRows: number | null = null;
    let pointers: SharedPointers | null = null;
    if (batches.length > 1) {
      // Which ran later: the one that finished last (one job per batch).
      const later = (jobs[1]?.finishedAt ?? 0) >= (jobs[0]?.finishedAt ?? 0) ? rb : ra;
      const prov = later.rec.runIds.length === 0 ? [] : await db.all(`SELECT count(*) AS n FROM agentlake_provenance WHERE response_cache_hit AND run_id IN (${later.rec.runIds.map(sqlString).join(', ')})`);
      cacheHitRows = Number(prov[0]?.['n'] ?? 0);
    } else {
      const ab = await sharedPointers(db, runA, runB);
      const ba = await sharedPointers(db, runB, runA);
      // The sharer is the job whose rows point into the other's run.
      pointers = ab.rows >= ba.rows ? { sharer: 'acme', ...ab, reverse: ba.rows } : { sharer: 'globex', ...ba, reverse: ab.rows };
    }
    const sharedA = ra.rows.slice(offsetB);
    const sharedB = rb.rows.slice(0, spec.symbols - offsetB);
    return {
      figures: {
        ...figures(v.label, v.batchSize, v.cache, [ra.stats, rb.stats], batches, t0),
        sharedRowsIdentical: sameRows(sharedA, sharedB),
        cacheHitRows,
        pointers,
      },
      rows: [ra.rows, rb.rows],
      perSymbolCalls: ra.stats.calls_total / Math.max(1, spec.symbols),
    };
  });
}

/** Rows of run `from` whose shared_with points into run `to`, and how many of those name a call `to` executed. */
async function sharedPointers(db: Database, from: string, to: string): Promise<Omit<SharedPointers, 'sharer' | 'reverse'>> {
  const rows = await db.all("SELECT kind, shared_with, output_ref, prompt_hash FROM agentlake_provenance WHERE run_id = $1 AND shared_with LIKE $2 || '/%'", [from, to]);
  const executed = await db.all('SELECT output_ref, prompt_hash FROM agentlake_provenance WHERE run_id = $1 AND shared_with IS NULL', [to]);
  const hashOf = new Map(executed.map((r) => [String(r['output_ref']), r['prompt_hash'] ?? null]));
  const resolved = rows.filter((r) => {
    const ref = String(r['shared_with']);
    return r['output_ref'] === ref && hashOf.has(ref) && hashOf.get(ref) === (r['prompt_hash'] ?? null);
  }).length;
  return { rows: rows.length, modelCallRows: rows.filter((r) => r['kind'] === 'llm').length, resolved };
}

/** Reference: one statement holding both tenants' call sites, run directly on a Session (cache off). */
async function crossTenantOneStatement(lakes: BenchLakehouses, spec: CrossTenantSpec): Promise<{ figures: Omit<CrossTenantFigures, 'rowsAsControl'>; rows: readonly [Rows, Rows] }> {
  const t0 = performance.now();
  const offsetB = Math.round(spec.symbols * (1 - spec.overlap));
  const part = (tenant: string, offset: number): string =>
    `SELECT '${tenant}' AS tenant, s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT ${spec.symbols} OFFSET ${offset}) s, ${spec.workflow}(s.symbol) t`;
  const sql = `${part('acme', 0)}\nUNION ALL\n${part('globex', offsetB)}\nORDER BY tenant, symbol;`;
  const dir = await lakes.fresh();
  try {
    const session = await Session.open({ lakehouse: dir, gpus: spec.gpus, cache: false });
    try {
      const out = await session.runScript({ name: 'bench:multitenant:one-statement', text: sql }, 'run');
      if (out.kind !== 'rows' || !out.stats) throw new Error('bench: the one-statement reference ran no model calls');
      const a = out.rows.filter((r) => r[0] === 'acme').map((r) => r.slice(1));
      const b = out.rows.filter((r) => r[0] === 'globex').map((r) => r.slice(1));
      return {
        figures: {
          ...figures('one statement, both tenants (reference outside the manager, cache off)', null, false, [out.stats], [[out.stats]], t0),
          sharedRowsIdentical: sameRows(a.slice(offsetB), b.slice(0, spec.symbols - offsetB)),
          cacheHitRows: null,
          pointers: null,
        },
        rows: [a, b],
      };
    } finally {
      await session.close();
    }
  } finally {
    await lakes.discard(dir);
  }
}

/** (a): the control (one job per batch, cache off), the merged batch, sharing through the cache, and the one-statement reference. */
export async function runCrossTenant(lakes: BenchLakehouses, spec: CrossTenantSpec, log: (line: string) => void): Promise<CrossTenantResult> {
  const offsetB = Math.round(spec.symbols * (1 - spec.overlap));
  const say = (f: CrossTenantFigures): void =>
    log(`multitenant: ${f.label}: ${f.callsAsked} calls asked, ${f.callsExecuted} executed, ${f.dedupSaved} merged, ${f.servedShared} from the cache, ${f.batches} batch(es), makespan ${f.makespanS.toFixed(1)} s (sim), wall ${f.wallS.toFixed(1)} s`);
  const c = await crossTenantJobs(lakes, spec, { label: '(3) one job per batch, cache off (control: no sharing)', batchSize: 1, cache: false });
  const asControl = (rows: readonly [Rows, Rows]): boolean => sameRows(rows[0], c.rows[0]) && sameRows(rows[1], c.rows[1]);
  const control: CrossTenantFigures = { ...c.figures, rowsAsControl: null };
  say(control);
  const m = await crossTenantJobs(lakes, spec, { label: `(1) both jobs in one batch (batch size ${spec.batchSize}), cache off: merged`, batchSize: spec.batchSize, cache: false });
  const merged: CrossTenantFigures = { ...m.figures, rowsAsControl: asControl(m.rows) };
  say(merged);
  if (merged.batches !== 1) log(`multitenant: WARNING: the merged variant ran in ${merged.batches} batches, not one`);
  const k = await crossTenantJobs(lakes, spec, { label: '(2) one job per batch, response cache on', batchSize: 1, cache: true });
  const cached: CrossTenantFigures = { ...k.figures, rowsAsControl: asControl(k.rows) };
  say(cached);
  const o = await crossTenantOneStatement(lakes, spec);
  const oneStatement: CrossTenantFigures = { ...o.figures, rowsAsControl: asControl(o.rows) };
  say(oneStatement);
  const distinctSymbols = offsetB + spec.symbols;
  return {
    spec,
    sharedSymbols: spec.symbols - offsetB,
    distinctSymbols,
    distinctCalls: Math.round(distinctSymbols * c.perSymbolCalls),
    merged,
    cached,
    control,
    oneStatement,
    speedup: round(control.makespanS / Math.max(1e-9, merged.makespanS)),
    callsSaved: control.callsExecuted - merged.callsExecuted,
    ceiling: round(control.makespanS / Math.max(1e-9, control.perBatchMakespanS[0] ?? control.makespanS)),
  };
}

function figures(
  label: string,
  batchSize: number | null,
  cache: boolean,
  stats: readonly RunStats[],
  batches: readonly (readonly RunStats[])[],
  t0: number,
): Omit<CrossTenantFigures, 'sharedRowsIdentical' | 'rowsAsControl' | 'cacheHitRows' | 'pointers'> {
  const sum = (f: (s: RunStats) => number): number => stats.reduce((n, s) => n + f(s), 0);
  // A batch's jobs report the batch's GPU figures each: count them once per batch.
  const perBatch = (f: (s: RunStats) => number): number[] => batches.map((b) => (b[0] ? f(b[0]) : 0));
  const total = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  return {
    label,
    batchSize,
    cache,
    batches: batches.length,
    callsAsked: sum((s) => s.calls_total),
    callsExecuted: sum((s) => s.calls_executed),
    servedShared: sum((s) => s.response_cache_hits),
    dedupSaved: sum((s) => s.dedup_saved),
    makespanS: round(total(perBatch((s) => s.simulated_makespan_seconds))),
    perBatchMakespanS: perBatch((s) => round(s.simulated_makespan_seconds)),
    gpuBusyS: round(total(perBatch((s) => s.simulated_gpu_busy_seconds))),
    modelSwitches: total(perBatch((s) => s.simulated_model_switches)),
    promptTokens: sum((s) => s.prompt_tokens),
    cachedTokens: sum((s) => s.cached_tokens),
    wallS: round((performance.now() - t0) / 1000),
  };
}

function sameRows(a: Rows, b: Rows): boolean {
  return a.length === b.length && JSON.stringify(a, bigintSafe) === JSON.stringify(b, bigintSafe);
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
