// psql's catalog queries (\dt, \d, \d name, \l, \dn; checked against psql 15's `-E` output) answered
// from DuckDB's own catalog functions, since DuckDB's pg_catalog lacks pg_get_userbyid, OPERATOR(),
// pg_am and the rest. Lakehouse tables (temporary views over Parquet) are listed as tables. Any other
// query is not recognized here and goes to the executor unchanged.
import type { Value } from '../../ir/values.ts';
import { CatalogOids } from './catalog-oids.ts';
import type { QueryResult } from './executor.ts';
import { pgType, pgTypeName } from './pg-types.ts';

/** One relation as psql sees it. */
interface Relation {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly kind: 'r' | 'v';
  readonly temporary: boolean;
}

type Run = (sql: string) => Promise<QueryResult>;

const RELATIONS = `
SELECT schema_name, table_name AS name, 'r' AS kind, temporary FROM duckdb_tables() WHERE NOT internal
UNION ALL
SELECT schema_name, view_name, CASE WHEN temporary AND sql LIKE '%read_parquet(%' THEN 'r' ELSE 'v' END, temporary
FROM duckdb_views() WHERE NOT internal
ORDER BY 1, 2`;

const text = (name: string): { name: string; type: string } => ({ name, type: 'VARCHAR' });

/** Answers psql's catalog queries; oids are stable for the server's lifetime. */
export class PsqlCatalog {
  constructor(private readonly oids: CatalogOids = new CatalogOids()) {}

  private oidOf(schema: string, name: string): number {
    return this.oids.relation(schema, name);
  }

  /** The answer to a psql catalog query, or undefined when `sql` is not one. */
  async answer(sql: string, run: Run, user = 'agentlake'): Promise<QueryResult | undefined> {
    if (!/pg_catalog\./i.test(sql)) return undefined;
    if (/^SELECT c\.oid,\s*n\.nspname,\s*c\.relname\s+FROM pg_catalog\.pg_class c/i.test(sql)) {
      const rels = filter(await this.relations(run), sql);
      return { kind: 'rows', columns: [{ name: 'oid', type: 'INTEGER' }, text('nspname'), text('relname')], rows: rels.map((r) => [r.oid, r.schema, r.name]) };
    }
    if (/FROM pg_catalog\.pg_class c\b/i.test(sql) && /as "Name"/i.test(sql) && /c\.relkind IN \(/i.test(sql)) {
      const kinds = /c\.relkind IN \(([^)]*)\)/i.exec(sql)?.[1] ?? '';
      const rels = filter(await this.relations(run), sql).filter((r) => kinds.includes(`'${r.kind}'`));
      const cols = aliases(sql);
      const value = (r: Relation, alias: string): Value => {
        switch (alias) {
          case 'Schema':
            return r.schema;
          case 'Name':
            return r.name;
          case 'Type':
            return r.kind === 'r' ? 'table' : 'view';
          case 'Owner':
            return user;
          case 'Persistence':
            return r.temporary ? 'temporary' : 'permanent';
          default:
            return null;
        }
      };
      return { kind: 'rows', columns: cols.map(text), rows: rels.map((r) => cols.map((c) => value(r, c))) };
    }
    if (/FROM pg_catalog\.pg_database d/i.test(sql) && /as "Name"/i.test(sql)) {
      const cols = aliases(sql);
      const db = await run('SELECT current_database()');
      const name = db.kind === 'rows' ? String(db.rows[0]?.[0] ?? 'agentlake') : 'agentlake';
      const v: Record<string, Value> = { Name: name, Owner: user, Encoding: 'UTF8', Collate: 'C', Ctype: 'C', 'Locale Provider': 'libc' };
      return { kind: 'rows', columns: cols.map(text), rows: [cols.map((c) => v[c] ?? null)] };
    }
    if (/FROM pg_catalog\.pg_namespace n/i.test(sql) && /AS "Name"/i.test(sql) && !/pg_class/i.test(sql)) {
      const cols = aliases(sql);
      const r = await run("SELECT DISTINCT schema_name FROM duckdb_schemas() WHERE schema_name NOT IN ('pg_catalog', 'information_schema') AND schema_name NOT LIKE 'pg\\_%' ESCAPE '\\' ORDER BY 1");
      const names = r.kind === 'rows' ? r.rows.map((x) => String(x[0])) : [];
      const pattern = namePattern(sql, 'n.nspname');
      return { kind: 'rows', columns: cols.map(text), rows: names.filter((n) => !pattern || pattern.test(n)).map((n) => cols.map((c) => (c === 'Name' ? n : c === 'Owner' ? user : null))) };
    }
    for (const m of sql.matchAll(/=\s*'(\d+)'/g)) {
      const oid = Number(m[1]);
      if (this.nameOf(oid)) return this.describeTable(sql, oid, run);
    }
    return undefined;
  }

  /** Every table and view, with oids. */
  private async relations(run: Run): Promise<Relation[]> {
    const r = await run(RELATIONS);
    if (r.kind !== 'rows') return [];
    return r.rows
      .map((row) => ({ schema: String(row[0]), name: String(row[1]), kind: row[2] === 'v' ? ('v' as const) : ('r' as const), temporary: row[3] === true }))
      .filter((x) => !x.name.startsWith('__'))
      .map((x) => ({ ...x, oid: this.oidOf(x.schema, x.name) }));
  }

