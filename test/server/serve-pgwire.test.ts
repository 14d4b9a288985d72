// Postgres wire through the job manager (startServer): every statement is a job of the connection's
// tenant and user; plain SQL with parameters, an LLM query with progress notices, a workflow, errors
// with SQLSTATE and position, SET/SHOW/RESET agentlake.priority, cache and optimizer per connection
// (the jobs carry them; agentlake.gpus is the server's),
// a CancelRequest cancelling the job, and psql's \dt answered through the executor.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgClient, psql, rejection, sendCancel } from './pgwire-helpers.ts';
import { bigWorkflow, LLM_SQL, startServe, type ServeFixture } from './http-helpers.ts';

describe('pgwire through the job manager', () => {
  let f: ServeFixture;
  let c: pg.Client;
  const lastJob = (): { sql: string; priority: string; state: string; user: string } | undefined => f.server.manager.list('default').at(-1);
  beforeAll(async () => {
    f = await startServe({ gpus: 2 });
    c = await pgClient(f.server.pgPort);
  }, 60_000);
  afterAll(async () => {
    await c?.end();
    await f?.dispose();
  });

  it('runs plain SQL and parameters as jobs of the connection user', async () => {
    expect((await c.query('SELECT 41 + 1 AS n')).rows).toEqual([{ n: 42 }]);
    expect(lastJob()).toMatchObject({ sql: 'SELECT 41 + 1 AS n', state: 'done', user: 'analyst', priority: 'medium' });
    const r = await c.query('SELECT $1::VARCHAR AS s, $2::INTEGER + 1 AS n', ["it's", 41]);
    expect(r.rows).toEqual([{ s: "it's", n: 42 }]);
  });

  it('an LLM query returns its rows with progress notices', async () => {
    const notices: string[] = [];
    const onNotice = (n: { message?: string | undefined }): void => void notices.push(n.message ?? '');
    c.on('notice', onNotice);
    try {
      const r = await c.query(LLM_SQL);
      expect(r.rows).toHaveLength(3);
      for (const row of r.rows) expect(String(row.hi).length).toBeGreaterThan(0);
    } finally {
      c.off('notice', onNotice);
    }
    expect(notices.some((n) => /^progress: \d+\/\d+ model calls/.test(n))).toBe(true);
    expect(notices.some((n) => /model calls .*simulated GPUs/.test(n))).toBe(true);
  }, 60_000);

  it('a workflow call returns its typed record', async () => {
    const r = await c.query('SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 1) s, q4_summary(s.symbol) t');
    expect(r.rows).toHaveLength(1);
    expect(r.fields.map((x) => x.name)).toContain('text');
  }, 60_000);

  it("SET agentlake.priority = 'low' is accepted and the connection's next jobs carry it", async () => {
    const set = await c.query("SET agentlake.priority = 'low'");
    expect(set.command).toBe('SET');
    expect((await c.query('SHOW agentlake.priority')).rows).toEqual([{ 'agentlake.priority': 'low' }]);
    await c.query('SELECT 1 AS one');
    expect(lastJob()).toMatchObject({ sql: 'SELECT 1 AS one', priority: 'low', state: 'done' });
    // Another connection keeps the default.
    const other = await pgClient(f.server.pgPort, { user: 'other' });
    try {
      expect((await other.query('SHOW agentlake.priority')).rows).toEqual([{ 'agentlake.priority': 'medium' }]);
      await other.query('SELECT 2 AS two');
      expect(lastJob()).toMatchObject({ priority: 'medium', user: 'other' });
    } finally {
      await other.end();
    }
    await c.query('SET agentlake.priority TO high');
    await c.query('SELECT 3 AS three');
    expect(lastJob()?.priority).toBe('high');
    const bad = await rejection(c.query("SET agentlake.priority = 'urgent'"));
    expect(bad['code']).toBe('22023');
    expect(bad['position']).toBe('26');
    await c.query('RESET agentlake.priority');
    await c.query('SELECT 4 AS four');
    expect(lastJob()?.priority).toBe('medium');
  });

  it('SET agentlake.cache and agentlake.optimizer are per connection, carried by its jobs; agentlake.gpus is the server\'s', async () => {
    const sql = "SELECT symbol, llm('qwen3_8b', 'One word for ' || symbol, max_tokens => 6) AS w FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 2) ORDER BY symbol";
    const first = await c.query(sql);
    expect(lastJob()).toMatchObject({ state: 'done', settings: {} });
    await c.query('SET agentlake.cache = off');
    await c.query("SET agentlake.optimizer TO 'off'");
    expect((await c.query('SHOW agentlake.cache')).rows).toEqual([{ 'agentlake.cache': 'off' }]);
    const again = await c.query(sql);
    expect(again.rows).toEqual(first.rows);
    const job = f.server.manager.list('default').at(-1) as { settings: Record<string, string>; progress: { cacheHits: number; callsDone: number } } | undefined;
    expect(job?.settings).toEqual({ cache: 'off', optimizer: 'off' });
    // Cache off for this connection: the same calls executed again, no hits.
    expect(job?.progress).toMatchObject({ callsDone: 2, cacheHits: 0 });
    const other = await pgClient(f.server.pgPort, { user: 'other' });
    try {
      expect((await other.query('SHOW agentlake.cache')).rows).toEqual([{ 'agentlake.cache': 'on' }]);
      expect((await other.query(sql)).rows).toEqual(first.rows);
      const theirs = f.server.manager.list('default').at(-1) as { settings: Record<string, string>; progress: { cacheHits: number } } | undefined;
      expect(theirs?.settings).toEqual({});
      expect(theirs?.progress.cacheHits).toBe(2);
      expect((await other.query('SHOW agentlake.gpus')).rows).toEqual([{ 'agentlake.gpus': '2' }]);
      const gpus = await rejection(other.query('SET agentlake.gpus = 8'));
      expect(gpus['message']).toMatch(/set by the server/);
      expect((await other.query('SHOW agentlake.device')).rows).toEqual([{ 'agentlake.device': 'h100' }]);
      expect((await other.query('SHOW agentlake.warm')).rows).toEqual([{ 'agentlake.warm': 'off' }]);
      expect((await other.query('SHOW agentlake.reasoning')).rows).toEqual([{ 'agentlake.reasoning': 'off' }]);
      expect((await rejection(other.query('SET agentlake.reasoning = true')))['message']).toMatch(/agentlake.reasoning is set by the server/);
      const device = await rejection(other.query("SET agentlake.device = 'h200'"));
      expect(device['message']).toMatch(/agentlake.device is set by the server \(2× H100, cold\)/);
      const unknown = await rejection(other.query('SET agentlake.cahce = off'));
      expect(unknown['message']).toMatch(/unknown setting 'agentlake.cahce'/);
    } finally {
      await other.end();
    }
    await c.query('RESET agentlake.cache');
    await c.query('RESET agentlake.optimizer');
    await c.query(sql);
    expect(lastJob()).toMatchObject({ settings: {} });
  }, 60_000);

  it('errors carry SQLSTATE and the position; the connection goes on', async () => {
    const syntax = await rejection(c.query('SELECT 1 FROM symbols WHERE'));
    expect(syntax['code']).toBe('42601');
    const table = await rejection(c.query('SELECT  *  FROM nope_table'));
    expect(table['code']).toBe('42P01');
    expect(table['position']).toBe('17');
    expect(lastJob()).toMatchObject({ sql: 'SELECT  *  FROM nope_table', state: 'failed' });
    expect((await c.query('SELECT 5 AS five')).rows).toEqual([{ five: 5 }]);
  });

  it('a cancel request cancels the job', async () => {
    const victim = await pgClient(f.server.pgPort, { user: 'victim' });
    try {
      const backend = victim as unknown as { processID: number; secretKey: number };
      let cancelled: Promise<void> | undefined;
      victim.on('notice', (n: { message?: string | undefined }) => {
        if (!cancelled && /^progress:/.test(n.message ?? '')) cancelled = sendCancel(f.server.pgPort, backend.processID, backend.secretKey);
      });
      const e = await rejection(victim.query(bigWorkflow(64)));
      expect(e['code']).toBe('57014');
      expect(cancelled).toBeDefined();
      const job = f.server.manager.list('default').find((j) => j.user === 'victim');
      expect(job?.state).toBe('cancelled');
      expect((await victim.query('SELECT 6 AS six')).rows).toEqual([{ six: 6 }]);
    } finally {
      await victim.end();
    }
  }, 120_000);

  it("psql's \\dt goes through the executor", async () => {
    const r = await psql(f.server.pgPort, ['-c', '\\dt']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/symbols/);
  }, 60_000);
});
