// Submit-time traits of a job (src/service/job-profile.ts): the priority a run_workflow() names and the
// affinity profile, from binding the script's last statement against the demo catalog, nothing run.
// Through `agentlake serve`, both reach the job: a run_workflow priority outranks the request's or the
// connection's, and jobs carry the models and calls per input the affinity distance compares.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { jobTraits } from '../../src/service/job-profile.ts';
import { openSession } from '../engine/support.ts';
import { http, startServe, type JobJson, type ServeFixture } from '../server/http-helpers.ts';
import { pgClient } from '../server/pgwire-helpers.ts';

const symbols = '(SELECT symbol FROM symbols ORDER BY symbol LIMIT 2)';

describe('jobTraits', () => {
  let session: Session;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ session, dispose } = await openSession());
  });
  afterAll(() => dispose());

  it('a workflow: its models, system prompt text and model calls per input (debate rounds counted)', async () => {
    const t = await jobTraits(session, `SELECT s.symbol, t.* FROM ${symbols} s, q1_social(s.symbol) t`);
    expect(t.priority).toBeUndefined();
    expect(t.profile?.models?.length).toBeGreaterThan(0);
    expect(t.profile?.models).toEqual([...new Set(t.profile?.models)].sort());
    // q1_social makes 17 model calls per symbol (test/server/cross-tenant-serve.test.ts counts them run).
    expect(t.profile?.callsPerInput).toBe(17);
    expect(t.profile?.systemPrompt?.length).toBeGreaterThan(0);
  });

  it('model functions count one call per row each; run_workflow names a priority; the highest wins', async () => {
    const f = await jobTraits(session, `SELECT llm('qwen3_8b', 'hi ' || symbol) AS a, embed('e5', symbol) AS e FROM ${symbols}`);
    expect(f.profile).toMatchObject({ callsPerInput: 2 });
    expect([...(f.profile?.models ?? [])]).toEqual(['e5', 'qwen3_8b']);
    expect((await jobTraits(session, `SELECT * FROM run_workflow('q2_trading', ${symbols}, priority => 'low')`)).priority).toBe('low');
    const both = await jobTraits(session, `SELECT * FROM run_workflow('q4_summary', ${symbols}, priority => 'low') a, run_workflow('q1_social', ${symbols}, priority => 'high') b`);
    expect(both.priority).toBe('high');
  });

  it('no model call, a script ending in a setting, or a statement that does not bind: no traits', async () => {
    expect(await jobTraits(session, 'SELECT 1')).toEqual({});
    expect(await jobTraits(session, "SELECT 1; SET agentlake.cache = off")).toEqual({});
    expect(await jobTraits(session, 'SELECT * FROM no_such_table')).toEqual({});
    expect(await jobTraits(session, "SELECT * FROM run_workflow('nope', (SELECT 1))")).toEqual({});
    expect(await jobTraits(session, 'SELEC oops')).toEqual({});
  });
});

describe('traits through agentlake serve', () => {
  let f: ServeFixture;
  beforeAll(async () => {
    f = await startServe({ paused: true });
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('HTTP: run_workflow priority outranks the request priority; the job carries its profile', async () => {
    const sql = `SELECT * FROM run_workflow('q4_summary', ${symbols}, priority => 'high')`;
    const a = await http<JobJson>(f.server.httpPort, 'POST', '/v1/jobs?priority=low', { body: sql });
    expect(a.status).toBe(202);
    const job = f.server.manager.status(a.json.id, 'default');
    expect(job?.priority).toBe('high');
    expect(job?.profile.models.length).toBeGreaterThan(0);
    const plain = await http<JobJson>(f.server.httpPort, 'POST', '/v1/jobs?priority=low', { body: 'SELECT 1' });
    expect(f.server.manager.status(plain.json.id, 'default')?.priority).toBe('low');
    const none = await http<JobJson>(f.server.httpPort, 'POST', '/v1/jobs', { body: 'SELECT 2' });
    expect(f.server.manager.status(none.json.id, 'default')?.priority).toBe('medium');
  });

  it('pgwire: run_workflow priority outranks SET agentlake.priority', async () => {
    f.server.manager.start();
    const c = await pgClient(f.server.pgPort);
    try {
      await c.query("SET agentlake.priority = 'low'");
      const r = await c.query(`SELECT * FROM run_workflow('q4_summary', ${symbols}, priority => 'high')`);
      expect(r.rows).toHaveLength(2);
      const jobs = f.server.manager.list('default');
      expect(jobs.at(-1)?.priority).toBe('high');
      await c.query('SELECT 3');
      expect(f.server.manager.list('default').at(-1)?.priority).toBe('low');
    } finally {
      await c.end();
    }
  }, 60_000);
});
