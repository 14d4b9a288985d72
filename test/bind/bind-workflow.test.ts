// bindWorkflow / bindStep: every step kind binds to its WorkflowStep (model resolved by kind, SQL steps
// typed by DuckDB with :param turned into $param), {{name}} resolves to a FOR EACH column, then a
// parameter, then a step (each step reference an edge), and bad references, unknown steps and cycles
// are B02xx errors at the offending name, all reported together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindWorkflow } from '../../src/bind/bind-workflow.ts';
import type { Session } from '../../src/engine/session.ts';
import type { WorkflowGraph, WorkflowStep } from '../../src/ir/workflow-graph.ts';
import { parseOne, setupSession, userErrors, type Located } from '../helpers/bind.ts';

const SETUP = `
CREATE TABLE docs AS SELECT i AS id, 'title ' || i AS title, i % 3 AS grp FROM range(6) t(i);
CREATE MODEL chat (KIND llm, ENDPOINT 'sim://');
CREATE MODEL eye (KIND vlm, ENDPOINT 'sim://');
CREATE MODEL vec (KIND embedding, ENDPOINT 'sim://');
CREATE MODEL painter (KIND diffusion, ENDPOINT 'sim://');
CREATE PROMPT terse AS 'Be terse about {{topic}}.';
`;

const ALL_KINDS = `CREATE WORKFLOW all_kinds(topic VARCHAR, n INTEGER) AS (
  picked  := SQL (SELECT id, title FROM docs WHERE grp = :n AND title <> :topic ORDER BY id),
  pics    := FETCH 'img/{{topic}}/*.png',
  look    := VLM eye FOR EACH ROW OF pics IMAGE pics PROMPT 'Describe {{key}} for {{topic}}',
  each    := LLM chat FOR EACH ROW OF picked PROMPT 'Title {{title}} #{{id}}' WITH (max_tokens 40),
  vec     := EMBED vec PROMPT '{{each}}',
  pro     := LLM chat SYSTEM terse PROMPT 'For: {{picked}}',
  con     := LLM chat PROMPT 'Against: {{picked}}',
  argue   := DEBATE (pro, con) ROUNDS 3,
  draw    := IMAGE painter PROMPT 'Draw {{argue}}',
  review  := VLM eye IMAGE draw PROMPT 'Review the drawing',
  verdict := LLM chat PROMPT '{{argue}} / {{look}} / {{review}} / {{vec}}' RETURNS (ok BOOLEAN, why VARCHAR)
) RETURN verdict`;

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await setupSession(SETUP));
});

afterAll(async () => {
  await dispose();
});

async function bind(text: string): Promise<WorkflowGraph> {
  const stmt = parseOne(text);
  if (stmt.kind !== 'create_workflow') throw new Error(`expected CREATE WORKFLOW, got ${stmt.kind}`);
  return bindWorkflow(stmt, session.catalog.snapshot, session.lakehouse.db);
}

async function errors(text: string): Promise<Located[]> {
  return userErrors(text, () => bind(text));
}

