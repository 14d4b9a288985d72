// The multi-tenant section of the benchmark (ALGORITHMS.md §5), part (a) and the shared helpers: a
// JobManager (src/jobs) driving the serve runner (src/server/session-runner.ts: one Session, one job
// at a time) on a fresh copy of the bench lakehouse with sim:// models. Cross-tenant merging: two
// tenants submit the same workflow over overlapping symbols, response cache on (the later job's
// shared calls are served from the earlier job's execution) vs off, and a one-statement reference.
// Part (b) is multitenant-priority.ts. GPU times are simulated (virtual time); wall times are real.
import { performance } from 'node:perf_hooks';
import { Session } from '../src/engine/session.ts';
import type { RunStats } from '../src/engine/run-statement.ts';
import type { Job } from '../src/jobs/job.ts';
import { JobManager } from '../src/jobs/manager.ts';
import { JobResults, type JobRecord } from '../src/server/job-results.ts';
import { SessionRunner } from '../src/server/session-runner.ts';
import type { Value } from '../src/storage/duckdb.ts';
import type { BenchLakehouses } from './lakehouse.ts';

/** Jain's fairness index (Σx)² / (n·Σx²): 1 when every x is equal, 1/n when one gets everything. */
export function jain(xs: readonly number[]): number {
  const sum = xs.reduce((a, b) => a + b, 0);
  const sq = xs.reduce((a, b) => a + b * b, 0);
  return xs.length === 0 || sq === 0 ? 1 : (sum * sum) / (xs.length * sq);
}

/** A manager over the serve runner on a fresh lakehouse copy; everything is closed and removed after `fn`. */
export async function withManager<T>(
  lakes: BenchLakehouses,
  opts: { gpus: number; cache: boolean; onChange?: (job: Job) => void },
  fn: (m: JobManager, results: JobResults, session: Session) => Promise<T>,
): Promise<T> {
  const dir = await lakes.fresh();
  try {
    const session = await Session.open({ lakehouse: dir, gpus: opts.gpus, cache: opts.cache });
    try {
      const results = await JobResults.open(session.lakehouse.db, { keep: 1024 });
      const runner = await SessionRunner.open(session, results);
      const manager = await JobManager.open({ runner, clock: () => performance.now(), ...(opts.onChange ? { onChange: opts.onChange } : {}) });
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
}

/** One tenant's statement: the workflow over `limit` symbols from `offset`, in key order. */
export function tenantStatement(workflow: string, offset: number, limit: number): string {
  return `SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT ${limit} OFFSET ${offset}) s, ${workflow}(s.symbol) t ORDER BY s.symbol`;
}

/** Model-call and simulated figures of one variant (summed over its jobs or statements). */
export interface CrossTenantFigures {
  readonly label: string;
  readonly cache: boolean;
  /** calls_total: what the tenants asked for. */
  readonly callsAsked: number;
  /** calls_executed: sent to a (simulated) GPU. */
  readonly callsExecuted: number;
  /** response_cache_hits: served from the other tenant's earlier execution. */
  readonly servedShared: number;
  /** dedup_saved: identical calls the optimizer merged inside one statement. */
  readonly dedupSaved: number;
  /** Σ simulated makespans (the runner runs jobs one after the other, so they add). */
  readonly makespanSumS: number;
  readonly perJobMakespanS: readonly number[];
  /** Σ simulated GPU busy seconds: the work done, whatever the critical path. */
  readonly gpuBusyS: number;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  /** Result rows of the shared symbols equal in both tenants' results. */
  readonly sharedRowsIdentical: boolean;
  /** Provenance rows of the later tenant's run(s) marked response_cache_hit. */
  readonly laterProvenanceSharedRows: number | null;
  readonly wallS: number;
}

export interface CrossTenantResult {
  readonly spec: CrossTenantSpec;
  readonly sharedSymbols: number;
  readonly distinctSymbols: number;
  /** Distinct model calls: distinct symbols × calls per symbol (the least any engine must execute). */
  readonly distinctCalls: number;
  readonly shared: CrossTenantFigures;
  readonly unshared: CrossTenantFigures;
  /** Reference, not through the job manager: both tenants' call sites in ONE statement (optimizer dedup). */
  readonly oneStatement: CrossTenantFigures;
}

/** Both tenants through the job manager: A (acme/alice) and B (globex/bob), submitted before the manager starts. */
async function crossTenantJobs(lakes: BenchLakehouses, spec: CrossTenantSpec, cache: boolean): Promise<CrossTenantFigures & { perSymbolCalls: number }> {
  const t0 = performance.now();
  const offsetB = Math.round(spec.symbols * (1 - spec.overlap));
  return withManager(lakes, { gpus: spec.gpus, cache }, async (m, results, session) => {
    const a = await m.submit({ tenant: 'acme', user: 'alice', sql: tenantStatement(spec.workflow, 0, spec.symbols) });
    const b = await m.submit({ tenant: 'globex', user: 'bob', sql: tenantStatement(spec.workflow, offsetB, spec.symbols) });
    m.start();
    await m.idle();
    for (const j of [a, b]) {
      const s = m.status(j.id, j.tenant);
      if (s?.state !== 'done') throw new Error(`bench: cross-tenant job ${j.id} ended ${s?.state ?? 'unknown'}${s?.error ? `: ${s.error}` : ''}`);
    }
    const ra = await rowsAndStats(results, a.id);
    const rb = await rowsAndStats(results, b.id);
    // Which ran later: the one that finished last (the runner runs one job at a time).
    const fa = m.status(a.id, a.tenant)?.finishedAt ?? 0;
    const fb = m.status(b.id, b.tenant)?.finishedAt ?? 0;
    const later = fb >= fa ? rb : ra;
    const laterRuns = later.rec.runIds;
    const prov = laterRuns.length === 0 ? [] : await session.lakehouse.db.all(`SELECT count(*) AS n FROM agentlake_provenance WHERE response_cache_hit AND run_id IN (${laterRuns.map((r) => `'${r.replace(/'/g, "''")}'`).join(', ')})`);
    const sharedA = ra.rows.slice(offsetB);
    const sharedB = rb.rows.slice(0, spec.symbols - offsetB);
    return {
      ...figures(cache ? 'two jobs, response cache on (shared)' : 'two jobs, response cache off (no sharing)', cache, [ra.stats, rb.stats], t0),
      sharedRowsIdentical: sharedA.length === sharedB.length && JSON.stringify(sharedA, bigintSafe) === JSON.stringify(sharedB, bigintSafe),
      laterProvenanceSharedRows: Number(prov[0]?.['n'] ?? 0),
      perSymbolCalls: ra.stats.calls_total / Math.max(1, spec.symbols),
    };
  });
}

/** Reference: one statement holding both tenants' call sites, run directly on a Session (cache off). */
async function crossTenantOneStatement(lakes: BenchLakehouses, spec: CrossTenantSpec): Promise<CrossTenantFigures> {
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
      const sharedA = a.slice(offsetB);
      const sharedB = b.slice(0, spec.symbols - offsetB);
      return {
        ...figures('one statement, both tenants (reference, optimizer dedup, cache off)', false, [out.stats], t0),
        sharedRowsIdentical: sharedA.length === sharedB.length && JSON.stringify(sharedA, bigintSafe) === JSON.stringify(sharedB, bigintSafe),
        laterProvenanceSharedRows: null,
      };
    } finally {
      await session.close();
    }
  } finally {
    await lakes.discard(dir);
  }
}

