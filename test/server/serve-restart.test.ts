// Job state lives in the lakehouse: a server closed with a job queued, or in the middle of running
// one, is started again on the same lakehouse and the job finishes there with every row; model calls
// finished before the stop come from the response cache, and provenance holds each action once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigWorkflow, http, LLM_SQL, pollJob, startServe, type JobJson, type ServeFixture, type TableJson } from './http-helpers.ts';

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

  it('a job running when the server stopped finishes after the next start, finished calls from the cache', async () => {
    let s = f.server;
    const submitted = await http<JobJson>(s.httpPort, 'POST', '/v1/jobs', { body: bigWorkflow(16) });
    const id = submitted.json.id;
    const before = await pollJob(s.httpPort, id, { until: (j) => j.progress.callsDone >= 10 || j.state === 'done' || j.state === 'failed' });
    expect(before.state).toBe('running');
    s = await f.restart({ paused: false });
    expect(s.resumed).toEqual([id]);
    const job = await pollJob(s.httpPort, id, { timeoutMs: 120_000 });
    expect(job.state).toBe('done');
    const r = await http<TableJson>(s.httpPort, 'GET', `/v1/jobs/${id}/result`);
    expect(r.json.rows).toHaveLength(16);
    expect(new Set(r.json.rows.map((row) => row[0])).size).toBe(16);
    // Calls that finished before the stop are answered by the response cache, not run again.
    expect(r.json.stats?.['response_cache_hits']).toBeGreaterThan(0);
    expect(Number(r.json.stats?.['calls_executed'])).toBeLessThan(Number(r.json.stats?.['calls_total']));
    // The interrupted run wrote no provenance; the finished one wrote each action once.
    const p = await provenanceOnce(s.httpPort, id);
    expect(p.runIds).toHaveLength(1);
  }, 180_000);

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
