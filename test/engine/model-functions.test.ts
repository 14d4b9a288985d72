// Model functions inside ordinary queries keep full SQL semantics: each is computed by DuckDB around
// the model answers (WHERE, ORDER BY/LIMIT, GROUP BY, CTAS, subqueries), one call per distinct input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { openSession, runRows } from './support.ts';

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await openSession({ cache: false }));
  await session.runScript({ name: 'setup.sql', text: "CREATE TABLE items AS SELECT i AS id, 'item ' || (i % 5) AS name, i % 3 AS grp FROM range(12) t(i)" }, 'run');
});

afterAll(() => dispose());

describe('model functions', () => {
  it('llm() gives one text per row, asks once per distinct prompt, and keeps ORDER BY and LIMIT', async () => {
    const r = await runRows(session, "SELECT id, llm('qwen3_8b', 'Describe ' || name, max_tokens => 8) AS d FROM items ORDER BY id DESC LIMIT 4");
    expect(r.rows.map((x) => x[0])).toEqual([11, 10, 9, 8]);
    for (const row of r.rows) expect(typeof row[1]).toBe('string');
    // LIMIT is applied before the calls: 4 rows, 4 distinct names.
    expect(r.stats?.calls_total).toBe(4);
    const all = await runRows(session, "SELECT name, llm('qwen3_8b', 'Describe ' || name, max_tokens => 8) AS d FROM items");
    expect(all.rows).toHaveLength(12);
    // 12 rows but 5 distinct prompts: identical rows share an answer.
    const byName = new Map<unknown, unknown>();
    for (const [name, d] of all.rows) {
      if (byName.has(name)) expect(byName.get(name)).toBe(d);
      byName.set(name, d);
    }
    expect(byName.size).toBe(5);
  });

  it('ORDER BY a model output still sees every row', async () => {
    const r = await runRows(session, "SELECT id, llm('qwen3_8b', 'Rate ' || name, max_tokens => 8) AS rating FROM items ORDER BY rating, id LIMIT 3");
    expect(r.rows).toHaveLength(3);
    const all = await runRows(session, "SELECT id, llm('qwen3_8b', 'Rate ' || name, max_tokens => 8) AS rating FROM items");
    const sorted = [...all.rows].sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : String(a[1]) > String(b[1]) ? 1 : Number(a[0]) - Number(b[0])));
    expect(r.rows).toEqual(sorted.slice(0, 3));
  });

  it('llm_filter keeps the rows the model says yes to, and filters before GROUP BY', async () => {
    const kept = await runRows(session, "SELECT id FROM items WHERE llm_filter('qwen3_8b', 'Keep {{name}}?') ORDER BY id");
    const counted = await runRows(session, "SELECT count(*) AS n FROM items WHERE llm_filter('qwen3_8b', 'Keep {{name}}?')");
    expect(counted.rows[0]?.[0]).toBe(kept.rows.length);
    expect(kept.rows.length).toBeGreaterThan(0);
    expect(kept.rows.length).toBeLessThan(12);
  });

  it('llm_agg answers once per group and returns one row per group', async () => {
    const r = await runRows(session, "SELECT grp, llm_agg('qwen3_8b', name, prompt => 'Summarize', max_tokens => 8 ORDER BY id) AS s, count(*) AS n FROM items GROUP BY grp ORDER BY grp");
    expect(r.rows.map((x) => [x[0], x[2]])).toEqual([[0, 4], [1, 4], [2, 4]]);
    expect(r.stats?.calls_total).toBe(3);
    for (const row of r.rows) expect(typeof row[1]).toBe('string');
  });

  it('llm() with returns gives a typed STRUCT; CREATE TABLE .. AS stores it as a lakehouse table', async () => {
    await session.runScript({ name: 'ctas.sql', text: "CREATE TABLE graded AS SELECT id, llm('qwen3_8b', 'Grade ' || name, returns => 'ok BOOLEAN, score DOUBLE CHECK (score BETWEEN 0 AND 1)') AS g FROM items WHERE id < 3" }, 'run');
    expect(session.lakehouse.tables).toContain('graded');
    const r = await runRows(session, 'SELECT id, g.ok, g.score FROM graded ORDER BY id');
    expect(r.columns.map((c) => c.type)).toEqual(['BIGINT', 'BOOLEAN', 'DOUBLE']);
    expect(r.rows.map((x) => x[0])).toEqual([0, 1, 2]);
    for (const row of r.rows) {
      expect(typeof row[1]).toBe('boolean');
      expect(Number(row[2])).toBeGreaterThanOrEqual(0);
      expect(Number(row[2])).toBeLessThanOrEqual(1);
    }
  });

  it('works inside subqueries and CTEs, and embed() returns vectors', async () => {
    const r = await runRows(session, "WITH e AS (SELECT id, embed('e5', name) AS v FROM items WHERE id < 2) SELECT id, len(v) FROM e ORDER BY id");
    expect(r.rows).toEqual([[0, 384], [1, 384]]);
    const s = await runRows(session, "SELECT count(*) FROM (SELECT llm('qwen3_8b', 'Hi ' || name, max_tokens => 4) AS t FROM items) WHERE t IS NOT NULL");
    expect(s.rows[0]?.[0]).toBe(12);
  });

  it('lake_objects() lists objects by prefix or glob, and vlm() reads them by key', async () => {
    const all = await runRows(session, "SELECT count(*) FROM lake_objects('charts/')");
    expect(all.rows[0]?.[0]).toBe(960);
    const glob = await runRows(session, "SELECT count(*) FROM lake_objects('charts/*/0.png')");
    expect(glob.rows[0]?.[0]).toBe(160);
    const r = await runRows(session, "SELECT key, size > 0 AS has_bytes, vlm('llava', image => key, prompt => 'Describe this chart', max_tokens => 8) AS caption FROM lake_objects('charts/ALTP/') ORDER BY key");
    expect(r.rows.map((x) => x[0])).toEqual([0, 1, 2, 3, 4, 5].map((k) => `charts/ALTP/${k}.png`));
    for (const row of r.rows) {
      expect(row[1]).toBe(true);
      expect(typeof row[2]).toBe('string');
    }
    expect(r.stats?.calls_total).toBe(6);
  });

  it('llm_map returns the query rows with typed outputs', async () => {
    const r = await runRows(session, "SELECT id, label, confidence FROM llm_map((SELECT id, name FROM items WHERE id < 4), model => 'qwen3_8b', prompt => 'Classify {{name}}', returns => 'label VARCHAR, confidence DOUBLE') ORDER BY id");
    expect(r.rows.map((x) => x[0])).toEqual([0, 1, 2, 3]);
    expect(r.columns.map((c) => c.type)).toEqual(['BIGINT', 'VARCHAR', 'DOUBLE']);
  });
});
