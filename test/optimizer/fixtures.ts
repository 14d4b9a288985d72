// Hand-built ActionDags for the optimizer tests: segment and action constructors, a trading-like chain
// (sql → markdown → analyst → bull/bear → trader) whose labels a test can vary, and a seeded random
// topological reordering.
import type { Action, ActionDag, ActionId, FormatAction, LlmAction, PromptSegment, SqlAction } from '../../src/ir/action-dag.ts';
import type { Decoding, ModelRef } from '../../src/ir/common.ts';
import { Prng } from '../../src/util/prng.ts';

export const QWEN: ModelRef = { name: 'qwen3_8b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-8B', paramsB: 8, version: 1 };
export const GREEDY: Decoding = { temperature: 0, maxTokens: 256 };

export const text = (t: string): PromptSegment => ({ kind: 'text', text: t });
export const value = (name: string, v: string): PromptSegment => ({ kind: 'value', name, value: v });
export const ref = (action: ActionId, render: 'text' | 'table' | 'row' = 'text', column?: string): PromptSegment => ({ kind: 'ref', action, render, ...(column !== undefined ? { column } : {}) });

/** The batch-level input action every lowered DAG starts with. */
export const INPUT: SqlAction = { kind: 'sql', id: 'input', step: '<input>', input: null, deps: [], sql: 'SELECT symbol FROM symbols', params: {}, rows: 2 };

/** Dependencies of a prompt: the actions it references, else the input action (as lowering does). */
export function refsOf(...lists: (readonly PromptSegment[])[]): ActionId[] {
  const ids = lists.flatMap((l) => l.flatMap((s) => (s.kind === 'ref' ? [s.action] : [])));
  return ids.length > 0 ? [...new Set(ids)] : ['input'];
}

export function llm(id: ActionId, input: number, prompt: readonly PromptSegment[], extra: Partial<Omit<LlmAction, 'kind' | 'id' | 'prompt'>> = {}): LlmAction {
  const system = extra.system ?? [];
  return { kind: 'llm', id, step: id.split('#')[0] ?? id, input, deps: refsOf(system, prompt), model: QWEN, system, decoding: GREEDY, ...extra, prompt };
}

/** Labels one copy of the trading chain uses: ids, step names, spans, estimates, parameter names. */
export interface ChainLabels {
  readonly prefix: string;
  readonly input: number;
  /** Name of the bound parameter (a label: the runtime renders only its value). */
  readonly param?: string;
  readonly spanAt?: number;
}

/** Content knobs of the chain. */
export interface ChainContent {
  readonly symbol: string;
  readonly analystDecoding?: Decoding;
}

/** sql → markdown → analyst → (bull, bear) → trader; returns the actions and the trader's id. */
export function tradingChain(l: ChainLabels, c: ChainContent): { actions: Action[]; trader: ActionId } {
  const p = l.prefix;
  const name = l.param ?? 'symbol';
  const span = l.spanAt !== undefined ? { span: { start: l.spanAt, end: l.spanAt + 10 } } : {};
  const base = { input: l.input, ...span };
  const fund: SqlAction = {
    kind: 'sql', id: `${p}fund`, step: `${p}fundamentals`, ...base, deps: ['input'],
    sql: 'SELECT fiscal_year, revenue FROM financials WHERE symbol = $symbol', params: { symbol: c.symbol }, paramTypes: { symbol: 'VARCHAR' },
    rows: l.input + 3, tokens: 100 + l.input,
  };
  const md: FormatAction = { kind: 'format', id: `${p}fund:md`, step: `${p}fundamentals`, ...base, deps: [fund.id], format: 'markdown_table', parts: [ref(fund.id, 'table')] };
  const analyst = llm(`${p}analyst`, l.input, [text('Ticker: '), value(name, c.symbol), text('\nFinancials:\n'), ref(md.id), text('\nWrite your report.')], {
    step: `${p}fundamentals_report`, system: [text('You are a fundamentals analyst.')], decoding: c.analystDecoding ?? GREEDY, ...span,
  });
  const side = (who: string): LlmAction =>
    llm(`${p}${who}`, l.input, [text('Ticker: '), value(name, c.symbol), text('\nReport:\n'), ref(analyst.id), text('\nMake your case.')], {
      step: `${p}${who}`, system: [text(`You are the ${who} researcher.`)], ...span,
    });
  const bull = side('bull');
  const bear = side('bear');
  const trader = llm(`${p}trader`, l.input, [text('Bull:\n'), ref(bull.id), text('\nBear:\n'), ref(bear.id), text('\nDecide.')], { step: `${p}trade_plan`, round: 1, speaker: p, ...span });
  return { actions: [fund, md, analyst, bull, bear, trader], trader: trader.id };
}

/** A DAG over the input action plus `actions`; `outputs[i]` are input i's outputs. */
export function dagOf(actions: readonly Action[], outputs: readonly (readonly ActionId[])[]): ActionDag {
  return {
    kind: 'action_dag',
    source: 'test',
    inputs: outputs.map((o, index) => ({ index, values: {}, outputs: o })),
    actions: [INPUT, ...actions],
  };
}

/** The same actions in another topological order, drawn with a seeded PRNG. */
export function shuffleTopologically(dag: ActionDag, seed: number): ActionDag {
  const rng = new Prng(seed);
  const placed = new Set<ActionId>();
  const left = [...dag.actions];
  const out: Action[] = [];
  while (left.length > 0) {
    const ready = left.filter((a) => a.deps.every((d) => placed.has(d)));
    const pick = rng.pick(ready);
    left.splice(left.indexOf(pick), 1);
    placed.add(pick.id);
    out.push(pick);
  }
  return { ...dag, actions: out };
}
