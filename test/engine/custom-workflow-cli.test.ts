// A workflow written here and nowhere else, over tables the script creates: two SQL retrievals, a
// two-round DEBATE and a typed verdict (BOOLEAN + VARCHAR). `agentlake run --format json` prints
// exactly 40 typed rows, one per part, with the figures of the run; the workflow and the response
// cache survive into the next CLI run over the same lakehouse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';
import type { RunStats } from '../../src/ir/run-stats.ts';

interface JsonRows {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly unknown[])[];
  readonly stats?: RunStats;
}

const SCRIPT = `
CREATE TABLE parts AS
  SELECT i AS part_id, 'bracket-' || lpad(CAST(i AS VARCHAR), 2, '0') AS part_name, i % 4 AS line
  FROM range(40) t(i);
CREATE TABLE inspections AS
  SELECT i AS part_id, round(0.5 + (i % 9) * 0.07, 2) AS tolerance_mm,
         CASE WHEN i % 5 = 0 THEN 'hairline crack' WHEN i % 3 = 0 THEN 'surface rust' ELSE 'none' END AS defect
  FROM range(40) t(i);
CREATE WORKFLOW qa_review(part_id BIGINT) AS (
  part := SQL (SELECT part_name, line FROM parts WHERE part_id = :part_id),
  findings := SQL (SELECT tolerance_mm, defect FROM inspections WHERE part_id = :part_id),
  ship_it := LLM qwen3_8b SYSTEM 'You are the production lead; argue that the part ships.'
    PROMPT 'Part:\\n{{part}}\\nInspection:\\n{{findings}}\\nMake your case.' WITH (max_tokens 48),
  scrap_it := LLM qwen3_8b SYSTEM 'You are the quality engineer; argue that the part is scrapped.'
    PROMPT 'Part:\\n{{part}}\\nInspection:\\n{{findings}}\\nMake your case.' WITH (max_tokens 48),
  review := DEBATE (ship_it, scrap_it) ROUNDS 2,
  verdict := LLM qwen3_8b PROMPT 'Part {{part_id}}.\\nReview board transcript:\\n{{review}}\\nRule on the part.'
    RETURNS (ship BOOLEAN, reason VARCHAR) WITH (temperature 0, max_tokens 96)
) RETURN verdict;
SELECT p.part_id, p.part_name, v.ship, v.reason, v._error
FROM parts p, qa_review(p.part_id) v
ORDER BY p.part_id;
`;

/** Calls per part: ship_it + scrap_it (round 1) + both again (round 2) + verdict. */
const CALLS_PER_PART = 5;

describe('a new workflow through the CLI (--format json)', () => {
  let lakehouse = '';

  beforeAll(async () => {
    lakehouse = await freshLakehouse({ demo: false });
  });

  afterAll(() => {
    if (lakehouse) removeLakehouse(lakehouse);
  });

  it('returns exactly 40 typed rows, one per part, with no errors', async () => {
    const r = await runCli(['run', '-e', SCRIPT, '--format', 'json'], lakehouse);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as JsonRows;
    expect(out.columns).toEqual([
      { name: 'part_id', type: 'BIGINT' },
      { name: 'part_name', type: 'VARCHAR' },
      { name: 'ship', type: 'BOOLEAN' },
      { name: 'reason', type: 'VARCHAR' },
      { name: '_error', type: 'VARCHAR' },
    ]);
    expect(out.rows).toHaveLength(40);
    expect(out.rows.map((row) => row[0])).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const [i, row] of out.rows.entries()) {
      expect(row[1]).toBe(`bracket-${String(i).padStart(2, '0')}`);
      expect(typeof row[2]).toBe('boolean');
      expect(typeof row[3]).toBe('string');
      expect(String(row[3]).length).toBeGreaterThan(0);
      expect(row[4]).toBeNull();
    }
    expect(out.stats).toMatchObject({ calls_total: 40 * CALLS_PER_PART, calls_executed: 40 * CALLS_PER_PART, errors: 0, simulated: true });
  });

  it('keeps the workflow in the lakehouse: a second CLI run answers every call from the response cache', async () => {
    const first = JSON.parse((await runCli(['run', '-e', 'SELECT * FROM run_workflow(\'qa_review\', (SELECT part_id FROM parts)) ORDER BY part_id', '--format', 'json'], lakehouse)).stdout) as JsonRows;
    expect(first.rows).toHaveLength(40);
    expect(first.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['part_id:BIGINT', 'ship:BOOLEAN', 'reason:VARCHAR', '_error:VARCHAR']);
    expect(first.stats).toMatchObject({ calls_total: 200, calls_executed: 0, response_cache_hits: 200 });
    const csv = await runCli(['run', '-e', 'SELECT part_id, ship FROM run_workflow(\'qa_review\', (SELECT part_id FROM parts WHERE part_id < 3)) ORDER BY part_id', '--format', 'csv'], lakehouse);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('part_id,ship');
    expect(lines.slice(1)).toEqual(first.rows.slice(0, 3).map((row) => `${String(row[0])},${String(row[1])}`));
  });
});
