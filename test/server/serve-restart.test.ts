// Job state lives in the lakehouse: a server closed with a job queued, or in the middle of running
// one, is started again on the same lakehouse and the job finishes there with the rows of an
// uninterrupted run; each model call finished before the stop comes from the response cache and is
// never run again, each other distinct call runs once, and provenance holds each action once.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/storage/duckdb.ts';
import { bigWorkflow, http, LLM_SQL, pollJob, startServe, type JobJson, type ServeFixture, type TableJson } from './http-helpers.ts';

/** The keys of the response cache of the lakehouse at `dir`, its server closed (DuckDB is one process's). */
async function cacheKeys(dir: string): Promise<Set<string>> {
  const db = await Database.open(join(dir, 'agentlake.duckdb'));
  try {
    const rows = await db.all('SELECT key FROM agentlake_response_cache');
    const keys = new Set(rows.map((r) => String(r['key'])));
    expect(keys.size).toBe(rows.length);
    return keys;
  } finally {
    db.close();
  }
}

/** The members of `a` not in `b`. */
const without = (a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> => new Set([...a].filter((k) => !b.has(k)));

/** Submits SQL, waits for the job to finish and returns its result. */
async function resultOf(port: number, sql: string): Promise<TableJson> {
  const submitted = await http<JobJson>(port, 'POST', '/v1/jobs', { body: sql });
  expect(submitted.status).toBe(202);
  const job = await pollJob(port, submitted.json.id, { timeoutMs: 120_000 });
  expect(job.state).toBe('done');
  const r = await http<TableJson>(port, 'GET', `/v1/jobs/${submitted.json.id}/result`);
  expect(r.status).toBe(200);
  return r.json;
}

/** Rows in a fixed order (the statement has no ORDER BY), to compare by value. */
const sortedRows = (rows: readonly (readonly unknown[])[]): string[] => rows.map((row) => JSON.stringify(row)).sort();

/** The provenance rows of a job, checked to hold each (run, step, action, input) once. */
async function provenanceOnce(port: number, id: string): Promise<TableJson> {
  const p = await http<TableJson>(port, 'GET', `/v1/jobs/${id}/provenance`);
  expect(p.status).toBe(200);
  const names = p.json.columns.map((c) => c.name);
  const key = (row: readonly unknown[]): string => JSON.stringify(['run_id', 'step', 'action', 'input'].map((k) => row[names.indexOf(k)]));
  const keys = p.json.rows.map(key);
  expect(new Set(keys).size).toBe(keys.length);
  return p.json;
}

describe('a restarted server resumes its jobs', () => {
  let f: ServeFixture;
  beforeAll(async () => {
    f = await startServe({ paused: true });
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('a job queued when the server stopped runs after the next start', async () => {
    const submitted = await http<JobJson>(f.server.httpPort, 'POST', '/v1/jobs', { body: LLM_SQL });
    expect(submitted.status).toBe(202);
    const id = submitted.json.id;
    expect((await http<JobJson>(f.server.httpPort, 'GET', `/v1/jobs/${id}`)).json.state).toBe('queued');
    const s = await f.restart({ paused: false });
    expect(s.pending).toBe(1);
    const job = await pollJob(s.httpPort, id);
    expect(job.state).toBe('done');
    const r = await http<TableJson>(s.httpPort, 'GET', `/v1/jobs/${id}/result`);
    expect(r.json.rows).toHaveLength(3);
    const p = await provenanceOnce(s.httpPort, id);
    expect(p.runIds).toHaveLength(1);
    expect(p.rows.length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('a job running when the server stopped finishes after the next start with every row, no finished model call run again', async () => {
    const sql = bigWorkflow(16);
    // The reference: the same SQL on a fresh lakehouse, never interrupted. The distinct model calls
    // come from here, not from the resumed job's own figures: there calls_total minus dedup_saved
    // equals calls_executed + response_cache_hits by how the figures are counted, so a call run
    // twice would pass too. An empty cache answers nothing, so each distinct call of the statement
    // executes once and is stored once under its key: the cache's keys are the distinct calls.
    const ref = await startServe();
    let refRows: readonly (readonly unknown[])[];
    let refKeys: ReadonlySet<string>;
    try {
      const done = await resultOf(ref.server.httpPort, sql);
      refRows = done.rows;
      await ref.server.close();
      refKeys = await cacheKeys(ref.dir);
      expect(done.stats?.['response_cache_hits']).toBe(0);
      expect(done.stats?.['calls_executed']).toBe(refKeys.size);
    } finally {
      await ref.dispose();
    }
    const distinct = refKeys.size;
    expect(refRows).toHaveLength(16);
    expect(distinct).toBeGreaterThan(100);

    // What the lakehouse cached before this job (the first test's calls).
    await f.server.close();
    const earlier = await cacheKeys(f.dir);
    const first = await f.restart({ paused: false });
    const submitted = await http<JobJson>(first.httpPort, 'POST', '/v1/jobs', { body: sql });
    expect(submitted.status).toBe(202);
    const id = submitted.json.id;
    const before = await pollJob(first.httpPort, id, { until: (j) => j.progress.callsDone >= 10 || j.state === 'done' || j.state === 'failed' });
    expect(before.state).toBe('running');
    // Stopped: the lakehouse is free, and the calls the job stored are exactly those that finished
    // before the stop (each is stored as it completes). The stop really came in the middle of the job.
    await first.close();
    const finishedBefore = without(await cacheKeys(f.dir), earlier);
    expect(finishedBefore.size).toBeGreaterThan(0);
    expect(finishedBefore.size).toBeLessThan(distinct);
    expect(without(finishedBefore, refKeys).size).toBe(0);
    // restart closes the server again: a no-op on a closed one.
    const s = await f.restart({ paused: false });
    expect(s.resumed).toEqual([id]);
    const job = await pollJob(s.httpPort, id, { timeoutMs: 120_000 });
    expect(job.state).toBe('done');
    const r = await http<TableJson>(s.httpPort, 'GET', `/v1/jobs/${id}/result`);
    expect(r.status).toBe(200);
    // Every row, by value: the simulated models are deterministic, so the rows equal the reference's.
    expect(sortedRows(r.json.rows)).toEqual(sortedRows(refRows));
    // Every call finished before the stop is answered by the cache and none runs again; each other
    // distinct call executes once. The cache then holds the reference's calls, each once.
    expect(r.json.stats?.['response_cache_hits']).toBe(finishedBefore.size);
    expect(Number(r.json.stats?.['calls_executed']) + Number(r.json.stats?.['response_cache_hits'])).toBe(distinct);
    await s.close();
    expect([...without(await cacheKeys(f.dir), earlier)].sort()).toEqual([...refKeys].sort());
    const again = await f.restart({ paused: false });
    // The interrupted run wrote no provenance; the finished one wrote each action once.
    const p = await provenanceOnce(again.httpPort, id);
    expect(p.runIds).toHaveLength(1);
  }, 240_000);

  it('jobs finished before a restart keep their state and result', async () => {
    const s = await f.restart({ paused: false });
    const jobs = (await http<{ jobs: JobJson[] }>(s.httpPort, 'GET', '/v1/jobs')).json.jobs;
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done']);
    const r = await http<TableJson>(s.httpPort, 'GET', `/v1/jobs/${jobs[0]?.id ?? ''}/result?format=csv`);
    expect(r.status).toBe(200);
    expect(r.text.trimEnd().split('\r\n')).toHaveLength(4);
    expect(s.resumed).toEqual([]);
  }, 60_000);
});
