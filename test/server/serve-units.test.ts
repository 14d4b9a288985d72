// Units behind `agentlake serve`: HTTP body parsing and encodings, password checks for bearer
// tokens, waiting for job ends, and JobManager.close leaving in-flight jobs for the next start.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSubmission } from '../../src/server/http/body.ts';
import { csvText, jsonText } from '../../src/server/http/encode.ts';
import { HttpError } from '../../src/server/http/errors.ts';
import { HttpAuth, bearerToken } from '../../src/server/http/auth.ts';
import { hashPassword, verifyPassword } from '../../src/server/pgwire/auth.ts';
import { JobEvents } from '../../src/service/job-events.ts';
import { JobManager } from '../../src/jobs/manager.ts';
import { MemoryJobStore } from '../../src/jobs/job-store.ts';
import type { BatchRun, JobRunner, SliceOutcome } from '../../src/jobs/runner.ts';
import type { Job } from '../../src/jobs/job.ts';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);

function status(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof HttpError ? e.status : -1;
  }
  return undefined;
}

describe('HTTP bodies and encodings', () => {
  it('reads SQL text and JSON submissions, with the priority from either (none given: none, the route decides)', () => {
    expect(parseSubmission('SELECT 1', 'text/plain; charset=utf-8', q())).toEqual({ sql: 'SELECT 1' });
    expect(parseSubmission('SELECT 1', undefined, q('priority=low'))).toEqual({ sql: 'SELECT 1', priority: 'low' });
    expect(parseSubmission('SELECT 1', 'application/x-www-form-urlencoded', q())).toEqual({ sql: 'SELECT 1' });
    expect(parseSubmission('{"sql":"SELECT 2","priority":"high"}', 'application/json', q('priority=low'))).toEqual({ sql: 'SELECT 2', priority: 'high' });
  });

  it('refuses malformed submissions with 400/415', () => {
    expect(status(() => parseSubmission('{', 'application/json', q()))).toBe(400);
    expect(status(() => parseSubmission('null', 'application/json', q()))).toBe(400);
    expect(status(() => parseSubmission('{"sql": ["x"]}', 'application/json', q()))).toBe(400);
    expect(status(() => parseSubmission('{"sql": "x", "user": "root"}', 'application/json', q()))).toBe(400);
    expect(status(() => parseSubmission('', 'text/plain', q()))).toBe(400);
    expect(status(() => parseSubmission('x', 'text/plain', q('priority=HIGHEST')))).toBe(400);
    expect(status(() => parseSubmission('x', 'multipart/form-data', q()))).toBe(415);
  });

  it('JSON never throws on BigInt; CSV quotes what needs quoting and leaves NULL empty', () => {
    expect(jsonText({ n: 2n ** 70n })).toBe('{"n":"1180591620717411303424"}');
    const csv = csvText([{ name: 'a', type: 'VARCHAR' }, { name: 'b,c', type: 'INTEGER' }, { name: 'j', type: 'STRUCT(x INTEGER)' }], [['x"y', null, { x: 1 }], ['', 3, null], ['line\nbreak', -1, [1, 2]]]);
    expect(csv).toBe('a,"b,c",j\r\n"x""y",,"{""x"":1}"\r\n"",3,\r\n"line\nbreak",-1,"[1,2]"\r\n');
  });
});

describe('bearer tokens', () => {
  it('verifyPassword checks every stored format against the cleartext', async () => {
    const cases: [string, string][] = [
      ['plain', 'plain'],
      [await hashPassword('scrammy', 'scram'), 'scrammy'],
      [await hashPassword('scrypty', 'scrypt'), 'scrypty'],
      [`md5${createHash('md5').update('md5yu').digest('hex')}`, 'md5y'],
    ];
    for (const [stored, password] of cases) {
      const user = { name: 'u', tenant: 't', password: stored };
      expect(verifyPassword(user, password)).toBe(true);
      expect(verifyPassword(user, `${password}x`)).toBe(false);
      expect(verifyPassword(user, '')).toBe(false);
    }
  });

  it('HttpAuth names the tenant of a good token and refuses the rest with 401', () => {
    const auth = new HttpAuth([{ name: 'ann', tenant: 'acme', password: 'pw:with:colons' }]);
    expect(auth.identify(`Bearer ${bearerToken('ann', 'pw:with:colons')}`)).toEqual({ tenant: 'acme', user: 'ann' });
    // Twice: the second answer comes from the checked-token cache.
    expect(auth.identify(`bearer ${bearerToken('ann', 'pw:with:colons')}`)).toEqual({ tenant: 'acme', user: 'ann' });
    for (const h of [undefined, '', 'Bearer', `Bearer ${bearerToken('ann', 'pw')}`, `Bearer ${bearerToken('bob', 'pw:with:colons')}`, 'Bearer a b']) {
      expect(status(() => auth.identify(h))).toBe(401);
    }
    expect(new HttpAuth().identify(undefined)).toEqual({ tenant: 'default', user: 'local' });
  });
});

/** A runner whose slices end only when released. */
class HeldRunner implements JobRunner {
  release: (() => void) | undefined;
  started = 0;
  capacity(): number {
    return 1;
  }
  run(batch: BatchRun): Promise<readonly SliceOutcome[]> {
    this.started++;
    return new Promise((resolve) => {
      this.release = () => resolve(batch.slices.map((r) => ({ sliceId: r.slice.id, ok: true })));
    });
  }
}

describe('job ends and shutdown', () => {
  it('JobManager.close drops what in-flight batches report, so their jobs resume on the next open', async () => {
    const store = new MemoryJobStore();
    const runner = new HeldRunner();
    const m = await JobManager.open({ runner, store });
    m.start();
    const a = await m.submit({ tenant: 't', user: 'u', sql: 'SELECT 1' });
    await m.submit({ tenant: 't', user: 'u', sql: 'SELECT 2' });
    while (runner.release === undefined) await new Promise((r) => setTimeout(r, 1));
    expect(runner.started).toBe(1);
    const closing = m.close();
    runner.release?.();
    await closing;
    await expect(m.submit({ tenant: 't', user: 'u', sql: 'SELECT 3' })).rejects.toThrow(/closed/);
    const stored = await store.load();
    expect(stored.map((j) => j.state)).toEqual(['running', 'queued']);
    const again = await JobManager.open({ runner: { capacity: () => 1, run: async (b) => b.slices.map((r) => ({ sliceId: r.slice.id, ok: true })) }, store });
    expect(again.resumed).toEqual([a.id]);
    again.start();
    await again.idle();
    expect(again.list('t').map((j) => j.state)).toEqual(['done', 'done']);
  });

  it('JobEvents resolves at the final state and rejects waiters on close', async () => {
    const events = new JobEvents();
    let job = { id: 'j', state: 'running' } as Job;
    const done = events.final('j', () => job);
    job = { ...job, state: 'done' };
    events.changed(job);
    expect((await done).state).toBe('done');
    expect((await events.final('j', () => job)).state).toBe('done');
    await expect(events.final('nope', () => undefined)).rejects.toThrow(/unknown/);
    const pending = events.final('k', () => ({ id: 'k', state: 'queued' }) as Job);
    events.close(new Error('shutting down'));
    await expect(pending).rejects.toThrow(/shutting down/);
  });
});
