// The Postgres-wire endpoint driven by the `pg` npm client (extended query protocol): parameters,
// named prepared statements, type OIDs, an LLM query with progress notices, a workflow, errors with
// SQLSTATE and position, cancel through a CancelRequest on a second connection, binary results
// refused, and the three password formats (plaintext → SCRAM, md5, scrypt).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createHash } from 'node:crypto';
import { hashPassword } from '../../src/server/pgwire/auth.ts';
import { OID } from '../../src/server/pgwire/pg-types.ts';
import { pgClient, rejection, sendCancel, startTestServer, type TestServer } from './pgwire-helpers.ts';

describe('pgwire with the pg client', () => {
  let t: TestServer;
  let c: pg.Client;
  beforeAll(async () => {
    t = await startTestServer({ gpus: 2 });
    c = await pgClient(t.port);
  }, 60_000);
  afterAll(async () => {
    await c?.end();
    await t?.dispose();
  });

  it('plain SQL with correct type OIDs and text values', async () => {
    const r = await c.query("SELECT 1::SMALLINT AS i2, 2 AS i4, 3::BIGINT AS i8, 1.5::FLOAT AS f4, 2.5::DOUBLE AS f8, 12.34::DECIMAL(10,2) AS num, true AS b, 'x' AS t, DATE '2025-01-02' AS d, TIMESTAMP '2025-01-02 03:04:05' AS ts, TIMESTAMPTZ '2025-01-02 03:04:05+00' AS tz, '\\x41'::BLOB AS by, [1,2] AS l, {'a': 1} AS s, NULL::INTEGER AS n, ['a', 'b c', NULL, '{x}']::VARCHAR[] AS vl, [[1], [2]] AS nl");
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['i2', OID.int2], ['i4', OID.int4], ['i8', OID.int8], ['f4', OID.float4], ['f8', OID.float8], ['num', OID.numeric], ['b', OID.bool], ['t', OID.varchar],
      ['d', OID.date], ['ts', OID.timestamp], ['tz', OID.timestamptz], ['by', OID.bytea], ['l', 1007], ['s', OID.text], ['n', OID.int4],
      ['vl', 1015], ['nl', OID.text],
    ]);
    const row = r.rows[0] as Record<string, unknown>;
    expect(row['i2']).toBe(1);
    expect(row['i8']).toBe('3');
    expect(row['f8']).toBe(2.5);
    expect(row['num']).toBe('12.34');
    expect(row['b']).toBe(true);
    expect(row['t']).toBe('x');
    expect((row['tz'] as Date).toISOString()).toBe('2025-01-02T03:04:05.000Z');
    expect(Buffer.isBuffer(row['by']) && (row['by'] as Buffer).toString()).toBe('A');
    // Lists of a scalar type are PostgreSQL arrays, which the client parses; nested lists are JSON text.
    expect(row['l']).toEqual([1, 2]);
    expect(row['vl']).toEqual(['a', 'b c', null, '{x}']);
    expect(JSON.parse(String(row['nl']))).toEqual([[1], [2]]);
    expect(JSON.parse(String(row['s']))).toEqual({ a: 1 });
    expect(row['n']).toBeNull();
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(1);
  });

  it('parameters are substituted as literals, quotes and all', async () => {
    const r = await c.query('SELECT $1::VARCHAR AS s, $2::INTEGER + 1 AS n, $3 AS nothing', ["it's; DROP TABLE x --", 41, null]);
    expect(r.rows).toEqual([{ s: "it's; DROP TABLE x --", n: 42, nothing: null }]);
    const sym = await c.query('SELECT count(*) AS n FROM symbols WHERE symbol = $1', ['ALTP']);
    expect(Number(sym.rows[0]?.n)).toBe(1);
  });

  it('named prepared statements are parsed once and executed with new values', async () => {
    const q = { name: 'by_symbol', text: 'SELECT symbol FROM symbols WHERE symbol >= $1 ORDER BY symbol LIMIT $2' };
    const a = await c.query({ ...q, values: ['A', 2] });
    const b = await c.query({ ...q, values: ['B', 1] });
    expect(a.rows).toHaveLength(2);
    expect(b.rows).toHaveLength(1);
    expect(String(b.rows[0]?.symbol) >= 'B').toBe(true);
  });

  it('an LLM query returns one answer per row and sends progress notices', async () => {
    const notices: string[] = [];
    const onNotice = (n: { message?: string | undefined }): void => void notices.push(n.message ?? '');
    c.on('notice', onNotice);
    try {
      const r = await c.query("SELECT symbol, llm('qwen3_8b', 'Say hi to ' || symbol, max_tokens => 8) AS hi FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 3) ORDER BY symbol");
      expect(r.rows).toHaveLength(3);
      for (const row of r.rows) expect(String(row.hi).length).toBeGreaterThan(0);
    } finally {
      c.off('notice', onNotice);
    }
    expect(notices.some((n) => /^progress: \d+\/\d+ model calls/.test(n))).toBe(true);
    expect(notices.some((n) => /model calls .*simulated GPUs/.test(n))).toBe(true);
  });

  it('a workflow call returns its typed record', async () => {
    const r = await c.query('SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 1) s, q4_summary(s.symbol) t');
    expect(r.rows).toHaveLength(1);
    expect(r.fields.map((f) => f.name)).toContain('text');
    expect(String(r.rows[0]?.text).length).toBeGreaterThan(0);
  });

  it('errors carry SQLSTATE and the position in the query string', async () => {
    const syntax = await rejection(c.query('SELECT 1 FROM symbols WHERE'));
    expect(syntax['code']).toBe('42601');
    const table = await rejection(c.query('SELECT  *  FROM nope_table'));
    expect(table['code']).toBe('42P01');
    expect(table['position']).toBe('17');
    const column = await rejection(c.query('SELECT no_col FROM symbols'));
    expect(column['code']).toBe('42703');
    expect(column['position']).toBe('8');
    // The connection is still usable.
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('a cancel request on a second connection stops a long model query', async () => {
    const victim = await pgClient(t.port);
    try {
      const backend = victim as unknown as { processID: number; secretKey: number };
      let cancelled: Promise<void> | undefined;
      victim.on('notice', (n: { message?: string | undefined }) => {
        // The first progress notice: model calls are running. Cancel then, once.
        if (!cancelled && /^progress:/.test(n.message ?? '')) cancelled = sendCancel(t.port, backend.processID, backend.secretKey);
      });
      const big = "SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 64) s, q2_trading(s.symbol) t";
      const e = await rejection(victim.query(big));
      expect(e['code']).toBe('57014');
      expect(cancelled).toBeDefined();
      // The same connection then runs the next statement.
      expect((await victim.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await victim.end();
    }
  }, 120_000);

  it('a cancel request with the wrong key changes nothing', async () => {
    const backend = c as unknown as { processID: number; secretKey: number };
    await sendCancel(t.port, backend.processID, backend.secretKey ^ 1);
    expect((await c.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
  });

  it('statement_timeout cancels a statement that runs too long', async () => {
    const other = await pgClient(t.port);
    try {
      await other.query("SET statement_timeout = '1ms'");
      const e = await rejection(other.query("SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 64) s, q2_trading(s.symbol) t"));
      expect(e['code']).toBe('57014');
      await other.query('SET statement_timeout = 0');
      expect((await other.query('SELECT 4 AS four')).rows).toEqual([{ four: 4 }]);
    } finally {
      await other.end();
    }
  }, 120_000);

  it('binary result format is refused clearly', async () => {
    const e = await rejection(c.query({ text: 'SELECT $1::INTEGER AS x', values: [1], binary: true } as pg.QueryConfig));
    expect(e['code']).toBe('0A000');
    expect(String(e['message'])).toMatch(/binary result format is not supported/);
    expect((await c.query('SELECT 5 AS five')).rows).toEqual([{ five: 5 }]);
  });
});

describe('pgwire authentication with the pg client', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      users: [
        { name: 'alice', tenant: 'acme', password: 'wonderland' },
        { name: 'bob', tenant: 'globex', password: await hashPassword('builder', 'scrypt') },
        { name: 'carol', tenant: 'acme', password: `md5${createHash('md5').update('singercarol').digest('hex')}` },
        { name: 'dave', tenant: 'initech', password: await hashPassword('stapler', 'scram') },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });

  for (const [user, password] of [['alice', 'wonderland'], ['bob', 'builder'], ['carol', 'singer'], ['dave', 'stapler']] as const) {
    it(`${user} logs in with the right password and is refused with a wrong one`, async () => {
      const ok = await pgClient(t.port, { user, password });
      expect((await ok.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await ok.end();
      const e = await rejection(pgClient(t.port, { user, password: `${password}!` }));
      expect(String(e['message'])).toMatch(/password authentication failed/);
    });
  }
});
