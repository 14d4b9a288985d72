// Provenance: after a run, agentlake_provenance has one row per action of the plan (as EXPLAIN counts
// them) with run id, step, kind, model, prompt hash, tokens, times and status, and agentlake_runs has
// the run with the same figures as the statement's stats. An API key used by a run (API_KEY_ENV)
// reaches the server but never any column of either table.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { startSimServer, type SimServer } from '../../src/sim/http-server.ts';
import { openSession, recordingProxy, records, runModel } from './support.ts';

const Q2 = 'SELECT x.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 2) x, q2_trading(x.symbol) t';

interface PlanJson {
  readonly actions: { readonly total: number; readonly modelCalls: number; readonly byKind: Readonly<Record<string, number>>; readonly byModel: Readonly<Record<string, number>> };
}

const MODEL_KINDS = ['llm', 'vlm', 'vlm_reason', 'embed', 'image'];

describe('provenance of a sim:// run', () => {
  let session: Session;
  let dispose: () => Promise<void>;
  let plan: PlanJson;
  let runId = '';
  let stats: Awaited<ReturnType<typeof runModel>>['stats'];

  beforeAll(async () => {
    ({ session, dispose } = await openSession());
    const explained = await session.runScript({ name: 'q.sql', text: Q2 }, 'explain');
    if (explained.kind !== 'explain') throw new Error('expected a plan');
    plan = explained.json as PlanJson;
    const before = Date.now();
    const r = await runModel(session, Q2);
    stats = r.stats;
    const runs = await session.lakehouse.db.all('SELECT * FROM agentlake_runs');
    expect(runs).toHaveLength(1);
    runId = String(runs[0]?.['run_id']);
    expect(Date.parse(`${String(runs[0]?.['started_at'])}Z`)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  });

  afterAll(async () => {
    await dispose();
  });

  it('has one row per action of the plan, all of this run', async () => {
    const rows = await session.lakehouse.db.all('SELECT run_id, action FROM agentlake_provenance');
    expect(rows).toHaveLength(plan.actions.total);
    expect(new Set(rows.map((r) => r['run_id']))).toEqual(new Set([runId]));
    expect(new Set(rows.map((r) => r['action'])).size).toBe(rows.length);
    const byKind = await session.lakehouse.db.query('SELECT kind, count(*) FROM agentlake_provenance GROUP BY kind ORDER BY kind');
    expect(Object.fromEntries(byKind.rows.map((r) => [r[0], Number(r[1])]))).toEqual(plan.actions.byKind);
    const byModel = await session.lakehouse.db.query('SELECT model, count(*) FROM agentlake_provenance WHERE model IS NOT NULL GROUP BY model');
    expect(Object.fromEntries(byModel.rows.map((r) => [r[0], Number(r[1])]))).toEqual(plan.actions.byModel);
  });

  it('records model, prompt hash, tokens, times and status for every model call', async () => {
    const calls = await session.lakehouse.db.all(`SELECT * FROM agentlake_provenance WHERE kind IN (${MODEL_KINDS.map((k) => `'${k}'`).join(', ')})`);
    expect(calls).toHaveLength(plan.actions.modelCalls);
    for (const c of calls) {
      expect(c['step'], String(c['action'])).toMatch(/^q2_trading\.\w+$/);
      expect(typeof c['model']).toBe('string');
      expect(c['model_version']).toBe(1);
      expect(c['endpoint']).toBe('sim://');
      expect(c['prompt_hash']).toMatch(/^[0-9a-f]{64}$/);
      expect(c['tokens_in']).toBeGreaterThan(0);
      expect(c['tokens_out']).toBeGreaterThan(0);
      expect(c['cached_tokens']).toBeGreaterThanOrEqual(0);
      expect(c['cached_tokens']).toBeLessThanOrEqual(Number(c['tokens_in']));
      expect(c['response_cache_hit']).toBe(false);
      expect(c['status']).toBe('ok');
      expect(c['error']).toBeNull();
      expect(c['output_ref']).toBe(`${runId}/${String(c['action'])}`);
      // sim:// calls name the simulated GPU the dispatch sent them to (one GPU here).
      expect(c['worker']).toBe('gpu:0');
    }
    // Prompt hashes identify prompts: distinct calls of this plan have distinct prompts.
    expect(new Set(calls.map((c) => c['prompt_hash'])).size).toBe(calls.length);
  });

  it('has started_at <= ended_at on every row, within the simulated makespan, and input refs that exist', async () => {
    const rows = await session.lakehouse.db.all('SELECT action, input_refs, started_at, ended_at, status FROM agentlake_provenance');
    const ids = new Set(rows.map((r) => r['action']));
    for (const r of rows) {
      expect(typeof r['started_at']).toBe('number');
      expect(r['started_at'] as number, String(r['action'])).toBeLessThanOrEqual(r['ended_at'] as number);
      expect(r['ended_at'] as number).toBeLessThanOrEqual(stats.simulated_makespan_seconds + 1e-3);
      expect(r['status']).toBe('ok');
      for (const dep of r['input_refs'] as string[]) expect(ids.has(dep), `${String(r['action'])} <- ${dep}`).toBe(true);
    }
  });

  it('sums to the statement stats, and agentlake_runs holds the same figures', async () => {
    const sums = await session.lakehouse.db.all("SELECT sum(tokens_in) AS tin, sum(cached_tokens) AS cached, count(*) FILTER (WHERE status = 'error') AS errors FROM agentlake_provenance");
    expect(sums[0]).toEqual({ tin: stats.prompt_tokens, cached: stats.cached_tokens, errors: stats.errors });
    const run = (await session.lakehouse.db.all('SELECT * FROM agentlake_runs'))[0] ?? {};
    expect(run).toMatchObject({
      run_id: runId, statement: Q2, simulated: true, status: 'ok', errors: 0,
      calls_total: stats.calls_total, calls_executed: stats.calls_executed, response_cache_hits: stats.response_cache_hits,
      prompt_tokens: stats.prompt_tokens, cached_tokens: stats.cached_tokens, wall_seconds: stats.wall_seconds,
    });
    expect(run['makespan_seconds']).toBeCloseTo(stats.simulated_makespan_seconds, 3);
  });

  it('adds a second run with its own id; the rerun is recorded as cache hits', async () => {
    const r = await runModel(session, Q2);
    const runs = await session.lakehouse.db.all('SELECT run_id, response_cache_hits FROM agentlake_runs');
    expect(runs).toHaveLength(2);
    const second = String(runs.find((x) => x['run_id'] !== runId)?.['run_id']);
    expect(second).not.toBe(runId);
    const hits = await session.lakehouse.db.all('SELECT count(*) FILTER (WHERE response_cache_hit) AS hits, count(model) AS calls FROM agentlake_provenance WHERE run_id = $1', [second]);
    expect(hits[0]).toEqual({ hits: r.stats.calls_total, calls: r.stats.calls_total });
  });
});

describe('API keys never reach provenance', () => {
  let sim: SimServer;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  const secret = `sk-test-${randomBytes(24).toString('hex')}`;
  const before = process.env['TEST_SECRET_KEY'];

  beforeAll(async () => {
    sim = await startSimServer({ port: 0, timeScale: 0.001 });
    proxy = await recordingProxy(sim.origin);
    process.env['TEST_SECRET_KEY'] = secret;
  });

  afterAll(async () => {
    if (before === undefined) delete process.env['TEST_SECRET_KEY'];
    else process.env['TEST_SECRET_KEY'] = before;
    await proxy.close();
    await sim.close();
  });

  it('sends the key to the server but stores it in no VARCHAR column of agentlake_provenance or agentlake_runs', async () => {
    const { session, dispose } = await openSession();
    try {
      const r = await runModel(session, `
        CREATE MODEL keyed_qwen (KIND llm, ENDPOINT '${proxy.url}', NAME 'Qwen/Qwen3-8B', API_KEY_ENV 'TEST_SECRET_KEY');
        CREATE WORKFLOW keyed(symbol VARCHAR) AS (
          fin := SQL (SELECT fiscal_year, revenue FROM financials WHERE symbol = :symbol ORDER BY fiscal_year),
          take := LLM keyed_qwen PROMPT 'Revenue of {{symbol}}:\\n{{fin}}\\nOne line.' WITH (max_tokens 24),
          grade := LLM keyed_qwen PROMPT '{{take}}\\nGrade it.' RETURNS (grade VARCHAR CHECK (grade IN ('A', 'B', 'C'))) WITH (max_tokens 32)
        ) RETURN grade;
        SELECT s.symbol, k.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 2) s, keyed(s.symbol) k`);
      expect(records(r).map((x) => x['_error'])).toEqual([null, null]);
      expect(r.stats.simulated).toBe(false);
      // The key really was used.
      expect(proxy.authorizations.length).toBeGreaterThanOrEqual(4);
      expect(new Set(proxy.authorizations)).toEqual(new Set([`Bearer ${secret}`]));

      const db = session.lakehouse.db;
      for (const table of ['agentlake_provenance', 'agentlake_runs']) {
        const cols = await db.all("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = $1", [table]);
        const text = cols.filter((c) => String(c['data_type']).startsWith('VARCHAR'));
        expect(text.length).toBeGreaterThan(0);
        expect(Number((await db.query(`SELECT count(*) FROM ${table}`)).rows[0]?.[0])).toBeGreaterThan(0);
        for (const c of text) {
          const col = `"${String(c['column_name'])}"`;
          const hits = await db.query(`SELECT count(*) FROM ${table} WHERE CAST(${col} AS VARCHAR) LIKE '%' || $1 || '%'`, [secret]);
          expect(Number(hits.rows[0]?.[0]), `${table}.${String(c['column_name'])}`).toBe(0);
        }
        // And nowhere in the table at all, whatever the column type.
        expect(JSON.stringify((await db.query(`SELECT * FROM ${table}`)).rows)).not.toContain(secret);
      }
      // The other agentlake tables (catalog, response cache) store the variable's name, never its value.
      for (const t of ['agentlake_models', 'agentlake_response_cache', 'agentlake_workflows']) {
        expect(JSON.stringify((await db.query(`SELECT * FROM ${t}`)).rows), t).not.toContain(secret);
      }
      expect(JSON.stringify((await db.query('SELECT * FROM agentlake_models')).rows)).toContain('TEST_SECRET_KEY');
    } finally {
      await dispose();
    }
  });
});
