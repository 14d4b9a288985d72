// The optimizer preserves results: each paper workflow (over a few inputs, one of them twice, so
// merkle_dedup merges whole chains) gives exactly the same rows with the optimizer on (rewrites +
// scheduler, 2 simulated GPUs) and off (no rewrites, dependency-order plan), and the optimizer
// computes fewer calls than it was asked for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { openSession, runRows } from './support.ts';

const CASES = [
  { workflow: 'q1_social', table: 'symbols', key: 'symbol', inputs: 2 },
  { workflow: 'q2_trading', table: 'symbols', key: 'symbol', inputs: 2 },
  { workflow: 'q3_imagegen', table: 'symbols', key: 'symbol', inputs: 2 },
  { workflow: 'q4_summary', table: 'symbols', key: 'symbol', inputs: 2 },
  { workflow: 'q5_healthcare', table: 'patients', key: 'patient_id', inputs: 2 },
  { workflow: 'q6_materials', table: 'spectra', key: 'spectrum_id', inputs: 2 },
];

let on: Session;
let off: Session;
const disposers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const a = await openSession({ cache: false, gpus: 2 });
  const b = await openSession({ cache: false, gpus: 2 });
  on = a.session;
  off = b.session;
  disposers.push(a.dispose, b.dispose);
  await off.runScript({ name: 'off.sql', text: 'SET agentlake.optimizer = off' }, 'run');
});

afterAll(async () => {
  for (const d of disposers) await d();
});

describe('optimizer on and off give the same results', () => {
  for (const c of CASES) {
    it(`${c.workflow}`, async () => {
      // The first input twice: identical chains that the optimizer computes once.
      const inputs = `(SELECT ${c.key} FROM (SELECT ${c.key} FROM ${c.table} ORDER BY ${c.key} LIMIT ${c.inputs}) UNION ALL (SELECT ${c.key} FROM ${c.table} ORDER BY ${c.key} LIMIT 1))`;
      const q = `SELECT x.${c.key}, t.* FROM ${inputs} x, ${c.workflow}(x.${c.key}) t ORDER BY ALL`;
      const a = await runRows(on, q);
      const b = await runRows(off, q);
      expect(a.columns).toEqual(b.columns);
      expect(a.rows).toEqual(b.rows);
      expect(a.rows.length).toBeGreaterThan(0);
      expect(a.rows.every((r) => r.at(-1) === null)).toBe(true);
      // Same calls asked for; the optimizer merged the repeated input's chain before running it.
      expect(a.stats?.calls_total).toBe(b.stats?.calls_total);
      expect(a.stats?.calls_executed).toBeLessThan(b.stats?.calls_total ?? 0);
      expect(a.stats?.dedup_saved).toBeGreaterThan(0);
      // The merge happened in the plan (provenance: rows sharing another action's execution), not
      // only as in-flight dedup at run time, which the optimizer-off run relies on.
      const shared = async (s: Session): Promise<number> => Number((await s.lakehouse.db.all(`SELECT count(*) AS n FROM agentlake_provenance WHERE shared_with IS NOT NULL AND step LIKE '${c.workflow}.%'`))[0]?.['n'] ?? 0);
      expect(await shared(on)).toBeGreaterThan(0);
      expect(await shared(off)).toBe(0);
    });
  }
});

describe('vlm_splitting keeps results', () => {
  it('two prompts on each chart: one encode per chart, every answer as with the optimizer off', async () => {
    const q = "SELECT key, vlm('llava', image => key, prompt => 'Describe this chart', max_tokens => 8) AS described, vlm('llava', image => key, prompt => 'Rate this chart from 1 to 10', max_tokens => 8) AS rated FROM lake_objects('charts/ALTP/') ORDER BY key";
    const a = await runRows(on, q);
    const b = await runRows(off, q);
    expect(a.rows).toHaveLength(6);
    expect(a.rows).toEqual(b.rows);
    expect(a.rows.every((r) => typeof r[1] === 'string' && typeof r[2] === 'string' && r[1] !== r[2])).toBe(true);
    const explained = await on.runScript({ name: 'x.sql', text: q }, 'explain');
    expect(explained.kind === 'explain' ? explained.text : '').toMatch(/Rewrite: rule=vlm_splitting round=1 actions=\d+->\d+ calls=12->12/);
    // Provenance of the run (the only one in this session with split calls): one encode per chart (the second prompt's encode, made by the rule,
    // merged into the first and never ran), and all 12 calls as reasoning calls.
    const kinds = await on.lakehouse.db.all("SELECT kind, count(*) AS n, count(shared_with) AS shared FROM agentlake_provenance WHERE run_id IN (SELECT run_id FROM agentlake_provenance WHERE kind = 'vlm_encode') AND kind LIKE 'vlm%' GROUP BY kind ORDER BY kind");
    expect(kinds.map((k) => [k['kind'], Number(k['n']), Number(k['shared'])])).toEqual([['vlm_encode', 6, 0], ['vlm_reason', 12, 0]]);
  });
});
