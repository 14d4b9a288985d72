// Runs statements that call models as one batch: every call site of every statement is lowered, the
// DAGs are joined and rewritten, planned and executed together, so identical deterministic actions
// of different statements (different tenants' jobs) execute once; the statement whose action was
// merged away records, in its provenance, the run and action it shares. Each statement then gets its
// own result, run id, provenance and figures (the batch's makespan and GPU time are shared).
import { setMaxListeners } from 'node:events';
import type { BoundQuery } from '../ir/bound-query.ts';
import { InternalError } from '../diag/diagnostic.ts';
import { provenanceEvent } from '../governance/provenance-event.ts';
import { isModelCall, type ActionDag, type ActionId } from '../ir/action-dag.ts';
import type { ModelRef } from '../ir/common.ts';
import type { WorkerRef } from '../ir/physical-plan.ts';
import { DEFAULT_CLUSTER, type ClusterSpec } from '../ir/cluster.ts';
import type { Progress } from '../ir/run-stats.ts';
import { errorBatch, errorOf, outputOf, textBatch, type ActionOutput } from '../runtime/action-output.ts';
import { executeDag, type ActionEvent } from '../runtime/executor.ts';
import type { ModelClient } from '../runtime/model-client.ts';
import { renderSegments } from '../runtime/render-prompt.ts';
import { sqlBatcher } from '../runtime/sql-batcher.ts';
import type { Optimized } from '../scheduler/optimize-batch.ts';
import type { Lakehouse } from '../storage/lakehouse.ts';
import { BatchOwners, batchDag, cancellation, prepareItems, type BatchStatement, type Item } from './batch-items.ts';
import { engineProbe } from './engine-probe.ts';
import { finishItem, type BatchFigures, type RunResult } from './statement-result.ts';

/** How a run reaches models, and the clock GPU time is measured on. */
export interface RunDeps {
  readonly clientFor: (model: ModelRef) => ModelClient;
  readonly clock: () => number;
  readonly hold: () => () => void;
  readonly simulated: boolean;
  readonly gpuBusySeconds?: () => number;
  readonly modelSwitches?: () => number;
  readonly preemptions?: () => number;
  readonly signal: AbortSignal;
  readonly onEvent?: (e: ActionEvent) => void;
  /** The endpoint of a declared worker (CREATE WORKER). */
  readonly endpointOf?: (worker: Extract<WorkerRef, { kind: 'worker' }>) => string | undefined;
  /** Rewrites and plans the statement's DAG (absent: no rewrites, dependency order, one worker per model). */
  readonly optimize?: (dag: ActionDag) => Optimized;
  /** Called after each model call: calls done and total so far, cache hits. */
  readonly onProgress?: (p: Progress) => void;
  /** The simulated cluster sim:// calls run on (recorded in the stats; warm starts each GPU loaded). */
  readonly cluster?: ClusterSpec;
}

/** How one statement of a batch ended. */
export type BatchResult = { readonly ok: true; readonly result: RunResult } | { readonly ok: false; readonly error: unknown };

/** Executes a bound statement whose query calls models. */
export async function runModelStatement(lakehouse: Lakehouse, bound: BoundQuery, deps: RunDeps, job?: BatchStatement['job']): Promise<RunResult> {
  const [r] = await runModelStatements(lakehouse, [{ bound, ...(deps.onProgress ? { onProgress: deps.onProgress } : {}), ...(job ? { job } : {}) }], deps);
  if (r === undefined) throw new InternalError('runModelStatements answered nothing');
  if (!r.ok) throw r.error;
  return r.result;
}

/**
 * Executes `stmts` as one batch. A statement that fails (its shape, its lowering, its final SQL)
 * fails alone; the batch signal stops them all.
 */