function step(g: WorkflowGraph, name: string): WorkflowStep {
  const s = g.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name}`);
  return s;
}

/** Incoming edges of a step as `from:via`, sorted. */
function inputsOf(g: WorkflowGraph, name: string): string[] {
  return g.edges.filter((e) => e.to === name).map((e) => `${e.from}:${e.via}`).sort();
}

describe('step kinds', () => {
  let g: WorkflowGraph;
  beforeAll(async () => {
    g = await bind(ALL_KINDS);
  });

  it('keeps the name, typed parameters, the RETURN step and the declaration order', () => {
    expect(g.kind).toBe('workflow_graph');
    expect(g.name).toBe('all_kinds');
    expect(g.version).toBe(1);
    expect(g.params).toEqual([{ name: 'topic', type: 'VARCHAR' }, { name: 'n', type: 'INTEGER' }]);
    expect(g.output).toBe('verdict');
    expect(g.steps.map((s) => `${s.name}:${s.kind}`)).toEqual([
      'picked:sql', 'pics:fetch', 'look:vlm', 'each:llm', 'vec:embed', 'pro:llm', 'con:llm', 'argue:debate', 'draw:image', 'review:vlm', 'verdict:llm',
    ]);
  });

  it('SQL: parameters become $name, the output columns are typed by DuckDB', () => {
    const s = step(g, 'picked');
    if (s.kind !== 'sql') throw new Error('sql');
    expect(s.sql).toContain('grp = $n');
    expect(s.sql).toContain('<> $topic');
    expect(s.sql).not.toContain(':n');
    expect([...s.params].sort()).toEqual(['n', 'topic']);
    expect(s.columns).toEqual([{ name: 'id', type: 'BIGINT' }, { name: 'title', type: 'VARCHAR' }]);
  });

  it('FETCH: the target template has the parameter as a param part', () => {
    const s = step(g, 'pics');
    if (s.kind !== 'fetch') throw new Error('fetch');
    expect(s.target.map((p) => `${p.kind}:${'name' in p ? p.name : p.text}`)).toEqual(['text:img/', 'param:topic', 'text:/*.png']);
  });

  it('FOR EACH ROW OF: placeholders resolve to the row columns first, then parameters', () => {
    const each = step(g, 'each');
    expect(each.forEach).toBe('picked');
    if (each.kind !== 'llm') throw new Error('llm');
    expect(each.prompt.filter((p) => p.kind !== 'text').map((p) => `${p.kind}:${'name' in p ? p.name : ''}`)).toEqual(['column:title', 'column:id']);
    expect(each.decoding.maxTokens).toBe(40);
    const look = step(g, 'look');
    if (look.kind !== 'vlm') throw new Error('vlm');
    expect(look.forEach).toBe('pics');
    // FETCH rows have a key column; topic is a parameter.
    expect(look.prompt.filter((p) => p.kind !== 'text').map((p) => `${p.kind}:${'name' in p ? p.name : ''}`)).toEqual(['column:key', 'param:topic']);
    expect(inputsOf(g, 'each')).toEqual(['picked:for_each']);
  });

  it('models are resolved by step kind', () => {
    const models = Object.fromEntries(g.steps.filter((s) => 'model' in s).map((s) => [s.name, 'model' in s ? `${s.model.name}/${s.model.kind}` : '']));
    expect(models).toEqual({
      look: 'eye/vlm', each: 'chat/llm', vec: 'vec/embedding', pro: 'chat/llm', con: 'chat/llm', draw: 'painter/diffusion', review: 'eye/vlm', verdict: 'chat/llm',
    });
  });

  it('a stored SYSTEM prompt is resolved with its version, its placeholders too', () => {
    const pro = step(g, 'pro');
    if (pro.kind !== 'llm') throw new Error('llm');
    expect(pro.systemPrompt).toEqual({ name: 'terse', version: 1 });
    expect(pro.system?.map((p) => p.kind)).toEqual(['text', 'param', 'text']);
  });

  it('DEBATE: participants and rounds, each participant an edge', () => {
    const s = step(g, 'argue');
    if (s.kind !== 'debate') throw new Error('debate');
    expect(s.participants).toEqual(['pro', 'con']);
    expect(s.rounds).toBe(3);
    expect(inputsOf(g, 'argue')).toEqual(['con:participant', 'pro:participant']);
  });

  it('IMAGE sources: a FETCH step fanned out over, or an IMAGE step', () => {
    const look = step(g, 'look');
    const review = step(g, 'review');
    if (look.kind !== 'vlm' || review.kind !== 'vlm') throw new Error('vlm');
    expect(review.image).toEqual({ kind: 'step', step: 'draw' });
    expect(inputsOf(g, 'review')).toEqual(['draw:image']);
    expect(inputsOf(g, 'look')).toContain('pics:for_each');
  });

  it('RETURNS types the output; step placeholders become edges, each listed once', () => {
    const v = step(g, 'verdict');
    if (v.kind !== 'llm') throw new Error('llm');
    expect(v.returns).toEqual({ columns: [{ name: 'ok', type: 'BOOLEAN' }, { name: 'why', type: 'VARCHAR' }] });
    expect(inputsOf(g, 'verdict')).toEqual(['argue:placeholder', 'look:placeholder', 'review:placeholder', 'vec:placeholder']);
    const keys = g.edges.map((e) => `${e.from}>${e.to}>${e.via}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every edge goes from a declared step to a later-or-any declared step, never to itself', () => {
    const names = new Set(g.steps.map((s) => s.name));
    for (const e of g.edges) {
      expect(names.has(e.from) && names.has(e.to)).toBe(true);
      expect(e.from).not.toBe(e.to);
    }
  });
});

