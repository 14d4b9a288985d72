// The Postgres-wire endpoint driven by the real psql binary (Debian's postgresql-client; CI installs
// it with scripts/ensure-psql.sh): plain SQL over an SSL-refusing server, several statements in one
// Query, version() and session settings, \dt, \d table, \l, \dn, a syntax error with its position,
// and password authentication (SCRAM accepted, a wrong password refused).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psql, startTestServer, type TestServer } from './pgwire-helpers.ts';

describe('pgwire with psql (trusted, no users)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it('runs plain SQL over a connection whose SSL request was refused', async () => {
    const r = await psql(t.port, ['-At', '-c', 'SELECT symbol FROM symbols ORDER BY symbol LIMIT 3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('returns every result of a multi-statement query', async () => {
    const r = await psql(t.port, ['-At', '-c', "SELECT 1 AS a; SELECT 'two' AS b; SELECT count(*) FROM symbols"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['1', 'two']);
    expect(Number(lines[2])).toBeGreaterThan(0);
  });

  it('answers version() like PostgreSQL and handles SET/SHOW of session settings', async () => {
    const r = await psql(t.port, ['-At', '-c', 'SELECT version()', '-c', "SET application_name = 'bi-tool'", '-c', 'SHOW application_name', '-c', 'SET DateStyle = ISO', '-c', 'SHOW DateStyle', '-c', 'SET extra_float_digits = 3', '-c', 'SHOW standard_conforming_strings', '-c', 'SET search_path = public', '-c', 'SHOW client_encoding']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([expect.stringMatching(/^PostgreSQL 15\.\d+ \(agentlake /), 'SET', 'bi-tool', 'SET', 'ISO', 'SET', 'on', 'SET', 'UTF8', '']);
  });

  it('\\dt lists the lakehouse tables', async () => {
    const r = await psql(t.port, ['-c', '\\dt']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('List of relations');
    expect(r.stdout).toMatch(/main\s+\|\s+symbols\s+\|\s+table/);
    expect(r.stdout).toMatch(/main\s+\|\s+news\s+\|\s+table/);
  });

  it('\\dt with a pattern lists only matching tables', async () => {
    const r = await psql(t.port, ['-c', '\\dt sym*']);
    expect(r.stdout).toMatch(/symbols/);
    expect(r.stdout).not.toMatch(/\bnews\b/);
  });

  it('\\d table shows its columns and types', async () => {
    const r = await psql(t.port, ['-c', '\\d news']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Table "main.news"');
    expect(r.stdout).toMatch(/ id\s+\| bigint/);
    expect(r.stdout).toMatch(/ day\s+\| date/);
    expect(r.stdout).toMatch(/ title\s+\| character varying/);
  });

  it('\\d of an unknown name says so without an error', async () => {
    const r = await psql(t.port, ['-c', '\\d no_such_table']);
    expect(r.stderr).toContain('Did not find any relation named "no_such_table"');
  });

  it('\\l and \\dn list the database and the schemas', async () => {
    const l = await psql(t.port, ['-c', '\\l']);
    expect(l.stderr).toBe('');
    expect(l.stdout).toContain('List of databases');
    expect(l.stdout).toMatch(/UTF8/);
    const dn = await psql(t.port, ['-c', '\\dn']);
    expect(dn.stderr).toBe('');
    expect(dn.stdout).toMatch(/ main\s+\|/);
  });

  it('a syntax error reports SQLSTATE 42601 and psql places the caret at the position', async () => {
    const r = await psql(t.port, ['-v', 'VERBOSITY=verbose', '-c', 'SELECT 1;\nSELEC symbol FROM symbols']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR:  42601:');
    // psql prints the line of the position and a caret under it: column 1 of line 2.
    expect(r.stderr).toMatch(/LINE 2: SELEC symbol FROM symbols\n\s{8}\^/);
  });

  it('an unknown table is 42P01 with the position of the name', async () => {
    const r = await psql(t.port, ['-v', 'VERBOSITY=verbose', '-c', 'SELECT * FROM no_such_table']);
    expect(r.stderr).toContain('ERROR:  42P01:');
    expect(r.stderr).toMatch(/LINE 1: SELECT \* FROM no_such_table\n {22}\^/);
  });
});

describe('pgwire with psql (users)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ users: [{ name: 'alice', tenant: 'acme', password: 'wonderland' }] });
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it('the right password logs in (SCRAM-SHA-256)', async () => {
    const r = await psql(t.port, ['-At', '-c', 'SELECT 6 * 7'], { user: 'alice', password: 'wonderland' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('42');
  });

  it('a wrong password is refused', async () => {
    const r = await psql(t.port, ['-At', '-c', 'SELECT 1'], { user: 'alice', password: 'looking-glass' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('password authentication failed for user "alice"');
    expect(r.stdout).toBe('');
  });

  it('an unknown user is refused the same way', async () => {
    const r = await psql(t.port, ['-At', '-c', 'SELECT 1'], { user: 'mallory', password: 'wonderland' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('password authentication failed for user "mallory"');
  });
});