  private nameOf(oid: number): { schema: string; name: string } | undefined {
    return this.oids.relationOf(oid);
  }

  /** The per-table queries of `\d name`. */
  private async describeTable(sql: string, oid: number, run: Run): Promise<QueryResult | undefined> {
    const rel = this.nameOf(oid);
    if (!rel) return undefined;
    const rels = await this.relations(run);
    const me = rels.find((r) => r.schema === rel.schema && r.name === rel.name);
    // Table details: relchecks, relkind, relhasindex, relhasrules, relhastriggers, relrowsecurity,
    // relforcerowsecurity, relhasoids, relispartition, reloptions, reltablespace, reloftype,
    // relpersistence, relreplident, amname.
    if (/^SELECT c\.relchecks, c\.relkind/i.test(sql)) {
      const cols = ['relchecks', 'relkind', 'relhasindex', 'relhasrules', 'relhastriggers', 'relrowsecurity', 'relforcerowsecurity', 'relhasoids', 'relispartition', 'array_to_string', 'reltablespace', 'reloftype', 'relpersistence', 'relreplident', 'amname'];
      const row: Value[] = [0, me?.kind ?? 'r', false, false, false, false, false, false, false, '', 0, '', me?.temporary ? 't' : 'p', 'd', null];
      return { kind: 'rows', columns: cols.map((c, i) => ({ name: c, type: typeof row[i] === 'boolean' ? 'BOOLEAN' : typeof row[i] === 'number' ? 'INTEGER' : 'VARCHAR' })), rows: [row] };
    }
    // Columns: attname, format_type, default, attnotnull, attcollation, attidentity, attgenerated
    // (+ more with \d+).
    if (/^SELECT a\.attname,/i.test(sql)) {
      const r = await run(`SELECT column_name, data_type, column_default, NOT is_nullable FROM duckdb_columns() WHERE schema_name = ${lit(rel.schema)} AND table_name = ${lit(rel.name)} ORDER BY column_index`);
      if (r.kind !== 'rows') return undefined;
      const n = selectListLength(sql);
      const rows = r.rows.map((c) => {
        const base: Value[] = [c[0] ?? null, formatType(String(c[1])), c[2] ?? null, c[3] === true, null, '', '', pgType(String(c[1])).size > 0 ? 'p' : 'x'];
        while (base.length < n) base.push(null);
        return base.slice(0, Math.max(n, 7));
      });
      const names = ['attname', 'format_type', 'pg_get_expr', 'attnotnull', 'attcollation', 'attidentity', 'attgenerated'];
      while (names.length < Math.max(n, 7)) names.push(`col${names.length + 1}`);
      return { kind: 'rows', columns: names.map((c, i) => ({ name: c, type: i === 3 ? 'BOOLEAN' : 'VARCHAR' })), rows };
    }
    // Footers (indexes, constraints, policies, statistics, publications, inheritance, ...): none.
    const n = selectListLength(sql);
    return { kind: 'rows', columns: Array.from({ length: Math.max(n, 1) }, (_, i) => text(`col${i + 1}`)), rows: /count\(\*\)/i.test(sql) && n === 1 ? [[0]] : [] };
  }
}

/** PostgreSQL's format_type() for a DuckDB type: its PostgreSQL name, or the DuckDB name for nested types. */
function formatType(duckType: string): string {
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(duckType);
  if (dec) return `numeric(${dec[1]},${dec[2]})`;
  const name = pgTypeName(pgType(duckType).oid);
  return name === 'text' && !/^(TEXT|STRING)$/i.test(duckType) ? duckType.toLowerCase() : name;
}

/** The `AS "Alias"` names of a query's top-level select list, in order. */
function aliases(sql: string): string[] {
  const head = sql.slice(0, sql.search(/\bFROM\s+pg_catalog\./i));
  return [...head.matchAll(/\bas\s+"([^"]+)"/gi)].map((m) => m[1] ?? '');
}

/** Number of items in the outermost select list (commas at depth 0 before the first FROM at depth 0). */
function selectListLength(sql: string): number {
  let depth = 0;
  let n = 1;
  let inString = false;
  const s = sql.replace(/^\s*SELECT\s+(DISTINCT\s+)?/i, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") inString = !inString;
    if (inString) continue;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && c === ',') n++;
    else if (depth === 0 && /^\bFROM\b/i.test(s.slice(i, i + 5)) && /\s/.test(s[i - 1] ?? ' ')) return n;
  }
  return n;
}

/** psql's `col OPERATOR(pg_catalog.~) '^(pat)$'` filter as a RegExp. */
function namePattern(sql: string, column: string): RegExp | undefined {
  const esc = column.replace('.', '\\.');
  const m = new RegExp(`${esc} OPERATOR\\(pg_catalog\\.~\\) '((?:[^']|'')*)'`, 'i').exec(sql);
  if (!m) return undefined;
  try {
    return new RegExp((m[1] ?? '').replace(/''/g, "'"));
  } catch {
    return /$^/;
  }
}

function filter(rels: readonly Relation[], sql: string): Relation[] {
  const name = namePattern(sql, 'c.relname');
  const schema = namePattern(sql, 'n.nspname');
  return rels.filter((r) => (!name || name.test(r.name)) && (!schema || schema.test(r.schema)));
}

function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
