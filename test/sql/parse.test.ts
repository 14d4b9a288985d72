// The grammar: every statement form of DESIGN.md §2, statement splitting around strings and comments,
// spans, and recovery (one bad statement or step does not hide the others).
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../src/sql/parse.ts';
import type { CreateWorkflow, ModelStepBody, Statement } from '../../src/sql/ast.ts';

function parseOk(text: string): Statement[] {
  const r = parseScript({ name: 't.sql', text });
  expect(r.diagnostics).toEqual([]);
  return [...r.script.statements];
}

const TRADING = `CREATE WORKFLOW trading(symbol VARCHAR) AS (
  fundamentals := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  headlines    := SQL (SELECT title, body, chart_key FROM news WHERE symbol = :symbol ORDER BY day DESC LIMIT 5),
  chart_notes  := VLM llava FOR EACH ROW OF headlines IMAGE chart_key
                    PROMPT 'Explain what this chart says about {{title}}',
  fund_report  := LLM qwen3_8b SYSTEM analyst PROMPT 'Fundamentals of {{symbol}}:\\n{{fundamentals}}\\nWrite a report.',
  bull         := LLM qwen3_8b SYSTEM 'You argue for buying.'  PROMPT '{{fund_report}}',
  bear         := LLM qwen3_8b SYSTEM 'You argue for selling.' PROMPT '{{fund_report}}' WITH (temperature 0, max_tokens 256, seed 7),
  debate       := DEBATE (bull, bear) ROUNDS 3,
  decision     := LLM qwen3_8b PROMPT 'Debate:\\n{{debate}}\\nDecide.'
                    RETURNS (action VARCHAR CHECK (action IN ('BUY','SELL','HOLD')), rationale VARCHAR)
) RETURN decision`;

describe('statements', () => {
  it('parses catalog statements', () => {
    const s = parseOk(`CREATE MODEL qwen3_8b (KIND llm, ENDPOINT 'http://gpu1:8000/v1', NAME 'Qwen/Qwen3-8B', PARAMS_B 8);
      CREATE OR REPLACE MODEL e5 (KIND embedding, ENDPOINT 'sim://', NAME 'e5-small');
      DROP MODEL qwen3_8b; DROP MODEL IF EXISTS nope;
      CREATE PROMPT analyst AS 'You are a meticulous equity analyst. It''s fine.';
      DROP WORKFLOW IF EXISTS trading; SHOW MODELS; show prompts; SHOW WORKFLOWS`);
    expect(s.map((x) => x.kind)).toEqual(['create_model', 'create_model', 'drop', 'drop', 'create_prompt', 'drop', 'show', 'show', 'show']);
    const m = s[0];
    if (m?.kind !== 'create_model') throw new Error('expected create_model');
    expect(m.options.map((o) => [o.key.name, o.value.kind])).toEqual([['kind', 'ident'], ['endpoint', 'string'], ['name', 'string'], ['params_b', 'number']]);
    expect(s[1]?.kind === 'create_model' && s[1].orReplace).toBe(true);
    expect(s[3]?.kind === 'drop' && s[3].ifExists).toBe(true);
    expect(s[4]?.kind === 'create_prompt' && s[4].text.value).toBe("You are a meticulous equity analyst. It's fine.");
    expect(s[7]?.kind === 'show' && s[7].what).toBe('prompts');
  });

  it('parses the DESIGN.md trading workflow with every step kind and clause', () => {
    const [w] = parseOk(TRADING) as [CreateWorkflow];
    expect(w.kind).toBe('create_workflow');
    expect(w.params.map((p) => `${p.name.name} ${p.type.text}`)).toEqual(['symbol VARCHAR']);
    expect(w.steps.map((s) => `${s.name.name}:${s.body.kind}`)).toEqual([
      'fundamentals:sql', 'headlines:sql', 'chart_notes:vlm', 'fund_report:llm', 'bull:llm', 'bear:llm', 'debate:debate', 'decision:llm',
    ]);
    const vlm = w.steps[2]?.body as ModelStepBody;
    expect(vlm.clauses.forEach?.name).toBe('headlines');
    expect(vlm.clauses.image).toMatchObject({ kind: 'ident', name: 'chart_key' });
    const bear = w.steps[5]?.body as ModelStepBody;
    expect(bear.clauses.with?.map((o) => `${o.key.name}=${o.value.kind === 'number' ? o.value.value : '?'}`)).toEqual(['temperature=0', 'max_tokens=256', 'seed=7']);
    const decision = w.steps[7]?.body as ModelStepBody;
    expect(decision.clauses.returns?.map((c) => [c.name.name, c.type.text, c.check?.text ?? null])).toEqual([
      ['action', 'VARCHAR', "action IN ('BUY','SELL','HOLD')"],
      ['rationale', 'VARCHAR', null],
    ]);
    const debate = w.steps[6]?.body;
    expect(debate?.kind === 'debate' && [debate.participants.map((p) => p.name), debate.rounds.value]).toEqual([['bull', 'bear'], 3]);
    expect(w.returns.name).toBe('decision');
  });

  it('keeps SQL step bodies verbatim with their spans', () => {
    const [w] = parseOk(TRADING) as [CreateWorkflow];
    const s = w.steps[1]?.body;
    if (s?.kind !== 'sql') throw new Error('expected sql');
    expect(s.query.text).toBe('SELECT title, body, chart_key FROM news WHERE symbol = :symbol ORDER BY day DESC LIMIT 5');
    expect(TRADING.slice(s.query.span.start, s.query.span.end)).toBe(s.query.text);
  });

  it('classifies plain SQL and finds the query inside CTAS, INSERT and COPY', () => {
    const s = parseOk(`SELECT 1; FROM news; WITH x AS (SELECT 1) SELECT * FROM x;
      CREATE TABLE t AS SELECT llm('m', title) FROM news;
      INSERT INTO t SELECT 2; COPY (SELECT 1) TO 'x.parquet'; SET threads = 2; CREATE TABLE u (a INT)`);
    expect(s.map((x) => (x.kind === 'sql' ? x.form : x.kind))).toEqual(['query', 'query', 'query', 'create_table_as', 'insert', 'copy', 'other', 'other']);
    const ctas = s[3];
    expect(ctas?.kind === 'sql' && ctas.query?.text).toBe("SELECT llm('m', title) FROM news");
    expect(ctas?.kind === 'sql' && ctas.target?.name).toBe('t');
  });

  it('parses EXPLAIN modes around any statement', () => {
    const s = parseOk('EXPLAIN SELECT 1; EXPLAIN VERBOSE SELECT 2; explain analyze SELECT 3; EXPLAIN CREATE PROMPT p AS $$x$$');
    expect(s.map((x) => (x.kind === 'explain' ? `${x.mode}:${x.statement.kind}` : x.kind))).toEqual(['plain:sql', 'verbose:sql', 'analyze:sql', 'plain:create_prompt']);
  });

  it('splits statements only at semicolons outside strings, quoted names, dollar quotes and comments', () => {
    const s = parseOk(`SELECT 'a;b' AS "x;y"; -- c;d
      /* e; f */ SELECT $$g;h$$; SELECT $t$i;$t$ -- tail;`);
    expect(s).toHaveLength(3);
    expect(s.map((x) => (x.kind === 'sql' ? x.text : ''))).toEqual([`SELECT 'a;b' AS "x;y"`, 'SELECT $$g;h$$', 'SELECT $t$i;$t$ -- tail;']);
  });

  it('treats identifiers case-insensitively unless quoted, and allows keywords as step names', () => {
    const [w] = parseOk(`create or replace workflow W(P varchar) as (debate := llm M prompt 'x', "Mixed" := SQL (select 1)) return DEBATE`) as [CreateWorkflow];
    expect([w.name.name, w.params[0]?.name.name, w.steps[0]?.name.name, w.steps[1]?.name.name, w.returns.name]).toEqual(['w', 'p', 'debate', 'Mixed', 'debate']);
  });

  it('reads dollar-quoted prompt text verbatim', () => {
    const [w] = parseOk(`CREATE WORKFLOW w() AS (a := LLM m PROMPT $p$it's {{x}}\\n$p$) RETURN a`) as [CreateWorkflow];
    const b = w.steps[0]?.body as ModelStepBody;
    expect(b.clauses.prompt?.value).toBe("it's {{x}}\\n");
    expect(b.clauses.prompt?.quote).toBe('dollar');
  });
});

