// bindQuery: every model function (llm, llm_filter, llm_agg, vlm, embed), llm_map and workflow call in
// a query becomes one call site with its resolved model, prompt parts and input query; bad calls are
// user errors with a B code and a span on the offending text (and a near name when there is one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoundQuery, CallSite } from '../../src/ir/bound-query.ts';
import { bindQuery } from '../../src/bind/bind-query.ts';
import type { FunctionSite, MapSite } from '../../src/ir/bound-query.ts';
import type { Session } from '../../src/engine/session.ts';
import { parseSql, setupSession, userErrors, type Located } from '../helpers/bind.ts';

const SETUP = `
CREATE TABLE docs AS SELECT i AS id, 'title ' || i AS title, 'body ' || i AS body, 'img/' || i || '.png' AS key, i % 3 AS grp FROM range(6) t(i);
CREATE MODEL chat (KIND llm, ENDPOINT 'sim://', NAME 'org/chat-8b', PARAMS_B 8);
CREATE MODEL eye (KIND vlm, ENDPOINT 'sim://');
CREATE MODEL vec (KIND embedding, ENDPOINT 'sim://');
CREATE PROMPT terse AS 'Answer in one word.';
CREATE WORKFLOW brief(doc_id INTEGER) AS (
  facts := SQL (SELECT title, body FROM docs WHERE id = :doc_id),
  note  := LLM chat PROMPT 'Summarize {{facts}}' RETURNS (label VARCHAR, score INTEGER)
) RETURN note;
`;

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await setupSession(SETUP));
});

afterAll(async () => {
  await dispose();
});

async function bind(sql: string): Promise<BoundQuery> {
  return bindQuery(parseSql(sql), { catalog: session.catalog.snapshot, db: session.lakehouse.db });
}

async function onlySite(sql: string): Promise<CallSite> {
  const b = await bind(sql);
  expect(b.sites).toHaveLength(1);
  const s = b.sites[0];
  if (!s) throw new Error('no site');
  return s;
}

async function fnSite(sql: string): Promise<FunctionSite> {
  const s = await onlySite(sql);
  if (s.kind !== 'function') throw new Error(`expected a function site, got ${s.kind}`);
  return s;
}

/** The input query's rows as objects (proves the input SQL runs and reads what it should). */
async function inputRows(sql: string): Promise<Record<string, unknown>[]> {
  return session.lakehouse.db.all(sql);
}

async function errors(sql: string): Promise<Located[]> {
  return userErrors(sql, () => bind(sql));
}

describe('plain SQL', () => {
  it('has no call sites', async () => {
    const b = await bind('SELECT id, upper(title) FROM docs WHERE grp = 1');
    expect(b.sites).toEqual([]);
    expect(await session.bindSql(parseSql('SELECT 1'))).toBeUndefined();
  });
});

