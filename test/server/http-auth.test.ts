// The HTTP API with users configured: bearer tokens (base64 of name:password, or the same as HTTP
// Basic) checked against every stored password format, refused without or with bad credentials;
// tenants see only their own jobs, results and provenance (another tenant's id is a 404), while
// users of one tenant share them.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/server/pgwire/auth.ts';
import { pgClient } from './pgwire-helpers.ts';
import { bearerToken, http, LLM_SQL, runJob, startServe, type ErrorJson, type JobJson, type ServeFixture, type TableJson } from './http-helpers.ts';

describe('HTTP API with users', () => {
  let f: ServeFixture;
  let port: number;
  const alice = bearerToken('alice', 'wonderland');
  const bob = bearerToken('bob', 'builder');
  const carol = bearerToken('carol', 'singer');
  const dave = bearerToken('dave', 'stapler');
  beforeAll(async () => {
    f = await startServe({
      users: [
        { name: 'alice', tenant: 'acme', password: 'wonderland' },
        { name: 'bob', tenant: 'globex', password: await hashPassword('builder', 'scrypt') },
        { name: 'carol', tenant: 'acme', password: `md5${createHash('md5').update('singercarol').digest('hex')}` },
        { name: 'dave', tenant: 'initech', password: await hashPassword('stapler', 'scram') },
      ],
    });
    port = f.server.httpPort;
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('binds every interface and checks credentials', () => {
    expect(f.server.trusting).toBe(false);
    expect(f.server.host).toBe('0.0.0.0');
  });

  it('refuses requests without a token, with a bad token or a malformed header', async () => {
    const none = await http<ErrorJson>(port, 'GET', '/v1/jobs');
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('H0401');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    for (const authorization of [`Bearer ${bearerToken('alice', 'wrong')}`, `Bearer ${bearerToken('mallory', 'wonderland')}`, 'Bearer !!!', 'Token abc', `Bearer ${Buffer.from('alice').toString('base64')}`]) {
      const a = await http<ErrorJson>(port, 'GET', '/v1/jobs', { authorization });
      expect([authorization, a.status]).toEqual([authorization, 401]);
    }
    const submit = await http<ErrorJson>(port, 'POST', '/v1/jobs', { body: 'SELECT 1' });
    expect(submit.status).toBe(401);
  });

  it('accepts each password format as a bearer token and as HTTP Basic', async () => {
    for (const token of [alice, bob, carol, dave]) expect((await http(port, 'GET', '/v1/jobs', { token })).status).toBe(200);
    expect((await http(port, 'GET', '/v1/jobs', { authorization: `Basic ${alice}` })).status).toBe(200);
  });

  it("a tenant never sees another tenant's jobs, results or provenance", async () => {
    const job = await runJob(port, LLM_SQL, { token: alice });
    expect(job.state).toBe('done');
    expect(job.user).toBe('alice');
    const mine = await http<TableJson>(port, 'GET', `/v1/jobs/${job.id}/provenance`, { token: alice });
    expect(mine.status).toBe(200);
    expect(mine.json.rows.length).toBeGreaterThanOrEqual(3);

    for (const path of [`/v1/jobs/${job.id}`, `/v1/jobs/${job.id}/result`, `/v1/jobs/${job.id}/result?format=arrow`, `/v1/jobs/${job.id}/provenance`]) {
      const a = await http<ErrorJson>(port, 'GET', path, { token: bob });
      expect([path, a.status, a.json.error.code]).toEqual([path, 404, 'H0404']);
      // Exactly like an unknown id.
      expect(a.json.error.message).toBe(`no job '${job.id}'`);
    }
    expect((await http(port, 'POST', `/v1/jobs/${job.id}/cancel`, { token: bob })).status).toBe(404);
    expect((await http(port, 'DELETE', `/v1/jobs/${job.id}`, { token: bob })).status).toBe(404);
    expect((await http<{ jobs: JobJson[] }>(port, 'GET', '/v1/jobs', { token: bob })).json.jobs).toEqual([]);
    expect((await http<{ jobs: JobJson[] }>(port, 'GET', '/v1/jobs', { token: dave })).json.jobs).toEqual([]);

    // carol is in alice's tenant: she sees the job and its result.
    const listed = (await http<{ jobs: JobJson[] }>(port, 'GET', '/v1/jobs', { token: carol })).json.jobs;
    expect(listed.map((j) => j.id)).toEqual([job.id]);
    const r = await http<TableJson>(port, 'GET', `/v1/jobs/${job.id}/result`, { token: carol });
    expect(r.status).toBe(200);
    expect(r.json.rows).toHaveLength(3);

    // bob's own job is his alone.
    const his = await runJob(port, 'SELECT 2 AS two', { token: bob });
    expect((await http<{ jobs: JobJson[] }>(port, 'GET', '/v1/jobs', { token: bob })).json.jobs.map((j) => j.id)).toEqual([his.id]);
    expect((await http(port, 'GET', `/v1/jobs/${his.id}`, { token: alice })).status).toBe(404);
  }, 120_000);

  it("pgwire statements are jobs of the login's tenant, visible over HTTP to that tenant only", async () => {
    const c = await pgClient(f.server.pgPort, { user: 'dave', password: 'stapler' });
    try {
      expect((await c.query("SELECT 'via pg' AS s")).rows).toEqual([{ s: 'via pg' }]);
    } finally {
      await c.end();
    }
    const jobs = (await http<{ jobs: JobJson[] }>(port, 'GET', '/v1/jobs', { token: dave })).json.jobs;
    expect(jobs.map((j) => [j.sql, j.user, j.state])).toEqual([["SELECT 'via pg' AS s", 'dave', 'done']]);
    const others = (await http<{ jobs: JobJson[] }>(port, 'GET', '/v1/jobs', { token: alice })).json.jobs;
    expect(others.some((j) => j.sql.includes('via pg'))).toBe(false);
  }, 60_000);
});
