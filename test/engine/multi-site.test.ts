// Several model calls in one statement run as one batch: a workflow in FROM and model functions in
// the SELECT list are lowered first and executed as one DAG, so their calls overlap on the simulated
// GPU (continuous batching) instead of running one site after the other, and each keeps its results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { openSession, runRows } from './support.ts';

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await openSession({ cache: false }));
  await session.runScript({ name: 'setup.sql', text: "CREATE TABLE items AS SELECT i AS id, 'item number ' || i AS name FROM range(16) t(i)" }, 'run');
});

afterAll(() => dispose());

const A = "llm('qwen3_8b', 'Describe ' || name, max_tokens => 24)";
const B = "llm('qwen3_8b', 'Name a colour for ' || name, max_tokens => 24)";

describe('several call sites in one statement', () => {
  it('run together: same answers as alone, less simulated time than one after the other', async () => {
    const a = await runRows(session, `SELECT id, ${A} AS a FROM items ORDER BY id`);
    const b = await runRows(session, `SELECT id, ${B} AS b FROM items ORDER BY id`);
    const both = await runRows(session, `SELECT id, ${A} AS a, ${B} AS b FROM items ORDER BY id`);
    expect(both.rows).toEqual(a.rows.map((r, i) => [r[0], r[1], b.rows[i]?.[1]]));
    expect(both.stats?.calls_total).toBe(32);
    const separate = (a.stats?.simulated_makespan_seconds ?? 0) + (b.stats?.simulated_makespan_seconds ?? 0);
    expect(both.stats?.simulated_makespan_seconds).toBeLessThan(0.8 * separate);
  });

  it('keeps each site\'s provenance apart (action ids carry the site number)', async () => {
    const r = await runRows(session, `SELECT id, ${A} AS a, ${B} AS b FROM items WHERE id < 3`);
    expect(r.rows).toHaveLength(3);
    const rows = await session.lakehouse.db.all("SELECT action, step FROM agentlake_provenance WHERE run_id IN (SELECT run_id FROM agentlake_runs WHERE statement LIKE '%id < 3%') AND kind = 'llm' ORDER BY action");
    expect(rows.map((x) => x['action'])).toEqual(['c1/llm#0', 'c1/llm#1', 'c1/llm#2', 'c2/llm#0', 'c2/llm#1', 'c2/llm#2']);
  });
});
