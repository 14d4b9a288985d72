// Shared setup of the explain tests: a small lakehouse with uneven fan-out (group 0 has one item,
// group 1 has three) and the plan parts EXPLAIN would report, lowered through the real binder.
import { bindQuery } from '../../src/bind/bind-query.ts';
import { engineProbe } from '../../src/engine/engine-probe.ts';
import type { Session } from '../../src/engine/session.ts';
import type { PlanPart } from '../../src/explain/plan-report.ts';
import { lowerSite } from '../../src/lower/lower-query.ts';
import { parseSql } from './bind.ts';

export const SETUP = `
CREATE TABLE groups AS SELECT * FROM (VALUES (0), (1)) t(g);
CREATE TABLE items AS SELECT * FROM (VALUES (0, 'apple'), (1, 'pear'), (1, 'plum'), (1, 'fig')) t(g, name);
CREATE MODEL chat (KIND llm, ENDPOINT 'sim://');
CREATE MODEL big (KIND llm, ENDPOINT 'sim://', PARAMS_B 32);
CREATE WORKFLOW per(g INTEGER) AS (
  rows := SQL (SELECT name FROM items WHERE g = :g ORDER BY name),
  each := LLM chat FOR EACH ROW OF rows PROMPT 'Describe {{name}}' WITH (max_tokens 20),
  sum  := LLM big PROMPT 'Summarize {{rows}}' WITH (max_tokens 30)
) RETURN sum;
`;

/** The workflow query: 2 inputs; per input 1 row (g=0) or 3 rows (g=1) to fan out over. */
export const WORKFLOW_QUERY = 'SELECT x.g, p.text FROM groups x, per(x.g) p';
/** A function query: one llm call per item (4 inputs). */
export const FUNCTION_QUERY = "SELECT name, llm('chat', 'Say {{name}}') FROM items";

/** The plan parts of a statement's call sites, labelled the way EXPLAIN labels them. */
export async function planParts(session: Session, sql: string): Promise<PlanPart[]> {
  const bound = await bindQuery(parseSql(sql), { catalog: session.catalog.snapshot, db: session.lakehouse.db });
  const parts: PlanPart[] = [];
  for (const site of bound.sites) {
    const dag = await lowerSite(site, engineProbe(session.lakehouse));
    if (site.kind === 'workflow') parts.push({ dag, inputSql: site.inputSql, label: site.graph.name, graph: site.graph });
    else parts.push({ dag, inputSql: site.inputSql, label: site.kind === 'llm_map' ? 'llm_map' : site.fn, model: site.model.name });
  }
  return parts;
}