describe('model functions', () => {
  it('llm(): resolves the model, turns {{column}} placeholders into input columns, keeps the WHERE', async () => {
    const sql = "SELECT id, llm('chat', 'Summarize {{title}}!', max_tokens => 32) AS s FROM docs WHERE grp = 1";
    const s = await fnSite(sql);
    expect(s.fn).toBe('llm');
    expect(s.model).toMatchObject({ name: 'chat', kind: 'llm', endpoint: 'sim://', modelName: 'org/chat-8b', paramsB: 8, version: 1 });
    expect(s.prompt).toEqual([{ kind: 'text', text: 'Summarize ' }, { kind: 'column', name: 'col_title' }, { kind: 'text', text: '!' }]);
    expect(s.decoding.maxTokens).toBe(32);
    expect(s.decoding.temperature).toBe(0);
    expect(s.aggregate).toBe(false);
    expect(s.returns).toBeUndefined();
    expect(sql.slice(s.span.start, s.span.end)).toBe('llm');
    // The input query reads the rows the call applies to: grp = 1 holds for ids 1 and 4.
    const rows = await inputRows(s.inputSql);
    expect(rows.map((r) => r['col_title']).sort()).toEqual(['title 1', 'title 4']);
  });

  it('llm() with an expression prompt and a stored SYSTEM prompt', async () => {
    const s = await fnSite("SELECT id, llm('chat', 'Summarize: ' || body, system => terse, temperature => 1, seed => 7) FROM docs");
    expect(s.prompt).toEqual([{ kind: 'column', name: 'prompt' }]);
    expect(s.system).toBe('Answer in one word.');
    expect(s.systemPrompt).toEqual({ name: 'terse', version: 1 });
    expect(s.decoding).toMatchObject({ temperature: 1, seed: 7 });
    const rows = await inputRows(s.inputSql);
    expect(rows).toHaveLength(6);
    expect(rows.map((r) => r['prompt'])).toContain('Summarize: body 3');
  });

  it('llm_filter() in WHERE asks for a BOOLEAN answer and reads rows, not groups', async () => {
    const s = await fnSite("SELECT id FROM docs WHERE llm_filter('chat', 'Is {{title}} about cats?')");
    expect(s.fn).toBe('llm_filter');
    expect(s.model.name).toBe('chat');
    expect(s.returns).toEqual({ columns: [{ name: 'answer', type: 'BOOLEAN' }] });
    expect(s.prompt.filter((p) => p.kind === 'column')).toEqual([{ kind: 'column', name: 'col_title' }]);
    expect(s.aggregate).toBe(false);
  });

  it('llm_agg() aggregates the value per group, sorted, after the instruction', async () => {
    const s = await fnSite("SELECT grp, llm_agg('chat', title, 'Combine these') FROM docs GROUP BY grp");
    expect(s.fn).toBe('llm_agg');
    expect(s.aggregate).toBe(true);
    expect(s.prompt).toEqual([{ kind: 'text', text: 'Combine these\n\n' }, { kind: 'column', name: 'values' }]);
    const rows = await inputRows(s.inputSql);
    // Three groups, two titles each, in sorted order.
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r['values']).sort()).toEqual([['title 0', 'title 3'], ['title 1', 'title 4'], ['title 2', 'title 5']]);
  });

  it('vlm() reads the image key column and needs a vlm model', async () => {
    const s = await fnSite("SELECT id, vlm('eye', image => key, prompt => 'Describe') FROM docs");
    expect(s.fn).toBe('vlm');
    expect(s.model).toMatchObject({ name: 'eye', kind: 'vlm' });
    expect(s.imageColumn).toBe('image');
    expect(s.prompt).toEqual([{ kind: 'text', text: 'Describe' }]);
    const rows = await inputRows(s.inputSql);
    expect(rows.map((r) => r['image'])).toContain('img/2.png');
  });

  it('embed() takes the text to embed as its input column', async () => {
    const s = await fnSite("SELECT id, embed('vec', body) FROM docs");
    expect(s.fn).toBe('embed');
    expect(s.model).toMatchObject({ name: 'vec', kind: 'embedding' });
    expect(s.prompt).toEqual([{ kind: 'column', name: 'input' }]);
    expect((await inputRows(s.inputSql)).map((r) => r['input'])).toContain('body 0');
  });

  it('llm_map() with RETURNS: typed columns, placeholders are columns of its query', async () => {
    const s = await onlySite("SELECT * FROM llm_map((SELECT id, title FROM docs), model => 'chat', prompt => 'Tag {{title}}', returns => 'tag VARCHAR, n INTEGER')");
    expect(s.kind).toBe('llm_map');
    const m = s as MapSite;
    expect(m.model.name).toBe('chat');
    expect(m.returns).toEqual({ columns: [{ name: 'tag', type: 'VARCHAR' }, { name: 'n', type: 'INTEGER' }] });
    expect(m.prompt).toEqual([{ kind: 'text', text: 'Tag ' }, { kind: 'column', name: 'title' }]);
    expect(await inputRows(m.inputSql)).toHaveLength(6);
  });

  // DuckDB serializes 0.5 as DECIMAL(2,1) with the unscaled value 5; the binder reads that 5 (bug).
  it.fails('fractional decoding arguments keep their value (temperature => 0.5, top_p => 0.9)', async () => {
    const s = await fnSite("SELECT llm('chat', title, temperature => 0.5, top_p => 0.9) FROM docs");
    expect(s.decoding).toMatchObject({ temperature: 0.5, topP: 0.9 });
  });

  it('finds one site per call, in several SELECT nodes', async () => {
    const b = await bind(`
      WITH t AS (SELECT grp, llm_agg('chat', title, 'Join') AS j FROM docs GROUP BY grp)
      SELECT * FROM t, (SELECT llm('chat', body) AS b, embed('vec', body) AS e FROM docs) u`);
    expect(b.sites.map((s) => (s.kind === 'function' ? `${s.fn}:${s.model.name}` : s.kind)).sort()).toEqual(['embed:vec', 'llm:chat', 'llm_agg:chat']);
  });
});

