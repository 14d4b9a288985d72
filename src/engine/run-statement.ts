// Runs a statement that calls models: instantiate each call site over its inputs, execute the DAG on
// the model clients, write provenance, put the results back into DuckDB and run the statement there.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { BoundQuery, CallSite } from '../bind/bind-query.ts';
import type { SqlStatement } from '../sql/ast.ts';
import { isModelCall, type ActionDag, type ActionId } from '../ir/action-dag.ts';
import { concatDags, prefixActionIds } from '../ir/merge-dags.ts';
import type { Optimized } from '../scheduler/optimize-batch.ts';
import { lowerSite } from '../lower/lower-query.ts';
import type { DataProbe } from '../lower/data-probe.ts';
import type { ModelRef } from '../ir/common.ts';
import type { ActionEvent } from '../runtime/executor.ts';
import { executeDag } from '../runtime/executor.ts';
import { errorBatch, errorOf, outputOf, textBatch, type ActionOutput } from '../runtime/action-output.ts';
import { renderSegments } from '../runtime/render-prompt.ts';
import { assembleStatement, type ExecutedSite } from '../assemble/assemble-query.ts';
import type { ModelClient } from '../runtime/model-client.ts';
import { sqlBatcher } from '../runtime/sql-batcher.ts';
import { ensureProvenanceTables, writeProvenance, writeRun, type ProvenanceEvent } from '../governance/provenance.ts';
import type { Lakehouse } from '../storage/lakehouse.ts';
import { quoteIdent } from '../storage/duckdb.ts';
import type { Column, Rows, Value } from '../ir/values.ts';
import { diag, fail, InternalError, UserError } from '../diag/diagnostic.ts';
import { duckdbDiagnostic } from '../bind/duckdb-error.ts';
import { engineProbe } from './engine-probe.ts';

/** The figures every run reports (GPU figures are simulated for sim:// models). */
export interface RunStats {
  readonly calls_total: number;
  readonly calls_executed: number;
  readonly response_cache_hits: number;
  readonly dedup_saved: number;
  readonly prompt_tokens: number;
  readonly cached_tokens: number;
  readonly errors: number;
  readonly simulated: boolean;
  readonly simulated_makespan_seconds: number;
  readonly simulated_gpu_busy_seconds: number;
  /** Simulated model loads and switches (first loads included). */
  readonly simulated_model_switches: number;
  /** Wall time the optimizer (planning) and provenance writing took. */
  readonly optimizer_wall_seconds: number;
  readonly governance_wall_seconds: number;
  readonly wall_seconds: number;
}

export interface RunResult {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly Value[])[];
  readonly stats: RunStats;
  readonly runId: string;
}

/** How a run reaches models, and the clock GPU time is measured on. */
export interface RunDeps {
  readonly clientFor: (model: ModelRef) => ModelClient;
  readonly clock: () => number;
  readonly hold: () => () => void;
  readonly simulated: boolean;
  readonly gpuBusySeconds?: () => number;
  readonly modelSwitches?: () => number;
  readonly signal: AbortSignal;
  readonly onEvent?: (e: ActionEvent) => void;
  /** The endpoint of a declared worker (CREATE WORKER), by plan worker id `worker:<name>`. */
  readonly endpointOf?: (worker: string) => string | undefined;
  /** Rewrites and plans the statement's DAG (absent: no rewrites, dependency order, one worker per model). */
  readonly optimize?: (dag: ActionDag) => Optimized;
  /** Called after each model call: calls done and total so far, cache hits. */
  readonly onProgress?: (p: Progress) => void;
}

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly cacheHits: number;
}

/** Executes a bound statement whose query calls models. */
export async function runModelStatement(lakehouse: Lakehouse, bound: BoundQuery, deps: RunDeps, job?: BatchStatement['job']): Promise<RunResult> {
  const [r] = await runModelStatements(lakehouse, [{ bound, ...(deps.onProgress ? { onProgress: deps.onProgress } : {}), ...(job ? { job } : {}) }], deps);
  if (r === undefined) throw new InternalError('runModelStatements answered nothing');
  if (!r.ok) throw r.error;
  return r.result;
}

