// Lowering over real input rows: action counts per step and kind, DEBATE semantics (k*n calls, one
// transcript per round), FOR EACH fan-out from SQL rows and from fetched objects, row-wise pairing of
// two fan-outs over the same source, markdown tables shared by their consumers, and input queries
// that keep only the filters that do not read the workflow's outputs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/engine/session.ts';
import { bindQuery } from '../../src/bind/bind-query.ts';
import { lowerSite } from '../../src/lower/lower-query.ts';
import { engineProbe } from '../../src/engine/engine-probe.ts';
import { parseScript } from '../../src/sql/parse.ts';
import type { Action, ActionDag, LlmAction } from '../../src/ir/action-dag.ts';
import type { SqlStatement } from '../../src/sql/ast.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';

let dir: string;
let session: Session;

const SETUP = `
CREATE TABLE cities AS SELECT 'city_' || i AS city, i % 4 AS region FROM range(40) t(i);
CREATE TABLE facts AS SELECT 'city_' || (i % 40) AS city, 'fact ' || lpad(i::VARCHAR, 3, '0') AS fact FROM range(120) t(i);
CREATE MODEL small (KIND llm, ENDPOINT 'sim://', PARAMS_B 3);
CREATE WORKFLOW tour(city VARCHAR) AS (
  info          := SQL (SELECT fact FROM facts WHERE city = :city ORDER BY fact),
  region        := SQL (SELECT region FROM cities WHERE city = :city),
  fact_notes    := LLM small FOR EACH ROW OF info PROMPT 'Expand: {{fact}}',
  fact_check    := LLM small FOR EACH ROW OF info PROMPT 'Check {{fact}} against {{fact_notes}}',
  pitch_for     := LLM small SYSTEM 'You love {{city}}.' PROMPT 'Facts:\\n{{info}}\\nNotes: {{fact_notes}}',
  pitch_against := LLM small PROMPT 'Region {{region}} facts:\\n{{info}}',
  argue         := DEBATE (pitch_for, pitch_against) ROUNDS 4,
  verdict       := LLM small PROMPT '{{argue}}' RETURNS (visit BOOLEAN, why VARCHAR)
) RETURN verdict;
CREATE WORKFLOW gallery(symbol VARCHAR) AS (
  images := FETCH 'charts/{{symbol}}/*.png',
  notes  := VLM llava FOR EACH ROW OF images IMAGE images PROMPT 'Describe {{key}}'
) RETURN notes;
`;

beforeAll(async () => {
  dir = await freshLakehouse({ demo: true });
  session = await Session.open({ lakehouse: dir });
  await session.runScript({ name: 'setup.sql', text: SETUP }, 'run');
});

afterAll(async () => {
  await session.close();
  removeLakehouse(dir);
});

async function lower(sql: string): Promise<ActionDag> {
  const stmt = parseScript({ name: 'q.sql', text: sql }).script.statements[0] as SqlStatement;
  const bound = await bindQuery(stmt, { catalog: session.catalog.snapshot, db: session.lakehouse.db });
  expect(bound.sites).toHaveLength(1);
  const site = bound.sites[0];
  if (!site) throw new Error('no site');
  return lowerSite(site, engineProbe(session.lakehouse));
}

const count = (dag: ActionDag, pred: (a: Action) => boolean): number => dag.actions.filter(pred).length;

