// Two tenants submit the same workflow (q1_social) over overlapping symbols at the same time through
// the HTTP API of `agentlake serve`: both get identical rows for the shared symbols, the shared model
// calls execute once in total, and each tenant's provenance holds only its own runs, the later job's
// rows for the shared calls marked as served from the shared execution (response_cache_hit).
// Cross-tenant sharing in serve currently goes through the response cache (on by default in serve):
// the Session runner runs one job at a time, so the later job finds the earlier job's calls there.
// Which tenant's job runs first is the fair order's choice; the test finds out and asserts either way.
// The control restarts the server with the cache off: no hits, every job executes all its calls.
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
    });
    port = f.server.httpPort;
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('identical rows for shared symbols, shared calls executed once, provenance per tenant', async () => {
    // acme: symbols 1-3; globex: symbols 2-4. Symbols 2 and 3 are shared.
    const [a, b] = await Promise.all([
      http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(0, 3), type: 'text/plain', token: alice }),
      http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(1, 3), type: 'text/plain', token: bob }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const [ja, jb] = await Promise.all([pollJob(port, a.json.id, { token: alice }), pollJob(port, b.json.id, { token: bob })]);
    expect([ja.state, jb.state]).toEqual(['done', 'done']);

    const ra = (await http<TableJson>(port, 'GET', `/v1/jobs/${ja.id}/result`, { token: alice })).json;
    const rb = (await http<TableJson>(port, 'GET', `/v1/jobs/${jb.id}/result`, { token: bob })).json;
    expect(ra.rows).toHaveLength(3);
    expect(rb.rows).toHaveLength(3);
    const symA = ra.rows.map((r) => String(r[0]));
    const symB = rb.rows.map((r) => String(r[0]));
    const shared = symA.filter((s) => symB.includes(s));
    expect(shared).toHaveLength(2);
    expect(shared).toEqual(symA.slice(1));
    expect(shared).toEqual(symB.slice(0, 2));
    // Identical rows (every column: outlook and summary of the typed report) for the shared symbols.
    expect(rb.rows.slice(0, 2)).toEqual(ra.rows.slice(1));
    for (const row of ra.rows) expect(String(row[row.length - 1]).length).toBeGreaterThan(0);

    // Stats: 3 symbols × 17 calls asked by each job; the later job's shared calls are cache hits.
    const sa = ra.stats ?? {};
    const sb = rb.stats ?? {};
    expect([sa['calls_total'], sb['calls_total']]).toEqual([3 * CALLS_PER_SYMBOL, 3 * CALLS_PER_SYMBOL]);
    const hits = [Number(sa['response_cache_hits']), Number(sb['response_cache_hits'])];
    expect([...hits].sort((x, y) => x - y)).toEqual([0, 2 * CALLS_PER_SYMBOL]);
    const executed = Number(sa['calls_executed']) + Number(sb['calls_executed']);
    // 4 distinct symbols: every distinct call executed exactly once over both jobs.
    expect(executed).toBe(4 * CALLS_PER_SYMBOL);
    const laterIsB = hits[1] === 2 * CALLS_PER_SYMBOL;
    const [first, later] = laterIsB ? [ja, jb] : [jb, ja];
    const [firstToken, laterToken] = laterIsB ? [alice, bob] : [bob, alice];
    expect(Number((laterIsB ? sb : sa)['calls_executed'])).toBe(CALLS_PER_SYMBOL);
    // The job status says the same (progress.cacheHits).
    expect(later.progress.cacheHits).toBe(2 * CALLS_PER_SYMBOL);
    expect(first.progress.cacheHits).toBe(0);

    // Provenance: each tenant sees its own job's runs only.
    const pFirst = await http<TableJson>(port, 'GET', `/v1/jobs/${first.id}/provenance`, { token: firstToken });
    const pLater = await http<TableJson>(port, 'GET', `/v1/jobs/${later.id}/provenance`, { token: laterToken });
    expect([pFirst.status, pLater.status]).toEqual([200, 200]);
    expect((await http(port, 'GET', `/v1/jobs/${first.id}/provenance`, { token: laterToken })).status).toBe(404);
    expect((await http(port, 'GET', `/v1/jobs/${later.id}/provenance`, { token: firstToken })).status).toBe(404);
    const runsFirst = new Set(pFirst.json.runIds ?? []);
    const runsLater = new Set(pLater.json.runIds ?? []);
    expect(runsFirst.size).toBeGreaterThan(0);
    expect(runsLater.size).toBeGreaterThan(0);
    expect([...runsFirst].filter((r) => runsLater.has(r))).toEqual([]);
    const run = column(pFirst.json, 'run_id');
    for (const row of pFirst.json.rows) expect(runsFirst.has(String(row[run]))).toBe(true);
    for (const row of pLater.json.rows) expect(runsLater.has(String(row[run]))).toBe(true);

    // The model calls (llm rows) by prompt hash: the shared ones are the same calls in both tenants'
    // provenance; the first tenant's rows executed them, the later tenant's say cache hit.
    const llmRows = (t: TableJson): (readonly unknown[])[] => t.rows.filter((r) => r[column(t, 'kind')] === 'llm');
    const hashOf = (t: TableJson, r: readonly unknown[]): string => String(r[column(t, 'prompt_hash')]);
    const hitOf = (t: TableJson, r: readonly unknown[]): unknown => r[column(t, 'response_cache_hit')];
    const firstCalls = llmRows(pFirst.json);
    const laterCalls = llmRows(pLater.json);
    expect(firstCalls).toHaveLength(3 * CALLS_PER_SYMBOL);
    expect(laterCalls).toHaveLength(3 * CALLS_PER_SYMBOL);
    const firstHashes = new Set(firstCalls.map((r) => hashOf(pFirst.json, r)));
    expect(firstHashes.size).toBe(3 * CALLS_PER_SYMBOL);
    for (const r of firstCalls) expect(hitOf(pFirst.json, r)).toBe(false);
    const sharedCalls = laterCalls.filter((r) => firstHashes.has(hashOf(pLater.json, r)));
    const ownCalls = laterCalls.filter((r) => !firstHashes.has(hashOf(pLater.json, r)));
    expect(sharedCalls).toHaveLength(2 * CALLS_PER_SYMBOL);
    expect(ownCalls).toHaveLength(CALLS_PER_SYMBOL);
    for (const r of sharedCalls) expect(hitOf(pLater.json, r)).toBe(true);
    for (const r of ownCalls) expect(hitOf(pLater.json, r)).toBe(false);
  }, 120_000);

  it('the control: with the response cache off, each job executes all of its calls', async () => {
    await f.restart({ cache: false });
    port = f.server.httpPort;
    const [a, b] = await Promise.all([
      http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(0, 3), type: 'text/plain', token: alice }),
      http<JobJson>(port, 'POST', '/v1/jobs', { body: q1(1, 3), type: 'text/plain', token: bob }),
    ]);
    const [ja, jb] = await Promise.all([pollJob(port, a.json.id, { token: alice }), pollJob(port, b.json.id, { token: bob })]);
    expect([ja.state, jb.state]).toEqual(['done', 'done']);
    const ra = (await http<TableJson>(port, 'GET', `/v1/jobs/${ja.id}/result`, { token: alice })).json;
    const rb = (await http<TableJson>(port, 'GET', `/v1/jobs/${jb.id}/result`, { token: bob })).json;
    expect([ra.stats?.['response_cache_hits'], rb.stats?.['response_cache_hits']]).toEqual([0, 0]);
    expect([ra.stats?.['calls_executed'], rb.stats?.['calls_executed']]).toEqual([3 * CALLS_PER_SYMBOL, 3 * CALLS_PER_SYMBOL]);
    // The simulator is deterministic: the shared symbols' rows are the same without sharing.
    expect(rb.rows.slice(0, 2)).toEqual(ra.rows.slice(1));
  }, 120_000);
});