/** One statement of a batch (`runModelStatements`). */
export interface BatchStatement {
  readonly bound: BoundQuery;
  /** This statement's model calls done and total so far, cache hits. */
  readonly onProgress?: (p: Progress) => void;
  /** The job and tenant it runs for (`agentlake serve`), recorded in its run and provenance rows. */
  readonly job?: { readonly id: string; readonly tenant: string };
  /**
   * Stops this statement alone: its actions that no other statement of the batch shares are not
   * started any more, and it ends with the signal's reason (no rows, no provenance).
   */
  readonly signal?: AbortSignal;
}

/** How one statement of a batch ended. */
export type BatchResult = { readonly ok: true; readonly result: RunResult } | { readonly ok: false; readonly error: unknown };

/** A statement of the batch while it runs. */
interface Item {
  readonly k: number;
  readonly runId: string;
  readonly stmt: BatchStatement;
  /** `j<k+1>/` when the batch has several statements, so their action ids stay apart. */
  readonly prefix: string;
  readonly parts: { site: CallSite; dag: ActionDag }[];
  readonly lowered: ActionDag;
  readonly siteOf: Map<ActionId, CallSite>;
  readonly events: ProvenanceEvent[];
  readonly n: { calls: number; cacheHits: number; deduped: number; skipped: number; promptTokens: number; cachedTokens: number; errors: number; merged: number; total: number };
}

/**
 * Executes statements whose queries call models as one batch: every call site of every statement is
 * lowered, the DAGs are concatenated (ids prefixed `j<k>/` per statement) and rewritten, planned and
 * executed together, so identical deterministic actions of different statements (different tenants'
 * jobs) execute once: the statement whose action was merged away records, in its provenance, the run
 * and action it shares. Each statement then gets its own result, run id, provenance and figures (the
 * batch's makespan and GPU time are shared). A statement that fails (its shape, its lowering, its final
 * SQL) fails alone; the batch signal stops them all.
 */
