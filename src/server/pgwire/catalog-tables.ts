// PostgreSQL's catalog relations (pg_namespace, pg_class, pg_attribute, pg_type, ...) and the
// information_schema views BI tools read, as derived-table SQL over one snapshot of DuckDB's catalog
// (duckdb_schemas/tables/views/columns). Lakehouse tables (temporary views over Parquet) are
// permanent tables ('r', BASE TABLE) of their schema; oids come from the server's CatalogOids.
import type { Value } from '../../ir/values.ts';
import type { CatalogOids } from './catalog-oids.ts';
import { type CatalogConstraint, type CatalogIndex, loadKeys } from './catalog-keys.ts';
import { TYPES, ioNames, procOid, typlen } from './catalog-types.ts';
import { OID, pgType, pgTypeName } from './pg-types.ts';

type Run = (sql: string) => Promise<{ kind: 'rows'; rows: readonly (readonly Value[])[] } | { kind: 'command' }>;

/** One relation of the snapshot. */
export interface CatalogRelation {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly kind: 'r' | 'v';
  /** PostgreSQL's relpersistence: 't' only for the client's own temporary tables and views. */
  readonly persistence: 'p' | 't';
}

/** One column of the snapshot (attnum from 1). */
export interface CatalogColumn {
  readonly relOid: number;
  readonly attnum: number;
  readonly name: string;
  readonly duckType: string;
  readonly notNull: boolean;
  readonly default: string | null;
}

/** DuckDB's catalog at one moment. */
export interface CatalogSnapshot {
  readonly database: string;
  readonly schemas: readonly { readonly oid: number; readonly name: string }[];
  readonly relations: readonly CatalogRelation[];
  readonly columns: readonly CatalogColumn[];
  readonly constraints: readonly CatalogConstraint[];
  readonly indexes: readonly CatalogIndex[];
}

const RELATIONS = `
SELECT schema_name, table_name, 'r', temporary FROM duckdb_tables() WHERE NOT internal
UNION ALL
SELECT schema_name, view_name, CASE WHEN temporary AND sql LIKE '%read_parquet(%' THEN 'parquet' ELSE 'v' END, temporary
FROM duckdb_views() WHERE NOT internal
ORDER BY 1, 2`;

/** Reads the snapshot through the executor. */
export async function loadSnapshot(run: Run, oids: CatalogOids): Promise<CatalogSnapshot> {
  const rows = async (sql: string): Promise<readonly (readonly Value[])[]> => {
    const r = await run(sql);
    return r.kind === 'rows' ? r.rows : [];
  };
  const db = await rows('SELECT current_database()');
  const schemaNames = new Set((await rows('SELECT DISTINCT schema_name FROM duckdb_schemas() ORDER BY 1')).map((r) => String(r[0])));
  schemaNames.add('pg_catalog');
  schemaNames.add('information_schema');
  const relations = (await rows(RELATIONS))
    .filter((r) => !String(r[1]).startsWith('__'))
    .map((r) => {
      const [schema, name, kind] = [String(r[0]), String(r[1]), String(r[2])];
      // Parquet tables are temporary views in DuckDB but the lakehouse's permanent tables.
      const persistence = kind !== 'parquet' && r[3] === true ? ('t' as const) : ('p' as const);
      return { oid: oids.relation(schema, name), schema, name, kind: kind === 'v' ? ('v' as const) : ('r' as const), persistence };
    });
  const byName = new Map(relations.map((r) => [`${r.schema}.${r.name}`, r]));
  const columns: CatalogColumn[] = [];
  const cols = await rows('SELECT schema_name, table_name, column_name, data_type, is_nullable, column_default FROM duckdb_columns() WHERE NOT internal ORDER BY schema_name, table_name, column_index');
  let last = '';
  let attnum = 0;
  for (const c of cols) {
    const rel = byName.get(`${String(c[0])}.${String(c[1])}`);
    if (!rel) continue;
    const key = `${rel.schema}.${rel.name}`;
    attnum = key === last ? attnum + 1 : 1;
    last = key;
    columns.push({ relOid: rel.oid, attnum, name: String(c[2]), duckType: String(c[3]), notNull: c[4] === false, default: c[5] === null || c[5] === undefined ? null : String(c[5]) });
  }
  const { constraints, indexes } = await loadKeys(rows, oids, relations, columns);
  return { database: String(db[0]?.[0] ?? 'agentlake'), schemas: [...schemaNames].map((name) => ({ oid: oids.namespace(name), name })), relations, columns, constraints, indexes };
}

