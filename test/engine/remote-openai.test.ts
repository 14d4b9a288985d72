// The `openai` client against the simulator over loopback (startSimServer, scaled real time): a model
// whose ENDPOINT is the server's URL runs a small workflow with a RETURNS step end to end; two steps
// sharing a long system prompt show prefix-cache hits (cached_tokens > 0) in the run's stats. Also
// how remote models get their API keys, and the real-time fields of provenance for remote runs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/diag/diagnostic.ts';
import { startSimServer, type SimServer } from '../../src/sim/http-server.ts';
import { columnTypes, expectNoErrors, openSession, recordingProxy, records, runModel } from './support.ts';

const LONG_SYSTEM = `You are a careful equity analyst at a research desk. ${'Read every row of the data before writing, cite the figures you rely on, compute growth rates where they make the point clearer, and say plainly when the data is too thin to support a conclusion. '.repeat(6)}`;

function remoteWorkflow(url: string): string {
  return `
CREATE MODEL remote_qwen (KIND llm, ENDPOINT '${url}', NAME 'Qwen/Qwen3-8B');
CREATE PROMPT desk_analyst AS '${LONG_SYSTEM}';
CREATE WORKFLOW remote_review(symbol VARCHAR) AS (
  fin := SQL (SELECT fiscal_year, revenue, net_income FROM financials WHERE symbol = :symbol ORDER BY fiscal_year),
  growth := LLM remote_qwen SYSTEM desk_analyst PROMPT 'Ticker {{symbol}}:\\n{{fin}}\\nDescribe revenue growth.' WITH (max_tokens 48),
  margins := LLM remote_qwen SYSTEM desk_analyst PROMPT 'Ticker {{symbol}}:\\n{{fin}}\\nDescribe profitability.' WITH (max_tokens 48),
  verdict := LLM remote_qwen PROMPT 'Growth: {{growth}}\\nMargins: {{margins}}\\nRate {{symbol}}.'
    RETURNS (rating VARCHAR CHECK (rating IN ('buy', 'hold', 'sell')), conviction DOUBLE CHECK (conviction BETWEEN 0 AND 1), healthy BOOLEAN)
    WITH (temperature 0, max_tokens 96)
) RETURN verdict;
`;
}

const QUERY = 'SELECT s.symbol, r.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 3) s, remote_review(s.symbol) r ORDER BY s.symbol';

