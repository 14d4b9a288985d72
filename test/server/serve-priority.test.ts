// Priorities through `agentlake serve` (ALGORITHMS.md §5 on the real runner, over HTTP): high-priority
// jobs of two users keep arriving (one more each time one finishes), yet a low-priority job queued
// at the start finishes while high work is still waiting; and users with equal demand are served
// fairly (Jain's index over jobs done per user ≥ 0.9 while all of them still have work queued).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jain } from '../jobs/support.ts';
import { bearerToken, http, pollJob, startServe, type JobJson, type ServeFixture } from './http-helpers.ts';

const users = ['hana', 'hugo', 'lou', 'mia', 'max', 'mo'].map((name, i) => ({ name, tenant: i % 2 === 0 ? 'acme' : 'globex', password: `pw-${name}` }));
const token = (name: string): string => bearerToken(name, `pw-${name}`);
const job = (n: number): string => `SELECT llm('qwen3_8b', 'Job number ${n}', max_tokens => 4) AS x`;

describe('priorities and fairness through serve', () => {
  let f: ServeFixture;
  let port: number;
  beforeAll(async () => {
    f = await startServe({ users, paused: true });
    port = f.server.httpPort;
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
  });

  const submit = async (user: string, sql: string, priority: string): Promise<string> => {
    const r = await http<JobJson>(port, 'POST', `/v1/jobs?priority=${priority}`, { body: sql, token: token(user) });
    expect(r.status).toBe(202);
    return r.json.id;
  };

  it('a low job finishes while high jobs keep arriving', async () => {
    // One job per batch: the completion order is exactly the order the manager serves.
    await f.restart({ users, paused: true, batchSize: 1 });
    port = f.server.httpPort;
    const low = await submit('lou', job(0), 'low');
    let n = 1;
    const highs: Promise<void>[] = [];
    const TOTAL = 40;
    let arrived = 0;
    let lowDoneAt: number | undefined;
    // Each high user keeps two jobs queued: when one finishes, the next arrives.
    const stream = async (user: string): Promise<void> => {
      while (arrived < TOTAL) {
        arrived++;
        const id = await submit(user, job(n++), 'high');
        await pollJob(port, id, { token: token(user) });
        if (lowDoneAt === undefined && (await http<JobJson>(port, 'GET', `/v1/jobs/${low}`, { token: token('lou') })).json.state === 'done') lowDoneAt = arrived;
      }
    };
    for (const u of ['hana', 'hana', 'hugo', 'hugo']) highs.push(stream(u));
    f.server.manager.start();
    await Promise.all(highs);
    const l = await pollJob(port, low, { token: token('lou') });
    expect(l.state).toBe('done');
    // The low job was done before the high stream ended.
    expect(lowDoneAt).toBeDefined();
    expect(lowDoneAt ?? TOTAL).toBeLessThan(TOTAL);
  }, 120_000);

  it('users with equal demand are served fairly (Jain ≥ 0.9)', async () => {
    await f.restart({ users, paused: true, batchSize: 1 });
    port = f.server.httpPort;
    const mediums = ['mia', 'max', 'mo'];
    const ids = new Map<string, string[]>();
    for (const u of mediums) {
      const list: string[] = [];
      for (let k = 0; k < 6; k++) list.push(await submit(u, job(1000 + k * 10 + mediums.indexOf(u)), 'medium'));
      ids.set(u, list);
    }
    f.server.manager.start();
    for (const [u, list] of ids) for (const id of list) await pollJob(port, id, { token: token(u) });
    // Finish times per user: count each user's jobs done before the first user finished all six.
    const finished = new Map<string, number[]>();
    for (const [u, list] of ids) {
      const times: number[] = [];
      for (const id of list) times.push(Date.parse((await http<JobJson>(port, 'GET', `/v1/jobs/${id}`, { token: token(u) })).json.finishedAt ?? ''));
      finished.set(u, times);
    }
    const firstDone = Math.min(...[...finished.values()].map((t) => Math.max(...t)));
    const served = [...finished.values()].map((t) => t.filter((x) => x <= firstDone).length);
    expect(served.every((k) => k >= 5)).toBe(true);
    expect(jain(served)).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
