// Lowers a statement's one model call site over a session's lakehouse: the DAG a run would plan.
import { bindQuery } from '../../src/bind/bind-query.ts';
import { engineProbe } from '../../src/engine/engine-probe.ts';
import type { Session } from '../../src/engine/session.ts';
import type { ActionDag } from '../../src/ir/action-dag.ts';
import { lowerSite } from '../../src/lower/lower-query.ts';
import type { SqlStatement } from '../../src/sql/ast.ts';
import { parseScript } from '../../src/sql/parse.ts';

export async function lowerFirstSite(session: Session, sql: string): Promise<ActionDag> {
  const stmt = parseScript({ name: 'q.sql', text: sql }).script.statements[0] as SqlStatement;
  const bound = await bindQuery(stmt, { catalog: session.catalog.snapshot, db: session.lakehouse.db });
  const site = bound.sites[0];
  if (!site) throw new Error('no call site');
  return lowerSite(site, engineProbe(session.lakehouse));
}
