// Keys and indexes of the catalog snapshot: DuckDB's PRIMARY KEY / UNIQUE / FOREIGN KEY / CHECK
// constraints (duckdb_constraints()) and CREATE INDEX indexes (duckdb_indexes()) as PostgreSQL's
// pg_constraint, pg_index, pg_class index rows ('i', btree), pg_depend and the definition texts
// pg_get_constraintdef / pg_get_indexdef return. Lakehouse (Parquet) tables have none of them.
import type { Value } from '../../ir/values.ts';
import { lex } from '../../sql/sql-text.ts';
import type { CatalogOids } from './catalog-oids.ts';

type Rows = (sql: string) => Promise<readonly (readonly Value[])[]>;

/** One PRIMARY KEY ('p'), UNIQUE ('u'), FOREIGN KEY ('f') or CHECK ('c') constraint. */
export interface CatalogConstraint {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  readonly relOid: number;
  readonly kind: 'p' | 'u' | 'f' | 'c';
  /** attnums of the constrained columns. */
  readonly columns: readonly number[];
  /** The index backing a 'p'/'u' constraint (same name), or the referenced key's index for 'f'. */
  readonly indexOid: number;
  readonly refRelOid: number;
  readonly refColumns: readonly number[];
  /** The constraint as pg_get_constraintdef prints it. */
  readonly definition: string;
  readonly expression: string | null;
}

/** One index: a key constraint's or a CREATE INDEX's. attnum 0 marks an expression element. */
export interface CatalogIndex {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  readonly relOid: number;
  readonly unique: boolean;
  readonly primary: boolean;
  readonly columns: readonly number[];
  /** Each element's text (column name or expression), for pg_get_indexdef(oid, n, pretty). */
  readonly elements: readonly string[];
  readonly definition: string;
}

interface Rel {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
}
interface Col {
  readonly relOid: number;
  readonly attnum: number;
  readonly name: string;
}

const KINDS: Readonly<Record<string, 'p' | 'u' | 'f' | 'c'>> = { 'PRIMARY KEY': 'p', UNIQUE: 'u', 'FOREIGN KEY': 'f', CHECK: 'c' };

/** An identifier as PostgreSQL prints it (quoted unless plain lower-case). */
export function pgIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** Reads constraints and indexes of the snapshot's relations. */
export async function loadKeys(rows: Rows, oids: CatalogOids, relations: readonly Rel[], columns: readonly Col[]): Promise<{ constraints: CatalogConstraint[]; indexes: CatalogIndex[] }> {
  const relByName = new Map(relations.map((r) => [`${r.schema}.${r.name}`, r]));
  const attnum = (relOid: number, name: string): number => columns.find((c) => c.relOid === relOid && c.name === name)?.attnum ?? 0;
  const constraints: CatalogConstraint[] = [];
  const indexes: CatalogIndex[] = [];
  const raw = await rows("SELECT schema_name, table_name, constraint_type, constraint_name, constraint_column_names, referenced_table, referenced_column_names, expression FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK') ORDER BY schema_name, table_name, constraint_index");
  const keyIndex = (schema: string, name: string): number => oids.object(`index:${schema}.${name}`);
  for (const r of raw) {
    const [schema, table, type, name] = [String(r[0]), String(r[1]), String(r[2]), String(r[3])];
    const rel = relByName.get(`${schema}.${table}`);
    const kind = KINDS[type];
    if (!rel || !kind) continue;
    const colNames = Array.isArray(r[4]) ? r[4].map(String) : [];
    const cols = colNames.map((c) => attnum(rel.oid, c));
    const refRel = r[5] === null ? undefined : relByName.get(`${schema}.${String(r[5])}`);
    const refNames = Array.isArray(r[6]) ? r[6].map(String) : [];
    const list = (names: readonly string[]): string => names.map(pgIdent).join(', ');
    const expression = r[7] === null || r[7] === undefined ? null : String(r[7]);
    const definition = kind === 'p' ? `PRIMARY KEY (${list(colNames)})` : kind === 'u' ? `UNIQUE (${list(colNames)})` : kind === 'f' ? `FOREIGN KEY (${list(colNames)}) REFERENCES ${pgIdent(String(r[5]))}(${list(refNames)})` : `CHECK (${expression ?? ''})`;
    const indexOid = kind === 'p' || kind === 'u' ? keyIndex(schema, name) : 0;
    constraints.push({ oid: oids.object(`constraint:${schema}.${table}.${name}`), name, schema, relOid: rel.oid, kind, columns: cols, indexOid, refRelOid: refRel?.oid ?? 0, refColumns: refRel ? refNames.map((c) => attnum(refRel.oid, c)) : [], definition, expression });
    if (kind === 'p' || kind === 'u') {
      indexes.push({ oid: indexOid, name, schema, relOid: rel.oid, unique: true, primary: kind === 'p', columns: cols, elements: colNames, definition: `CREATE UNIQUE INDEX ${pgIdent(name)} ON ${pgIdent(schema)}.${pgIdent(table)} USING btree (${list(colNames)})` });
    }
  }
  // A foreign key depends on the referenced table's key index with exactly its columns.
  for (const [i, c] of constraints.entries()) {
    if (c.kind !== 'f') continue;
    const key = constraints.find((k) => (k.kind === 'p' || k.kind === 'u') && k.relOid === c.refRelOid && [...k.columns].sort().join() === [...c.refColumns].sort().join());
    if (key) constraints[i] = { ...c, indexOid: key.indexOid };
  }
  const idx = await rows('SELECT schema_name, index_name, table_name, is_unique, expressions FROM duckdb_indexes() ORDER BY schema_name, table_name, index_name');
  for (const r of idx) {
    const [schema, name, table] = [String(r[0]), String(r[1]), String(r[2])];
    const rel = relByName.get(`${schema}.${table}`);
    if (!rel) continue;
    const elements = splitExpressions(String(r[4] ?? ''));
    const cols = elements.map((e) => attnum(rel.oid, e.replace(/^"(.*)"$/s, '$1').replace(/""/g, '"')));
    const shown = elements.map((e, k) => ((cols[k] ?? 0) > 0 ? pgIdent(e.replace(/^"(.*)"$/s, '$1')) : `(${e})`));
    indexes.push({ oid: keyIndex(schema, name), name, schema, relOid: rel.oid, unique: r[3] === true, primary: false, columns: cols, elements: shown, definition: `CREATE ${r[3] === true ? 'UNIQUE ' : ''}INDEX ${pgIdent(name)} ON ${pgIdent(schema)}.${pgIdent(table)} USING btree (${shown.join(', ')})` });
  }
  return { constraints, indexes };
}

/** duckdb_indexes().expressions ('[a, lower(b)]') as its top-level elements. */
function splitExpressions(text: string): string[] {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '');
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  lex(inner, (i) => {
    const ch = inner[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  });
  if (inner.trim()) out.push(inner.slice(start).trim());
  return out;
}
