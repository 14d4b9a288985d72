// The runnable examples explain over the demo lakehouse with the counts their comments promise.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import type { PlanReport } from '../../src/explain/plan-report.ts';
import { demoSession } from '../helpers/lakehouse.ts';

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await demoSession());
});

afterAll(() => dispose());

async function explain(file: string): Promise<PlanReport> {
  const text = readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8');
  const out = await session.runScript({ name: file, text }, 'explain');
  if (out.kind !== 'explain') throw new Error(`expected a plan, got ${out.kind}`);
  return out.json as PlanReport;
}

describe('examples', () => {
  it('recipes.sql: 27 dishes, 8 LLM calls and one each of VLM, EMBED and IMAGE per dish', async () => {
    const r = await explain('recipes.sql');
    expect(r.inputs).toBe(27);
    expect(r.actions.perInput.llm).toMatchObject({ min: 8, max: 8 });
    expect(r.actions.byKind).toMatchObject({ llm: 216, vlm: 27, embed: 27, image: 27, sql: 1 + 2 * 27 });
    expect(r.actions.byModel).toEqual({ chef: 216, e5: 27, llava: 27, zimage: 27 });
  });

  it('functions.sql: its last query asks the VLM once per chart', async () => {
    const r = await explain('functions.sql');
    expect(r.sources.map((s) => s.name)).toEqual(['vlm']);
    expect(r.actions.byKind).toEqual({ sql: 1, vlm: r.inputs });
    expect(r.inputs).toBeGreaterThan(0);
  });
});
