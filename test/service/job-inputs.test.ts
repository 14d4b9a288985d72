// Jobs over inputs (slicing, ALGORITHMS.md §5) through the HTTP API of `agentlake serve`: a job with
// `inputs` reads them as table job_inputs(input, value) and is cut into slices of `slice_size`; each
// slice runs the script over its own inputs, and the job's result is the slices' rows in order —
// the same rows as one statement over all the inputs. Slices let another tenant's job run between
// them; a slice that fails fails the job with its diagnostic; bad submissions are 400s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputsReferences, renameInputs } from '../../src/service/job-inputs.ts';
import { bearerToken, http, pollJob, startServe, type JobJson, type ServeFixture, type TableJson } from '../server/http-helpers.ts';

describe('job_inputs references', () => {
  it('finds bare job_inputs identifiers only, and renames them in place', () => {
    const sql = "SELECT value, 'job_inputs' AS s, \"job_inputs\" FROM job_inputs j -- job_inputs\nJOIN main.job_inputs x ON TRUE, my_job_inputs, JOB_INPUTS /* job_inputs */";
    const at = inputsReferences(sql);
    expect(at.map((i) => sql.slice(i, i + 10))).toEqual(['job_inputs', 'JOB_INPUTS']);
    const renamed = renameInputs(sql, 'ji_0000042');
    expect(renamed).toHaveLength(sql.length);
    expect(renamed).toBe(sql.replace('FROM job_inputs j', 'FROM ji_0000042 j').replace(', JOB_INPUTS', ', ji_0000042'));
    expect(() => renameInputs(sql, 'short')).toThrow(RangeError);
  });
});

const HI = "SELECT i.input, i.value AS symbol, llm('qwen3_8b', 'Say hi to ' || i.value, max_tokens => 8) AS hi FROM job_inputs i ORDER BY i.input";

describe('jobs over inputs (serve)', () => {
  let f: ServeFixture;
  let port: number;
  let symbols: string[];
  beforeAll(async () => {
    f = await startServe({ paused: true });
    port = f.server.httpPort;
    f.server.manager.start();
    const r = await http<JobJson>(port, 'POST', '/v1/jobs', { body: 'SELECT symbol FROM symbols ORDER BY symbol LIMIT 7' });
    await pollJob(port, r.json.id);
    symbols = (await http<TableJson>(port, 'GET', `/v1/jobs/${r.json.id}/result`)).json.rows.map((row) => String(row[0]));
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
  });

  const submit = (body: unknown, query = ''): ReturnType<typeof http<JobJson>> => http<JobJson>(port, 'POST', `/v1/jobs${query}`, { body: JSON.stringify(body), type: 'application/json' });

  it('cuts the job into slices; the result is every slice\'s rows in order, as one statement gives', async () => {
    const a = await submit({ sql: HI, inputs: symbols, slice_size: 3 });
    expect(a.status).toBe(202);
    const job = await pollJob(port, a.json.id);
    expect(job.state).toBe('done');
    expect(job.progress).toMatchObject({ slicesDone: 3, slicesTotal: 3 });
    const r = (await http<TableJson>(port, 'GET', `/v1/jobs/${job.id}/result`)).json;
    expect(r.rows.map((row) => [Number(row[0]), row[1]])).toEqual(symbols.map((s, i) => [i, s]));
    // The reference: one statement over the same values, cache off so it really runs.
    const values = symbols.map((s, i) => `(${i}, '${s}')`).join(', ');
    const ref = await submit({ sql: `SET agentlake.cache = off; ${HI.replace('FROM job_inputs i', `FROM (VALUES ${values}) i(input, value)`)}` });
    await pollJob(port, ref.json.id);
    const rr = (await http<TableJson>(port, 'GET', `/v1/jobs/${ref.json.id}/result`)).json;
    expect(r.rows.map((row) => row.map(String))).toEqual(rr.rows.map((row) => row.map(String)));
    expect(r.stats?.['calls_total']).toBe(symbols.length);
    // Each slice wrote its own run, all of them the job's provenance.
    const p = await http<TableJson>(port, 'GET', `/v1/jobs/${job.id}/provenance`);
    expect(p.json.runIds?.length).toBeGreaterThanOrEqual(1);
    expect(p.json.rows.filter((row) => row[p.json.columns.findIndex((c) => c.name === 'kind')] === 'llm')).toHaveLength(symbols.length);
  }, 60_000);

  it('a failing slice fails the job with its diagnostic', async () => {
    const a = await submit({ sql: 'SELECT input, CAST(value AS INTEGER) + 1 AS n FROM job_inputs', inputs: ['1', '2', 'three', '4'], slice_size: 2 });
    const job = await pollJob(port, a.json.id);
    expect(job.state).toBe('failed');
    const r = await http<{ error: { code: string; message: string } }>(port, 'GET', `/v1/jobs/${job.id}/result`);
    expect(JSON.stringify(r.json)).toMatch(/three/);
    const ok = await submit({ sql: 'SELECT input, value * 2 AS twice FROM job_inputs ORDER BY input', inputs: [1, 2, 3, 4, 5], slice_size: 2 });
    expect((await pollJob(port, ok.json.id)).state).toBe('done');
    expect((await http<TableJson>(port, 'GET', `/v1/jobs/${ok.json.id}/result`)).json.rows.map((row) => Number(row[1]))).toEqual([2, 4, 6, 8, 10]);
  }, 60_000);

  it('refuses inputs the script never reads, a bad slice size, and a slice size without inputs', async () => {
    expect((await submit({ sql: 'SELECT 1', inputs: [1, 2] })).status).toBe(400);
    expect((await submit({ sql: HI, inputs: [] })).status).toBe(400);
    expect((await submit({ sql: HI, inputs: ['a'], slice_size: 0 })).status).toBe(400);
    expect((await submit({ sql: HI, slice_size: 2 })).status).toBe(400);
    expect((await submit({ sql: HI, inputs: 'AAPL' })).status).toBe(400);
  });

  it('another job gets its turn between the slices of a long job', async () => {
    const users = [{ name: 'etl', tenant: 'acme', password: 'pipeline' }, { name: 'ana', tenant: 'globex', password: 'charts' }];
    await f.restart({ paused: true, batchSize: 1, users });
    port = f.server.httpPort;
    const etl = bearerToken('etl', 'pipeline');
    const ana = bearerToken('ana', 'charts');
    const big = await http<JobJson>(port, 'POST', '/v1/jobs', { body: JSON.stringify({ sql: HI.replace("'Say hi to '", "'Wave at '"), inputs: symbols }), type: 'application/json', token: etl });
    const small = await http<JobJson>(port, 'POST', '/v1/jobs', { body: "SELECT llm('qwen3_8b', 'one more', max_tokens => 4) AS x", token: ana });
    f.server.manager.start();
    const [jb, js] = await Promise.all([pollJob(port, big.json.id, { token: etl }), pollJob(port, small.json.id, { token: ana })]);
    expect([jb.state, jb.progress.slicesTotal, js.state]).toEqual(['done', symbols.length, 'done']);
    // Submitted after all seven slices were queued, the other user's job still finished first.
    expect(Date.parse(js.finishedAt ?? '')).toBeLessThan(Date.parse(jb.finishedAt ?? ''));
    expect((await http<TableJson>(port, 'GET', `/v1/jobs/${jb.id}/result`, { token: etl })).json.rows).toHaveLength(symbols.length);
  }, 60_000);
});
