// Two tenants submit the same workflow (q1_social) over overlapping symbols at the same time through
// the HTTP API of `agentlake serve`. The job manager puts both jobs in one batch and the runner runs
// their statements as one DAG: the shared symbols' calls execute once (no response cache involved:
// the lakehouse is fresh), both tenants get identical rows for them, and each tenant's provenance
// holds only its own rows, the merged-away job's shared calls pointing at the run and action that
// executed them (shared_with = output_ref = "<run>/<action>"). The server starts paused so that both
// jobs are queued before the first batch forms. The controls: with batches of one job and the cache
// off, each job executes all of its calls; with batches of one job and the cache on, the later job
// finds the shared calls in the response cache. Cancelling one job of a merged batch leaves the
// other job's rows whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, http, pollJob, startServe, type JobJson, type ServeFixture, type TableJson } from './http-helpers.ts';

/** q1_social over `limit` symbols from `offset` in key order: 17 deterministic LLM calls per symbol. */
const q1 = (offset: number, limit: number): string =>
  `SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT ${limit} OFFSET ${offset}) s, q1_social(s.symbol) t ORDER BY s.symbol`;

const CALLS_PER_SYMBOL = 17;

/** A table body's column by name. */
function column(t: TableJson, name: string): number {
  const i = t.columns.findIndex((c) => c.name === name);
  expect(i, `column '${name}'`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('two tenants, overlapping workflows, concurrently (serve)', () => {
  let f: ServeFixture;
  let port: number;
  const alice = bearerToken('alice', 'wonderland');
  const bob = bearerToken('bob', 'builder');
  beforeAll(async () => {
    f = await startServe({
      users: [
        { name: 'alice', tenant: 'acme', password: 'wonderland' },
        { name: 'bob', tenant: 'globex', password: 'builder' },
      ],
      paused: true,
    });
    port = f.server.httpPort;
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
  });

  /** acme: symbols 1-3; globex: symbols 2-4 (2 and 3 shared); both queued, then the server runs. */
  async function submitBoth(): Promise<{ ja: JobJson; jb: JobJson; ra: TableJson; rb: TableJson }> {
    const [a, b] = await Promise.all([
      http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(0, 3), type: 'text/plain', token: alice }),
      http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(1, 3), type: 'text/plain', token: bob }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    f.server.manager.start();
    const [ja, jb] = await Promise.all([pollJob(port, a.json.id, { token: alice }), pollJob(port, b.json.id, { token: bob })]);
    expect([ja.state, jb.state]).toEqual(['done', 'done']);
    const ra = (await http<TableJson>(port, 'GET', `/v1/jobs/${ja.id}/result`, { token: alice })).json;
    const rb = (await http<TableJson>(port, 'GET', `/v1/jobs/${jb.id}/result`, { token: bob })).json;
    expect(ra.rows).toHaveLength(3);
    expect(rb.rows).toHaveLength(3);
    // Identical rows (every column: outlook and summary of the typed report) for the shared symbols.
    expect(rb.rows.slice(0, 2)).toEqual(ra.rows.slice(1));
    return { ja, jb, ra, rb };
  }

  it('one batch: identical rows for shared symbols, shared calls executed once, provenance per tenant', async () => {
    const { ja, jb, ra, rb } = await submitBoth();
    const symA = ra.rows.map((r) => String(r[0]));
    const symB = rb.rows.map((r) => String(r[0]));
    expect(symA.filter((s) => symB.includes(s))).toEqual(symA.slice(1));
    for (const row of ra.rows) expect(String(row[row.length - 1]).length).toBeGreaterThan(0);

    // Stats: 3 symbols × 17 calls asked by each job; nothing came from the response cache; over both
    // jobs every distinct call (4 symbols) executed exactly once, one job's 34 shared calls merged away.
    const sa = ra.stats ?? {};
    const sb = rb.stats ?? {};
    expect([sa['calls_total'], sb['calls_total']]).toEqual([3 * CALLS_PER_SYMBOL, 3 * CALLS_PER_SYMBOL]);
    expect([sa['response_cache_hits'], sb['response_cache_hits']]).toEqual([0, 0]);
    expect(Number(sa['calls_executed']) + Number(sb['calls_executed'])).toBe(4 * CALLS_PER_SYMBOL);
    const saved = [Number(sa['dedup_saved']), Number(sb['dedup_saved'])];
    expect([...saved].sort((x, y) => x - y)).toEqual([0, 2 * CALLS_PER_SYMBOL]);
    const sharerIsB = saved[1] === 2 * CALLS_PER_SYMBOL;
    const [executor, sharer] = sharerIsB ? [ja, jb] : [jb, ja];
    const [executorToken, sharerToken] = sharerIsB ? [alice, bob] : [bob, alice];
    expect(Number((sharerIsB ? sb : sa)['calls_executed'])).toBe(CALLS_PER_SYMBOL);

    // Provenance: each tenant sees its own job's runs and rows only, tagged with its job and tenant.
    const pEx = await http<TableJson>(port, 'GET', `/v1/jobs/${executor.id}/provenance`, { token: executorToken });
    const pSh = await http<TableJson>(port, 'GET', `/v1/jobs/${sharer.id}/provenance`, { token: sharerToken });
    expect([pEx.status, pSh.status]).toEqual([200, 200]);
    expect((await http(port, 'GET', `/v1/jobs/${executor.id}/provenance`, { token: sharerToken })).status).toBe(404);
    expect((await http(port, 'GET', `/v1/jobs/${sharer.id}/provenance`, { token: executorToken })).status).toBe(404);
    const runsEx = pEx.json.runIds ?? [];
    const runsSh = pSh.json.runIds ?? [];
    expect(runsEx).toHaveLength(1);
    expect(runsSh).toHaveLength(1);
    expect(runsEx[0]).not.toBe(runsSh[0]);
    for (const [p, job, tenant] of [[pEx.json, executor, sharerIsB ? 'acme' : 'globex'], [pSh.json, sharer, sharerIsB ? 'globex' : 'acme']] as const) {
      for (const row of p.rows) {
        expect(row[column(p, 'job_id')]).toBe(job.id);
        expect(row[column(p, 'tenant')]).toBe(tenant);
      }
    }

    // The model calls (llm rows) by prompt hash: the shared ones are the same calls in both tenants'
    // provenance; the executor's rows ran them, the sharer's point at the executor's run and action.
    const llmRows = (t: TableJson): (readonly unknown[])[] => t.rows.filter((r) => r[column(t, 'kind')] === 'llm');
    const hashOf = (t: TableJson, r: readonly unknown[]): string => String(r[column(t, 'prompt_hash')]);
    const exCalls = llmRows(pEx.json);
    const shCalls = llmRows(pSh.json);
    expect(exCalls).toHaveLength(3 * CALLS_PER_SYMBOL);
    expect(shCalls).toHaveLength(3 * CALLS_PER_SYMBOL);
    const exByHash = new Map(exCalls.map((r) => [hashOf(pEx.json, r), r]));
    expect(exByHash.size).toBe(3 * CALLS_PER_SYMBOL);
    for (const r of exCalls) expect([r[column(pEx.json, 'shared_with')], r[column(pEx.json, 'response_cache_hit')]]).toEqual([null, false]);
    const sharedCalls = shCalls.filter((r) => exByHash.has(hashOf(pSh.json, r)));
    const ownCalls = shCalls.filter((r) => !exByHash.has(hashOf(pSh.json, r)));
    expect(sharedCalls).toHaveLength(2 * CALLS_PER_SYMBOL);
    expect(ownCalls).toHaveLength(CALLS_PER_SYMBOL);
    for (const r of sharedCalls) {
      const ex = exByHash.get(hashOf(pSh.json, r)) ?? [];
      const ref = `${runsEx[0]}/${String(ex[column(pEx.json, 'action')])}`;
      expect(r[column(pSh.json, 'shared_with')]).toBe(ref);
      expect(r[column(pSh.json, 'output_ref')]).toBe(ref);
      expect(ex[column(pEx.json, 'output_ref')]).toBe(ref);
    }
    for (const r of ownCalls) expect(r[column(pSh.json, 'shared_with')]).toBeNull();
  }, 120_000);

  it('the controls: one job per batch, cache off: each job executes all its calls; cache on: the later one hits the cache', async () => {
    await f.restart({ cache: false, batchSize: 1, paused: true });
    port = f.server.httpPort;
    const off = await submitBoth();
    expect([off.ra.stats?.['response_cache_hits'], off.rb.stats?.['response_cache_hits']]).toEqual([0, 0]);
    expect([off.ra.stats?.['calls_executed'], off.rb.stats?.['calls_executed']]).toEqual([3 * CALLS_PER_SYMBOL, 3 * CALLS_PER_SYMBOL]);
    expect([off.ra.stats?.['dedup_saved'], off.rb.stats?.['dedup_saved']]).toEqual([0, 0]);

    await f.restart({ batchSize: 1, paused: true });
    port = f.server.httpPort;
    // The first test's calls are in the cache already: ask for new symbols (5-7 and 6-8).
    const [a, b] = await Promise.all([
      http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(4, 3), type: 'text/plain', token: alice }),
      http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(5, 3), type: 'text/plain', token: bob }),
    ]);
    f.server.manager.start();
    const [ja, jb] = await Promise.all([pollJob(port, a.json.id, { token: alice }), pollJob(port, b.json.id, { token: bob })]);
    const hits = [ja.progress.cacheHits, jb.progress.cacheHits].sort((x, y) => x - y);
    expect(hits).toEqual([0, 2 * CALLS_PER_SYMBOL]);
  }, 180_000);
  it('cancelling one job of a merged batch leaves the other job whole', async () => {
    await f.restart({ cache: false, paused: true });
    port = f.server.httpPort;
    const [a, b] = await Promise.all([
      http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(10, 3), type: 'text/plain', token: alice }),
      http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(13, 8), type: 'text/plain', token: bob }),
    ]);
    f.server.manager.start();
    const running = await pollJob(port, b.json.id, { token: bob, until: (j) => j.progress.callsDone >= 5 || j.state === 'done' });
    expect(running.state).toBe('running');
    expect((await http(port, 'POST', `/v1/jobs/${b.json.id}/cancel`, { token: bob })).status).toBeLessThan(300);
    const [ja, jb] = await Promise.all([pollJob(port, a.json.id, { token: alice }), pollJob(port, b.json.id, { token: bob })]);
    expect([ja.state, jb.state]).toEqual(['done', 'cancelled']);
    const ra = (await http<TableJson>(port, 'GET', `/v1/jobs/${ja.id}/result`, { token: alice })).json;
    expect(ra.rows).toHaveLength(3);
    expect(ra.stats?.['errors']).toBe(0);
    // The same job alone gives the same rows (the simulator is deterministic).
    const again = await http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(10, 3), type: 'text/plain', token: alice });
    await pollJob(port, again.json.id, { token: alice });
    expect((await http<TableJson>(port, 'GET', `/v1/jobs/${again.json.id}/result`, { token: alice })).json.rows).toEqual(ra.rows);
  }, 180_000);
});
