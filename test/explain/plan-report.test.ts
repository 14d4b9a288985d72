// planReport: counts of a lowered plan (inputs, actions by kind and model, per-input and per-step
// fan-out, estimated prompt tokens and the output upper bound), a pure, JSON-serializable function
// of the DAGs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { planReport, stats, type PlanPart, type PlanReport } from '../../src/explain/plan-report.ts';
import { setupSession } from '../helpers/bind.ts';
import { FUNCTION_QUERY, planParts, SETUP, WORKFLOW_QUERY } from '../helpers/explain-plan.ts';

let session: Session;
let dispose: () => Promise<void>;
let fnParts: PlanPart[];
let wfParts: PlanPart[];

beforeAll(async () => {
  ({ session, dispose } = await setupSession(SETUP));
  fnParts = await planParts(session, FUNCTION_QUERY);
  wfParts = await planParts(session, WORKFLOW_QUERY);
});

afterAll(async () => {
  await dispose();
});

describe('stats', () => {
  it('total, min, max and a mean rounded to two decimals; zeros when empty', () => {
    expect(stats([1, 3, 2, 1])).toEqual({ total: 7, min: 1, max: 3, mean: 1.75 });
    expect(stats([1, 1, 2])).toEqual({ total: 4, min: 1, max: 2, mean: 1.33 });
    expect(stats([])).toEqual({ total: 0, min: 0, max: 0, mean: 0 });
  });
});

describe('a model function', () => {
  let r: PlanReport;
  beforeAll(() => {
    r = planReport(fnParts);
  });

  it('counts one input per row and one call per input, plus the input query', () => {
    expect(r.statement).toBe('query');
    expect(r.inputs).toBe(4);
    expect(r.actions.byKind).toEqual({ sql: 1, llm: 4 });
    expect(r.actions.total).toBe(5);
    expect(r.actions.modelCalls).toBe(4);
    expect(r.actions.byModel).toEqual({ chat: 4 });
    expect(r.actions.perInput).toEqual({ llm: { total: 4, min: 1, max: 1, mean: 1 } });
  });

  it('describes the source: function name, model, input query and rows', () => {
    expect(r.sources).toHaveLength(1);
    expect(r.sources[0]).toMatchObject({ kind: 'function', name: 'llm', model: 'chat', inputs: 4 });
    expect(r.sources[0]?.inputSql).toContain('FROM items');
    expect(r.sources[0]?.steps).toBeUndefined();
  });

  it('estimates prompt tokens per call; outputs are bounded by max_tokens (default 512)', () => {
    expect(r.tokens.estimated).toBe(true);
    expect(r.tokens.prompt).toBeGreaterThan(0);
    expect(r.tokens.promptPerCall.total).toBe(r.tokens.prompt);
    expect(r.tokens.promptPerCall.min).toBeGreaterThan(0);
    expect(r.tokens.byModel).toEqual({ chat: r.tokens.prompt });
    expect(r.tokens.imageTokens).toBe(0);
    expect(r.tokens.outputUpperBound).toBe(4 * 512);
  });

  it('a longer prompt is estimated at more tokens', async () => {
    const longer = planReport(await planParts(session, "SELECT name, llm('chat', 'Say {{name}} in a long and very elaborate sentence about fruit') FROM items"));
    expect(longer.actions.modelCalls).toBe(4);
    expect(longer.tokens.prompt).toBeGreaterThan(r.tokens.prompt + 4 * 5);
  });
});

describe('a workflow with uneven fan-out', () => {
  let r: PlanReport;
  beforeAll(() => {
    r = planReport(wfParts);
  });

  it('counts actions by kind and model over both inputs', () => {
    expect(r.inputs).toBe(2);
    // llm: each 1 + 3, sum 1 + 1; sql: the input query and rows once per input; format: {{rows}} as a table per input.
    expect(r.actions.byKind).toEqual({ sql: 3, format: 2, llm: 6 });
    expect(r.actions.total).toBe(11);
    expect(r.actions.modelCalls).toBe(6);
    expect(r.actions.byModel).toEqual({ big: 2, chat: 4 });
    expect(r.actions.perInput['llm']).toEqual({ total: 6, min: 2, max: 4, mean: 3 });
  });

  it('reports each step: model, FOR EACH source, dependencies and actions per input', () => {
    const src = r.sources[0];
    expect(src).toMatchObject({ kind: 'workflow', name: 'per', version: 1, params: ['g INTEGER'], output: 'sum', inputs: 2 });
    const steps = Object.fromEntries((src?.steps ?? []).map((s) => [s.name, s]));
    expect(steps['rows']).toMatchObject({ kind: 'sql', dependsOn: [], actions: { total: 2, min: 1, max: 1 } });
    expect(steps['each']).toMatchObject({ kind: 'llm', model: 'chat', forEach: 'rows', dependsOn: ['rows'], actions: { total: 4, min: 1, max: 3, mean: 2 } });
    expect(steps['sum']).toMatchObject({ kind: 'llm', model: 'big', dependsOn: ['rows'], actions: { total: 2, min: 1, max: 1 } });
    expect(steps['each']?.forEach).toBe('rows');
    expect(steps['sum']?.forEach).toBeUndefined();
  });

  it('bounds outputs by each step’s max_tokens', () => {
    expect(r.tokens.outputUpperBound).toBe(4 * 20 + 2 * 30);
    expect(r.tokens.prompt).toBeGreaterThan(0);
    expect(Object.values(r.tokens.byModel).reduce((a, b) => a + b, 0)).toBe(r.tokens.prompt);
  });

  it('adds up the parts of a statement with several sources', () => {
    const both = planReport([...fnParts, ...wfParts]);
    const fn = planReport(fnParts);
    expect(both.inputs).toBe(fn.inputs + r.inputs);
    expect(both.actions.total).toBe(fn.actions.total + r.actions.total);
    expect(both.actions.byModel).toEqual({ big: 2, chat: 8 });
    expect(both.tokens.prompt).toBe(fn.tokens.prompt + r.tokens.prompt);
    expect(both.sources.map((s) => s.name)).toEqual(['llm', 'per']);
  });

  it('is deterministic and JSON-serializable', () => {
    const again = planReport(wfParts);
    expect(JSON.stringify(again)).toBe(JSON.stringify(r));
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
