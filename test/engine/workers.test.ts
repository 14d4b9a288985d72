// CREATE WORKER: two OpenAI-compatible servers (the simulator over loopback) declared as workers of
// one model share its calls (each server answers some, together all, none twice); SHOW WORKERS and
// DROP WORKER; EXPLAIN places the calls on the workers; bad definitions are diagnostics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import type { OptimizerReport } from '../../src/explain/optimizer-report.ts';
import { startSimServer, type SimServer } from '../../src/sim/http-server.ts';
import { openSession, runModel } from './support.ts';

let a: SimServer;
let b: SimServer;
let session: Session;
let dispose: () => Promise<void>;

const served = (s: SimServer): number => s.cluster.metrics().reduce((n, g) => n + g.requestSuccess.stop + g.requestSuccess.length, 0);

beforeAll(async () => {
  a = await startSimServer({ port: 0, timeScale: 0.001 });
  b = await startSimServer({ port: 0, timeScale: 0.001 });
  ({ session, dispose } = await openSession({ cache: false }));
  await session.runScript({ name: 'setup.sql', text: `
CREATE MODEL pooled (KIND llm, ENDPOINT '${a.url}', NAME 'Qwen/Qwen3-8B');
CREATE WORKER wa (ENDPOINT '${a.url}', MODELS (pooled), GPU 'H100', MAX_CONCURRENCY 4);
CREATE WORKER wb (ENDPOINT '${b.url}', MODELS (pooled), GPU 'H200');
` }, 'run');
});

afterAll(async () => {
  await dispose();
  await a.close();
  await b.close();
});

const Q = "SELECT id, llm('pooled', 'Describe item number ' || id, max_tokens => 8) AS d FROM range(10) t(id) ORDER BY id";

describe('CREATE WORKER', () => {
  it("spreads a model's calls over the workers that serve it", async () => {
    const [beforeA, beforeB] = [served(a), served(b)];
    const r = await runModel(session, Q);
    expect(r.rows).toHaveLength(10);
    for (const row of r.rows) expect(typeof row[1]).toBe('string');
    expect(r.stats?.errors).toBe(0);
    const [na, nb] = [served(a) - beforeA, served(b) - beforeB];
    expect(na).toBeGreaterThan(0);
    expect(nb).toBeGreaterThan(0);
    expect(na + nb).toBe(10);
    const workers = await session.lakehouse.db.all("SELECT worker, count(*) AS n FROM agentlake_provenance WHERE model = 'pooled' GROUP BY worker ORDER BY worker");
    expect(workers.map((w) => [w['worker'], Number(w['n'])])).toEqual([['worker:wa', na], ['worker:wb', nb]]);
  });

  it('shows the workers, explains the placement, and drops them', async () => {
    const shown = await session.runScript({ name: 's.sql', text: 'SHOW WORKERS' }, 'run');
    expect(shown.kind === 'rows' ? shown.rows.map((r) => [r[0], r[2], r[3], r[4]]) : shown).toEqual([['wa', 'pooled', 'H100', 4], ['wb', 'pooled', 'H200', null]]);
    const plan = await session.runScript({ name: 'e.sql', text: Q }, 'explain');
    const o = plan.kind === 'explain' ? (plan.json as { optimizer: OptimizerReport }).optimizer : undefined;
    expect(o?.placement.map((p) => [p.worker, p.calls])).toEqual([['worker:wa', 5], ['worker:wb', 5]]);
    await session.runScript({ name: 'd.sql', text: 'DROP WORKER wb' }, 'run');
    const after = await session.runScript({ name: 'e.sql', text: Q }, 'explain');
    const o2 = after.kind === 'explain' ? (after.json as { optimizer: OptimizerReport }).optimizer : undefined;
    expect(o2?.placement.map((p) => [p.worker, p.calls])).toEqual([['worker:wa', 10]]);
  });

  it('refuses unknown models, non-http endpoints and missing options, all at once', async () => {
    const err = await session.runScript({ name: 'bad.sql', text: "CREATE WORKER w3 (ENDPOINT 'sim://', MODELS (poled, qwen3_8b))" }, 'run').catch((e: unknown) => e);
    const codes = (err as { diagnostics?: { code: string; message: string; help?: string }[] }).diagnostics ?? [];
    expect(codes.map((d) => d.code).sort()).toEqual(['B0102', 'B0115']);
    expect(codes.find((d) => d.code === 'B0102')?.help).toBe("did you mean 'pooled'?");
    const missing = await session.runScript({ name: 'bad2.sql', text: "CREATE WORKER w4 (GPU 'H100')" }, 'run').catch((e: unknown) => e);
    expect(((missing as { diagnostics?: { code: string }[] }).diagnostics ?? []).map((d) => d.code)).toEqual(['B0110', 'B0110']);
  });
});