describe('errors', () => {
  it('reports a bad statement and keeps parsing the next ones', () => {
    const r = parseScript({ name: 't.sql', text: 'CREATE MODEL m (KIND llm, ENDPOINT);\nSELECT 1;\nSHOW MODLES;\nCREATE PROMPT p AS 12;' });
    // SHOW MODLES is not an agentlake SHOW: it goes to DuckDB (which reports it when it runs).
    expect(r.diagnostics.map((d) => d.code)).toEqual(['P0111', 'P0001']);
    expect(r.script.statements.map((s) => s.kind)).toEqual(['sql', 'sql']);
  });

  it('reports every bad step of a workflow at once', () => {
    const text = `CREATE WORKFLOW w(a VARCHAR) AS (
  x := SQL (SELECT 1),
  y := LLMM m PROMPT 'hi',
  z := LLM m PROMT 'x',
  d := DEBATE (x, y),
  q := LLM m PROMPT 'a' PROMPT 'b'
) RETURN q`;
    const r = parseScript({ name: 't.sql', text });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['P0114', 'P0001', 'P0115', 'P0105']);
    const lines = r.diagnostics.map((d) => text.slice(0, d.span?.start).split('\n').length);
    expect(lines).toEqual([3, 4, 5, 6]);
    expect(r.diagnostics[1]?.help).toBe("did you mean 'PROMPT'?");
  });

  it('flags an unterminated string with its own code', () => {
    const r = parseScript({ name: 't.sql', text: "CREATE PROMPT p AS 'never closed" });
    expect(r.diagnostics[0]?.code).toBe('P0002');
  });

  it('never throws on garbage', () => {
    for (const text of ['(((', "'", '$$', 'CREATE WORKFLOW', 'CREATE WORKFLOW w(', 'CREATE WORKFLOW w() AS (', ':=', '{{', '\u0000\u0001', 'EXPLAIN', ';;;;']) {
      expect(() => parseScript({ name: 't.sql', text })).not.toThrow();
    }
  });
});
