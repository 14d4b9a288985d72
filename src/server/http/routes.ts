// The job routes of the HTTP API. Every route after authentication is scoped to the caller's
// tenant: another tenant's job id is answered 404 exactly like an unknown one, for the job, its
// result and its provenance alike.
//   POST /v1/jobs                       submit (SQL text, or JSON { sql, priority }) → 202 { id, state, … }
//   GET  /v1/jobs                       this tenant's jobs, oldest first
//   GET  /v1/jobs/:id                   state and progress
//   GET  /v1/jobs/:id/result?format=    json (default) | csv | arrow
//   POST /v1/jobs/:id/cancel, DELETE /v1/jobs/:id
//   GET  /v1/jobs/:id/provenance?format=json|csv
import type { IncomingMessage } from 'node:http';
import type { JobManager } from '../../jobs/manager.ts';
import type { Job } from '../../jobs/job.ts';
import type { Database } from '../../storage/duckdb.ts';
import { provenanceOfRuns } from '../../governance/provenance-queries.ts';
import type { Value } from '../../ir/values.ts';
import { retryInterrupted } from '../../service/interrupt-retry.ts';
import { resultTable, type JobResults } from '../../service/job-results.ts';
import type { SessionRunner } from '../../service/session-runner.ts';
import type { Identity } from './auth.ts';
import { parseSubmission, readBody } from './body.ts';
import { arrowBytes, CONTENT_TYPES, csvText, isResultFormat, jsonText, type ResultFormat } from './encode.ts';
import { diagnosticBody, HttpError } from './errors.ts';
import { jobView } from './job-view.ts';
import type { JobTraits } from '../../service/job-profile.ts';

/** What the routes work with. */
export interface ApiDeps {
  readonly manager: JobManager;
  readonly runner: SessionRunner;
  readonly results: JobResults;
  /** The lakehouse's DuckDB (provenance reads). */
  readonly db: Database;
  /** Body size limit in bytes. */
  readonly maxBody: number;
  /** Submit-time priority and affinity profile of a script (job-profile.ts). */
  readonly traits: (sql: string, inputs?: readonly Value[]) => Promise<JobTraits>;
  readonly now: () => number;
}

/** A response: status, headers, body. */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

const json = (status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): Reply => ({ status, headers: { 'Content-Type': CONTENT_TYPES.json, ...headers }, body: jsonText(value) });

/** Routes one authenticated request; throws HttpError for anything answered with an error. */
export async function route(req: IncomingMessage, url: URL, who: Identity, deps: ApiDeps): Promise<Reply> {
  const parts = url.pathname.split('/').filter((p) => p !== '');
  if (parts[0] !== 'v1' || parts[1] !== 'jobs' || parts.length > 4) throw HttpError.of(404, `no route '${url.pathname}'`);
  const method = req.method ?? 'GET';
  const allow = (...methods: string[]): void => {
    if (!methods.includes(method)) throw HttpError.of(405, `${method} is not allowed on ${url.pathname} (allowed: ${methods.join(', ')})`, { Allow: methods.join(', ') });
  };
  if (parts.length === 2) {
    allow('GET', 'POST');
    if (method === 'GET') return json(200, { jobs: deps.manager.list(who.tenant).map((j) => jobView(j, deps.runner.progress(j.id), deps.now())) });
    const sub = parseSubmission(await readBody(req, deps.maxBody), req.headers['content-type'], url.searchParams);
    const traits = await deps.traits(sub.sql, sub.inputs);
    // A run_workflow(..., priority => ...) in the statement outranks the request's priority.
    const priority = traits.priority ?? sub.priority ?? 'medium';
    const job = await deps.manager.submit({
      tenant: who.tenant, user: who.user, priority, sql: sub.sql,
      ...(traits.profile ? { profile: traits.profile } : {}),
      ...(sub.inputs ? { inputs: sub.inputs } : {}),
      ...(sub.sliceSize !== undefined ? { sliceSize: sub.sliceSize } : {}),
    });
    return json(202, jobView(job, undefined, deps.now()), { Location: `/v1/jobs/${encodeURIComponent(job.id)}` });
  }
  let id: string;
  try {
    id = decodeURIComponent(parts[2] ?? '');
  } catch {
    throw HttpError.of(404, `no job '${parts[2] ?? ''}'`);
  }
  const job = deps.manager.status(id, who.tenant);
  if (!job) throw HttpError.of(404, `no job '${id}'`);
  const sub = parts[3];
  if (sub === undefined) {
    allow('GET', 'DELETE');
    if (method === 'DELETE') return cancel(job, who, deps);
    const view = jobView(job, deps.runner.progress(job.id), deps.now());
    if (job.state !== 'failed') return json(200, view);
    // A failed job's status carries its first diagnostic (code, message, position) like its result.
    const r = (await deps.results.get(job.id))?.result;
    return json(200, r?.kind === 'error' && r.diagnostics[0] ? { ...view, diagnostic: diagnosticBody(r.diagnostics[0], job.sql).error } : view);
  }
  if (sub === 'cancel') {
    allow('POST');
    return cancel(job, who, deps);
  }
  if (sub === 'result') {
    allow('GET');
    return result(job, formatOf(url, ['json', 'csv', 'arrow']), deps);
  }
  if (sub === 'provenance') {
    allow('GET');
    return provenance(job, formatOf(url, ['json', 'csv']), deps);
  }
  throw HttpError.of(404, `no route '${url.pathname}'`);
}

