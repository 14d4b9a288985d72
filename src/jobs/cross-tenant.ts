// Cross-tenant dedup (ALGORITHMS.md §1, §5): within one batch, deterministic actions of different
// tenants' DAGs with equal Merkle instance signatures (optimizer/signatures.ts) compute the same
// value, so one of them executes and the others take its result. Each tenant's provenance records the
// shared execution from the sharer list. Sampling actions (temperature > 0, no seed) never merge.
import type { ActionDag, ActionId } from '../ir/action-dag.ts';
import { computeSignatures } from '../optimizer/signatures.ts';

/** One job's lowered DAG in a batch. */
export interface TenantDag {
  readonly tenant: string;
  readonly job: string;
  readonly dag: ActionDag;
}

/** An action of one job's DAG. */
export interface ActionRef {
  readonly tenant: string;
  readonly job: string;
  readonly actionId: ActionId;
}

/** One execution that several tenants share. */
export interface SharedExecution {
  /** The action that runs: the first occurrence, in batch order then DAG order. */
  readonly executor: ActionRef;
  /** Every occurrence, the executor first, in batch order then DAG order. */
  readonly sharers: readonly ActionRef[];
}

/**
 * Signature → shared execution, for every signature that deterministic actions of two or more
 * different tenants carry (same-tenant duplicates of such a signature are listed too; a signature
 * only one tenant carries is left to that DAG's own dedup). A hash match is confirmed by comparing
 * the canonical structures; in iteration order the map follows first occurrence. `hash` replaces
 * SHA-256 (tests force collisions with it).
 */
export function groupSharedActions(batch: readonly TenantDag[], opts: { readonly hash?: (text: string) => string } = {}): Map<string, SharedExecution> {
  const groups = new Map<string, { sig: string; refs: ActionRef[] }>();
  for (const [k, t] of batch.entries()) {
    // A scope per DAG: a sampling action's signature can never equal another DAG's.
    const sigs = computeSignatures(t.dag, { scope: `${k}:${t.tenant}:${t.job}`, ...(opts.hash ? { hash: opts.hash } : {}) });
    for (const a of t.dag.actions) {
      if (!sigs.deterministic.has(a.id)) continue;
      const sig = sigs.signature.get(a.id);
      if (sig === undefined) continue;
      // Keyed by structure (which embeds the inputs' signatures), so a collision never merges.
      const key = `${sig}\0${sigs.structure.get(sig) ?? ''}`;
      let g = groups.get(key);
      if (g === undefined) {
        g = { sig, refs: [] };
        groups.set(key, g);
      }
      g.refs.push({ tenant: t.tenant, job: t.job, actionId: a.id });
    }
  }
  const out = new Map<string, SharedExecution>();
  for (const g of groups.values()) {
    const executor = g.refs[0];
    if (executor === undefined || new Set(g.refs.map((r) => r.tenant)).size < 2) continue;
    // Salted signatures (hash collisions) are numbered per DAG: two structures may carry one string.
    let key = g.sig;
    for (let n = 1; out.has(key); n++) key = `${g.sig}#${n}`;
    out.set(key, { executor, sharers: g.refs });
  }
  return out;
}