describe('openai client against sim-serve over loopback', () => {
  let sim: SimServer;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    sim = await startSimServer({ port: 0, timeScale: 0.001 });
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  afterAll(async () => {
    await sim.close();
  });

  it('runs a workflow with a RETURNS step on a remote model; a shared long system prompt gives cached tokens', async () => {
    const { session, dispose } = await openSession({ cache: false });
    cleanups.push(dispose);
    await session.runScript({ name: 'setup.sql', text: remoteWorkflow(sim.url) }, 'run');
    const served = (): number => sim.cluster.metrics().reduce((n, g) => n + g.requestSuccess.stop + g.requestSuccess.length, 0);
    const before = served();
    const r = await runModel(session, QUERY);
    expect(r.columns.map((c) => c.name)).toEqual(['symbol', 'rating', 'conviction', 'healthy', '_error']);
    expect(columnTypes(r)).toMatchObject({ rating: 'VARCHAR', conviction: 'DOUBLE', healthy: 'BOOLEAN' });
    expectNoErrors(r);
    const rows = records(r);
    expect(rows.map((x) => x['symbol'])).toEqual(['ALTP', 'AMBF', 'APXT']);
    for (const x of rows) {
      expect(['buy', 'hold', 'sell']).toContain(x['rating']);
      expect(x['conviction']).toBeGreaterThanOrEqual(0);
      expect(x['conviction']).toBeLessThanOrEqual(1);
      expect(typeof x['healthy']).toBe('boolean');
    }
    expect(r.stats).toMatchObject({ calls_total: 9, calls_executed: 9, errors: 0, simulated: false, simulated_makespan_seconds: 0 });
    // Every call went over HTTP to the server.
    expect(served() - before).toBe(9);
    // growth and margins share desk_analyst: the second of each pair reuses the cached prefix.
    expect(r.stats.cached_tokens).toBeGreaterThan(0);
    expect(r.stats.cached_tokens).toBeLessThan(r.stats.prompt_tokens);
  });

  it('the same remote statement gives the same rows as the simulator in-process', async () => {
    const remote = await openSession({ cache: false });
    cleanups.push(remote.dispose);
    await remote.session.runScript({ name: 'setup.sql', text: remoteWorkflow(sim.url) }, 'run');
    const local = await openSession({ cache: false });
    cleanups.push(local.dispose);
    await local.session.runScript({ name: 'setup.sql', text: remoteWorkflow('sim://') }, 'run');
    const a = await runModel(remote.session, QUERY);
    const b = await runModel(local.session, QUERY);
    // Outputs are functions of (model, messages): the transport does not change them.
    expect(a.rows).toEqual(b.rows);
    expect(b.stats.simulated).toBe(true);
  });

  // Regression test (fixed bug): remote clients are cached per ENDPOINT only (ModelRuntime.remoteClient keys this.remote by
  // model.endpoint), so the first model created for an endpoint fixes the API key (and limiter) for
  // every other model on that endpoint. Here model mb (API_KEY_ENV KEY_B) is called with KEY_A's key:
  // the server sees 'Bearer key-a-…' twice. Expected: each model's calls carry its own key.
  it('two models on one endpoint each send their own API key', async () => {
    const proxy = await recordingProxy(sim.origin);
    cleanups.push(proxy.close);
    const saved = { a: process.env['AGENTLAKE_TEST_KEY_A'], b: process.env['AGENTLAKE_TEST_KEY_B'] };
    process.env['AGENTLAKE_TEST_KEY_A'] = 'key-a-1111';
    process.env['AGENTLAKE_TEST_KEY_B'] = 'key-b-2222';
    cleanups.push(async () => {
      for (const [k, v] of [['AGENTLAKE_TEST_KEY_A', saved.a], ['AGENTLAKE_TEST_KEY_B', saved.b]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    const { session, dispose } = await openSession({ demo: false });
    cleanups.push(dispose);
    const r = await runModel(session, `
      CREATE MODEL ma (KIND llm, ENDPOINT '${proxy.url}', NAME 'Qwen/Qwen3-8B', API_KEY_ENV 'AGENTLAKE_TEST_KEY_A');
      CREATE MODEL mb (KIND llm, ENDPOINT '${proxy.url}', NAME 'Qwen/Qwen3-32B', API_KEY_ENV 'AGENTLAKE_TEST_KEY_B');
      CREATE WORKFLOW two_keys(topic VARCHAR) AS (
        a := LLM ma PROMPT 'Topic: {{topic}}' WITH (max_tokens 8),
        b := LLM mb PROMPT 'Follow up: {{a}}' WITH (max_tokens 8)
      ) RETURN b;
      SELECT * FROM run_workflow('two_keys', (SELECT 'tides' AS topic))`);
    expectNoErrors(r);
    expect(proxy.authorizations).toEqual(['Bearer key-a-1111', 'Bearer key-b-2222']);
  });

  // Regression test (fixed bug): a model whose API_KEY_ENV variable is not set does not fail the statement with E0003: the
  // UserError thrown by ModelRuntime.remoteClient is caught by callModel (src/runtime/operators.ts) and
  // turned into a per-row value "E0303: model call failed: E0003: environment variable ... is not
  // set" on every row. A configuration error is not a row's failure; expected: runScript rejects with
  // a UserError whose diagnostic code is E0003.
  it('a missing API_KEY_ENV variable fails the statement with E0003', async () => {
    delete process.env['AGENTLAKE_TEST_UNSET_KEY'];
    const { session, dispose } = await openSession({ demo: false });
    cleanups.push(dispose);
    const run = session.runScript({
      name: 'q.sql',
      text: `
      CREATE MODEL unkeyed (KIND llm, ENDPOINT '${sim.url}', NAME 'Qwen/Qwen3-8B', API_KEY_ENV 'AGENTLAKE_TEST_UNSET_KEY');
      CREATE WORKFLOW unkeyed_wf(topic VARCHAR) AS (a := LLM unkeyed PROMPT 'Topic: {{topic}}' WITH (max_tokens 8)) RETURN a;
      SELECT * FROM run_workflow('unkeyed_wf', (SELECT 'tides' AS topic))`,
    }, 'run');
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).diagnostics.map((d) => d.code)).toContain('E0003');
  });
});

describe('real-time figures of a remote (non-simulated) run', () => {
  let slow: SimServer;
  let t0 = 0;
  let elapsed = 0;
  let call: Record<string, unknown> = {};
  let run: Record<string, unknown> = {};

  beforeAll(async () => {
    // 0.1 real s per simulated s: the first call pays a 30 s cold model load = 3 s of real time.
    slow = await startSimServer({ port: 0, timeScale: 0.1 });
    const { session, dispose } = await openSession({ demo: false, cache: false });
    try {
      await session.runScript({
        name: 'setup.sql',
        text: `CREATE MODEL slow_qwen (KIND llm, ENDPOINT '${slow.url}', NAME 'Qwen/Qwen3-8B');
               CREATE WORKFLOW slow_wf(topic VARCHAR) AS (a := LLM slow_qwen PROMPT 'Topic: {{topic}}' WITH (max_tokens 8)) RETURN a;`,
      }, 'run');
      t0 = Date.now();
      const r = await runModel(session, "SELECT * FROM run_workflow('slow_wf', (SELECT 'tides' AS topic))");
      elapsed = (Date.now() - t0) / 1000;
      expectNoErrors(r);
      call = (await session.lakehouse.db.all("SELECT started_at, ended_at FROM agentlake_provenance WHERE kind = 'llm'"))[0] ?? {};
      run = (await session.lakehouse.db.all('SELECT started_at, wall_seconds FROM agentlake_runs'))[0] ?? {};
    } finally {
      await dispose();
    }
  }, 30_000);

  afterAll(async () => {
    await slow.close();
  });

  it('the remote run took real seconds', () => {
    expect(elapsed).toBeGreaterThan(2);
    expect(Number(run['wall_seconds'])).toBeGreaterThan(2);
  });

  // Regression test (fixed bug): provenance started_at/ended_at of remote calls come from the session's *virtual* clock
  // (session.ts passes models.clock.now() for every run), which never moves for HTTP calls: every
  // action of a remote run has started_at = ended_at = 0 although the call took 3 real seconds.
  // Expected: ended_at - started_at of a remote call reflects the seconds it took.
  it('provenance times of a remote call measure the real seconds it took', () => {
    expect(Number(call['ended_at']) - Number(call['started_at'])).toBeGreaterThan(1);
  });

  // Regression test (fixed bug): agentlake_runs.started_at is written with new Date() after the run has finished
  // (runModelStatement in src/engine/run-model-statements.ts), so it is the end time: here about 3 s after
  // runScript was called. Expected: started_at is no later than the moment the statement started.
  it('agentlake_runs.started_at is when the run started, not when it ended', () => {
    const started = Date.parse(`${String(run['started_at'])}Z`);
    expect(started).toBeLessThanOrEqual(t0 + 1000);
  });
});