describe('workflow calls', () => {
  it('a workflow in FROM binds its parameters to the arguments; filters on the input side stay', async () => {
    const s = await onlySite('SELECT d.id, b.label FROM docs d, brief(d.id) b WHERE d.grp = 2');
    if (s.kind !== 'workflow') throw new Error('expected a workflow site');
    expect(s.graph.name).toBe('brief');
    expect(s.graph.params).toEqual([{ name: 'doc_id', type: 'INTEGER' }]);
    expect(s.graph.output).toBe('note');
    expect(s.graph.steps.map((x) => `${x.name}:${x.kind}`)).toEqual(['facts:sql', 'note:llm']);
    const rows = await inputRows(s.inputSql);
    // One argument column per parameter, for the rows with grp = 2 (ids 2 and 5).
    expect(rows.map((r) => Object.values(r))).toEqual([[2], [5]]);
  });

  it("run_workflow() takes the name, an input query and a priority", async () => {
    const s = await onlySite("SELECT * FROM run_workflow('brief', (SELECT id FROM docs WHERE id < 2), priority => 'high')");
    if (s.kind !== 'workflow') throw new Error('expected a workflow site');
    expect(s.graph.name).toBe('brief');
    expect(s.priority).toBe('high');
    expect((await inputRows(s.inputSql)).map((r) => r['id'])).toEqual([0, 1]);
  });
});

