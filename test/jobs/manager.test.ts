// The job manager driven one batch at a time with a fake runner: jobs run slice by slice to done,
// priorities hold without starving low jobs, users of equal demand are served fairly (Jain's index),
// a tenant sees and cancels only its own jobs, failures and cancellations end jobs, and the
// background loop never exceeds the runner's capacity.
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/job.ts';
import { JobManager } from '../../src/jobs/manager.ts';
import type { BatchRun, JobRunner, SliceOutcome } from '../../src/jobs/runner.ts';
import { FakeRunner, counters, jain } from './support.ts';

async function drain(m: JobManager, max = 1000): Promise<number> {
  let steps = 0;
  while ((await m.step()) !== undefined) if (++steps > max) throw new Error('does not drain');
  return steps;
}

describe('JobManager', () => {
  it('runs a job slice by slice to done, passing each slice its inputs', async () => {
    const runner = new FakeRunner();
    const m = await JobManager.open({ runner, ...counters() });
    const job = await m.submit({ tenant: 't', user: 'u', sql: 'SELECT 1', inputs: ['a', 'b', 'c', 'd', 'e'], sliceSize: 2, profile: { callsPerInput: 3 } });
    expect(job).toMatchObject({ id: 'job-1', state: 'queued', priority: 'medium', progress: { slicesTotal: 3, slicesDone: 0, callsTotal: 15 } });
    expect(await drain(m)).toBe(1);
    expect(runner.batches[0]?.slices.map((r) => r.inputs)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    const done = m.status('job-1', 't');
    expect(done).toMatchObject({ state: 'done', error: null, progress: { slicesDone: 3, doneSlices: [0, 1, 2], callsDone: 5 } });
    expect(done?.startedAt).toBeGreaterThan(job.createdAt);
    expect(done?.finishedAt).toBeGreaterThan(done?.startedAt ?? Infinity);
  });

  it('serves high jobs first, yet a low job finishes while high jobs keep arriving every round', async () => {
    const runner = new FakeRunner();
    const m = await JobManager.open({ runner, batchSize: 4, ...counters() });
    const low = await m.submit({ tenant: 't', user: 'lo', priority: 'low', sql: 'low', inputs: Array.from({ length: 10 }, (_, i) => i) });
    const high: Job[] = [];
    let round = 0;
    while (m.status(low.id, 't')?.state !== 'done') {
      if (++round > 30) throw new Error('the low job starves');
      high.push(await m.submit({ tenant: 't', user: `h${round % 3}`, priority: 'high', sql: 'high', inputs: [1, 2, 3, 4] }));
      await m.step();
    }
    expect(round).toBeLessThanOrEqual(16);
    const prio = runner.batches.map((b) => b.slices.map((r) => r.job.priority));
    // The first three batches are all high; then the guard pins the passed-over low slices.
    expect(prio.slice(0, 3).flat().every((p) => p === 'high')).toBe(true);
    const served = prio.flat();
    expect(served.filter((p) => p === 'high').length).toBeGreaterThan(2 * served.filter((p) => p === 'low').length);
    // High jobs still arrive and finish.
    await drain(m);
    expect(high.every((j) => m.status(j.id, 't')?.state === 'done')).toBe(true);
  });

  it('serves users with equal demand fairly (Jain index ≥ 0.9), across tenants and affinity profiles', async () => {
    const runner = new FakeRunner();
    const m = await JobManager.open({ runner, batchSize: 6, ...counters() });
    const users = [['t1', 'ann', 'qwen3_8b'], ['t1', 'bob', 'qwen3_8b'], ['t2', 'cat', 'flux'], ['t2', 'dan', 'flux']] as const;
    for (const [tenant, user, model] of users) {
      await m.submit({ tenant, user, sql: 'q', inputs: Array.from({ length: 24 }, (_, i) => i), profile: { models: [model], systemPrompt: `you are ${user}` } });
    }
    for (let i = 0; i < 8; i++) await m.step();
    const perUser = users.map(([tenant, user]) => runner.batches.flatMap((b) => b.slices).filter((r) => r.job.tenant === tenant && r.job.user === user).length);
    expect(perUser.reduce((a, b) => a + b, 0)).toBe(48);
    expect(jain(perUser)).toBeGreaterThanOrEqual(0.9);
    expect(Math.min(...perUser)).toBeGreaterThanOrEqual(10);
    await drain(m);
    expect(m.list('t1').concat(m.list('t2')).every((j) => j.state === 'done')).toBe(true);
  });

  it('lets a tenant see, list and cancel only its own jobs', async () => {
    const runner = new FakeRunner();
    const m = await JobManager.open({ runner, ...counters() });
    const a = await m.submit({ tenant: 'acme', user: 'u', sql: 'a', inputs: [1, 2] });
    const b = await m.submit({ tenant: 'globex', user: 'u', sql: 'b', inputs: [1, 2] });
    expect(m.list('acme').map((j) => j.id)).toEqual([a.id]);
    expect(m.list('globex').map((j) => j.id)).toEqual([b.id]);
    expect(m.list('initech')).toEqual([]);
    expect(m.status(b.id, 'acme')).toBeUndefined();
    expect(m.status('no-such-job', 'acme')).toBeUndefined();
    expect(await m.cancel(b.id, 'acme')).toBeUndefined();
    expect(m.status(b.id, 'globex')?.state).toBe('queued');
    expect((await m.cancel(a.id, 'acme'))?.state).toBe('cancelled');
    await drain(m);
    expect(runner.batches.flatMap((x) => x.slices.map((r) => r.job.id))).toEqual([b.id, b.id]);
    expect(m.status(b.id, 'globex')?.state).toBe('done');
    expect(m.status(a.id, 'acme')?.state).toBe('cancelled');
    // Cancelling a finished job changes nothing.
    expect((await m.cancel(b.id, 'globex'))?.state).toBe('done');
  });

  it('aborts a running job on cancel and ignores what its slices report afterwards', async () => {
    let release: (o: readonly SliceOutcome[]) => void = () => undefined;
    let seen: BatchRun | undefined;
    const runner: JobRunner = {
      capacity: () => 10,
      run: (batch) => {
        seen = batch;
        return new Promise((resolve) => (release = resolve));
      },
    };
    const m = await JobManager.open({ runner, ...counters() });
    const job = await m.submit({ tenant: 't', user: 'u', sql: 'q', inputs: [1, 2, 3] });
    const step = m.step();
    await new Promise((r) => setImmediate(r));
    expect(m.status(job.id, 't')?.state).toBe('running');
    expect(seen?.slices[0]?.signal.aborted).toBe(false);
    expect((await m.cancel(job.id, 't'))?.state).toBe('cancelled');
    expect(seen?.slices.every((r) => r.signal.aborted)).toBe(true);
    release((seen?.slices ?? []).map((r) => ({ sliceId: r.slice.id, ok: true })));
    await step;
    expect(m.status(job.id, 't')).toMatchObject({ state: 'cancelled', progress: { slicesDone: 0 } });
  });

  it('fails a job when one of its slices fails, dropping the rest, and leaves other jobs alone', async () => {
    const runner = new FakeRunner(1000, new Set(['job-1']));
    const m = await JobManager.open({ runner, batchSize: 1, ...counters() });
    await m.submit({ tenant: 't', user: 'u', sql: 'bad', inputs: [1, 2, 3] });
    await m.submit({ tenant: 't', user: 'v', sql: 'good', inputs: [1, 2, 3] });
    await drain(m);
    expect(m.status('job-1', 't')).toMatchObject({ state: 'failed', error: 'boom', progress: { slicesDone: 0 } });
    expect(m.status('job-2', 't')?.state).toBe('done');
    expect(runner.served().flat().filter((id) => id.startsWith('job-1:'))).toEqual(['job-1:0']);
  });

  it('fails every slice of a batch whose runner rejects', async () => {
    const runner: JobRunner = { capacity: () => 10, run: () => Promise.reject(new Error('worker lost')) };
    const m = await JobManager.open({ runner, ...counters() });
    await m.submit({ tenant: 't', user: 'u', sql: 'q', inputs: [1] });
    await m.step();
    expect(m.status('job-1', 't')).toMatchObject({ state: 'failed', error: 'worker lost' });
  });

  it('in the background keeps at most the runner capacity in flight and finishes every job', async () => {
    let inFlight = 0;
    let most = 0;
    const runner: JobRunner = {
      capacity: () => 3,
      run: async (batch) => {
        const cost = batch.slices.reduce((n, r) => n + r.slice.cost, 0);
        inFlight += cost;
        most = Math.max(most, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight -= cost;
        return batch.slices.map((r) => ({ sliceId: r.slice.id, ok: true }));
      },
    };
    const m = await JobManager.open({ runner, batchSize: 2, ...counters() });
    m.start();
    for (let i = 0; i < 5; i++) await m.submit({ tenant: 't', user: `u${i}`, sql: 'q', inputs: [1, 2, 3, 4, 5] });
    await m.idle();
    await m.stop();
    expect(most).toBe(3);
    expect(m.list('t').map((j) => j.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(m.queued).toBe(0);
  });

  it('with gatherMs, model jobs submitted moments apart while nothing runs share one batch', async () => {
    const batchesOf = async (gatherMs: number, profile: { profile?: { models: string[] } } = { profile: { models: ['qwen3_8b'] } }): Promise<string[][]> => {
      const runner = new FakeRunner();
      const m = await JobManager.open({ runner, gatherMs, ...counters() });
      m.start();
      await m.submit({ tenant: 'a', user: 'u', sql: 'q', ...profile });
      await new Promise((r) => setTimeout(r, 5));
      await m.submit({ tenant: 'b', user: 'v', sql: 'q', ...profile });
      await m.idle();
      await m.stop();
      expect(m.list('a').map((j) => j.state)).toEqual(['done']);
      expect(m.list('b').map((j) => j.state)).toEqual(['done']);
      return runner.served();
    };
    expect(await batchesOf(0)).toEqual([['job-1:0'], ['job-2:0']]);
    expect(await batchesOf(100)).toEqual([['job-1:0', 'job-2:0']]);
    // Jobs that call no model (plain SQL) never wait.
    expect(await batchesOf(100, {})).toEqual([['job-1:0'], ['job-2:0']]);
  });

  it('runs a slice bigger than the whole capacity alone rather than never', async () => {
    const runner = new FakeRunner(2);
    const m = await JobManager.open({ runner, ...counters() });
    await m.submit({ tenant: 't', user: 'u', sql: 'q', inputs: [1, 2, 3, 4, 5], sliceSize: 4 });
    await drain(m);
    // The last slice (one input) fits and goes first; the four-input slice then runs alone.
    expect(runner.served()).toEqual([['job-1:1'], ['job-1:0']]);
    expect(m.status('job-1', 't')?.state).toBe('done');
  });

  it('rejects a malformed request', async () => {
    const m = await JobManager.open({ runner: new FakeRunner() });
    await expect(m.submit({ tenant: 't', user: 'u', sql: 'q', priority: 'urgent' as never })).rejects.toThrow(/priority/);
    await expect(m.submit({ tenant: 't', user: 'u', sql: 'q', sliceSize: 0 })).rejects.toThrow(/slice size/);
    await expect(m.submit({ tenant: '', user: 'u', sql: 'q' })).rejects.toThrow(/tenant/);
  });
});
