// The real `agentlake serve` command: it prints where it listens (parseable `listening` lines), says
// that it trusts local connections when no users are given, serves HTTP and Postgres wire, and stops
// cleanly on SIGINT (exit code 0). Killed with SIGKILL in the middle of a job, the next process on
// the same lakehouse resumes the job and finishes it without running a finished call again. A
// --users file it cannot read is a usage error.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';
import { pgClient } from './pgwire-helpers.ts';
import { Database } from '../../src/storage/duckdb.ts';
import { bearerToken, bigWorkflow, http, pollJob, runJob, type JobJson, type TableJson } from './http-helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'agentlake.js');

/** Spawns the CLI; resolves once it printed its start-up lines, the last being "Ctrl-C stops it" (or exited). */
function serveCli(args: readonly string[]): Promise<{ child: ChildProcess; out: () => string; err: () => string; pgPort: number; httpPort: number; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--pg-port', '0', '--http-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const pg = /listening postgres \S+:(\d+)/.exec(out);
      const h = /listening http \S+:(\d+)/.exec(out);
      // The lines can arrive in several chunks: wait for the last one, not just the listening lines.
      if (pg && h && /Ctrl-C stops it/.test(out)) resolve({ child, out: () => out, err: () => err, pgPort: Number(pg[1]), httpPort: Number(h[1]), exit });
    };
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      check();
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    void exit.then((code) => reject(new Error(`agentlake serve exited (${String(code)}) before listening: ${out}${err}`)));
  });
}

describe('agentlake serve (the CLI)', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const d of dirs) removeLakehouse(d);
  });

  it('prints its ports, serves both endpoints and stops on SIGINT', async () => {
    const dir = await freshLakehouse({ demo: true });
    dirs.push(dir);
    const s = await serveCli(['--lakehouse', dir]);
    children.push(s.child);
    expect(s.out()).toMatch(/every connection is TRUSTED/);
    const job = await runJob(s.httpPort, 'SELECT count(*) AS n FROM symbols');
    expect(job.state).toBe('done');
    const r = await http<TableJson>(s.httpPort, 'GET', `/v1/jobs/${job.id}/result`);
    expect(Number(r.json.rows[0]?.[0])).toBeGreaterThan(0);
    const c = await pgClient(s.pgPort);
    try {
      expect((await c.query('SELECT 42 AS n')).rows).toEqual([{ n: 42 }]);
    } finally {
      await c.end();
    }
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(0);
    expect(s.out()).toMatch(/stopping/);
  }, 120_000);

  it('SIGKILL mid-job: the next process finishes the job with every row, calls done before the kill not run again', async () => {
    const dir = await freshLakehouse({ demo: true });
    dirs.push(dir);
    const first = await serveCli(['--lakehouse', dir, '--gpus', '2']);
    children.push(first.child);
    const submitted = await http<JobJson>(first.httpPort, 'POST', '/v1/jobs', { body: bigWorkflow(12) });
    expect(submitted.status).toBe(202);
    const id = submitted.json.id;
    const before = await pollJob(first.httpPort, id, { until: (j) => j.progress.callsDone >= 10 || j.state !== 'queued' && j.state !== 'running' });
    expect(before.state).toBe('running');
    first.child.kill('SIGKILL');
    await first.exit;
    // What the killed process had finished: the response cache rows it committed (DuckDB replays its WAL).
    const db = await Database.open(join(dir, 'agentlake.duckdb'));
    let finishedBefore: number;
    try {
      finishedBefore = Number((await db.all('SELECT count(*) AS n FROM agentlake_response_cache'))[0]?.['n']);
      expect((await db.all('SELECT state FROM agentlake_jobs WHERE id = $1', [id]))[0]?.['state']).toBe('running');
    } finally {
      db.close();
    }
    expect(finishedBefore).toBeGreaterThan(0);

    const second = await serveCli(['--lakehouse', dir, '--gpus', '2']);
    children.push(second.child);
    expect(second.out()).toMatch(/1 job\(s\) resumed/);
    const job = await pollJob(second.httpPort, id, { timeoutMs: 120_000 });
    expect(job.state).toBe('done');
    const r = (await http<TableJson>(second.httpPort, 'GET', `/v1/jobs/${id}/result`)).json;
    expect(r.rows).toHaveLength(12);
    expect(new Set(r.rows.map((row) => row[0])).size).toBe(12);
    const stats = r.stats ?? {};
    // Every call finished before the kill is answered by the cache; the rest ran once each.
    expect(stats['response_cache_hits']).toBe(finishedBefore);
    expect(finishedBefore).toBeLessThan(Number(stats['calls_total']));
    expect(Number(stats['calls_executed']) + finishedBefore).toBe(Number(stats['calls_total']) - Number(stats['dedup_saved']));
    second.child.kill('SIGINT');
    expect(await second.exit).toBe(0);
  }, 240_000);

  it('checks credentials with --users and refuses an unreadable users file', async () => {
    const dir = await freshLakehouse({ demo: false });
    dirs.push(dir);
    const users = join(dir, 'users.json');
    writeFileSync(users, JSON.stringify([{ name: 'alice', tenant: 'acme', password: 'wonderland' }]));
    const s = await serveCli(['--lakehouse', dir, '--users', users]);
    children.push(s.child);
    expect(s.out()).not.toMatch(/TRUSTED/);
    expect((await http(s.httpPort, 'GET', '/v1/jobs')).status).toBe(401);
    expect((await http(s.httpPort, 'GET', '/v1/jobs', { token: bearerToken('alice', 'wonderland') })).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);

    writeFileSync(users, '{"not": "an array"}');
    const bad = spawn(process.execPath, [BIN, 'serve', '--lakehouse', dir, '--users', users, '--pg-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(bad);
    let err = '';
    bad.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => bad.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(err).toMatch(/cannot read users/);
  }, 120_000);
});