/** A DuckDB type's PostgreSQL atttypmod (numeric's precision and scale; -1 otherwise). */
export function typmodOf(duckType: string): number {
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(duckType.trim());
  return dec ? Number(dec[1]) * 65536 + Number(dec[2]) + 4 : -1;
}

/** format_type(oid, typmod) as a SQL expression over two argument expressions. */
export function formatTypeSql(oid: string, typmod: string): string {
  const names = [...TYPES.map(([o]) => [o, pgTypeName(o)] as const), ...TYPES.filter(([, , a]) => a > 0).map(([o, , a]) => [a, `${pgTypeName(o)}[]`] as const)];
  const base = `CASE CAST(${oid} AS BIGINT) ${names.map(([o, n]) => `WHEN ${o} THEN '${n}'`).join(' ')} ELSE '???' END`;
  return `(CASE WHEN ${oid} IS NULL THEN NULL WHEN CAST(${oid} AS BIGINT) = ${OID.numeric} AND CAST(${typmod} AS BIGINT) >= 4 THEN 'numeric(' || ((CAST(${typmod} AS BIGINT) - 4) // 65536) || ',' || ((CAST(${typmod} AS BIGINT) - 4) % 65536) || ')' ELSE ${base} END)`;
}

type Col = readonly [name: string, duckType: string];

/** `(SELECT ... FROM (VALUES ...))` with typed, named columns (an empty relation when no rows). */
export function derivedTable(columns: readonly Col[], rows: readonly (readonly Value[])[]): string {
  const select = (src: (i: number) => string): string => columns.map(([name, type], i) => `CAST(${src(i)} AS ${type}) AS "${name}"`).join(', ');
  if (rows.length === 0) return `(SELECT ${select(() => 'NULL')} WHERE false)`;
  const values = rows.map((r) => `(${columns.map((_, i) => literal(r[i] ?? null)).join(', ')})`).join(', ');
  return `(SELECT ${select((i) => `c${i}`)} FROM (VALUES ${values}) AS v(${columns.map((_, i) => `c${i}`).join(', ')}))`;
}

function literal(v: Value): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  return `'${JSON.stringify(v).replace(/'/g, "''")}'`;
}

const I = 'INTEGER';
const T = 'VARCHAR';
const B = 'BOOLEAN';

