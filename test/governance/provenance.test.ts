// Provenance: the agentlake_provenance and agentlake_runs tables (documented columns, added to older
// lakehouses), rows written through writeProvenance/writeRun, and what a run records: one row per
// action, a failed call as status 'error' with its message, job and tenant of a batch, and never the
// value of an API key, whatever the endpoint answers. Both tables are queried as plain SQL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { ensureProvenanceTables, writeProvenance, writeRun } from '../../src/governance/provenance.ts';
import { Database } from '../../src/storage/duckdb.ts';
import { setupSession } from '../helpers/bind.ts';

/** The columns governance/README.md documents for each table. */
const EVENT_COLUMNS = [
  'run_id', 'step', 'action', 'input', 'kind', 'model', 'model_version', 'endpoint', 'prompt_hash', 'input_refs', 'output_ref',
  'response_cache_hit', 'cached_tokens', 'tokens_in', 'tokens_out', 'worker', 'started_at', 'ended_at', 'status', 'error', 'shared_with', 'job_id', 'tenant',
];
const RUN_COLUMNS = ['run_id', 'statement', 'started_at', 'status', 'errors', 'prompt_tokens', 'calls_total', 'calls_executed', 'response_cache_hits', 'job_id', 'tenant'];

async function columnsOf(db: Database, table: string): Promise<string[]> {
  return (await db.all('SELECT column_name FROM duckdb_columns() WHERE table_name = $1 ORDER BY column_index', [table])).map((r) => String(r['column_name']));
}

describe('tables and writers', () => {
  let dir: string;
  let db: Database;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentlake-provenance-test-'));
    db = await Database.open(join(dir, 'p.duckdb'));
  });

  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates both tables with the documented columns; a second call changes nothing', async () => {
    await ensureProvenanceTables(db);
    await ensureProvenanceTables(db);
    expect(await columnsOf(db, 'agentlake_provenance')).toEqual(expect.arrayContaining(EVENT_COLUMNS));
    expect(await columnsOf(db, 'agentlake_runs')).toEqual(expect.arrayContaining(RUN_COLUMNS));
    const n = (await columnsOf(db, 'agentlake_provenance')).length;
    expect(new Set(await columnsOf(db, 'agentlake_provenance')).size).toBe(n);
  });

  it('writes one row per event; fields not given are NULL; lists and booleans keep their types', async () => {
    await writeProvenance(db, [
      { run_id: 'r1', step: 'w.a', action: 'a#0', input: 0, kind: 'llm', model: 'chat', model_version: 2, prompt_hash: 'h'.repeat(64), input_refs: ['x', 'y'], response_cache_hit: true, tokens_in: 12, status: 'ok' },
      { run_id: 'r1', action: 'b#0', kind: 'sql', status: 'error', error: 'E0101: boom' },
    ]);
    await writeProvenance(db, []);
    const rows = await db.all("SELECT * FROM agentlake_provenance WHERE run_id = 'r1' ORDER BY action");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ step: 'w.a', input: 0, model_version: 2, input_refs: ['x', 'y'], response_cache_hit: true, tokens_in: 12, error: null, job_id: null, tenant: null, shared_with: null });
    expect(rows[1]).toMatchObject({ kind: 'sql', model: null, status: 'error', error: 'E0101: boom', input_refs: null });
  });

  it('writes run summaries', async () => {
    await writeRun(db, { run_id: 'r1', statement: 'SELECT 1', simulated: true, calls_total: 3, errors: 1, status: 'ok', tenant: 't1' });
    expect(await db.all("SELECT statement, simulated, calls_total, errors, status, tenant, job_id FROM agentlake_runs WHERE run_id = 'r1'")).toEqual([
      { statement: 'SELECT 1', simulated: true, calls_total: 3, errors: 1, status: 'ok', tenant: 't1', job_id: null },
    ]);
  });

  it('adds the columns an older lakehouse lacks, NULL in its old rows', async () => {
    const old = await Database.open(join(dir, 'old.duckdb'));
    try {
      // The table as it was before shared_with, job_id and tenant existed.
      await old.run(`CREATE TABLE agentlake_provenance (run_id VARCHAR, step VARCHAR, action VARCHAR, input INTEGER, kind VARCHAR, model VARCHAR,
        model_version INTEGER, endpoint VARCHAR, prompt_hash VARCHAR, input_refs VARCHAR[], output_ref VARCHAR, response_cache_hit BOOLEAN,
        cached_tokens BIGINT, tokens_in BIGINT, tokens_out BIGINT, worker VARCHAR, started_at DOUBLE, ended_at DOUBLE, status VARCHAR, error VARCHAR)`);
      await old.run("INSERT INTO agentlake_provenance (run_id, action, kind, status) VALUES ('old', 'a', 'llm', 'ok')");
      await ensureProvenanceTables(old);
      expect(await columnsOf(old, 'agentlake_provenance')).toEqual(expect.arrayContaining(EVENT_COLUMNS));
      expect(await old.all("SELECT status, shared_with, job_id, tenant FROM agentlake_provenance WHERE run_id = 'old'")).toEqual([{ status: 'ok', shared_with: null, job_id: null, tenant: null }]);
      await writeProvenance(old, [{ run_id: 'new', action: 'b', kind: 'llm', status: 'ok', tenant: 't' }]);
      expect(await old.all("SELECT action, status, tenant FROM agentlake_provenance WHERE run_id = 'new'")).toEqual([{ action: 'b', status: 'ok', tenant: 't' }]);
    } finally {
      await old.close();
    }
  });
});

