// The six built-in paper workflows run end to end on sim:// models over 2-3 demo inputs: one row per
// input, the RETURNS record's DuckDB types (q4_summary returns text), CHECK-constrained columns within
// their allowed values, no `_error`, and stats.calls_total equal to README.md's per-input
// LLM + VLM + IMAGE counts times the number of inputs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import type { Value } from '../../src/ir/values.ts';
import { columnTypes, expectNoErrors, openSession, records, runModel } from './support.ts';

const README = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');

/** README's "Model calls per input" table: workflow → per-input counts and the all-inputs total. */
function readmeCounts(): Map<string, { inputs: number; sql: number; fetch: number; vlm: number; image: number; llm: number; total: number }> {
  const out = new Map<string, { inputs: number; sql: number; fetch: number; vlm: number; image: number; llm: number; total: number }>();
  const row = /^\| Q\d-[\w-]+ `(q\d_\w+)\.sql` \| (\d+) \w+ \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| ([\d,]+) \|$/;
  for (const line of README.split('\n')) {
    const m = row.exec(line.trim());
    if (!m) continue;
    const n = (i: number): number => Number((m[i] ?? '').replace(/,/g, ''));
    out.set(m[1] ?? '', { inputs: n(2), sql: n(3), fetch: n(4), vlm: n(5), image: n(6), llm: n(7), total: n(8) });
  }
  return out;
}

const COUNTS = readmeCounts();

interface Case {
  readonly workflow: string;
  /** The input table and its key column. */
  readonly table: string;
  readonly key: string;
  readonly inputs: number;
  /** Output columns (after the key, before `_error`) and their DuckDB types. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Allowed values of CHECK-constrained columns. */
  readonly allowed?: Readonly<Record<string, readonly Value[]>>;
  /** Columns constrained to [0, 1]. */
  readonly unit?: readonly string[];
}

const CASES: readonly Case[] = [
  { workflow: 'q1_social', table: 'symbols', key: 'symbol', inputs: 2, outputs: { outlook: 'VARCHAR', summary: 'VARCHAR' }, allowed: { outlook: ['bullish', 'bearish', 'neutral'] } },
  {
    workflow: 'q2_trading', table: 'symbols', key: 'symbol', inputs: 2,
    outputs: { action: 'VARCHAR', confidence: 'DOUBLE', rationale: 'VARCHAR' }, allowed: { action: ['BUY', 'SELL', 'HOLD'] }, unit: ['confidence'],
  },
  { workflow: 'q3_imagegen', table: 'symbols', key: 'symbol', inputs: 3, outputs: { approved: 'BOOLEAN', caption: 'VARCHAR' } },
  { workflow: 'q4_summary', table: 'symbols', key: 'symbol', inputs: 3, outputs: { text: 'VARCHAR' } },
  {
    workflow: 'q5_healthcare', table: 'patients', key: 'patient_id', inputs: 2,
    outputs: { diagnosis: 'VARCHAR', treat: 'BOOLEAN', report: 'VARCHAR' }, allowed: { diagnosis: ['normal', 'osteopenia', 'osteoporosis'] },
  },
  {
    workflow: 'q6_materials', table: 'spectra', key: 'spectrum_id', inputs: 3,
    outputs: { phase: 'VARCHAR', purity: 'VARCHAR', confidence: 'DOUBLE', summary: 'VARCHAR' }, allowed: { purity: ['pure', 'minor_impurity', 'mixed'] }, unit: ['confidence'],
  },
];

const JS_TYPE: Readonly<Record<string, string>> = { VARCHAR: 'string', DOUBLE: 'number', BOOLEAN: 'boolean' };

describe('the six built-in workflows on sim:// models', () => {
  let session: Session;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ session, dispose } = await openSession());
  });

  afterAll(async () => {
    await dispose();
  });

  it('README lists per-input counts for all six workflows, consistent with its totals', () => {
    expect([...COUNTS.keys()].sort()).toEqual(CASES.map((c) => c.workflow).sort());
    for (const [name, c] of COUNTS) expect((c.vlm + c.image + c.llm) * c.inputs, name).toBe(c.total);
  });

  for (const c of CASES) {
    it(`${c.workflow} over ${c.inputs} inputs: one typed row per input, no errors, README's call count`, async () => {
      const inputRows = (await session.lakehouse.db.query(`SELECT ${c.key} FROM ${c.table} ORDER BY ${c.key} LIMIT ${c.inputs}`)).rows;
      const expectedKeys = inputRows.map((r) => r[0]);
      expect(expectedKeys).toHaveLength(c.inputs);

      const r = await runModel(session, `SELECT x.${c.key}, t.* FROM (SELECT ${c.key} FROM ${c.table} ORDER BY ${c.key} LIMIT ${c.inputs}) x, ${c.workflow}(x.${c.key}) t ORDER BY x.${c.key}`);

      // Columns: the key, then t.* = the RETURN step's outputs and _error (parameters are not repeated).
      expect(r.columns.map((col) => col.name)).toEqual([c.key, ...Object.keys(c.outputs), '_error']);
      const types = columnTypes(r);
      for (const [name, type] of Object.entries(c.outputs)) expect(types[name], `${c.workflow}.${name}`).toBe(type);
      expect(types['_error']).toBe('VARCHAR');
      expect(r.columns.at(-1)?.name).toBe('_error');

      const rows = records(r);
      expect(rows.map((x) => x[c.key])).toEqual(expectedKeys);
      expectNoErrors(r);
      for (const row of rows) {
        for (const [name, type] of Object.entries(c.outputs)) {
          expect(row[name], `${c.workflow}.${name} of ${String(row[c.key])}`).not.toBeNull();
          expect(typeof row[name], `${c.workflow}.${name}`).toBe(JS_TYPE[type]);
        }
        for (const [name, values] of Object.entries(c.allowed ?? {})) expect(values).toContain(row[name]);
        for (const name of c.unit ?? []) {
          expect(row[name]).toBeGreaterThanOrEqual(0);
          expect(row[name]).toBeLessThanOrEqual(1);
        }
        for (const name of Object.keys(c.outputs).filter((n) => c.outputs[n] === 'VARCHAR')) expect(String(row[name]).trim()).not.toBe('');
      }

      const perInput = COUNTS.get(c.workflow);
      expect(perInput).toBeDefined();
      const { llm = 0, vlm = 0, image = 0 } = perInput ?? {};
      expect(r.stats.calls_total).toBe((llm + vlm + image) * c.inputs);
      expect(r.stats.calls_executed + r.stats.response_cache_hits + r.stats.dedup_saved).toBe(r.stats.calls_total);
      expect(r.stats.errors).toBe(0);
      expect(r.stats.simulated).toBe(true);
      expect(r.stats.prompt_tokens).toBeGreaterThan(0);
      expect(r.stats.simulated_makespan_seconds).toBeGreaterThan(0);
    });
  }
});