/** Every relation this layer answers, by lower-case `schema.name`, as derived-table SQL. */
export function catalogRelations(s: CatalogSnapshot, user: string): Map<string, string> {
  const nsOid = new Map(s.schemas.map((x) => [x.name, x.oid]));
  const relOf = new Map(s.relations.map((r) => [r.oid, r]));
  const natts = new Map<number, number>();
  for (const c of s.columns) natts.set(c.relOid, Math.max(natts.get(c.relOid) ?? 0, c.attnum));
  const m = new Map<string, string>();
  m.set('pg_catalog.pg_namespace', derivedTable([['oid', I], ['nspname', T], ['nspowner', I], ['nspacl', T]], s.schemas.map((x) => [x.oid, x.name, 10, null])));
  m.set('pg_catalog.pg_class', derivedTable(
    [['oid', I], ['relname', T], ['relnamespace', I], ['reltype', I], ['reloftype', I], ['relowner', I], ['relam', I], ['relfilenode', I], ['reltablespace', I], ['relpages', I], ['reltuples', 'REAL'], ['relallvisible', I], ['reltoastrelid', I], ['relhasindex', B], ['relisshared', B], ['relpersistence', T], ['relkind', T], ['relnatts', I], ['relchecks', I], ['relhasrules', B], ['relhastriggers', B], ['relhassubclass', B], ['relrowsecurity', B], ['relforcerowsecurity', B], ['relispopulated', B], ['relreplident', T], ['relispartition', B], ['relrewrite', I], ['relacl', T], ['reloptions', T], ['relpartbound', T]],
    [
      ...s.relations.map((r) => [r.oid, r.name, nsOid.get(r.schema) ?? 0, 0, 0, 10, r.kind === 'r' ? 2 : 0, 0, 0, 0, -1, 0, 0, s.indexes.some((x) => x.relOid === r.oid), false, r.persistence, r.kind, natts.get(r.oid) ?? 0, s.constraints.filter((c) => c.relOid === r.oid && c.kind === 'c').length, r.kind === 'v', false, false, false, false, true, 'd', false, 0, null, null, null]),
      // Indexes (relkind 'i', access method btree = 403) in their table's schema and persistence.
      ...s.indexes.map((x) => [x.oid, x.name, nsOid.get(x.schema) ?? 0, 0, 0, 10, 403, 0, 0, 0, -1, 0, 0, false, false, relOf.get(x.relOid)?.persistence ?? 'p', 'i', x.columns.length, 0, false, false, false, false, false, true, 'n', false, 0, null, null, null]),
    ],
  ));
  m.set('pg_catalog.pg_attribute', derivedTable(
    [['attrelid', I], ['attname', T], ['atttypid', I], ['attstattarget', I], ['attlen', I], ['attnum', I], ['attndims', I], ['attcacheoff', I], ['atttypmod', I], ['attbyval', B], ['attalign', T], ['attstorage', T], ['attnotnull', B], ['atthasdef', B], ['atthasmissing', B], ['attidentity', T], ['attgenerated', T], ['attisdropped', B], ['attislocal', B], ['attinhcount', I], ['attcollation', I], ['attacl', T], ['attoptions', T], ['attfdwoptions', T]],
    s.columns.map((c) => {
      const t = pgType(c.duckType);
      return [c.relOid, c.name, t.oid, -1, t.size, c.attnum, 0, -1, typmodOf(c.duckType), t.size > 0 && t.size <= 8, t.size > 0 ? 'd' : 'i', t.size > 0 ? 'p' : 'x', c.notNull, c.default !== null, false, '', '', false, true, 0, t.oid === OID.text || t.oid === OID.varchar ? 100 : 0, null, null, null];
    }),
  ));
  m.set('pg_catalog.pg_attrdef', derivedTable(
    [['oid', I], ['adrelid', I], ['adnum', I], ['adbin', T]],
    s.columns.filter((c) => c.default !== null).map((c, i) => [1_000_000 + i, c.relOid, c.attnum, c.default]),
  ));
  m.set('pg_catalog.pg_type', derivedTable(
    [['oid', I], ['typname', T], ['typnamespace', I], ['typowner', I], ['typlen', I], ['typbyval', B], ['typtype', T], ['typcategory', T], ['typispreferred', B], ['typisdefined', B], ['typdelim', T], ['typrelid', I], ['typelem', I], ['typarray', I], ['typinput', I], ['typoutput', I], ['typreceive', I], ['typsend', I], ['typnotnull', B], ['typbasetype', I], ['typtypmod', I], ['typndims', I], ['typcollation', I], ['typdefault', T]],
    [
      ...TYPES.map(([oid, name, arr, cat]) => [oid, name, 11, 10, typlen(oid), typlen(oid) > 0 && typlen(oid) <= 8, oid === OID.unknown ? 'p' : 'b', cat, false, true, ',', 0, 0, arr, ...ioNames(name).map((f) => procOid(f) ?? 0), false, 0, -1, 0, cat === 'S' ? 100 : 0, null] as Value[]),
      ...TYPES.filter(([, , arr]) => arr > 0).map(([oid, name, arr]) => [arr, `_${name}`, 11, 10, -1, false, 'b', 'A', false, true, ',', 0, oid, 0, ...ioNames('array').map((f) => procOid(f) ?? 0), false, 0, -1, 0, 0, null] as Value[]),
    ],
  ));
  m.set('pg_catalog.pg_description', derivedTable([['objoid', I], ['classoid', I], ['objsubid', I], ['description', T]], []));
  m.set('pg_catalog.pg_sequence', derivedTable([['seqrelid', I], ['seqtypid', I], ['seqstart', 'BIGINT'], ['seqincrement', 'BIGINT'], ['seqmax', 'BIGINT'], ['seqmin', 'BIGINT'], ['seqcache', 'BIGINT'], ['seqcycle', B]], []));
  m.set('pg_catalog.pg_enum', derivedTable([['oid', I], ['enumtypid', I], ['enumsortorder', 'REAL'], ['enumlabel', T]], []));
  m.set('pg_catalog.pg_inherits', derivedTable([['inhrelid', I], ['inhparent', I], ['inhseqno', I], ['inhdetachpending', B]], []));
  // Information schema, as PostgreSQL spells its values (catalog = the database, types by their SQL names).
  const visible = s.relations.filter((r) => r.schema !== 'pg_catalog' && r.schema !== 'information_schema');
  m.set('information_schema.schemata', derivedTable(
    [['catalog_name', T], ['schema_name', T], ['schema_owner', T], ['default_character_set_catalog', T], ['default_character_set_schema', T], ['default_character_set_name', T], ['sql_path', T]],
    s.schemas.map((x) => [s.database, x.name, user, null, null, null, null]),
  ));
  m.set('information_schema.tables', derivedTable(
    [['table_catalog', T], ['table_schema', T], ['table_name', T], ['table_type', T], ['self_referencing_column_name', T], ['reference_generation', T], ['user_defined_type_catalog', T], ['user_defined_type_schema', T], ['user_defined_type_name', T], ['is_insertable_into', T], ['is_typed', T], ['commit_action', T]],
    visible.map((r) => [s.database, r.schema, r.name, r.kind === 'v' ? 'VIEW' : r.persistence === 't' ? 'LOCAL TEMPORARY' : 'BASE TABLE', null, null, null, null, null, r.kind === 'r' ? 'YES' : 'NO', 'NO', null]),
  ));
  m.set('information_schema.columns', derivedTable(
    [['table_catalog', T], ['table_schema', T], ['table_name', T], ['column_name', T], ['ordinal_position', I], ['column_default', T], ['is_nullable', T], ['data_type', T], ['character_maximum_length', I], ['character_octet_length', I], ['numeric_precision', I], ['numeric_precision_radix', I], ['numeric_scale', I], ['datetime_precision', I], ['interval_type', T], ['udt_catalog', T], ['udt_schema', T], ['udt_name', T], ['is_identity', T], ['is_generated', T], ['generation_expression', T], ['is_updatable', T]],
    s.columns.flatMap((c) => {
      const r = relOf.get(c.relOid);
      if (!r || r.schema === 'pg_catalog' || r.schema === 'information_schema') return [];
      const t = pgType(c.duckType);
      const [precision, radix, scale] = numericShape(t.oid, c.duckType);
      const temporal = [OID.time, OID.timestamp, OID.timestamptz, OID.interval].includes(t.oid as 1083) ? 6 : t.oid === OID.date ? 0 : null;
      const udt = TYPES.find(([o]) => o === t.oid)?.[1] ?? 'text';
      return [[s.database, r.schema, r.name, c.name, c.attnum, c.default, c.notNull ? 'NO' : 'YES', pgTypeName(t.oid), null, t.oid === OID.varchar || t.oid === OID.text ? 1073741824 : null, precision, radix, scale, temporal, null, s.database, 'pg_catalog', udt, 'NO', 'NEVER', null, r.kind === 'r' ? 'YES' : 'NO']];
    }),
  ));
  return m;
}

/** information_schema's numeric_precision, _radix and _scale. */
function numericShape(oid: number, duckType: string): [number | null, number | null, number | null] {
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(duckType.trim());
  if (dec) return [Number(dec[1]), 10, Number(dec[2])];
  const bits: Record<number, [number, number, number | null]> = { [OID.int2]: [16, 2, 0], [OID.int4]: [32, 2, 0], [OID.int8]: [64, 2, 0], [OID.float4]: [24, 2, null], [OID.float8]: [53, 2, null] };
  return bits[oid] ?? (oid === OID.numeric ? [null, 10, null] : [null, null, null]);
}
