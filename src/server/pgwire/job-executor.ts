// The Postgres-wire executor of `agentlake serve`: every statement is a job of the connection's
// tenant and user. `SET agentlake.priority | cache | optimizer` are answered here, per connection,
// never by the shared Session: the priority places the connection's jobs in the queues (default
// medium), cache and optimizer travel with each job as its settings; the cluster settings (gpus,
// device, warm, preload, reasoning) are the server's.
// The executor waits for the job, forwards its progress as notices and turns a cancel into a job cancel.
import { diag, InternalError, UserError } from '../../diag/diagnostic.ts';
import type { Priority } from '../../ir/common.ts';
import type { JobManager } from '../../jobs/manager.ts';
import type { Column } from '../../ir/values.ts';
import { CLUSTER_SETTINGS, checkSettingValue, isSettingName, unknownSetting } from '../../engine/settings.ts';
import { clusterLabel, type ClusterSpec } from '../../ir/cluster.ts';
import { parseSettingStatement } from '../../sql/setting-statement.ts';
import type { QueryContext, QueryExecutor, QueryResult } from './executor.ts';
import { progressNotices, queryResultOf } from './outcome-result.ts';
import type { JobEvents } from '../../service/job-events.ts';
import type { JobTraits } from '../../service/job-profile.ts';
import type { JobResults } from '../../service/job-results.ts';
import type { SessionRunner } from '../../service/session-runner.ts';

/** What the executor works with. */
export interface JobExecutorDeps {
  readonly manager: JobManager;
  readonly runner: SessionRunner;
  readonly results: JobResults;
  readonly events: JobEvents;
  /** Submit-time priority and affinity profile of a script (job-profile.ts). */
  readonly traits: (sql: string) => Promise<JobTraits>;
  /** The server's simulated cluster (SHOW agentlake.gpus | device | warm | preload | reasoning). */
  readonly cluster: ClusterSpec;
  /** Result columns of plain SQL without running it (statement Describe); undefined when unknown. */
  readonly describe: (sql: string) => Promise<readonly Column[] | undefined>;
}

const PRIORITY_VAR = 'agentlake.priority';

/** The settings a connection keeps (the cluster settings are the server's), and their defaults. */
const CONNECTION_SETTINGS: Readonly<Record<string, string>> = { priority: 'medium', cache: 'on', optimizer: 'on' };

/** A QueryExecutor that runs each statement as a job. */
export function jobExecutor(deps: JobExecutorDeps): QueryExecutor {
  return {
    async run(sql: string, ctx: QueryContext): Promise<QueryResult> {
      const local = connectionSetting(sql, ctx, deps.cluster);
      if (local) return local;
      ctx.signal.throwIfAborted();
      const traits = await deps.traits(sql);
      // A run_workflow(..., priority => ...) in the statement outranks the connection's setting.
      const priority = traits.priority ?? ((ctx.vars?.get(PRIORITY_VAR) ?? 'medium') as Priority);
      const settings: Record<string, string> = {};
      for (const name of ['cache', 'optimizer']) {
        const v = ctx.vars?.get(`agentlake.${name}`);
        if (v !== undefined) settings[name] = v;
      }
      const job = await deps.manager.submit({ tenant: ctx.tenant, user: ctx.user, priority, sql, settings, ...(traits.profile ? { profile: traits.profile } : {}) });
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

/**
 * SET / RESET / SHOW agentlake.priority | cache | optimizer, answered per connection (SHOW
 * agentlake.gpus too; setting it is refused: the simulated cluster is everyone's); undefined for
 * anything else.
 */
function connectionSetting(sql: string, ctx: QueryContext, cluster: ClusterSpec): QueryResult | undefined {
  const s = parseSettingStatement(sql);
  if (!s) return undefined;
  const key = `agentlake.${s.name}`;
  const fallback = CONNECTION_SETTINGS[s.name];
  if (s.op === 'show') {
    const server = serverSetting(s.name, cluster);
    if (server !== undefined) return { kind: 'rows', columns: [{ name: key, type: 'VARCHAR' }], rows: [[server]] };
    if (fallback === undefined) return undefined;
    return { kind: 'rows', columns: [{ name: key, type: 'VARCHAR' }], rows: [[ctx.vars?.get(key) ?? fallback]] };
  }
  if (serverSetting(s.name, cluster) !== undefined) throw new UserError([diag('B0133', `agentlake.${s.name} is set by the server (${clusterLabel(cluster)}) for everyone`, s.nameSpan)]);
  if (fallback === undefined || !isSettingName(s.name)) return unknownSetting(s.name, s.nameSpan, Object.keys(CONNECTION_SETTINGS));
  if (s.op === 'reset') {
    ctx.vars?.delete(key);
    return { kind: 'command', message: `reset ${key}` };
  }
  checkSettingValue(s.name, s.value, s.valueSpan);
  ctx.vars?.set(key, s.value);
  return { kind: 'command', message: `set ${key}` };
}

/** The server's value of a cluster setting as SHOW prints it; undefined for any other name. */
function serverSetting(name: string, c: ClusterSpec): string | undefined {
  if (!isSettingName(name) || !CLUSTER_SETTINGS.has(name)) return undefined;
  const onOff = (b: boolean): string => (b ? 'on' : 'off');
  return name === 'gpus' ? String(c.gpus) : name === 'device' ? c.device : name === 'warm' ? onOff(c.warm) : name === 'reasoning' ? onOff(c.reasoning) : c.preload.join(',');
}
