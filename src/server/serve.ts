// `agentlake serve`: one Session over the lakehouse, the job manager with its state in the lakehouse
// (agentlake_jobs, so a restart resumes queued and running jobs), and both endpoints in front of it:
// Postgres wire (every statement a job) and the HTTP API. Without users it binds 127.0.0.1 and
// trusts every connection; with users it binds every interface (unless told otherwise) and checks
// every connection and request.
import type { DeviceKind } from '../ir/cluster.ts';
import { Session } from '../engine/session.ts';
import { DuckJobStore } from '../jobs/job-store.ts';
import { JobManager } from '../jobs/manager.ts';
import { HttpAuth } from './http/auth.ts';
import { startHttpServer, type HttpServer } from './http/server.ts';
import { RetryingJobStore } from '../service/interrupt-retry.ts';
import { JobEvents } from '../service/job-events.ts';
import { jobExecutor } from './pgwire/job-executor.ts';
import { jobTraits, type JobTraits } from '../service/job-profile.ts';
import { InputTables, renameInputs } from '../service/job-inputs.ts';
import type { Value } from '../ir/values.ts';
import { JobResults } from '../service/job-results.ts';
import type { PgUser } from './pgwire/auth.ts';
import { startPgServer, type PgServer } from './pgwire/server.ts';
import { SessionRunner } from '../service/session-runner.ts';

export interface ServeOptions {
  /** Lakehouse folder or s3:// prefix. */
  readonly lakehouse: string;
  /** Postgres-wire port (0 picks a free one). */
  readonly pgPort: number;
  /** HTTP port (0 picks a free one). */
  readonly httpPort: number;
  /** Logins for both endpoints; none: trust, bound to 127.0.0.1. */
  readonly users?: readonly PgUser[];
  /** Interface to bind (default 127.0.0.1 without users, 0.0.0.0 with). */
  readonly host?: string;
  /** Simulated GPUs behind sim:// models (default 1). */
  readonly gpus?: number;
  /** The rest of the simulated cluster (ir/cluster.ts): accelerator, warm start, preloaded models, thinking mode. */
  readonly device?: DeviceKind;
  readonly warm?: boolean;
  readonly preload?: readonly string[];
  readonly reasoning?: boolean;
  /** Use the response cache (default true). */
  readonly cache?: boolean;
  /** Do not start running jobs (tests: submit, then close before anything runs). Default false. */
  readonly paused?: boolean;
  /** Most jobs per batch: the jobs that run together, sharing identical actions (default 8; 1: one at a time). */
  readonly batchSize?: number;
  /** Milliseconds the manager waits for more jobs before forming a batch when idle (default 50). */
  readonly gatherMs?: number;
  /** HTTP body limit in bytes (default 1 MiB). */
  readonly maxBody?: number;
  /** Connection-level problems and internal errors (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** A running server. */
export interface RunningServer {
  readonly host: string;
  readonly pgPort: number;
  readonly httpPort: number;
  readonly manager: JobManager;
  /** Ids of jobs that were running when the lakehouse's server stopped, and run again now. */
  readonly resumed: readonly string[];
  /** Queued jobs found at start-up (resumed ones included). */
  readonly pending: number;
  /** True when connections are trusted (no users). */
  readonly trusting: boolean;
  /** Stops both endpoints, aborts the running job (it resumes on the next start) and closes the lakehouse. */
  close(): Promise<void>;
}

/** Starts the server; resolves once both endpoints listen. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const session = await Session.open({ lakehouse: opts.lakehouse, fixedGpus: true, ...(opts.gpus !== undefined ? { gpus: opts.gpus } : {}), ...(opts.device ? { device: opts.device } : {}), ...(opts.warm ? { warm: true } : {}), ...(opts.preload ? { preload: opts.preload } : {}), ...(opts.reasoning ? { reasoning: true } : {}), ...(opts.cache !== undefined ? { cache: opts.cache } : {}) });
  const batchSize = opts.batchSize ?? 8;
  let pg: PgServer | undefined;
  let http: HttpServer | undefined;
  let manager: JobManager | undefined;
  let runner: SessionRunner | undefined;
  const events = new JobEvents();
  const closeAll = async (): Promise<void> => {
    await http?.close();
    await pg?.close();
    runner?.abortAll();
    await manager?.close();
    events.close(new Error('the server is shutting down'));
    await session.close();
  };
  try {
    const db = session.lakehouse.db;
    // Several tenants: DuckDB may touch the lakehouse's files only, and its settings are locked.
    if (opts.users !== undefined) await session.lakehouse.sandbox();
    const results = await JobResults.open(db);
    const inputTables = new InputTables(db);
    // Several tenants share the DuckDB: their SQL reads only their own provenance and runs.
    runner = await SessionRunner.open(session, results, { batchSize, inputTables, tenantScoped: opts.users !== undefined });
    const log = opts.log ?? (() => undefined);
    manager = await JobManager.open({
      runner,
      batchSize,
      gatherMs: opts.gatherMs ?? 50,
      store: new RetryingJobStore(await DuckJobStore.open(db)),
      onChange: events.changed,
      onError: (e) => log(`jobs: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
    });
    const pending = manager.queued;
    if (opts.paused !== true) manager.start();
    const host = opts.host ?? (opts.users ? '0.0.0.0' : '127.0.0.1');
    const users = opts.users ? { users: opts.users } : {};
    // A job over inputs is bound with its first input as job_inputs.
    const traits = async (sql: string, inputs?: readonly Value[]): Promise<JobTraits> => {
      if (!inputs || inputs.length === 0) return jobTraits(session, sql);
      const name = await inputTables.create(inputs.slice(0, 1), 0);
      try {
        return await jobTraits(session, renameInputs(sql, name));
      } finally {
        await inputTables.drop(name).catch(() => undefined);
      }
    };
    const describe = async (sql: string): Promise<readonly { name: string; type: string }[] | undefined> => {
      try {
        return (await db.describe(sql)).columns;
      } catch {
        return undefined;
      }
    };
    pg = await startPgServer({ port: opts.pgPort, host, executor: jobExecutor({ manager, runner, results, events, describe, traits, cluster: session.cluster }), log, ...users });
    http = await startHttpServer({
      port: opts.httpPort,
      host,
      auth: new HttpAuth(opts.users),
      api: { manager, runner, results, db, traits, ...(opts.maxBody !== undefined ? { maxBody: opts.maxBody } : {}) },
      log,
    });
    let closing: Promise<void> | undefined;
    return {
      host,
      pgPort: pg.port,
      httpPort: http.port,
      manager,
      resumed: manager.resumed,
      pending,
      trusting: opts.users === undefined,
      close: () => (closing ??= closeAll()),
    };
  } catch (e) {
    await closeAll().catch(() => undefined);
    throw e;
  }
}
