// Lowers every model call site of one bound statement and joins them into the one DAG they run as
// (one plan orders all of their calls). With several sites, action ids are prefixed by the site's
// number (`c2/...`); every action's origin names its site.
import type { BoundQuery, CallSite } from '../ir/bound-query.ts';
import type { ActionDag } from '../ir/action-dag.ts';
import { concatDags, prefixActionIds, withOrigin } from '../ir/merge-dags.ts';
import type { DataProbe } from './data-probe.ts';
import { lowerSite } from './lower-query.ts';

/** A call site and its lowered DAG (ids as they are in the statement's DAG). */
export interface LoweredSite {
  readonly site: CallSite;
  readonly dag: ActionDag;
}

/** The statement's sites, lowered, and their joined DAG. */
export interface LoweredStatement {
  readonly parts: readonly LoweredSite[];
  readonly lowered: ActionDag;
}

/** Lowers each call site of `bound` over its input rows (read through `probe`). */
export async function lowerStatement(bound: BoundQuery, probe: DataProbe): Promise<LoweredStatement> {
  const parts: LoweredSite[] = [];
  for (const [k, site] of bound.sites.entries()) {
    const dag = withOrigin(await lowerSite(site, probe), { site: k });
    parts.push({ site, dag: bound.sites.length > 1 ? prefixActionIds(dag, `c${k + 1}/`) : dag });
  }
  const lowered = parts.length === 1 && parts[0] ? parts[0].dag : concatDags(bound.statement.text, parts.map((p) => p.dag));
  return { parts, lowered };
}