/** An OpenAI-compatible endpoint that refuses every call with HTTP 400 and a message. */
async function refusingServer(message: (auth: string) => string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: message(String(req.headers.authorization ?? '')), type: 'invalid_request_error' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('what a run records', () => {
  const secret = `sk-gov-${randomBytes(16).toString('hex')}`;
  const VAR = 'AGENTLAKE_GOVERNANCE_TEST_KEY';
  let session: Session;
  let dispose: () => Promise<void>;
  let refusing: Awaited<ReturnType<typeof refusingServer>>;
  let echoing: Awaited<ReturnType<typeof refusingServer>>;

  beforeAll(async () => {
    process.env[VAR] = secret;
    refusing = await refusingServer(() => 'model is on fire');
    // A server that echoes the credentials it received back in its error (some proxies do).
    echoing = await refusingServer((auth) => `invalid key: ${auth}`);
    ({ session, dispose } = await setupSession(`
      CREATE TABLE docs AS SELECT i AS id, 'title ' || i AS title FROM range(3) t(i);
      CREATE MODEL chat (KIND llm, ENDPOINT 'sim://');
      CREATE MODEL broken (KIND llm, ENDPOINT '${refusing.url}', API_KEY_ENV '${VAR}');
      CREATE MODEL echo (KIND llm, ENDPOINT '${echoing.url}', API_KEY_ENV '${VAR}');
    `));
  });

  afterAll(async () => {
    await dispose();
    await refusing.close();
    await echoing.close();
    delete process.env[VAR];
  });

  /** The one run of a statement (each test runs its own statement text). */
  async function runOf(sql: string): Promise<Record<string, unknown> | undefined> {
    const rows = await session.lakehouse.db.all('SELECT * FROM agentlake_runs WHERE statement = $1', [sql]);
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  it('one row per action of the plan, all of one run, with the run summarized in agentlake_runs', async () => {
    const sql = "SELECT id, llm('chat', 'Title: {{title}}', max_tokens => 16) AS t FROM docs";
    const explained = await session.runScript({ name: 'q.sql', text: sql }, 'explain');
    const total = explained.kind === 'explain' ? (explained.json as { actions: { total: number } }).actions.total : -1;
    const out = await session.runScript({ name: 'q.sql', text: sql }, 'run');
    expect(out.kind).toBe('rows');
    const run = await runOf(sql);
    expect(run).toMatchObject({ statement: sql, status: 'ok', errors: 0, calls_total: 3, simulated: true });
    const runId = String(run?.['run_id']);
    const rows = await session.lakehouse.db.all('SELECT * FROM agentlake_provenance WHERE run_id = $1', [runId]);
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r['action'])).size).toBe(rows.length);
    const calls = rows.filter((r) => r['kind'] === 'llm');
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(c).toMatchObject({ model: 'chat', model_version: 1, endpoint: 'sim://', status: 'ok', error: null, response_cache_hit: false, job_id: null, tenant: null });
      expect(c['prompt_hash']).toMatch(/^[0-9a-f]{64}$/);
      expect(c['tokens_in']).toBeGreaterThan(0);
      expect(c['tokens_out']).toBeGreaterThan(0);
    }
    // Queryable as SQL: a join of both tables.
    const joined = await session.lakehouse.db.all(`
      SELECT r.statement, count(*) FILTER (WHERE p.kind = 'llm') AS llm_calls, sum(p.tokens_in) AS tokens
      FROM agentlake_runs r JOIN agentlake_provenance p USING (run_id) WHERE r.run_id = $1 GROUP BY r.statement`, [runId]);
    expect(joined).toEqual([{ statement: sql, llm_calls: 3, tokens: run?.['prompt_tokens'] }]);
  });

  it('a failed call is a row with status error and its message; the run counts it', async () => {
    const sql = "SELECT id, llm('broken', 'Title: {{title}}') AS t FROM docs WHERE id = 0";
    const out = await session.runScript({ name: 'q.sql', text: sql }, 'run');
    expect(out.kind).toBe('rows');
    const run = await runOf(sql);
    expect(run?.['errors']).toBe(1);
    const failed = await session.lakehouse.db.all("SELECT * FROM agentlake_provenance WHERE run_id = $1 AND kind = 'llm'", [String(run?.['run_id'])]);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ model: 'broken', status: 'error' });
    expect(String(failed[0]?.['error'])).toMatch(/^E\d{4}: /);
    expect(String(failed[0]?.['error'])).toContain('model is on fire');
  });

  it('never stores the API key: not in provenance, runs or the catalog', async () => {
    const db = session.lakehouse.db;
    for (const table of ['agentlake_provenance', 'agentlake_runs', 'agentlake_models']) {
      expect(JSON.stringify((await db.query(`SELECT * FROM ${table}`)).rows), table).not.toContain(secret);
    }
    expect(JSON.stringify((await db.query('SELECT * FROM agentlake_models')).rows)).toContain(VAR);
  });

  // The endpoint's error text is recorded verbatim, so a server that echoes the Authorization header
  // puts the key into agentlake_provenance.error (and the row's _error). Expected: redacted.
  it.fails('never stores the API key, even when the endpoint echoes it in an error', async () => {
    const sql = "SELECT id, llm('echo', 'Title: {{title}}') AS t FROM docs WHERE id = 1";
    const out = await session.runScript({ name: 'q.sql', text: sql }, 'run');
    const run = await runOf(sql);
    const rows = await session.lakehouse.db.query('SELECT * FROM agentlake_provenance WHERE run_id = $1', [String(run?.['run_id'])]);
    expect(JSON.stringify(rows.rows)).toContain('invalid key');
    expect(JSON.stringify(rows.rows)).not.toContain(secret);
    expect(JSON.stringify(out)).not.toContain(secret);
  });

  it('a batch records each job and tenant; an identical call of another job shares its output', async () => {
    const sql = "SELECT id, llm('chat', 'Shared: {{title}}', max_tokens => 8) AS t FROM docs";
    const results = await session.runBatch([
      { source: { name: 'a.sql', text: sql }, job: { id: 'job-a', tenant: 'alice' } },
      { source: { name: 'b.sql', text: sql }, job: { id: 'job-b', tenant: 'bob' } },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const byJob = await session.lakehouse.db.all(`
      SELECT job_id, tenant, count(*) AS calls, count(shared_with) AS shared
      FROM agentlake_provenance WHERE job_id IN ('job-a', 'job-b') AND kind = 'llm' GROUP BY ALL ORDER BY job_id`);
    expect(byJob.map((r) => [r['job_id'], r['tenant'], r['calls']])).toEqual([['job-a', 'alice', 3], ['job-b', 'bob', 3]]);
    // The 3 distinct prompts execute once: one job's calls point at the other's.
    expect(byJob.reduce((n, r) => n + Number(r['shared']), 0)).toBe(3);
    const shared = await session.lakehouse.db.all('SELECT shared_with, output_ref FROM agentlake_provenance WHERE shared_with IS NOT NULL AND job_id IS NOT NULL');
    for (const s of shared) {
      expect(String(s['shared_with'])).toMatch(/^[^/]+\/.+$/);
      expect(s['output_ref']).toBe(s['shared_with']);
    }
    const jobRuns = await session.lakehouse.db.all("SELECT job_id, tenant FROM agentlake_runs WHERE job_id IS NOT NULL ORDER BY job_id");
    expect(jobRuns).toEqual([{ job_id: 'job-a', tenant: 'alice' }, { job_id: 'job-b', tenant: 'bob' }]);
  });
});
