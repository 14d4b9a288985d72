// Loads the built-in catalog (catalog/models.sql, prompts.sql, workflows/*.sql) into a lakehouse.
// Each file is applied once per content hash; a workflow whose tables do not exist yet (no demo data)
// is retried on a later open, once the lakehouse's set of tables has changed (until then it would
// fail the same way: parsing and binding the six built-in workflows on every open of a lakehouse
// without the demo tables cost each CLI call ~150 ms). Only the CREATE statements of workflow files
// are applied.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError, UserError } from '../diag/diagnostic.ts';
import { parseScript } from '../sql/parse.ts';
import type { StatementContext } from './statement-context.ts';

/** The repository's catalog/ folder. */
export const CATALOG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'catalog');

/** Applies every built-in catalog file whose content changed since it was last applied. */
export async function bootstrapCatalog(session: StatementContext): Promise<void> {
  const files = ['models.sql', 'prompts.sql', ...readdirSync(join(CATALOG_DIR, 'workflows')).filter((f) => f.endsWith('.sql')).sort().map((f) => `workflows/${f}`)];
  let tableNames: string | undefined;
  for (const file of files) {
    const text = readFileSync(join(CATALOG_DIR, file), 'utf8');
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
    const key = `builtin:${file}`;
    if ((await session.catalog.getMeta(key)) === hash) continue;
    const pendingKey = `builtin-pending:${file}`;
    tableNames ??= await tablesListing(session);
    const tables = createHash('sha256').update(`${hash}\0${tableNames}`).digest('hex').slice(0, 16);
    if ((await session.catalog.getMeta(pendingKey)) === tables) continue;
    const source = { name: `catalog/${file}`, text };
    const parsed = parseScript(source);
    if (parsed.diagnostics.length > 0) throw new InternalError(`built-in ${source.name} does not parse: ${parsed.diagnostics[0]?.message ?? ''}`);
    let complete = true;
    let missingTable = false;
    for (const stmt of parsed.script.statements) {
      if (stmt.kind !== 'create_model' && stmt.kind !== 'create_prompt' && stmt.kind !== 'create_workflow') continue;
      try {
        await session.execute(stmt, source);
      } catch (e) {
        // A workflow over tables that are not in this lakehouse yet: try again next time.
        if (e instanceof UserError && stmt.kind === 'create_workflow') {
          complete = false;
          if (e.diagnostics.some((d) => d.code === 'B0401' && d.message.startsWith('unknown table '))) missingTable = true;
        } else throw e instanceof UserError ? new InternalError(`built-in ${source.name} does not bind: ${e.message}`) : e;
      }
    }
    if (complete) await session.catalog.setMeta(key, hash);
    // A missing table stays missing until the tables change: skip the file until then.
    else if (missingTable) await session.catalog.setMeta(pendingKey, tables);
  }
}

/** The names of every table and view DuckDB sees, as JSON. */
async function tablesListing(session: StatementContext): Promise<string> {
  const { rows } = await session.lakehouse.db.query('SELECT table_catalog, table_schema, table_name FROM information_schema.tables ORDER BY ALL');
  return JSON.stringify(rows);
}
