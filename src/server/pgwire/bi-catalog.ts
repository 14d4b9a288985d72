// The catalog queries of BI tools and drivers (SQLAlchemy's postgresql dialect, pgjdbc's
// DatabaseMetaData, npgsql's type loading, information_schema readers) answered by running the
// client's own query on DuckDB with the catalog relations it names replaced by derived tables over
// DuckDB's catalog (catalog-tables.ts), so joins, filters and CASEs keep PostgreSQL's meaning and the
// answer always reflects the lakehouse. Queries naming no catalog relation are left alone.
import { UserError, diag } from '../../diag/diagnostic.ts';
import type { QueryResult } from './executor.ts';
import type { CatalogOids } from './catalog-oids.ts';
import { namesCatalogRelation, rewriteCatalogQuery } from './catalog-rewrite.ts';
import { definitionTables, systemRelations } from './catalog-system-tables.ts';
import { catalogRelations, formatTypeSql, loadSnapshot } from './catalog-tables.ts';
import { procOid } from './catalog-types.ts';

type Run = (sql: string) => Promise<QueryResult>;

/** Oids of PostgreSQL's own catalog tables (for `'pg_class'::regclass`). */
const SYSTEM_RELATIONS: Readonly<Record<string, number>> = { pg_am: 2601, pg_database: 1262, pg_depend: 2608, pg_opclass: 2616, pg_range: 3541, pg_authid: 1260, pg_type: 1247, pg_attribute: 1249, pg_proc: 1255, pg_class: 1259, pg_attrdef: 2604, pg_constraint: 2606, pg_index: 2610, pg_namespace: 2615, pg_description: 2609 };

/** The relations answered here (their names only; the SQL is built per query). */
const ANSWERED = ['pg_catalog.pg_namespace', 'pg_catalog.pg_class', 'pg_catalog.pg_attribute', 'pg_catalog.pg_attrdef', 'pg_catalog.pg_type', 'pg_catalog.pg_description', 'pg_catalog.pg_sequence', 'pg_catalog.pg_enum', 'pg_catalog.pg_inherits', 'pg_catalog.pg_index', 'pg_catalog.pg_constraint', 'pg_catalog.pg_depend', 'pg_catalog.pg_am', 'pg_catalog.pg_opclass', 'pg_catalog.pg_proc', 'pg_catalog.pg_range', 'pg_catalog.pg_roles', 'pg_catalog.pg_user', 'pg_catalog.pg_database', 'information_schema.schemata', 'information_schema.tables', 'information_schema.columns'];

/** Answers catalog queries over pg_catalog and information_schema relations. */
export class BiCatalog {
  constructor(private readonly oids: CatalogOids) {}

  /** True when the query reads a catalog relation answered here (cheap, lexical). */
  recognizes(sql: string): boolean {
    return namesCatalogRelation(sql, ANSWERED);
  }

  /** The answer, or undefined when `sql` names no catalog relation answered here. */
  async answer(sql: string, run: Run, user: string): Promise<QueryResult | undefined> {
    if (!this.recognizes(sql)) return undefined;
    const snapshot = await loadSnapshot(run, this.oids);
    const relations = new Map([...catalogRelations(snapshot, user), ...systemRelations(snapshot, user, this.oids)]);
    const rewritten = rewriteCatalogQuery(sql, {
      relations,
      formatType: formatTypeSql,
      regproc: procOid,
      definitions: definitionTables(snapshot),
      regclass: (name) => {
        const bare = name.replace(/"/g, '');
        const dot = bare.lastIndexOf('.');
        const [schema, rel] = dot < 0 ? [undefined, bare] : [bare.slice(0, dot), bare.slice(dot + 1)];
        if ((schema === undefined || schema === 'pg_catalog') && SYSTEM_RELATIONS[rel] !== undefined) return SYSTEM_RELATIONS[rel];
        return snapshot.relations.find((r) => r.name === rel && (schema === undefined || r.schema === schema))?.oid;
      },
    });
    if (rewritten === undefined) return undefined;
    try {
      return await run(rewritten);
    } catch (e) {
      // Positions in the rewritten text mean nothing to the client: keep code and message only.
      if (e instanceof UserError) throw new UserError(e.diagnostics.map((d) => diag(d.code, `${d.message} (in a catalog query agentlake rewrote over DuckDB's catalog)`)));
      throw e;
    }
  }
}