export async function runModelStatements(lakehouse: Lakehouse, stmts: readonly BatchStatement[], deps: RunDeps): Promise<BatchResult[]> {
  const wallStart = performance.now();
  const startedAt = new Date().toISOString().replace('T', ' ').slice(0, 19);
  // Every in-flight call listens on the run's signal: thousands at once is expected, not a leak.
  setMaxListeners(0, deps.signal);
  const db = lakehouse.db;
  const results: (BatchResult | undefined)[] = stmts.map(() => undefined);
  const probe = engineProbe(lakehouse);
  const sql = sqlBatcher(probe.sqlBatches);
  const busyStart = deps.gpuBusySeconds?.() ?? 0;
  const switchesStart = deps.modelSwitches?.() ?? 0;
  const t0 = deps.clock();
  const items: Item[] = [];
  for (const [k, stmt] of stmts.entries()) {
    const runId = randomUUID().slice(0, 8);
    try {
      await checkShape(lakehouse, stmt.bound, runId);
      const { parts, lowered } = await lowerStatement(stmt.bound, probe);
      const siteOf = new Map<ActionId, CallSite>();
      for (const p of parts) for (const a of p.dag.actions) siteOf.set(a.id, p.site);
      const n = { calls: 0, cacheHits: 0, deduped: 0, skipped: 0, promptTokens: 0, cachedTokens: 0, errors: 0, merged: 0, total: 0 };
      items.push({ k, runId, stmt, prefix: stmts.length > 1 ? `j${k + 1}/` : '', parts, lowered, siteOf, events: [], n });
    } catch (e) {
      results[k] = { ok: false, error: e };
    }
  }
  const itemAt = new Map(items.map((it) => [it.k + 1, it]));
  /** The statement an action of the batch belongs to, and its id there. */
  const owner = (id: ActionId): { item: Item; local: ActionId } | undefined => {
    if (stmts.length === 1) return items[0] ? { item: items[0], local: id } : undefined;
    const m = /^j(\d+)\//.exec(id);
    const item = m ? itemAt.get(Number(m[1])) : undefined;
    return item && m ? { item, local: id.slice(m[0].length) } : undefined;
  };
  // Actions a rewrite made (an image encode) belong to the site whose id prefix they carry.
  const siteFor = (item: Item, local: ActionId): CallSite | undefined =>
    item.siteOf.get(local) ?? (item.parts.length === 1 ? item.parts[0]?.site : item.parts[Number(/^c(\d+)\//.exec(local)?.[1] ?? 0) - 1]?.site);
  const lowered = items.length === 1 && items[0] && items[0].prefix === '' ? items[0].lowered : concatDags(stmts.map((s) => s.bound.statement.text).join('\n'), items.map((it) => prefixActionIds(it.lowered, it.prefix)));
  const callsPlanned = new Map(items.map((it) => [it, it.lowered.actions.filter(isModelCall).length]));
  const planStart = performance.now();
  // The optimizer's rewrites (dedup, absorption), then the plan of the rewritten batch.
  const optimized = items.length > 0 ? deps.optimize?.(lowered) : undefined;
  const rewritten = optimized?.rewritten ?? { dag: lowered, aliases: new Map<ActionId, ActionId>(), absorbed: new Map<ActionId, ActionId>(), trace: [] };
  const batch = rewritten.dag;
  const plan = optimized?.plan;
  const optimizerSeconds = (performance.now() - planStart) / 1000;
  for (const a of batch.actions) {
    const own = isModelCall(a) ? owner(a.id) : undefined;
    if (own) own.item.n.total++;
  }
  const byId = new Map(lowered.actions.map((a) => [a.id, a]));
  for (const id of rewritten.aliases.keys()) {
    const a = byId.get(id);
    const own = a !== undefined && isModelCall(a) ? owner(id) : undefined;
    if (own) own.item.n.merged++;
  }
  const cancelled = stmts.some((st) => st.signal) ? cancellation(batch, rewritten.aliases, owner) : undefined;
  const finished = new Map<ActionId, ActionEvent>();
  const outputs = items.length === 0 ? new Map<ActionId, ActionOutput>() : await executeDag(batch, {
    db,
    sql,
    readObject: (key) => lakehouse.readObject(key),
    writeObject: (key, body) => lakehouse.writeObject(key, body),
    clientFor: deps.clientFor,
    signal: deps.signal,
    clock: deps.clock,
    hold: deps.hold,
    ...(deps.endpointOf ? { endpointOf: deps.endpointOf } : {}),
  }, {
    ...(plan ? { plan } : {}),
    deterministic: deps.simulated,
    ...(cancelled ? { cancelled } : {}),
    onEvent: (e) => {
      deps.onEvent?.(e);
      const own = owner(e.action.id);
      if (own === undefined) return;
      const { item, local } = own;
      const n = item.n;
      if (isModelCall(e.action)) {
        n.calls++;
        if (e.cacheHit) n.cacheHits++;
        if (e.deduped) n.deduped++;
        if (e.skipped) n.skipped++;
        n.promptTokens += e.usage?.promptTokens ?? 0;
        n.cachedTokens += e.usage?.cachedTokens ?? 0;
        item.stmt.onProgress?.({ done: n.calls, total: n.total, cacheHits: n.cacheHits });
      }
      if (errorOf(e.output)) n.errors++;
      finished.set(e.action.id, e);
      const site = siteFor(item, local);
      if (site) item.events.push(eventRow(item.runId, site, { ...e, action: { ...e.action, id: local, deps: e.action.deps.map((d) => owner(d)?.local ?? d) } }));
    },
  });
  // Actions the rewrites removed get the output of the action that computed it for them, and a
  // provenance row saying whose execution they share (in another statement's run: `run/action`).
  const all = new Map(outputs);
  for (const [id, kept] of rewritten.aliases) {
    const o = outputs.get(kept);
    const a = byId.get(id);
    const own = owner(id);
    const by = owner(kept);
    const e = finished.get(kept);
    if (o) all.set(id, o);
    if (!a || !own || !by || !e || !o) continue;
    const site = own.item.siteOf.get(own.local);
    if (!site) continue;
    if (errorOf(o)) own.item.n.errors++;
    const sameRun = own.item === by.item;
    own.item.events.push({
      ...eventRow(own.item.runId, site, { action: { ...a, id: own.local, deps: a.deps.map((d) => owner(d)?.local ?? d) }, worker: e.worker, output: o, startedAt: e.startedAt, endedAt: e.endedAt, ...(e.promptHash !== undefined ? { promptHash: e.promptHash } : {}) }),
      shared_with: sameRun ? by.local : `${by.item.runId}/${by.local}`,
      output_ref: `${by.item.runId}/${by.local}`,
    });
  }
  // Formats folded into their readers' prompts: their text, rendered the same way, for provenance.
  for (const a of lowered.actions) {
    const into = rewritten.absorbed.get(a.id);
    if (into === undefined || a.kind !== 'format') continue;
    const failed = a.deps.map((d) => errorOf(all.get(d))).find((x) => x !== undefined);
    const o = outputOf([failed ? errorBatch('E0301', `an input failed: ${failed.message}`) : textBatch(renderSegments(a.parts, all))]);
    all.set(a.id, o);
    const own = owner(a.id);
    if (!own) continue;
    if (failed) own.item.n.errors++;
    const e = finished.get(into);
    const site = own.item.siteOf.get(own.local);
    if (site && e) own.item.events.push({ ...eventRow(own.item.runId, site, { action: { ...a, id: own.local, deps: a.deps.map((d) => owner(d)?.local ?? d) }, worker: e.worker, output: o, startedAt: e.startedAt, endedAt: e.startedAt }), shared_with: owner(into)?.local ?? into });
  }
  const makespan = deps.clock() - t0;
  const busy = (deps.gpuBusySeconds?.() ?? 0) - busyStart;
  const switches = (deps.modelSwitches?.() ?? 0) - switchesStart;
  for (const item of items) {
    if (item.stmt.signal?.aborted) {
      results[item.k] = { ok: false, error: item.stmt.signal.reason ?? new Error('cancelled') };
      continue;
    }
    try {
      results[item.k] = { ok: true, result: await finishItem(lakehouse, item, all, { makespan, busy, switches, optimizerSeconds, wallStart, startedAt, callsPlanned: callsPlanned.get(item) ?? 0 }, deps) };
    } catch (e) {
      results[item.k] = { ok: false, error: e };
    }
  }
  return results.map((r) => r ?? { ok: false, error: new InternalError('a statement of the batch has no result') });
}

/**
 * Why an action of the batch must not start: every statement that needs it (its own, and those
 * whose identical actions were merged into it) has been stopped; undefined while one still needs it.
 */
function cancellation(batch: ActionDag, aliases: ReadonlyMap<ActionId, ActionId>, owner: (id: ActionId) => { item: Item } | undefined): (id: ActionId) => unknown {
  const needers = new Map<ActionId, Set<Item>>();
  for (const a of batch.actions) {
    const own = owner(a.id);
    if (own) needers.set(a.id, new Set([own.item]));
  }
  for (const [id, kept] of aliases) {
    const own = owner(id);
    if (own) needers.get(kept)?.add(own.item);
  }
  return (id) => {
    let reason: unknown;
    for (const it of needers.get(id) ?? []) {
      if (!it.stmt.signal?.aborted) return undefined;
      reason = it.stmt.signal.reason ?? 'cancelled';
    }
    return reason;
  };
}

/** One statement's part after the batch executed: its final SQL, provenance, run row and figures. */
async function finishItem(
  lakehouse: Lakehouse,
  item: Item,
  all: ReadonlyMap<ActionId, ActionOutput>,
  batch: { makespan: number; busy: number; switches: number; optimizerSeconds: number; wallStart: number; startedAt: string; callsPlanned: number },
  deps: RunDeps,
): Promise<RunResult> {
  const db = lakehouse.db;
  const { runId, n } = item;
  const bound = item.stmt.bound;
  // The statement's outputs under its own action ids.
  let outputs: ReadonlyMap<ActionId, ActionOutput> = all;
  if (item.prefix !== '') {
    const own = new Map<ActionId, ActionOutput>();
    for (const [id, o] of all) if (id.startsWith(item.prefix)) own.set(id.slice(item.prefix.length), o);
    outputs = own;
  }
  const executed: ExecutedSite[] = item.parts.map((p) => ({ ...p, outputs }));
  const final = await assembleStatement(db, bound, executed, runId);
  let result: Rows;
  try {
    result = await finishStatement(lakehouse, bound, final);
  } catch (e) {
    throw statementError(e, bound.statement);
  } finally {
    // The per-run result tables are only needed by the statement just run.
    for (const name of (await db.all("SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE $1", [`__agentlake_${runId}_%`])).map((r) => String(r['table_name']))) {
      await db.run(`DROP TABLE IF EXISTS temp.${quoteIdent(name)}`);
    }
  }
  const govStart = performance.now();
  await ensureProvenanceTables(db);
  const job = item.stmt.job;
  await writeProvenance(db, job ? item.events.map((e) => ({ ...e, job_id: job.id, tenant: job.tenant })) : item.events);
  const governanceSeconds = (performance.now() - govStart) / 1000;
  const stats: RunStats = {
    calls_total: batch.callsPlanned,
    calls_executed: n.calls - n.cacheHits - n.deduped - n.skipped,
    response_cache_hits: n.cacheHits,
    dedup_saved: n.deduped + n.merged,
    prompt_tokens: n.promptTokens,
    cached_tokens: n.cachedTokens,
    errors: n.errors,
    simulated: deps.simulated,
    simulated_makespan_seconds: deps.simulated ? round(batch.makespan) : 0,
    simulated_gpu_busy_seconds: deps.simulated ? round(batch.busy) : 0,
    simulated_model_switches: deps.simulated ? batch.switches : 0,
    optimizer_wall_seconds: round(batch.optimizerSeconds),
    governance_wall_seconds: round(governanceSeconds),
    wall_seconds: round((performance.now() - batch.wallStart) / 1000),
  };
  await writeRun(db, {
    run_id: runId, statement: bound.statement.text, started_at: batch.startedAt, wall_seconds: stats.wall_seconds,
    simulated: stats.simulated, makespan_seconds: round(batch.makespan), calls_total: stats.calls_total, calls_executed: stats.calls_executed,
    response_cache_hits: stats.response_cache_hits, prompt_tokens: stats.prompt_tokens, cached_tokens: stats.cached_tokens, errors: stats.errors, status: 'ok',
    ...(job ? { job_id: job.id, tenant: job.tenant } : {}),
  });
  return { columns: result.columns, rows: result.rows, stats, runId };
}

/**
 * Every call site of the statement, lowered, and the one DAG they run as (one plan orders all of
 * their calls); with several sites, action ids are prefixed by the site's number (`c2/...`).
 */
export async function lowerStatement(bound: BoundQuery, probe: DataProbe): Promise<{ parts: { site: CallSite; dag: ActionDag }[]; lowered: ActionDag }> {
  const parts: { site: CallSite; dag: ActionDag }[] = [];
  for (const [k, site] of bound.sites.entries()) {
    const dag = await lowerSite(site, probe);
    parts.push({ site, dag: bound.sites.length > 1 ? prefixActionIds(dag, `c${k + 1}/`) : dag });
  }
  const lowered = parts.length === 1 && parts[0] ? parts[0].dag : concatDags(bound.statement.text, parts.map((p) => p.dag));
  return { parts, lowered };
}

/**
 * Binds the statement around empty results of its calls before any call is made, so a mistake outside
 * the calls (a column the workflow does not return) is reported at once and costs no GPU time.
 */
export async function checkShape(lakehouse: Lakehouse, bound: BoundQuery, runId: string): Promise<void> {
  const db = lakehouse.db;
  const empty: ActionDag = { kind: 'action_dag', source: '', inputs: [], actions: [] };
  const tag = `${runId}check`;
  try {
    const shape = await assembleStatement(db, bound, bound.sites.map((site) => ({ site, dag: empty, outputs: new Map() })), tag);
    await db.describe(shape.query);
  } catch (e) {
    if (e instanceof UserError || !/^[A-Za-z ]+ Error: /.test(e instanceof Error ? e.message : '')) throw e;
    // Positions in DuckDB's message are in the rewritten query: point at the name it quotes instead.
    const d = duckdbDiagnostic(e, bound.statement.text, undefined, bound.statement.span);
    const name = /"([^"]+)"[^"]*$/.exec(e instanceof Error ? e.message.split('\n')[0] ?? '' : '')?.[1];
    const at = name ? wordAt(bound.statement.text, name) : -1;
    throw new UserError([at >= 0 ? { ...d, span: { start: bound.statement.span.start + at, end: bound.statement.span.start + at + (name?.length ?? 0) } } : d]);
  } finally {
    for (const name of (await db.all("SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE $1", [`__agentlake_${tag}_%`])).map((r) => String(r['table_name']))) {
      await db.run(`DROP TABLE IF EXISTS temp.${quoteIdent(name)}`);
    }
  }
}