describe('errors', () => {
  it('a placeholder naming no column, parameter or step: B0206 at the placeholder, with a near name', async () => {
    const text = `CREATE WORKFLOW w(topic VARCHAR) AS (
  a := LLM chat PROMPT 'About {{topik}}'
) RETURN a`;
    const [d, ...rest] = await errors(text);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'B0206', line: 2, col: 31, at: '{{topik}}', help: "did you mean 'topic'?" });
  });

  it('FOR EACH ROW OF an unknown step: B0211 at the name', async () => {
    const text = `CREATE WORKFLOW w(topic VARCHAR) AS (
  rows := SQL (SELECT title FROM docs),
  a := LLM chat FOR EACH ROW OF rowz PROMPT '{{title}}'
) RETURN a`;
    const ds = await errors(text);
    // Only the unknown source is reported, not each column of it.
    expect(ds.map((d) => `${d.code} ${d.at}`)).toEqual(['B0211 rowz']);
    expect(ds[0]).toMatchObject({ line: 3, help: "did you mean 'rows'?" });
  });

  it('RETURN of an unknown step: B0222', async () => {
    const [d] = await errors(`CREATE WORKFLOW w(topic VARCHAR) AS (
  a := LLM chat PROMPT '{{topic}}'
) RETURN b`);
    expect(d).toMatchObject({ code: 'B0222', at: 'b' });
  });

  it('a reference cycle: B0220 at the reference that closes it', async () => {
    const text = `CREATE WORKFLOW w(topic VARCHAR) AS (
  draft    := LLM chat PROMPT 'Write on {{topic}} given {{critique}}',
  critique := LLM chat PROMPT 'Review {{draft}}'
) RETURN draft`;
    const [d, ...rest] = await errors(text);
    expect(rest).toEqual([]);
    expect(d?.code).toBe('B0220');
    expect(d?.message).toMatch(/cycle: '(draft|critique)' -> '(draft|critique)' -> '(draft|critique)'/);
    expect(['{{critique}}', '{{draft}}']).toContain(d?.at);
  });

  it('a step that refers to itself: B0220', async () => {
    const [d] = await errors(`CREATE WORKFLOW w(topic VARCHAR) AS (
  a := LLM chat PROMPT 'Again: {{a}}'
) RETURN a`);
    expect(d).toMatchObject({ code: 'B0220', at: '{{a}}' });
  });

  it('an unknown :param in a SQL step: B0203 at the parameter', async () => {
    const [d] = await errors(`CREATE WORKFLOW w(topic VARCHAR) AS (
  a := SQL (SELECT title FROM docs WHERE title = :topc)
) RETURN a`);
    expect(d).toMatchObject({ code: 'B0203', at: ':topc', help: "did you mean 'topic'?" });
  });

  it('a model of the wrong kind for the step: B0103; an unknown model: B0102', async () => {
    const ds = await errors(`CREATE WORKFLOW w(topic VARCHAR) AS (
  a := EMBED chat PROMPT '{{topic}}',
  b := LLM chatt PROMPT '{{topic}}'
) RETURN b`);
    expect(ds.map((d) => `${d.code} ${d.at} ${d.line}`)).toEqual(['B0103 chat 2', 'B0102 chatt 3']);
    expect(ds[1]?.help).toBe("did you mean 'chat'?");
  });

  it('an unknown SYSTEM prompt: B0104', async () => {
    const [d] = await errors(`CREATE WORKFLOW w(topic VARCHAR) AS (
  a := LLM chat SYSTEM tersee PROMPT '{{topic}}'
) RETURN a`);
    expect(d).toMatchObject({ code: 'B0104', at: 'tersee', help: "did you mean 'terse'?" });
  });

  it('debate rules: unknown participant, non-LLM participant, too few rounds', async () => {
    const ds = await errors(`CREATE WORKFLOW w(topic VARCHAR) AS (
  facts := SQL (SELECT title FROM docs),
  a := LLM chat PROMPT '{{topic}}',
  d := DEBATE (a, facts, ghost) ROUNDS 0
) RETURN d`);
    expect(ds.map((d) => `${d.code} ${d.at}`).sort()).toEqual(['B0212 ghost', 'B0214 0', 'B0216 facts']);
  });

  it('duplicate steps and an unknown parameter type, reported together in source order', async () => {
    const ds = await errors(`CREATE WORKFLOW w(topic VARCHR) AS (
  a := LLM chat PROMPT 'x',
  a := LLM chat PROMPT 'y'
) RETURN a`);
    expect(ds.map((d) => `${d.code} ${d.line}:${d.col} ${d.at}`)).toEqual(['B0301 1:25 VARCHR', 'B0201 3:3 a']);
  });

  it('an unknown table in a SQL step: a DuckDB error mapped to the step text', async () => {
    const [d] = await errors(`CREATE WORKFLOW w(topic VARCHAR) AS (
  a := SQL (SELECT title FROM dox)
) RETURN a`);
    expect(d).toMatchObject({ code: 'B0401', line: 2, at: 'dox' });
  });
});
