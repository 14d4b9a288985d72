// Merkle dedup on a DAG built by the real lowering: Q2-Trading over the demo lakehouse with every
// symbol listed twice. Each duplicate input merges into the first except its output (an alias), and
// what remains has exactly the signatures of the same workflow lowered over the distinct symbols.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import type { Action, ActionDag } from '../../src/ir/action-dag.ts';
import { computeSignatures, dedupDag } from '../../src/optimizer/signatures.ts';
import { demoSession } from '../helpers/lakehouse.ts';
import { lowerFirstSite } from '../helpers/lower.ts';

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await demoSession());
});

afterAll(() => dispose());

const lower = (sql: string): Promise<ActionDag> => lowerFirstSite(session, sql);

const FIRST_TWO = '(SELECT symbol FROM symbols ORDER BY symbol LIMIT 2)';
const kinds = (actions: readonly Action[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const a of actions) out[a.kind] = (out[a.kind] ?? 0) + 1;
  return out;
};

describe('dedupDag on a lowered Q2-Trading batch', () => {
  it('runs each duplicated input once, keeping one alias per duplicate output', async () => {
    const dag = await lower(`SELECT s.symbol, t.* FROM (SELECT symbol FROM ${FIRST_TWO} a, range(2) r ORDER BY symbol) s, q2_trading(s.symbol) t`);
    expect(dag.inputs.map((s) => s.values['symbol'])).toEqual(['ALTP', 'ALTP', 'AMBF', 'AMBF']);
    // Per input (catalog/README.md): sql 4, fetch 6, vlm 6, llm 16, plus 4 markdown tables and 3
    // debate transcripts = 39; plus the batch's input action.
    expect(dag.actions).toHaveLength(1 + 4 * 39);
    const r = dedupDag(dag);
    expect(r.merged).toBe(2 * 38);
    expect([...r.aliases]).toEqual([['decision#1', 'decision#0'], ['decision#3', 'decision#2']]);
    expect(r.dag.actions).toHaveLength(1 + 2 * 39 + 2);
    expect(kinds(r.dag.actions)).toEqual({ sql: 1 + 2 * 4, fetch: 12, vlm: 12, format: 14, llm: 2 * 16 + 2 });
    expect(r.dag.inputs.map((s) => s.outputs)).toEqual([['decision#0'], ['decision#1'], ['decision#2'], ['decision#3']]);
    expect(r.dag.actions.every((a) => a.input === null || a.input === 0 || a.input === 2 || r.aliases.has(a.id))).toBe(true);
    const seen = new Set<string>();
    for (const a of r.dag.actions) {
      for (const d of a.deps) expect(seen.has(d)).toBe(true);
      seen.add(a.id);
    }
  });

  it('leaves the signatures of the distinct-input batch, whatever the input query', async () => {
    const doubled = dedupDag(await lower(`SELECT s.symbol, t.* FROM (SELECT symbol FROM ${FIRST_TWO} a, range(2) r ORDER BY symbol) s, q2_trading(s.symbol) t`));
    const single = await lower(`SELECT s.symbol, t.* FROM ${FIRST_TWO} s, q2_trading(s.symbol) t`);
    const distinct = dedupDag(single);
    expect(distinct.merged).toBe(0);
    expect(distinct.dag).toBe(single);
    // The input actions differ (their queries differ); nothing else reads them, so nothing else differs.
    const sigs = (dag: ActionDag, skip: ReadonlySet<string>): string[] => {
      const m = computeSignatures(dag).signature;
      return dag.actions.filter((a) => a.id !== 'input' && !skip.has(a.id)).map((a) => m.get(a.id) ?? '').sort();
    };
    expect(sigs(doubled.dag, new Set(doubled.aliases.keys()))).toEqual(sigs(single, new Set()));
  });
});