/** (a): shared (cache on), unshared (cache off) and the one-statement reference. */
export async function runCrossTenant(lakes: BenchLakehouses, spec: CrossTenantSpec, log: (line: string) => void): Promise<CrossTenantResult> {
  const offsetB = Math.round(spec.symbols * (1 - spec.overlap));
  const { perSymbolCalls, ...shared } = await crossTenantJobs(lakes, spec, true);
  log(`multitenant: cross-tenant shared: ${shared.callsAsked} calls asked, ${shared.callsExecuted} executed, ${shared.servedShared} served shared, makespan Σ ${shared.makespanSumS.toFixed(1)} s (sim), wall ${shared.wallS.toFixed(1)} s`);
  const { perSymbolCalls: _p, ...unshared } = await crossTenantJobs(lakes, spec, false);
  log(`multitenant: cross-tenant unshared: ${unshared.callsExecuted} executed, makespan Σ ${unshared.makespanSumS.toFixed(1)} s (sim), wall ${unshared.wallS.toFixed(1)} s`);
  const oneStatement = await crossTenantOneStatement(lakes, spec);
  log(`multitenant: one-statement reference: ${oneStatement.callsExecuted} executed, ${oneStatement.dedupSaved} dedup, makespan ${oneStatement.makespanSumS.toFixed(1)} s (sim)`);
  const distinctSymbols = offsetB + spec.symbols;
  return { spec, sharedSymbols: spec.symbols - offsetB, distinctSymbols, distinctCalls: Math.round(distinctSymbols * perSymbolCalls), shared, unshared, oneStatement };
}

function figures(label: string, cache: boolean, stats: readonly RunStats[], t0: number): Omit<CrossTenantFigures, 'sharedRowsIdentical' | 'laterProvenanceSharedRows'> {
  const sum = (f: (s: RunStats) => number): number => stats.reduce((n, s) => n + f(s), 0);
  return {
    label,
    cache,
    callsAsked: sum((s) => s.calls_total),
    callsExecuted: sum((s) => s.calls_executed),
    servedShared: sum((s) => s.response_cache_hits),
    dedupSaved: sum((s) => s.dedup_saved),
    makespanSumS: round(sum((s) => s.simulated_makespan_seconds)),
    perJobMakespanS: stats.map((s) => round(s.simulated_makespan_seconds)),
    gpuBusyS: round(sum((s) => s.simulated_gpu_busy_seconds)),
    promptTokens: sum((s) => s.prompt_tokens),
    cachedTokens: sum((s) => s.cached_tokens),
    wallS: round((performance.now() - t0) / 1000),
  };
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
