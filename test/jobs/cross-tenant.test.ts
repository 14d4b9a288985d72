// Cross-tenant grouping on DAGs the real lowering builds: two tenants' overlapping batches (the
// shipped Q2-Trading over overlapping symbols; two desks' workflows sharing their first steps) share
// exactly the overlapping deterministic actions, each once with both tenants as sharers; at
// temperature > 0 no model call is shared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import type { Action, ActionDag } from '../../src/ir/action-dag.ts';
import { isModelCall } from '../../src/ir/action-dag.ts';
import { groupSharedActions, type SharedExecution, type TenantDag } from '../../src/jobs/cross-tenant.ts';
import { computeSignatures } from '../../src/optimizer/signatures.ts';
import { demoSession } from '../helpers/lakehouse.ts';
import { lowerFirstSite } from '../helpers/lower.ts';

let session: Session;
let dispose: () => Promise<void>;

const desks = (temperature: number): string => `
CREATE OR REPLACE WORKFLOW desk_a_${temperature * 10}(symbol VARCHAR) AS (
  fund := SQL (SELECT fiscal_year, revenue FROM financials WHERE symbol = :symbol ORDER BY fiscal_year),
  analyst := LLM qwen3_8b SYSTEM 'You are a fundamentals analyst.' PROMPT 'Ticker: {{symbol}}\\n{{fund}}\\nWrite your report.' WITH (temperature ${temperature}, max_tokens 64),
  bull := LLM qwen3_8b PROMPT 'Report:\\n{{analyst}}\\nArgue for buying.' WITH (temperature ${temperature}, max_tokens 32)
) RETURN bull;
CREATE OR REPLACE WORKFLOW desk_b_${temperature * 10}(symbol VARCHAR) AS (
  fund := SQL (SELECT fiscal_year, revenue FROM financials WHERE symbol = :symbol ORDER BY fiscal_year),
  analyst := LLM qwen3_8b SYSTEM 'You are a fundamentals analyst.' PROMPT 'Ticker: {{symbol}}\\n{{fund}}\\nWrite your report.' WITH (temperature ${temperature}, max_tokens 64),
  bear := LLM qwen3_8b PROMPT 'Report:\\n{{analyst}}\\nArgue for selling.' WITH (temperature ${temperature}, max_tokens 32)
) RETURN bear;
`;

beforeAll(async () => {
  ({ session, dispose } = await demoSession());
  for (const t of [0, 0.7]) await session.runScript({ name: 'desks.sql', text: desks(t) }, 'run');
});

afterAll(() => dispose());

const lower = (sql: string): Promise<ActionDag> => lowerFirstSite(session, sql);

const symbols = (offset: number): string => `(SELECT symbol FROM symbols ORDER BY symbol LIMIT 2 OFFSET ${offset})`;
const actionOf = (dag: ActionDag, id: string): Action | undefined => dag.actions.find((a) => a.id === id);
const tenantsOf = (g: SharedExecution): string[] => [...new Set(g.sharers.map((r) => r.tenant))].sort();

