// The HTTP job API of `agentlake serve` without users (trusted, tenant 'default'): plain SQL and an
// LLM query submitted, polled to done, their results fetched as JSON, CSV and Arrow; list, status
// with progress, cancel; failed jobs with the diagnostic's code and position; provenance of a job;
// malformed requests answered 4xx while the server keeps serving.
import { connect } from 'node:net';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/arrow.ts';
import { bigWorkflow, http, LLM_SQL, pollJob, runJob, startServe, type ErrorJson, type JobJson, type ServeFixture, type TableJson } from './http-helpers.ts';

const PLAIN = "SELECT 42 AS answer, 'a,b \"c\"' AS text, NULL::INTEGER AS nothing, 12345678901234567890::HUGEINT AS big, DATE '2025-01-02' AS day, 2.5::DOUBLE AS x";

describe('HTTP job API (trusted)', () => {
  let f: ServeFixture;
  let port: number;
  beforeAll(async () => {
    f = await startServe({ maxBody: 64 * 1024 });
    port = f.server.httpPort;
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('answers health without credentials and says it trusts', async () => {
    const a = await http<{ ok: boolean; auth: string }>(port, 'GET', '/v1/health');
    expect(a.status).toBe(200);
    expect(a.json).toEqual({ ok: true, auth: 'trust' });
    expect(f.server.trusting).toBe(true);
    expect(f.server.host).toBe('127.0.0.1');
  });

  it('runs plain SQL and serves its result as JSON, CSV and Arrow', async () => {
    const submitted = await http<JobJson>(port, 'POST', '/v1/jobs', { body: PLAIN, type: 'text/plain' });
    expect(submitted.status).toBe(202);
    expect(submitted.json.state).toBe('queued');
    expect(submitted.headers['location']).toBe(`/v1/jobs/${submitted.json.id}`);
    const job = await pollJob(port, submitted.json.id);
    expect(job.state).toBe('done');
    expect(job.user).toBe('local');

    const j = await http<TableJson>(port, 'GET', `/v1/jobs/${job.id}/result`);
    expect(j.status).toBe(200);
    expect(j.headers['content-type']).toMatch(/^application\/json/);
    expect(j.json.columns.map((c) => c.name)).toEqual(['answer', 'text', 'nothing', 'big', 'day', 'x']);
    expect(j.json.rows).toEqual([[42, 'a,b "c"', null, '12345678901234567890', '2025-01-02', 2.5]]);

    const csv = await http(port, 'GET', `/v1/jobs/${job.id}/result?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toBe('answer,text,nothing,big,day,x\r\n42,"a,b ""c""",,12345678901234567890,2025-01-02,2.5\r\n');

    const arrow = await http(port, 'GET', `/v1/jobs/${job.id}/result?format=arrow`);
    expect(arrow.status).toBe(200);
    expect(arrow.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(arrow.bytes);
    expect(table.schema.fields.map((fl) => fl.name)).toEqual(['answer', 'text', 'nothing', 'big', 'day', 'x']);
    expect(table.numRows).toBe(1);
    expect(table.getChild('answer')?.get(0)).toBe(42);
    expect(table.getChild('x')?.get(0)).toBe(2.5);
    expect(rowsOf(table)).toEqual(j.json.rows);
  });

  it('runs an LLM query (JSON body with a priority), reports progress and its provenance', async () => {
    const job = await runJob(port, LLM_SQL, { priority: 'high' });
    expect(job.state).toBe('done');
    expect(job.priority).toBe('high');
    expect(job.progress.callsDone).toBeGreaterThanOrEqual(3);
    expect(job.progress.callsTotal).toBe(job.progress.callsDone);
    const r = await http<TableJson>(port, 'GET', `/v1/jobs/${job.id}/result`);
    expect(r.json.rows.map((row) => row[0])).toHaveLength(3);
    for (const row of r.json.rows) expect(String(row[1]).length).toBeGreaterThan(0);
    expect(r.json.stats?.['calls_total']).toBe(3);
    expect(r.json.stats?.['simulated']).toBe(true);

    const arrow = tableFromIPC((await http(port, 'GET', `/v1/jobs/${job.id}/result?format=arrow`)).bytes);
    expect(rowsOf(arrow)).toEqual(r.json.rows);

    const p = await http<TableJson>(port, 'GET', `/v1/jobs/${job.id}/provenance`);
    expect(p.status).toBe(200);
    expect(p.json.runIds).toHaveLength(1);
    const cols = p.json.columns.map((c) => c.name);
    const runCol = cols.indexOf('run_id');
    const kindCol = cols.indexOf('kind');
    expect(p.json.rows.length).toBeGreaterThanOrEqual(3);
    expect(new Set(p.json.rows.map((row) => row[runCol]))).toEqual(new Set(p.json.runIds));
    expect(p.json.rows.filter((row) => row[kindCol] === 'llm')).toHaveLength(3);
    const csv = await http(port, 'GET', `/v1/jobs/${job.id}/provenance?format=csv`);
    expect(csv.text.split('\r\n')[0]).toContain('run_id');
    expect(csv.text.trimEnd().split('\r\n')).toHaveLength(p.json.rows.length + 1);

    // The plain query of the previous test wrote no provenance.
    const plain = (await http<{ jobs: JobJson[] }>(port, 'GET', '/v1/jobs')).json.jobs.find((x) => x.sql === PLAIN);
    expect(plain).toBeDefined();
    const none = await http<TableJson>(port, 'GET', `/v1/jobs/${plain?.id ?? ''}/provenance`);
    expect(none.json.rows).toEqual([]);
  }, 120_000);

  it('lists the jobs oldest first, with their states', async () => {
    const a = await http<{ jobs: JobJson[] }>(port, 'GET', '/v1/jobs');
    expect(a.status).toBe(200);
    expect(a.json.jobs.length).toBeGreaterThanOrEqual(2);
    expect(a.json.jobs.every((j) => j.state === 'done')).toBe(true);
    expect(a.json.jobs.map((j) => j.sql)).toEqual(expect.arrayContaining([PLAIN, LLM_SQL]));
  });

  it('cancels a running job (POST …/cancel) and DELETE leaves a finished job as it is', async () => {
    const submitted = await http<JobJson>(port, 'POST', '/v1/jobs', { body: bigWorkflow(64) });
    const id = submitted.json.id;
    const running = await pollJob(port, id, { until: (j) => j.progress.callsDone > 0 || j.state !== 'queued' && j.state !== 'running' });
    expect(running.state).toBe('running');
    expect(running.progress.callsTotal).toBeGreaterThan(running.progress.callsDone);
    const c = await http<JobJson>(port, 'POST', `/v1/jobs/${id}/cancel`);
    expect(c.status).toBe(200);
    expect(c.json.state).toBe('cancelled');
    expect((await pollJob(port, id)).state).toBe('cancelled');
    const r = await http<ErrorJson>(port, 'GET', `/v1/jobs/${id}/result`);
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('E0002');
    // The runner is free again: the next job runs.
    const next = await runJob(port, 'SELECT 7 AS seven');
    expect(next.state).toBe('done');
    const d = await http<JobJson>(port, 'DELETE', `/v1/jobs/${next.id}`);
    expect(d.status).toBe(200);
    expect(d.json.state).toBe('done');
  }, 120_000);

  it('a failing job reports the diagnostic code and position', async () => {
    const syntax = await runJob(port, 'SELECT 1 FROM symbols WHERE');
    expect(syntax.state).toBe('failed');
    const r = await http<ErrorJson>(port, 'GET', `/v1/jobs/${syntax.id}/result`);
    expect(r.status).toBe(422);
    expect(r.json.error.code).toMatch(/^P/);
    const table = await runJob(port, 'SELECT  *  FROM nope_table');
    expect(table.state).toBe('failed');
    expect(table.error).toMatch(/B0401/);
    const st = await http<{ diagnostic: ErrorJson['error'] }>(port, 'GET', `/v1/jobs/${table.id}`);
    expect(st.json.diagnostic).toMatchObject({ code: 'B0401', position: 17 });
    const t = await http<ErrorJson>(port, 'GET', `/v1/jobs/${table.id}/result`);
    expect(t.json.error).toMatchObject({ code: 'B0401', position: 17, line: 1, column: 17 });
  });

  it('answers unknown jobs, routes, methods and formats with JSON errors', async () => {
    const cases: [string, string, number, string][] = [
      ['GET', '/v1/jobs/no-such-job', 404, 'H0404'],
      ['GET', '/v1/jobs/no-such-job/result', 404, 'H0404'],
      ['GET', '/v1/jobs/no-such-job/provenance', 404, 'H0404'],
      ['POST', '/v1/jobs/no-such-job/cancel', 404, 'H0404'],
      ['GET', '/v2/things', 404, 'H0404'],
      ['PUT', '/v1/jobs', 405, 'H0405'],
    ];
    for (const [method, path, status, code] of cases) {
      const a = await http<ErrorJson>(port, method, path);
      expect([method, path, a.status, a.json.error.code]).toEqual([method, path, status, code]);
    }
    const done = (await http<{ jobs: JobJson[] }>(port, 'GET', '/v1/jobs')).json.jobs.find((j) => j.state === 'done');
    const fmt = await http<ErrorJson>(port, 'GET', `/v1/jobs/${done?.id ?? ''}/result?format=xml`);
    expect(fmt.status).toBe(406);
    const provArrow = await http<ErrorJson>(port, 'GET', `/v1/jobs/${done?.id ?? ''}/provenance?format=arrow`);
    expect(provArrow.status).toBe(406);
  });

  it('a queued or running job has no result yet (409)', async () => {
    const submitted = await http<JobJson>(port, 'POST', '/v1/jobs', { body: bigWorkflow(8) });
    const r = await http<ErrorJson>(port, 'GET', `/v1/jobs/${submitted.json.id}/result`);
    // The job may, rarely, be done already; then the result is there.
    if (r.status !== 200) {
      expect(r.status).toBe(409);
      expect(r.json.error.code).toBe('H0409');
    }
    await http(port, 'POST', `/v1/jobs/${submitted.json.id}/cancel`);
  });

  it('malformed bodies are 4xx and the server keeps serving', async () => {
    const bad: [string | Buffer, string | undefined, number][] = [
      ['{"sql": "SELECT 1"', 'application/json', 400],
      ['[1, 2]', 'application/json', 400],
      ['{"sql": 42}', 'application/json', 400],
      ['{"sql": "SELECT 1", "priority": "urgent"}', 'application/json', 400],
      ['{"sql": "SELECT 1", "tenant": "other"}', 'application/json', 400],
      ['   ', 'text/plain', 400],
      [Buffer.from([0xff, 0xfe, 0x00, 0x01]), 'application/json', 400],
      ['SELECT 1', 'image/png', 415],
      ['x'.repeat(65 * 1024), 'text/plain', 413],
    ];
    for (const [body, type, status] of bad) {
      const a = await http<ErrorJson>(port, 'POST', '/v1/jobs', { body, ...(type !== undefined ? { type } : {}) });
      expect(a.status).toBe(status);
      expect(a.json.error.code).toBe(`H0${status}`);
      expect(typeof a.json.error.message).toBe('string');
    }
    const priority = await http<ErrorJson>(port, 'POST', '/v1/jobs?priority=urgent', { body: 'SELECT 1' });
    expect(priority.status).toBe(400);
    // Garbage that is not HTTP at all.
    await new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.end(Buffer.from('\x00\x01GARBAGE\r\n\r\n')));
      s.on('data', () => undefined);
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    expect((await http(port, 'GET', '/v1/health')).status).toBe(200);
    const ok = await runJob(port, 'SELECT 1 AS one');
    expect(ok.state).toBe('done');
    expect((await http<TableJson>(port, 'GET', `/v1/jobs/${ok.id}/result`)).json.rows).toEqual([[1]]);
  }, 60_000);
});
