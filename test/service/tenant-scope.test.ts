// With users (several tenants on one DuckDB), a tenant's SQL reads only its own rows of the server's
// provenance and runs (renamed to tenant views of the same name length), and cannot name the
// server's own tables (jobs, results, response cache) or run SQL text through query(): the job fails
// with a diagnostic at the name. DuckDB itself may touch the lakehouse's files only and its settings
// are locked. Checked through the real pg client and the HTTP API.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeToTenant, tenantScriptProblems } from '../../src/service/tenant-scope.ts';
import { bearerToken, http, LLM_SQL, pollJob, startServe, type JobJson, type ServeFixture } from '../server/http-helpers.ts';
import { pgClient, rejection } from '../server/pgwire-helpers.ts';

describe('tenant scope of SQL text', () => {
  it('flags the server tables as bare or quoted names and query() calls, not strings, comments or columns', () => {
    const codes = (sql: string): string[] => tenantScriptProblems(sql).map((d) => `${d.code}@${d.span?.start ?? -1}`);
    expect(codes('SELECT * FROM agentlake_jobs')).toEqual(['B0141@14']);
    expect(codes('SELECT * FROM "AGENTLAKE_JOB_RESULTS"')).toEqual(['B0141@14']);
    expect(codes("SELECT 'agentlake_jobs' AS s -- agentlake_response_cache\nFROM t")).toEqual([]);
    expect(codes("SELECT * FROM query ('SELECT 1')")).toEqual(['B0142@14']);
    expect(codes('SELECT query FROM searches')).toEqual([]);
    expect(codes('SELECT * FROM agentlake_provenance')).toEqual([]);
  });

  it('renames provenance and runs to views of the same length, bare or quoted', () => {
    const views = new Map([['agentlake_provenance', 'tv_0123456789abcdef0'], ['agentlake_runs', 'tv_0123456789a']]);
    const sql = 'SELECT * FROM agentlake_provenance p JOIN "agentlake_runs" r USING (run_id) WHERE p.step <> \'agentlake_runs\'';
    const out = scopeToTenant(sql, views);
    expect(out).toHaveLength(sql.length);
    expect(out).toBe('SELECT * FROM tv_0123456789abcdef0 p JOIN "tv_0123456789a" r USING (run_id) WHERE p.step <> \'agentlake_runs\'');
    expect(() => scopeToTenant(sql, new Map([['agentlake_runs', 'short']]))).toThrow(RangeError);
  });
});

describe('tenants on one server', () => {
  let f: ServeFixture;
  let alice: pg.Client;
  const users = [
    { name: 'alice', tenant: 'acme', password: 'wonderland' },
    { name: 'bob', tenant: 'globex', password: 'builder' },
  ];
  beforeAll(async () => {
    f = await startServe({ users });
    alice = await pgClient(f.server.pgPort, { user: 'alice', password: 'wonderland' });
    const bob = await pgClient(f.server.pgPort, { user: 'bob', password: 'builder' });
    try {
      await bob.query(LLM_SQL.replace("'Say hi to '", "'Bob says hi to '"));
    } finally {
      await bob.end();
    }
    await alice.query(LLM_SQL);
  }, 60_000);
  afterAll(async () => {
    await alice?.end();
    await f?.dispose();
  });

  it("a tenant's SQL sees only its own provenance and runs", async () => {
    expect((await alice.query('SELECT DISTINCT tenant FROM agentlake_provenance')).rows).toEqual([{ tenant: 'acme' }]);
    const runs = await alice.query('SELECT DISTINCT tenant, statement FROM "agentlake_runs"');
    expect(runs.rows.map((r: { tenant: string }) => r.tenant)).toEqual(['acme']);
    expect(JSON.stringify(runs.rows)).not.toMatch(/Bob says/);
  });

  it("the server's own tables and query() are refused with the position of the name", async () => {
    const e = await rejection(alice.query('SELECT count(*) FROM agentlake_job_results'));
    expect(e['message']).toMatch(/agentlake_job_results is the server's own table/);
    expect(e['position']).toBe('22');
    const q = await rejection(alice.query("SELECT * FROM query('SELECT * FROM ' || 'agentlake_jobs')"));
    expect(q['message']).toMatch(/query\(\) runs SQL text/);
    // Over HTTP, the job fails with the same diagnostic.
    const token = bearerToken('bob', 'builder');
    const r = await http<JobJson>(f.server.httpPort, 'POST', '/v1/jobs', { body: 'SELECT * FROM agentlake_response_cache', token });
    const job = await pollJob(f.server.httpPort, r.json.id, { token });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/B0141/);
  });
  it('DuckDB touches the lakehouse files only, and its settings are locked', async () => {
    const passwd = await rejection(alice.query("SELECT * FROM read_text('/etc/passwd')"));
    expect(passwd['message']).toMatch(/Permission Error|disabled by configuration/);
    const copy = await rejection(alice.query("COPY (SELECT 1 AS a) TO '/tmp/agentlake-escape.csv'"));
    expect(copy['message']).toMatch(/Permission Error|disabled by configuration/);
    const set = await rejection(alice.query('SET threads = 1'));
    expect(set['message']).toMatch(/locked/);
    // The lakehouse itself works as before: a new table is written and read back, workflows run.
    await alice.query('CREATE TABLE acme_notes AS SELECT symbol, length(symbol) AS n FROM symbols ORDER BY symbol LIMIT 3');
    expect((await alice.query('SELECT count(*)::INTEGER AS n FROM acme_notes')).rows).toEqual([{ n: 3 }]);
    const wf = await alice.query('SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 1) s, q4_summary(s.symbol) t');
    expect(wf.rows).toHaveLength(1);
  }, 60_000);
});