describe('lowerWorkflow', () => {
  it('instantiates every step per input with exact counts', async () => {
    const dag = await lower('SELECT c.city, v.visit FROM cities c, tour(c.city) v WHERE c.region = 1 AND v.visit');
    expect(dag.inputs).toHaveLength(10);
    // per input: sql 2; llm 3 fact_notes + 3 fact_check + 2 pitches + 2*(4-1) debate + 1 verdict = 15;
    // format: 2 markdown tables (info shared by both pitches, region) + 4 debate transcripts = 6.
    expect(count(dag, (a) => a.kind === 'sql')).toBe(1 + 10 * 2);
    expect(count(dag, (a) => a.kind === 'llm')).toBe(10 * 15);
    expect(count(dag, (a) => a.kind === 'format')).toBe(10 * 6);
    expect(count(dag, (a) => a.step === 'argue' && a.kind === 'llm')).toBe(10 * 6);
    expect(dag.actions).toHaveLength(1 + 10 * 23);
  });

  it('keeps the input filter and drops the filter on workflow outputs', async () => {
    const dag = await lower('SELECT c.city, v.visit FROM cities c, tour(c.city) v WHERE c.region = 1 AND v.visit');
    const input = dag.actions[0];
    expect(input?.kind === 'sql' && input.sql).toContain('region = 1');
    expect(input?.kind === 'sql' && input.sql).not.toContain('visit');
    expect(dag.inputs.map((s) => s.values['city'])).toEqual(['city_1', 'city_5', 'city_9', 'city_13', 'city_17', 'city_21', 'city_25', 'city_29', 'city_33', 'city_37']);
  });

  it('gives every debate round the transcript of all earlier rounds', async () => {
    const dag = await lower("SELECT * FROM tour('city_2') v");
    const byId = new Map(dag.actions.map((a) => [a.id, a]));
    const round3 = dag.actions.filter((a): a is LlmAction => a.kind === 'llm' && a.round === 3);
    expect(round3.map((a) => a.speaker)).toEqual(['pitch_for', 'pitch_against']);
    for (const a of round3) {
      const t = a.prompt.find((s) => s.kind === 'ref' && s.action.startsWith('argue#'));
      expect(t && t.kind === 'ref' ? t.action : undefined).toBe('argue#0:t2');
      expect(a.deps).toContain('argue#0:t2');
    }
    const t2 = byId.get('argue#0:t2');
    expect(t2?.deps).toEqual(['argue#0:t1', 'argue#0@2.pitch_for', 'argue#0@2.pitch_against']);
    const verdict = byId.get('verdict#0');
    expect(verdict?.deps).toContain('argue#0:t4');
  });

  it('pairs two fan-outs over the same source row by row, and reads columns of the row', async () => {
    const dag = await lower("SELECT * FROM tour('city_2') v");
    const checks = dag.actions.filter((a): a is LlmAction => a.kind === 'llm' && a.step === 'fact_check');
    expect(checks.map((a) => a.prompt.map((s) => (s.kind === 'ref' ? `{${s.action}}` : s.kind === 'value' ? s.value : s.text)).join(''))).toEqual([
      'Check fact 002 against {fact_notes#0.0}',
      'Check fact 042 against {fact_notes#0.1}',
      'Check fact 082 against {fact_notes#0.2}',
    ]);
  });

  it('renders a SQL step used by two prompts through one shared markdown format action', async () => {
    const dag = await lower("SELECT * FROM tour('city_2') v");
    const md = dag.actions.filter((a) => a.kind === 'format' && a.id === 'info#0:md');
    expect(md).toHaveLength(1);
    const users = dag.actions.filter((a) => a.deps.includes('info#0:md')).map((a) => a.step);
    // The pitches, and their later debate rounds (which repeat the participant's own prompt).
    expect(users).toEqual(['pitch_for', 'pitch_against', ...Array<string>(6).fill('argue')]);
  });

  it('fans out over the objects a FETCH glob matches', async () => {
    const dag = await lower("SELECT * FROM symbols s, gallery(s.symbol) g WHERE s.symbol IN (SELECT symbol FROM symbols ORDER BY symbol LIMIT 3)");
    expect(dag.inputs).toHaveLength(3);
    expect(count(dag, (a) => a.kind === 'fetch')).toBe(18);
    const vlm = dag.actions.filter((a) => a.kind === 'vlm');
    expect(vlm).toHaveLength(18);
    for (const v of vlm) {
      expect(v.kind === 'vlm' && v.image.kind).toBe('ref');
      if (v.kind === 'vlm' && v.image.kind === 'ref') expect(v.deps).toContain(v.image.action);
    }
  });

  it('lists actions in a topological order', async () => {
    const dag = await lower('SELECT * FROM cities c, tour(c.city) v');
    const seen = new Set<string>();
    for (const a of dag.actions) {
      for (const d of a.deps) expect(seen.has(d)).toBe(true);
      seen.add(a.id);
    }
    expect(seen.size).toBe(dag.actions.length);
  });
});
