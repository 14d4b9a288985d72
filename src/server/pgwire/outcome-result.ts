// What a finished statement sends back over the wire: rows (with a closing notice of the model calls
// they cost), an EXPLAIN's text as a one-column QUERY PLAN table (as PostgreSQL does), or a command
// tag with the row count a message like "... (3 rows)" carries.
import type { Progress, RunStats } from '../../ir/run-stats.ts';
import type { Column, Value } from '../../ir/values.ts';
import type { QueryContext, QueryResult } from './executor.ts';
import { assertNever } from '../../diag/assert-never.ts';

/** The outcome kinds a statement ends with (engine Outcome and a job's stored result alike). */
export type StatementOutcome =
  | { readonly kind: 'rows'; readonly columns: readonly Column[]; readonly rows: readonly (readonly Value[])[]; readonly stats?: RunStats }
  | { readonly kind: 'explain'; readonly text: string }
  | { readonly kind: 'ok'; readonly message: string };

export function queryResultOf(outcome: StatementOutcome, notice: (message: string) => void): QueryResult {
  switch (outcome.kind) {
    case 'rows':
      if (outcome.stats) notice(`agentlake: ${outcome.stats.calls_total} model calls (${outcome.stats.calls_executed} executed, ${outcome.stats.response_cache_hits} from the response cache)${outcome.stats.simulated ? ', on simulated GPUs' : ''}`);
      return { kind: 'rows', columns: outcome.columns, rows: outcome.rows };
    case 'explain':
      return { kind: 'rows', columns: [{ name: 'QUERY PLAN', type: 'VARCHAR' }], rows: outcome.text.replace(/\n$/, '').split('\n').map((l) => [l]) };
    case 'ok': {
      const m = /\((\d+) rows?\)/.exec(outcome.message);
      return { kind: 'command', message: outcome.message, ...(m ? { rowCount: Number(m[1]) } : {}) };
    }
    default:
      return assertNever(outcome, 'statement outcome');
  }
}

/** Progress as notices: the first report, every further tenth of the calls, and the last. */
export function progressNotices(ctx: Pick<QueryContext, 'notice'>): (p: Progress) => void {
  let lastTenth = -1;
  return (p) => {
    const tenth = p.total > 0 ? Math.floor((p.done * 10) / p.total) : 0;
    if (tenth === lastTenth && p.done !== p.total) return;
    lastTenth = tenth;
    ctx.notice(`progress: ${p.done}/${p.total} model calls, ${p.cacheHits} cache hits`);
  };
}
