// IR values are plain JSON (they round-trip), every node kind has an EXPLAIN formatter, and the
// structural hash ignores ids and spans but sees any change of content.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/engine/session.ts';
import { bindQuery } from '../../src/bind/bind-query.ts';
import { loadWorkflow } from '../../src/bind/load-workflow.ts';
import { lowerSite } from '../../src/lower/lower-query.ts';
import { engineProbe } from '../../src/engine/engine-probe.ts';
import { parseScript } from '../../src/sql/parse.ts';
import { structuralHash } from '../../src/ir/structural-hash.ts';
import { actionFields, stepFields, ACTION_FORMAT, STEP_FORMAT } from '../../src/ir/format-node.ts';
import type { Action, ActionDag } from '../../src/ir/action-dag.ts';
import type { WorkflowGraph } from '../../src/ir/workflow-graph.ts';
import type { SqlStatement } from '../../src/sql/ast.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';

let dir: string;
let session: Session;
let dag: ActionDag;
let graph: WorkflowGraph;

beforeAll(async () => {
  dir = await freshLakehouse({ demo: true });
  session = await Session.open({ lakehouse: dir });
  const text = "SELECT * FROM symbols s, q2_trading(s.symbol) t WHERE s.symbol IN (SELECT symbol FROM symbols ORDER BY symbol LIMIT 2)";
  const stmt = parseScript({ name: 'q.sql', text }).script.statements[0] as SqlStatement;
  const bound = await bindQuery(stmt, { catalog: session.catalog.snapshot, db: session.lakehouse.db });
  const site = bound.sites[0];
  if (!site) throw new Error('no call site');
  dag = await lowerSite(site, engineProbe(session.lakehouse));
  graph = await loadWorkflow('q2_trading', { catalog: session.catalog.snapshot, db: session.lakehouse.db }, { start: 0, end: 0 });
});

afterAll(async () => {
  await session.close();
  removeLakehouse(dir);
});

/** Renames every action id (and every reference to one). */
function renameIds(d: ActionDag, f: (id: string) => string): ActionDag {
  return JSON.parse(JSON.stringify(d), (key, value: unknown) => {
    if ((key === 'id' || key === 'action' || key === 'encoded') && typeof value === 'string') return f(value);
    if ((key === 'deps' || key === 'outputs') && Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? f(v) : v));
    return value;
  }) as ActionDag;
}

describe('IR', () => {
  it('round-trips through JSON unchanged', () => {
    expect(dag.inputs.length).toBe(2);
    expect(JSON.parse(JSON.stringify(dag))).toEqual(dag);
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
  });

  it('hashes structure, not ids or spans', () => {
    const renamed = renameIds(dag, (id) => `x_${id}`);
    expect(renamed.actions[1]?.id).not.toBe(dag.actions[1]?.id);
    expect(structuralHash(renamed)).toBe(structuralHash(dag));
    const noSpans = JSON.parse(JSON.stringify(graph), (k, v: unknown) => (k === 'span' ? undefined : v)) as WorkflowGraph;
    expect(structuralHash(noSpans)).toBe(structuralHash(graph));
  });

  it('sees a changed prompt, model or dependency', () => {
    const base = structuralHash(dag);
    const i = dag.actions.findIndex((a) => a.kind === 'llm');
    const llm = dag.actions[i];
    if (llm?.kind !== 'llm') throw new Error('no llm action');
    const withActions = (a: Action): ActionDag => ({ ...dag, actions: dag.actions.map((x, k) => (k === i ? a : x)) });
    expect(structuralHash(withActions({ ...llm, prompt: [...llm.prompt, { kind: 'text', text: '!' }] }))).not.toBe(base);
    expect(structuralHash(withActions({ ...llm, model: { ...llm.model, name: 'other' } }))).not.toBe(base);
    expect(structuralHash(withActions({ ...llm, deps: llm.deps.slice(1) }))).not.toBe(base);
    expect(structuralHash(withActions({ ...llm, decoding: { ...llm.decoding, temperature: 0.5 } }))).not.toBe(base);
  });

  it('has a formatter for every kind, and formats every node of a real plan', () => {
    expect(Object.keys(ACTION_FORMAT).sort()).toEqual(['embed', 'fetch', 'format', 'image', 'llm', 'sql', 'vlm', 'vlm_encode', 'vlm_reason']);
    expect(Object.keys(STEP_FORMAT).sort()).toEqual(['debate', 'embed', 'fetch', 'image', 'llm', 'sql', 'vlm']);
    for (const a of dag.actions) expect(actionFields(a)['id']).toBe(a.id);
    for (const s of graph.steps) expect(stepFields(s)['name']).toBe(s.name);
    const vlm = dag.actions.find((a) => a.kind === 'vlm');
    expect(vlm && actionFields(vlm)['image']).toMatch(/^charts\/[A-Z]+\/\d\.png$/);
  });
});