describe('groupSharedActions', () => {
  it('shares exactly the overlapping symbol of two Q2-Trading batches, once, between both tenants', async () => {
    const a = await lower(`SELECT s.symbol, t.* FROM ${symbols(0)} s, q2_trading(s.symbol) t`);
    const b = await lower(`SELECT s.symbol, t.* FROM ${symbols(1)} s, q2_trading(s.symbol) t`);
    const common = a.inputs[1]?.values['symbol'];
    expect(common).toBe(b.inputs[0]?.values['symbol']);
    expect(a.inputs[0]?.values['symbol']).not.toBe(common);
    const batch: TenantDag[] = [{ tenant: 'acme', job: 'j1', dag: a }, { tenant: 'globex', job: 'j2', dag: b }];
    const groups = groupSharedActions(batch);
    // Every action of the common symbol's input (39 per input, catalog/README.md), nothing else.
    expect(groups.size).toBe(39);
    expect(a.actions.filter((x) => x.input === 1)).toHaveLength(39);
    for (const [sig, g] of groups) {
      expect(g.sharers).toHaveLength(2);
      expect(g.executor).toEqual(g.sharers[0]);
      expect(g.sharers.map((r) => r.tenant)).toEqual(['acme', 'globex']);
      const [x, y] = g.sharers;
      expect(actionOf(a, x?.actionId ?? '')?.input).toBe(1);
      expect(actionOf(b, y?.actionId ?? '')?.input).toBe(0);
      // The key is the actions' instance signature.
      expect(computeSignatures(a).signature.get(x?.actionId ?? '')).toBe(sig);
    }
    const modelCalls = [...groups.values()].filter((g) => isModelCall(actionOf(a, g.executor.actionId) as Action)).length;
    expect(modelCalls).toBe(6 + 16);
  });

  it('shares the common steps of two overlapping workflows at temperature 0, not the diverging ones', async () => {
    const a = await lower(`SELECT * FROM run_workflow('desk_a_0', ${symbols(0)})`);
    const b = await lower(`SELECT * FROM run_workflow('desk_b_0', ${symbols(0)})`);
    const groups = groupSharedActions([{ tenant: 'acme', job: 'j1', dag: a }, { tenant: 'globex', job: 'j2', dag: b }]);
    const steps = [...groups.values()].map((g) => actionOf(a, g.executor.actionId)?.step).sort();
    // The batch's input query (both run the same one), then per symbol the fund query, its markdown
    // table and the analyst call.
    expect(steps).toEqual(['<input>', 'analyst', 'analyst', 'fund', 'fund', 'fund', 'fund']);
    for (const g of groups.values()) expect(tenantsOf(g)).toEqual(['acme', 'globex']);
    expect([...groups.values()].some((g) => ['bull', 'bear'].includes(actionOf(a, g.executor.actionId)?.step ?? ''))).toBe(false);
  });

  it('shares no model call at temperature > 0, only the deterministic SQL and formatting', async () => {
    const a = await lower(`SELECT * FROM run_workflow('desk_a_7', ${symbols(0)})`);
    const b = await lower(`SELECT * FROM run_workflow('desk_b_7', ${symbols(0)})`);
    // The same workflow twice, too: sampling calls of equal content stay apart.
    const a2 = await lower(`SELECT * FROM run_workflow('desk_a_7', ${symbols(0)})`);
    const groups = groupSharedActions([{ tenant: 'acme', job: 'j1', dag: a }, { tenant: 'globex', job: 'j2', dag: b }, { tenant: 'initech', job: 'j3', dag: a2 }]);
    const kinds = [...groups.values()].map((g) => actionOf(a, g.executor.actionId)?.kind);
    expect(kinds.filter((k) => k === 'llm')).toEqual([]);
    expect(kinds.sort()).toEqual(['format', 'format', 'sql', 'sql', 'sql']);
    for (const g of groups.values()) expect(tenantsOf(g)).toEqual(['acme', 'globex', 'initech']);
  });

  it('does not report what only one tenant shares, even across its own jobs', async () => {
    const a = await lower(`SELECT * FROM run_workflow('desk_a_0', ${symbols(0)})`);
    expect(groupSharedActions([{ tenant: 'acme', job: 'j1', dag: a }, { tenant: 'acme', job: 'j2', dag: a }]).size).toBe(0);
    const g = groupSharedActions([{ tenant: 'acme', job: 'j1', dag: a }, { tenant: 'acme', job: 'j2', dag: a }, { tenant: 'globex', job: 'j3', dag: a }]);
    expect(g.size).toBe(a.actions.length);
    for (const x of g.values()) expect(x.sharers.map((r) => r.job)).toEqual(['j1', 'j2', 'j3']);
  });

  it('confirms a hash match structurally: colliding hashes group exactly as SHA-256 does', async () => {
    const a = await lower(`SELECT * FROM run_workflow('desk_a_0', ${symbols(0)})`);
    const b = await lower(`SELECT * FROM run_workflow('desk_b_0', ${symbols(0)})`);
    const batch: TenantDag[] = [{ tenant: 'acme', job: 'j1', dag: a }, { tenant: 'globex', job: 'j2', dag: b }];
    const shape = (m: Map<string, SharedExecution>): string[] => [...m.values()].map((g) => g.sharers.map((r) => r.actionId).join('=')).sort();
    const strong = groupSharedActions(batch);
    const weak = groupSharedActions(batch, { hash: () => 'same' });
    expect(shape(weak)).toEqual(shape(strong));
    expect(new Set(weak.keys()).size).toBe(strong.size);
  });
});
