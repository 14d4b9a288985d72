// The Postgres-wire executor of `agentlake serve`: every statement is a job of the connection's
// tenant and user, at the priority `SET agentlake.priority = 'low'|'medium'|'high'` chose for the
// connection (default medium; answered here, per connection, never by the shared Session). The
// executor waits for the job, forwards its progress as notices and turns a cancel into a job cancel.
import { diag, InternalError, UserError } from '../diag/diagnostic.ts';
import { isPriority, type Priority } from '../jobs/job.ts';
import type { JobManager } from '../jobs/manager.ts';
import type { Column } from '../storage/duckdb.ts';
import type { QueryContext, QueryExecutor, QueryResult } from './pgwire/executor.ts';
import { progressNotices, queryResultOf } from './pgwire/outcome-result.ts';
import type { JobEvents } from './job-events.ts';
import type { JobResults } from './job-results.ts';
import type { SessionRunner } from './session-runner.ts';

/** What the executor works with. */
export interface JobExecutorDeps {
  readonly manager: JobManager;
  readonly runner: SessionRunner;
  readonly results: JobResults;
  readonly events: JobEvents;
  /** Result columns of plain SQL without running it (statement Describe); undefined when unknown. */
  readonly describe: (sql: string) => Promise<readonly Column[] | undefined>;
}

const PRIORITY_VAR = 'agentlake.priority';
const SET_PRIORITY = /^\s*(SET|RESET)\s+(?:SESSION\s+)?agentlake\.priority\b\s*(?:(?:=|TO)\s*(.*?))?\s*;?\s*$/is;
const SHOW_PRIORITY = /^\s*SHOW\s+agentlake\.priority\s*;?\s*$/i;

/** A QueryExecutor that runs each statement as a job. */
export function jobExecutor(deps: JobExecutorDeps): QueryExecutor {
  return {
    async run(sql: string, ctx: QueryContext): Promise<QueryResult> {
      const local = prioritySetting(sql, ctx);
      if (local) return local;
      ctx.signal.throwIfAborted();
      const priority = (ctx.vars?.get(PRIORITY_VAR) ?? 'medium') as Priority;
      const job = await deps.manager.submit({ tenant: ctx.tenant, user: ctx.user, priority, sql });
      const unwatch = deps.runner.watch(job.id, progressNotices(ctx));
      const onAbort = (): void => void deps.manager.cancel(job.id, ctx.tenant).catch(() => undefined);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      if (ctx.signal.aborted) onAbort();
      let final;
      try {
        final = await deps.events.final(job.id, () => deps.manager.status(job.id, ctx.tenant));
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
        unwatch();
      }
      if (final.state === 'cancelled') throw ctx.signal.reason instanceof UserError ? ctx.signal.reason : new UserError([diag('E0002', 'canceling statement due to user request')]);
      const rec = await deps.results.get(job.id);
      const r = rec?.result;
      if (final.state === 'failed' || r === undefined) {
        if (r?.kind === 'error') throw new UserError(r.diagnostics);
        throw new InternalError(r?.kind === 'internal' ? r.message : (final.error ?? `job '${job.id}' ended without a result`));
      }
      if (r.kind === 'rows' || r.kind === 'explain' || r.kind === 'ok') return queryResultOf(r, (m) => ctx.notice(m));
      throw new InternalError(`job '${job.id}' is done with a '${r.kind}' result`);
    },
    describe(sql) {
      return deps.describe(sql);
    },
  };
}

/** SET / RESET / SHOW agentlake.priority, answered per connection; undefined for anything else. */
function prioritySetting(sql: string, ctx: QueryContext): QueryResult | undefined {
  if (SHOW_PRIORITY.test(sql)) return { kind: 'rows', columns: [{ name: PRIORITY_VAR, type: 'VARCHAR' }], rows: [[ctx.vars?.get(PRIORITY_VAR) ?? 'medium']] };
  const m = SET_PRIORITY.exec(sql);
  if (!m) return undefined;
  if ((m[1] ?? '').toUpperCase() === 'RESET') {
    ctx.vars?.delete(PRIORITY_VAR);
    return { kind: 'command', message: 'reset agentlake.priority' };
  }
  const raw = (m[2] ?? '').trim();
  const value = raw.replace(/^'(.*)'$/s, '$1').toLowerCase();
  if (!isPriority(value)) {
    const start = Math.max(0, sql.indexOf(raw, sql.search(/agentlake\.priority/i)));
    throw new UserError([diag('B0131', `agentlake.priority is 'high', 'medium' or 'low', not '${value}'`, { start, end: start + Math.max(1, raw.length) })]);
  }
  ctx.vars?.set(PRIORITY_VAR, value);
  return { kind: 'command', message: 'set agentlake.priority' };
}