function formatOf(url: URL, allowed: readonly ResultFormat[]): ResultFormat {
  const f = (url.searchParams.get('format') ?? 'json').toLowerCase();
  if (!isResultFormat(f) || !allowed.includes(f)) throw HttpError.of(406, `unknown format '${f}' (${allowed.join(', ')})`);
  return f;
}

async function cancel(job: Job, who: Identity, deps: ApiDeps): Promise<Reply> {
  const after = (await deps.manager.cancel(job.id, who.tenant)) ?? job;
  return json(200, jobView(after, undefined, deps.now()));
}

async function result(job: Job, format: ResultFormat, deps: ApiDeps): Promise<Reply> {
  if (job.state === 'queued' || job.state === 'running') throw HttpError.of(409, `job '${job.id}' is ${job.state}; its result is ready when GET /v1/jobs/${job.id} says 'done'`);
  if (job.state === 'cancelled') throw new HttpError(409, { error: { code: 'E0002', message: `job '${job.id}' was cancelled` } });
  const rec = await deps.results.get(job.id);
  const r = rec?.result;
  if (job.state === 'failed') {
    if (r?.kind === 'error' && r.diagnostics[0]) return json(422, diagnosticBody(r.diagnostics[0], job.sql));
    return json(500, { error: { code: 'XX000', message: r?.kind === 'internal' ? `internal error: ${r.message}` : (job.error ?? 'the job failed') } });
  }
  if (!r) throw HttpError.of(410, `the result of job '${job.id}' is no longer kept`);
  const table = resultTable(r);
  return encodeTable(format, table.columns, table.rows, r.kind === 'rows' && r.stats ? { stats: r.stats } : r.kind === 'ok' ? { message: r.message } : {});
}

async function provenance(job: Job, format: ResultFormat, deps: ApiDeps): Promise<Reply> {
  const runIds = (await deps.results.get(job.id))?.runIds ?? [];
  const rows = await retryInterrupted(() => provenanceOfRuns(deps.db, runIds));
  return encodeTable(format, rows.columns, rows.rows, { jobId: job.id, runIds });
}

function encodeTable(format: ResultFormat, columns: Parameters<typeof csvText>[0], rows: Parameters<typeof csvText>[1], extra: Readonly<Record<string, unknown>>): Reply {
  switch (format) {
    case 'json':
      return json(200, { columns, rows, ...extra });
    case 'csv':
      return { status: 200, headers: { 'Content-Type': CONTENT_TYPES.csv }, body: csvText(columns, rows) };
    case 'arrow':
      return { status: 200, headers: { 'Content-Type': CONTENT_TYPES.arrow }, body: arrowBytes(columns, rows) };
  }
}