/** Offset of `word` as a whole identifier in `text` (case-insensitive), or -1. */
function wordAt(text: string, word: string): number {
  const m = new RegExp(`(?<![A-Za-z0-9_])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`, 'i').exec(text);
  return m ? m.index : -1;
}

/**
 * Runs the rewritten statement. CREATE TABLE .. AS with model columns writes a Parquet table into the
 * lakehouse (tables/<name>.parquet), visible by name from then on; TEMP tables stay in DuckDB.
 */
async function finishStatement(lakehouse: Lakehouse, bound: BoundQuery, final: { query: string; statement: string }): Promise<Rows> {
  const stmt = bound.statement;
  const copy = copyTarget(stmt);
  if (copy) return { columns: [{ name: 'Count', type: 'BIGINT' }], rows: [[await lakehouse.copyToObject(final.query, copy.uri, copy.options)]] };
  const m = /^\s*CREATE\s+(OR\s+REPLACE\s+)?(TEMP(?:ORARY)?\s+)?TABLE\s+(IF\s+NOT\s+EXISTS\s+)?/i.exec(stmt.text);
  const name = stmt.target?.name;
  if (stmt.form !== 'create_table_as' || !m || m[2] || !name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return lakehouse.db.query(final.statement);
  const exists = lakehouse.tables.includes(name) || (await lakehouse.db.query('SELECT 1 FROM duckdb_tables() WHERE table_name = $1', [name])).rows.length > 0;
  if (exists && m[3]) return { columns: [{ name: 'Count', type: 'BIGINT' }], rows: [[0]] };
  if (exists && !m[1]) fail('B0120', `table '${name}' already exists`, stmt.target?.span, { help: 'use CREATE OR REPLACE TABLE to replace it' });
  await lakehouse.writeTable(name, final.query);
  const n = await lakehouse.db.query(`SELECT count(*) FROM ${quoteIdent(name)}`);
  return { columns: [{ name: 'Count', type: 'BIGINT' }], rows: n.rows };
}

/**
 * What a failure of the final statement (a DuckDB error, an object store refusing a COPY target)
 * becomes: a diagnostic at the statement, never an internal error. Internal and user errors pass.
 */
export function statementError(e: unknown, stmt: SqlStatement): unknown {
  if (e instanceof UserError || e instanceof InternalError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/^[A-Za-z ]+ Error: /.test(message)) return new UserError([duckdbDiagnostic(e, stmt.text, undefined, stmt.span)]);
  return new UserError([diag('E0102', `cannot write the result: ${message}`, stmt.span)]);
}

/**
 * The object URI of `COPY (query) TO 's3://..' | 'lake://..' (options)`, which the lakehouse writes
 * (DuckDB cannot reach S3 offline); undefined for other statements and local paths.
 */
export function copyTarget(stmt: SqlStatement): { uri: string; options: string } | undefined {
  if (stmt.form !== 'copy' || !stmt.query) return undefined;
  const after = stmt.text.slice(stmt.query.span.end - stmt.span.start).replace(/^\s*\)/, '');
  const m = /^\s*TO\s+'((?:[^']|'')*)'\s*([\s\S]*?)\s*;?\s*$/i.exec(after);
  const uri = m?.[1]?.replace(/''/g, "'");
  if (!m || uri === undefined || !/^(s3|lake):\/\//i.test(uri)) return undefined;
  return { uri, options: m[2] ?? '' };
}

function eventRow(runId: string, site: CallSite, e: ActionEvent): ProvenanceEvent {
  const a = e.action;
  const model = 'model' in a ? a.model : undefined;
  const error = errorOf(e.output);
  return {
    run_id: runId,
    step: site.kind === 'workflow' ? `${site.graph.name}.${a.step}` : a.step,
    action: a.id,
    input: a.input,
    kind: a.kind,
    model: model?.name ?? null,
    model_version: model?.version ?? null,
    endpoint: model?.endpoint ?? null,
    prompt_hash: e.promptHash ?? null,
    input_refs: [...a.deps],
    output_ref: `${runId}/${a.id}`,
    response_cache_hit: e.cacheHit ?? false,
    cached_tokens: e.usage?.cachedTokens ?? null,
    tokens_in: e.usage?.promptTokens ?? null,
    tokens_out: e.usage?.completionTokens ?? null,
    worker: e.worker,
    started_at: e.startedAt,
    ended_at: e.endedAt,
    status: error ? 'error' : 'ok',
    error: error ? `${error.code}: ${error.message}` : null,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