describe('errors', () => {
  it('unknown model: B0102 at the quoted name, with a near name', async () => {
    const sql = "SELECT id,\n       llm('chatt', title) FROM docs";
    const [d, ...rest] = await errors(sql);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'B0102', message: "unknown model 'chatt'", line: 2, col: 12, at: "'chatt'", help: "did you mean 'chat'?" });
  });

  it('unknown model with no near name suggests CREATE MODEL', async () => {
    const [d] = await errors("SELECT llm('zzzzzzzz', title) FROM docs");
    expect(d?.code).toBe('B0102');
    expect(d?.help).not.toMatch(/did you mean/);
    expect(d?.help).toMatch(/CREATE MODEL/);
  });

  it('a model of the wrong kind: B0103', async () => {
    const [d] = await errors("SELECT llm('eye', title) FROM docs");
    expect(d).toMatchObject({ code: 'B0103', at: "'eye'" });
    expect(d?.message).toContain('KIND vlm');
  });

  it('unknown workflow in run_workflow(): B0502 at the name, with a near name', async () => {
    const [d] = await errors("SELECT * FROM run_workflow('brif', (SELECT id FROM docs))");
    expect(d).toMatchObject({ code: 'B0502', line: 1, col: 28, at: "'brif'", help: "did you mean 'brief'?" });
  });

  it('wrong argument count of a workflow: B0501 at the call', async () => {
    const [d] = await errors('SELECT * FROM docs d, brief(d.id, d.grp) b');
    expect(d).toMatchObject({ code: 'B0501', at: 'brief' });
    expect(d?.message).toContain('takes 1 argument (doc_id INTEGER), got 2');
  });

  it('an unknown workflow (or table function) in FROM: B0401 at its name', async () => {
    const sql = 'SELECT * FROM docs d, brif(d.id) b';
    const ds = await userErrors(sql, () => session.runScript({ name: 'q.sql', text: sql }, 'explain'));
    expect(ds.map((d) => `${d.code} ${d.at}`)).toEqual(['B0401 brif']);
  });

  // Gap: run_workflow() suggests a near workflow name, a workflow call in FROM does not.
  it.fails("an unknown workflow in FROM suggests a near name ('brief')", async () => {
    const sql = 'SELECT * FROM docs d, brif(d.id) b';
    const [d] = await userErrors(sql, () => session.runScript({ name: 'q.sql', text: sql }, 'explain'));
    expect(d?.help).toBe("did you mean 'brief'?");
  });

  // Bug: an argument of the wrong type binds, then EXPLAIN/run fail with DuckDB's bare
  // "Conversion Error: Could not convert string 'abc' to INT32" (not a UserError: no code, no span).
  it.fails('a workflow argument of the wrong type is a user error at the argument', async () => {
    const sql = "SELECT * FROM brief('abc')";
    const [d] = await userErrors(sql, () => session.runScript({ name: 'q.sql', text: sql }, 'explain'));
    expect(d?.code).toMatch(/^B/);
    expect(d?.at).toContain('abc');
  });

  it('an input query with the wrong column count for run_workflow(): B0501 at the query', async () => {
    const [d] = await errors("SELECT * FROM run_workflow('brief', (SELECT id, title FROM docs))");
    expect(d).toMatchObject({ code: 'B0501', at: '(SELECT id, title FROM docs)' });
  });

  it('too many positional arguments: B0505', async () => {
    const [d] = await errors("SELECT llm('chat', title, body) FROM docs");
    expect(d?.code).toBe('B0505');
  });

  it('a non-numeric decoding argument: B0112 at the value', async () => {
    const [d] = await errors("SELECT llm('chat', title, temperature => 'hot') FROM docs");
    expect(d).toMatchObject({ code: 'B0112', at: "'hot'" });
  });

  it('an unknown named argument: B0504 at its name', async () => {
    const [d] = await errors("SELECT llm('chat', title, max_tokenz => 3) FROM docs");
    expect(d).toMatchObject({ code: 'B0504', at: 'max_tokenz', help: "did you mean 'max_tokens'?" });
  });

  it('unknown prompt: B0104 at its name, with a near name', async () => {
    const [d] = await errors("SELECT llm('chat', title, system => terso) FROM docs");
    expect(d).toMatchObject({ code: 'B0104', message: "unknown prompt 'terso'", at: 'terso', help: "did you mean 'terse'?" });
  });

  it('a placeholder that is not a column: B0206 at the placeholder', async () => {
    const sql = "SELECT llm('chat', 'About {{titel}}') FROM docs";
    const [d] = await errors(sql);
    expect(d).toMatchObject({ code: 'B0206', at: '{{titel}}', help: "did you mean 'title'?" });
  });

  it('an unknown column in a prompt expression: B0402 at the column', async () => {
    const [d] = await errors("SELECT llm('chat', tittle) FROM docs");
    expect(d).toMatchObject({ code: 'B0402', at: 'tittle', help: "did you mean 'title'?" });
  });

  it('a model call inside another: B0510 at the inner call', async () => {
    const [d] = await errors("SELECT llm('chat', llm('chat', title)) FROM docs");
    expect(d?.code).toBe('B0510');
    expect(d?.col).toBe(20);
  });

  it('reports the errors of several calls together', async () => {
    const ds = await errors("SELECT llm('chatt', title), embed('vex', body) FROM docs");
    expect(ds.map((d) => `${d.code} ${d.at}`)).toEqual(["B0102 'chatt'", "B0102 'vex'"]);
    expect(ds[1]?.help).toBe("did you mean 'vec'?");
  });

  it("a workflow output column the workflow does not return: B0402 at the column (EXPLAIN checks the shape)", async () => {
    const sql = 'SELECT d.id,\n  b.missing FROM docs d, brief(d.id) b';
    const ds = await userErrors(sql, () => session.runScript({ name: 'q.sql', text: sql }, 'explain'));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'B0402', line: 2, at: 'missing' });
    expect(ds[0]?.message).toContain('missing');
  });
});