export async function runModelStatements(lakehouse: Lakehouse, stmts: readonly BatchStatement[], deps: RunDeps): Promise<BatchResult[]> {
  const wallStart = performance.now();
  const startedAt = new Date().toISOString().replace('T', ' ').slice(0, 19);
  // Every in-flight call listens on the run's signal: thousands at once is expected, not a leak.
  setMaxListeners(0, deps.signal);
  const probe = engineProbe(lakehouse);
  const busyStart = deps.gpuBusySeconds?.() ?? 0;
  const switchesStart = deps.modelSwitches?.() ?? 0;
  const preemptionsStart = deps.preemptions?.() ?? 0;
  const t0 = deps.clock();
  const { items, failed } = await prepareItems(lakehouse, stmts, probe);
  const lowered = batchDag(items, stmts);
  const planStart = performance.now();
  // The optimizer's rewrites (dedup, absorption), then the plan of the rewritten batch.
  const optimized = items.length > 0 ? deps.optimize?.(lowered) : undefined;
  const rewritten = optimized?.rewritten ?? { dag: lowered, aliases: new Map<ActionId, ActionId>(), absorbed: new Map<ActionId, ActionId>(), trace: [] };
  const optimizerSeconds = (performance.now() - planStart) / 1000;
  const owners = new BatchOwners(items, [lowered, rewritten.dag]);
  owners.countPlanned(rewritten.dag, lowered, rewritten.aliases);
  const finished = new Map<ActionId, ActionEvent>();
  const outputs = items.length === 0 ? new Map<ActionId, ActionOutput>() : await executeDag(rewritten.dag, {
    db: lakehouse.db,
    sql: sqlBatcher(probe.sqlBatches),
    readObject: (key) => lakehouse.readObject(key),
    writeObject: (key, body) => lakehouse.writeObject(key, body),
    clientFor: deps.clientFor,
    signal: deps.signal,
    clock: deps.clock,
    hold: deps.hold,
    ...(deps.endpointOf ? { endpointOf: deps.endpointOf } : {}),
  }, {
    ...(optimized?.plan ? { plan: optimized.plan } : {}),
    deterministic: deps.simulated,
    ...(deps.cluster?.warm ? { warm: true } : {}),
    ...(stmts.some((st) => st.signal) ? { cancelled: cancellation(rewritten.dag, rewritten.aliases, owners) } : {}),
    onEvent: (e) => {
      deps.onEvent?.(e);
      finished.set(e.action.id, e);
      recordEvent(owners, e);
    },
  });
  const all = new Map(outputs);
  shareAliased(owners, lowered, rewritten.aliases, finished, all);
  renderAbsorbed(owners, lowered, rewritten.absorbed, finished, all);
  const batch: BatchFigures = {
    makespan: deps.clock() - t0, busy: (deps.gpuBusySeconds?.() ?? 0) - busyStart, switches: (deps.modelSwitches?.() ?? 0) - switchesStart,
    preemptions: (deps.preemptions?.() ?? 0) - preemptionsStart,
    optimizerSeconds, wallStart, startedAt, simulated: deps.simulated, cluster: deps.cluster ?? DEFAULT_CLUSTER,
  };
  const results = new Map<number, BatchResult>([...failed].map(([k, error]) => [k, { ok: false, error }]));
  for (const item of items) results.set(item.k, await finishOne(lakehouse, item, all, batch));
  return stmts.map((_, k) => results.get(k) ?? { ok: false, error: new InternalError('a statement of the batch has no result') });
}

/** One statement's result, unless it was stopped while the batch ran. */
async function finishOne(lakehouse: Lakehouse, item: Item, all: ReadonlyMap<ActionId, ActionOutput>, batch: BatchFigures): Promise<BatchResult> {
  if (item.stmt.signal?.aborted) return { ok: false, error: item.stmt.signal.reason ?? new Error('cancelled') };
  try {
    return { ok: true, result: await finishItem(lakehouse, item, all, batch, item.lowered.actions.filter(isModelCall).length) };
  } catch (e) {
    return { ok: false, error: e };
  }
}

/** Counts a finished action for its statement, reports progress and keeps its provenance row. */
function recordEvent(owners: BatchOwners, e: ActionEvent): void {
  const own = owners.of(e.action.id);
  if (own === undefined) return;
  const { item } = own;
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
  const site = owners.site(e.action.id);
  if (site) item.events.push(provenanceEvent(item.runId, site, { ...e, action: owners.local(e.action) }));
}

/**
 * Actions the rewrites merged away get the output of the action that computed it for them, and a
 * provenance row saying whose execution they share (in another statement's run: `run/action`).
 */
function shareAliased(owners: BatchOwners, lowered: ActionDag, aliases: ReadonlyMap<ActionId, ActionId>, finished: ReadonlyMap<ActionId, ActionEvent>, all: Map<ActionId, ActionOutput>): void {
  const byId = new Map(lowered.actions.map((a) => [a.id, a]));
  for (const [id, kept] of aliases) {
    const o = all.get(kept);
    if (o) all.set(id, o);
    const a = byId.get(id);
    const own = owners.of(id);
    const by = owners.of(kept);
    const e = finished.get(kept);
    const site = owners.site(id);
    if (!a || !own || !by || !e || !o || !site) continue;
    if (errorOf(o)) own.item.n.errors++;
    const sameRun = own.item === by.item;
    own.item.events.push({
      ...provenanceEvent(own.item.runId, site, { action: owners.local(a), worker: e.worker, output: o, startedAt: e.startedAt, endedAt: e.endedAt, ...(e.promptHash !== undefined ? { promptHash: e.promptHash } : {}) }),
      shared_with: sameRun ? by.local : `${by.item.runId}/${by.local}`,
      output_ref: `${by.item.runId}/${by.local}`,
    });
  }
}

/** Formats folded into their readers' prompts: their text, rendered the same way, for provenance. */
function renderAbsorbed(owners: BatchOwners, lowered: ActionDag, absorbed: ReadonlyMap<ActionId, ActionId>, finished: ReadonlyMap<ActionId, ActionEvent>, all: Map<ActionId, ActionOutput>): void {
  for (const a of lowered.actions) {
    const into = absorbed.get(a.id);
    if (into === undefined || a.kind !== 'format') continue;
    const failed = a.deps.map((d) => errorOf(all.get(d))).find((x) => x !== undefined);
    const o = outputOf([failed ? errorBatch('E0301', `an input failed: ${failed.message}`) : textBatch(renderSegments(a.parts, all))]);
    all.set(a.id, o);
    const own = owners.of(a.id);
    if (!own) continue;
    if (failed) own.item.n.errors++;
    const e = finished.get(into);
    const site = owners.site(a.id);
    if (site && e) own.item.events.push({ ...provenanceEvent(own.item.runId, site, { action: owners.local(a), worker: e.worker, output: o, startedAt: e.startedAt, endedAt: e.startedAt }), shared_with: owners.of(into)?.local ?? into });
  }
}
