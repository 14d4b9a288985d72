// A QueryExecutor over one engine Session: statements run one at a time (a promise chain), model
// progress becomes notices (at most one per tenth of the calls, plus the last), and a cancelled
// statement interrupts DuckDB and rejects with the abort reason. The job manager replaces this.
import { diag, UserError } from '../../src/diag/diagnostic.ts';
import type { Session } from '../../src/engine/session.ts';
import type { QueryContext, QueryExecutor, QueryResult } from '../../src/server/pgwire/executor.ts';
import { progressNotices, queryResultOf } from '../../src/server/pgwire/outcome-result.ts';

/** Runs statements on `session`, one at a time across every connection that shares it. */
export function sessionExecutor(session: Session): QueryExecutor {
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> => {
    const run = queue.then(() => {
      signal.throwIfAborted();
      return work();
    });
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    run(sql: string, ctx: QueryContext): Promise<QueryResult> {
      return serialized(ctx.signal, async () => {
        const onAbort = (): void => session.lakehouse.db.connection.interrupt();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        try {
          const outcome = await session.runScript({ name: 'pgwire', text: sql }, 'run', { signal: ctx.signal, onProgress: progressNotices(ctx) });
          return queryResultOf(outcome, (m) => ctx.notice(m));
        } catch (e) {
          if (ctx.signal.aborted) throw ctx.signal.reason instanceof UserError ? ctx.signal.reason : new UserError([diag('E0002', 'canceling statement due to user request')]);
          throw e;
        } finally {
          ctx.signal.removeEventListener('abort', onAbort);
        }
      });
    },
    describe(sql, ctx) {
      return serialized(ctx.signal, async () => {
        try {
          return (await session.lakehouse.db.describe(sql)).columns;
        } catch {
          // Not plain DuckDB SQL (a model call, a catalog statement): the caller sends NoData.
          return undefined;
        }
      });
    },
  };
}

