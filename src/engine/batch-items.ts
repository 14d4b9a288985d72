// The statements of a model-call batch while it runs: each statement's lowered sites, run id,
// provenance rows and counters, and which statement owns each action of the merged DAG (read from the
// action's typed origin: its statement and call site).
import { randomUUID } from 'node:crypto';
import type { BoundQuery, CallSite } from '../ir/bound-query.ts';
import { isModelCall, type Action, type ActionDag, type ActionId, type ActionOrigin } from '../ir/action-dag.ts';
import { concatDags, prefixActionIds, withOrigin } from '../ir/merge-dags.ts';
import type { Progress } from '../ir/run-stats.ts';
import type { DataProbe } from '../lower/data-probe.ts';
import { lowerStatement, type LoweredSite } from '../lower/lower-statement.ts';
import type { ProvenanceEvent } from '../governance/provenance.ts';
import type { Lakehouse } from '../storage/lakehouse.ts';
import { checkShape } from './finish-statement.ts';

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

/** What a statement's part of the batch counted. */
export interface Counts {
  calls: number;
  cacheHits: number;
  deduped: number;
  skipped: number;
  promptTokens: number;
  cachedTokens: number;
  errors: number;
  merged: number;
  total: number;
}

/** A statement of the batch while it runs. */
export interface Item {
  /** Its position among the batch's statements (its actions' `origin.statement`). */
  readonly k: number;
  readonly runId: string;
  readonly stmt: BatchStatement;
  /** `j<k+1>/` when the batch has several statements, so their action ids stay apart. */
  readonly prefix: string;
  readonly parts: readonly LoweredSite[];
  readonly lowered: ActionDag;
  readonly events: ProvenanceEvent[];
  readonly n: Counts;
}

/** An action's statement and its id there. */
export interface Owner {
  readonly item: Item;
  readonly local: ActionId;
}

/**
 * Checks and lowers each statement (a failure is that statement's alone: `failed` by position).
 * With several statements, each one's action ids get the prefix `j<k+1>/` and its origin `k`.
 */
export async function prepareItems(lakehouse: Lakehouse, stmts: readonly BatchStatement[], probe: DataProbe): Promise<{ items: Item[]; failed: Map<number, unknown> }> {
  const items: Item[] = [];
  const failed = new Map<number, unknown>();
  for (const [k, stmt] of stmts.entries()) {
    const runId = randomUUID().slice(0, 8);
    try {
      await checkShape(lakehouse, stmt.bound, runId);
      const { parts, lowered } = await lowerStatement(stmt.bound, probe);
      const n: Counts = { calls: 0, cacheHits: 0, deduped: 0, skipped: 0, promptTokens: 0, cachedTokens: 0, errors: 0, merged: 0, total: 0 };
      items.push({ k, runId, stmt, prefix: stmts.length > 1 ? `j${k + 1}/` : '', parts, lowered: withOrigin(lowered, { statement: k }), events: [], n });
    } catch (e) {
      failed.set(k, e);
    }
  }
  return { items, failed };
}

/** The one DAG of every statement's actions (ids prefixed per statement when there are several). */
export function batchDag(items: readonly Item[], stmts: readonly BatchStatement[]): ActionDag {
  const only = items[0];
  if (items.length === 1 && only && only.prefix === '') return only.lowered;
  return concatDags(stmts.map((s) => s.bound.statement.text).join('\n'), items.map((it) => prefixActionIds(it.lowered, it.prefix)));
}

/** Which statement owns each action of the batch, by the actions' origins. */
export class BatchOwners {
  private readonly origin = new Map<ActionId, ActionOrigin>();
  private readonly byK: ReadonlyMap<number, Item>;

  /** `dags`: every DAG whose actions may be asked about (the lowered batch and the rewritten one). */
  constructor(items: readonly Item[], dags: readonly ActionDag[]) {
    this.byK = new Map(items.map((it) => [it.k, it]));
    for (const d of dags) for (const a of d.actions) if (a.origin) this.origin.set(a.id, a.origin);
  }

  /** The statement that owns action `id`, and the action's id in that statement. */
  of(id: ActionId): Owner | undefined {
    const o = this.origin.get(id);
    const item = o ? this.byK.get(o.statement) : undefined;
    return item && id.startsWith(item.prefix) ? { item, local: id.slice(item.prefix.length) } : undefined;
  }

  /** The call site action `id` was lowered for. */
  site(id: ActionId): CallSite | undefined {
    const o = this.origin.get(id);
    return o ? this.byK.get(o.statement)?.parts[o.site]?.site : undefined;
  }

  /** `a` with its own and its dependencies' ids as its statement knows them. */
  local(a: Action): Action {
    return { ...a, id: this.of(a.id)?.local ?? a.id, deps: a.deps.map((d) => this.of(d)?.local ?? d) };
  }

  /** Counts each statement's planned model calls and the calls the rewrites merged away. */
  countPlanned(batch: ActionDag, lowered: ActionDag, aliases: ReadonlyMap<ActionId, ActionId>): void {
    for (const a of batch.actions) if (isModelCall(a)) this.bump(a.id, 'total');
    const byId = new Map(lowered.actions.map((a) => [a.id, a]));
    for (const id of aliases.keys()) {
      const a = byId.get(id);
      if (a !== undefined && isModelCall(a)) this.bump(id, 'merged');
    }
  }

  private bump(id: ActionId, what: 'total' | 'merged'): void {
    const own = this.of(id);
    if (own) own.item.n[what]++;
  }
}

/**
 * Why an action of the batch must not start: every statement that needs it (its own, and those
 * whose identical actions were merged into it) has been stopped; undefined while one still needs it.
 */
export function cancellation(batch: ActionDag, aliases: ReadonlyMap<ActionId, ActionId>, owners: BatchOwners): (id: ActionId) => unknown {
  const needers = new Map<ActionId, Set<Item>>();
  for (const a of batch.actions) {
    const own = owners.of(a.id);
    if (own) needers.set(a.id, new Set([own.item]));
  }
  for (const [id, kept] of aliases) {
    const own = owners.of(id);
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
