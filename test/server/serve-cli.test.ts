// The real `agentlake serve` command: it prints where it listens (parseable `listening` lines), says
// that it trusts local connections when no users are given, serves HTTP and Postgres wire, and stops
// cleanly on SIGINT (exit code 0). A --users file it cannot read is a usage error.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';
import { pgClient } from './pgwire-helpers.ts';
import { bearerToken, http, runJob, type TableJson } from './http-helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'agentlake.js');

/** Spawns the CLI; resolves once it printed both listening lines (or exited). */
function serveCli(args: readonly string[]): Promise<{ child: ChildProcess; out: () => string; err: () => string; pgPort: number; httpPort: number; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--pg-port', '0', '--http-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const pg = /listening postgres \S+:(\d+)/.exec(out);
      const h = /listening http \S+:(\d+)/.exec(out);
      if (pg && h) resolve({ child, out: () => out, err: () => err, pgPort: Number(pg[1]), httpPort: Number(h[1]), exit });
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
