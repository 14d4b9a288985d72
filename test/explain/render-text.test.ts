// render-text: EXPLAIN as deterministic text (numbered lines, two spaces of indentation per depth,
// `Kind: key=value` labels, values with spaces quoted), printing the same figures as the JSON report,
// with no paths, ports or timestamps; VERBOSE adds the step specs and the first input slice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { planReport, type PlanPart } from '../../src/explain/plan-report.ts';
import { renderPlanText, TextPlan } from '../../src/explain/render-text.ts';
import { setupSession } from '../helpers/bind.ts';
import { FUNCTION_QUERY, planParts, SETUP, WORKFLOW_QUERY } from '../helpers/explain-plan.ts';

/** `key=value` fields of the first line with this label (the number and indentation stripped). */
function fields(text: string, label: string): Record<string, string> {
  const line = text.split('\n').map((l) => l.replace(/^\s*\d+\s+/, '').trim()).find((l) => l.startsWith(`${label}:`));
  if (line === undefined) throw new Error(`no ${label} line in\n${text}`);
  const out: Record<string, string> = {};
  for (const m of line.slice(label.length + 1).matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    const v = m[2] ?? '';
    out[m[1] ?? ''] = v.startsWith('"') ? (JSON.parse(v) as string) : v;
  }
  return out;
}

describe('TextPlan', () => {
  it('numbers lines, indents by depth, quotes values with spaces, quotes or =, drops empty fields', () => {
    const t = new TextPlan();
    t.add(0, 'Plan', { inputs: 2, note: 'a b', eq: 'x=y', q: 'say "hi"', plain: 'abc', gone: undefined, empty: '' });
    t.add(1, 'Child');
    t.add(2, 'Leaf', { n: 0 });
    expect(t.toString()).toBe(['1  Plan: inputs=2 note="a b" eq="x=y" q="say \\"hi\\"" plain=abc', '2    Child', '3      Leaf: n=0', ''].join('\n'));
  });

  it('pads line numbers to the width of the last one', () => {
    const t = new TextPlan();
    for (let i = 0; i < 10; i++) t.add(0, `L${i}`);
    const lines = t.toString().trimEnd().split('\n');
    expect(lines[0]).toBe(' 1  L0');
    expect(lines[9]).toBe('10  L9');
  });
});

describe('renderPlanText', () => {
  let session: Session;
  let dispose: () => Promise<void>;
  let wf: PlanPart[];
  let fn: PlanPart[];

  beforeAll(async () => {
    ({ session, dispose } = await setupSession(SETUP));
    wf = await planParts(session, WORKFLOW_QUERY);
    fn = await planParts(session, FUNCTION_QUERY);
  });

  afterAll(async () => {
    await dispose();
  });

  it('is deterministic: the same report renders to the same text, lines numbered 1..n', () => {
    const a = renderPlanText(planReport(wf));
    const b = renderPlanText(planReport(wf));
    expect(a).toBe(b);
    const numbers = a.trimEnd().split('\n').map((l) => Number(/^\s*(\d+)  /.exec(l)?.[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it('has no absolute paths, ports or timestamps', () => {
    const text = renderPlanText(planReport(wf), wf) + renderPlanText(planReport(fn), fn);
    expect(text).not.toContain(session.lakehouse.dir);
    expect(text).not.toMatch(/(^|[\s="])\/(tmp|home|work|Users)\//);
    expect(text).not.toMatch(/(localhost|127\.0\.0\.1):\d+/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/);
  });

  it('prints the same counts as the JSON report', () => {
    const r = planReport(wf);
    const text = renderPlanText(r);
    expect(fields(text, 'Plan')).toEqual({ inputs: String(r.inputs), actions: String(r.actions.total), model_calls: String(r.actions.modelCalls) });
    const actions = fields(text, 'Actions');
    expect(actions['total']).toBe(String(r.actions.total));
    for (const [kind, n] of Object.entries(r.actions.byKind)) expect(actions[kind]).toBe(String(n));
    expect(fields(text, 'Models')).toEqual(Object.fromEntries(Object.entries(r.actions.byModel).map(([k, v]) => [k, String(v)])));
    expect(fields(text, 'Tokens')['estimated_prompt']).toBe(String(r.tokens.prompt));
    expect(fields(text, 'Tokens')['output_upper_bound']).toBe(String(r.tokens.outputUpperBound));
    expect(fields(text, 'Workflow')).toMatchObject({ name: 'per', version: '1', params: '(g INTEGER)', return: 'sum' });
    expect(fields(text, 'Input')['rows']).toBe('2');
  });

  it('shows per-step fan-out: a single figure when even, "mean (min..max)" when not', () => {
    const text = renderPlanText(planReport(wf));
    const steps = text.split('\n').filter((l) => l.includes('Step: '));
    expect(steps).toHaveLength(3);
    expect(steps[1]).toContain('Step: name=each kind=llm model=chat for_each=rows after=rows actions=4 per_input="2 (1..3)"');
    expect(steps[2]).toContain('Step: name=sum kind=llm model=big after=rows actions=2 per_input=1');
    // Steps are nested one level under their workflow.
    const indent = (l: string | undefined): number => /^\s*\d+ ( *)/.exec(l ?? '')?.[1]?.length ?? -1;
    const wfLine = text.split('\n').find((l) => l.includes('Workflow: '));
    expect(indent(steps[0])).toBe(indent(wfLine) + 2);
  });

  it('a function source prints its model; no Step lines', () => {
    const text = renderPlanText(planReport(fn));
    expect(fields(text, 'Function')).toEqual({ name: 'llm', model: 'chat' });
    expect(text).not.toContain('Step:');
  });

  it('VERBOSE adds each step spec and the actions of input slice 0', () => {
    const plain = renderPlanText(planReport(wf));
    const verbose = renderPlanText(planReport(wf), wf);
    expect(plain).not.toContain('Spec:');
    expect(plain).not.toContain('Slice:');
    expect(verbose.match(/Spec:/g)).toHaveLength(3);
    expect(fields(verbose, 'Slice')).toMatchObject({ input: '0' });
    // Input 0 is g = 0: one item to fan out over, so one 'each' call.
    expect(verbose).toMatch(/Llm: .*prompt="Describe apple"/);
    expect(verbose).not.toContain('Describe pear');
  });

  it('appends extra sections after the plan', () => {
    const text = renderPlanText(planReport(fn), undefined, (t) => t.add(1, 'Extra', { x: 1 }));
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^\d+ {4}Extra: x=1$/);
  });
});
