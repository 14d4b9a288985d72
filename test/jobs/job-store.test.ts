// Job state in the lakehouse's DuckDB (agentlake_jobs): a job survives a round trip field for field,
// and a manager opened on a lakehouse whose server died mid-job runs the rest of that job (not its
// finished slices) and every queued job, losing none.
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/job.ts';
import { DuckJobStore, resumeJobs } from '../../src/jobs/job-store.ts';
import { JobManager } from '../../src/jobs/manager.ts';
import type { JobRunner } from '../../src/jobs/runner.ts';
import { Lakehouse } from '../../src/storage/lakehouse.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';
import { FakeRunner, counters, handJob } from './support.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function lakehouse(): Promise<string> {
  const dir = await freshLakehouse();
  cleanups.push(() => removeLakehouse(dir));
  return dir;
}

async function open(dir: string): Promise<{ lh: Lakehouse; store: DuckJobStore }> {
  const lh = await Lakehouse.open(dir);
  return { lh, store: await DuckJobStore.open(lh.db) };
}

describe('DuckJobStore', () => {
  it('round-trips a job field for field, across a reopen', async () => {
    const dir = await lakehouse();
    const job: Job = {
      ...handJob('j-1', { tenant: 'acme', user: "o'brien", priority: 'low', inputs: 3, sliceSize: 2 }),
      sql: "SELECT * FROM run_workflow('q2', (SELECT 'x''y' AS s)) -- ünïcode",
      inputs: [{ symbol: 'AAPL', n: 1, tags: ['a', null] }, 'plain', 9007199254740993n.toString()],
      state: 'running',
      profile: { models: ['flux', 'qwen3_8b'], systemTokens: ['analyst', 'you'], callsPerInput: 2.5 },
      progress: { slicesTotal: 2, slicesDone: 1, doneSlices: [1], callsTotal: 6, callsDone: 3, cacheHits: 1 },
      createdAt: 1_700_000_000_123.5,
      startedAt: 1_700_000_000_200,
      finishedAt: null,
      error: null,
      settings: { cache: 'off' },
    };
    const failed: Job = { ...handJob('j-2'), state: 'failed', createdAt: 1_700_000_000_500, startedAt: 1, finishedAt: 2, error: 'boom' };
    const a = await open(dir);
    await a.store.save(job);
    await a.store.save(failed);
    expect(await a.store.load()).toEqual([job, failed]);
    // A save replaces the row.
    await a.store.save({ ...failed, error: 'bang' });
    expect((await a.store.load()).map((j) => j.error)).toEqual([null, 'bang']);
    await a.lh.close();

    const b = await open(dir);
    cleanups.push(() => b.lh.close());
    expect(await b.store.load()).toEqual([job, { ...failed, error: 'bang' }]);
    const rows = await b.lh.db.all('SELECT id, "user", state, json_extract(progress, \'$.doneSlices\')::VARCHAR AS done FROM agentlake_jobs ORDER BY id');
    expect(rows).toEqual([{ id: 'j-1', user: "o'brien", state: 'running', done: '[1]' }, { id: 'j-2', user: 'j-2', state: 'failed', done: '[]' }]);
    // Opening for resumption turns the running job back to queued, in the table too.
    const { jobs, resumed } = await resumeJobs(b.store);
    expect(resumed).toEqual(['j-1']);
    expect(jobs.map((j) => j.state)).toEqual(['queued', 'failed']);
    expect((await b.store.load()).map((j) => j.state)).toEqual(['queued', 'failed']);
  });

  it('says which row is malformed', async () => {
    const dir = await lakehouse();
    const a = await open(dir);
    cleanups.push(() => a.lh.close());
    await a.store.save(handJob('ok'));
    await a.lh.db.run("UPDATE agentlake_jobs SET priority = 'urgent'");
    await expect(a.store.load()).rejects.toThrow(/'ok' has a bad priority/);
  });
});

describe('restart', () => {
  it('resumes a job killed mid-batch without rerunning its finished slices, and keeps queued jobs', async () => {
    const dir = await lakehouse();
    const first = await open(dir);
    // The first server finishes one batch, then dies while the next is running.
    let batches = 0;
    const ran: string[] = [];
    const dying: JobRunner = {
      capacity: () => 100,
      run: (batch) => {
        if (++batches > 1) return new Promise(() => undefined);
        ran.push(...batch.slices.map((r) => r.slice.id));
        return Promise.resolve(batch.slices.map((r) => ({ sliceId: r.slice.id, ok: true as const, calls: 1 })));
      },
    };
    const ids = counters();
    const m1 = await JobManager.open({ runner: dying, store: first.store, batchSize: 2, ...ids });
    const long = await m1.submit({ tenant: 'acme', user: 'ann', sql: 'long', inputs: [10, 11, 12, 13, 14, 15] });
    await m1.step();
    void m1.step();
    await new Promise((r) => setImmediate(r));
    const other = await m1.submit({ tenant: 'globex', user: 'bob', sql: 'other', inputs: ['x'] });
    expect(ran).toEqual(['job-1:0', 'job-1:1']);
    expect(m1.status(long.id, 'acme')?.state).toBe('running');
    await first.lh.close();

    const second = await open(dir);
    cleanups.push(() => second.lh.close());
    const runner = new FakeRunner();
    const m2 = await JobManager.open({ runner, store: second.store, batchSize: 2, clock: ids.clock });
    expect(m2.resumed).toEqual([long.id]);
    expect(m2.status(long.id, 'acme')).toMatchObject({ state: 'queued', progress: { slicesDone: 2, doneSlices: [0, 1], callsDone: 2 } });
    expect(m2.status(other.id, 'globex')?.state).toBe('queued');
    while ((await m2.step()) !== undefined);
    const rerun = runner.served().flat().sort();
    expect(rerun).toEqual(['job-1:2', 'job-1:3', 'job-1:4', 'job-1:5', 'job-2:0']);
    expect(runner.batches.flatMap((b) => b.slices).find((r) => r.slice.id === 'job-1:5')?.inputs).toEqual([15]);
    expect(m2.status(long.id, 'acme')).toMatchObject({ state: 'done', progress: { slicesDone: 6, doneSlices: [0, 1, 2, 3, 4, 5] } });
    expect(m2.status(other.id, 'globex')?.state).toBe('done');
    // And the table says so.
    expect((await second.store.load()).map((j) => [j.id, j.state])).toEqual([[long.id, 'done'], [other.id, 'done']]);
  });
});
