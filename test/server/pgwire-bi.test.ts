// BI tools' and drivers' catalog queries through the real `pg` client against a real server over the
// demo lakehouse: SQLAlchemy 2.0's connect-time and reflection queries, pgjdbc's connect-time
// settings, DatabaseMetaData (getSchemas, getTables, getColumns) and type lookups, and
// information_schema (tables, columns, schemata). Query texts are the tools' own (see each constant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { OID } from '../../src/server/pgwire/pg-types.ts';
import { pgClient, rejection, startTestServer, type TestServer } from './pgwire-helpers.ts';

// sqlalchemy/dialects/postgresql/base.py. pgjdbc 42.x DatabaseMetaData (Metabase, DBeaver, Tableau).

/** SQLAlchemy get_table_names(schema=None): relkind 'r'/'p', not temporary, visible, not pg_catalog. */
const SA_TABLE_NAMES = `SELECT pg_catalog.pg_class.relname
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[$1, $2]) AND pg_catalog.pg_class.relpersistence != $3 AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != $4`;

/** SQLAlchemy get_view_names(schema=None). */
const SA_VIEW_NAMES = SA_TABLE_NAMES.replace('ARRAY[$1, $2]', 'ARRAY[$1]').replace('$3', '$2').replace('$4', '$3');

/** SQLAlchemy has_table('news'). */
const SA_HAS_TABLE = `SELECT pg_catalog.pg_class.relname
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace
WHERE pg_catalog.pg_class.relname = 'news' AND pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p', 'f', 'v', 'm']) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog'`;

/** SQLAlchemy get_schema_names(). */
const SA_SCHEMA_NAMES = `SELECT pg_catalog.pg_namespace.nspname
FROM pg_catalog.pg_namespace
WHERE pg_catalog.pg_namespace.nspname NOT LIKE 'pg_%' ORDER BY pg_catalog.pg_namespace.nspname`;

/**
 * SQLAlchemy get_columns('news') (get_multi_columns, server >= 12: generated and identity columns).
 * The identity sub-select is sent as is: json_build_object, pg_sequence, pg_get_serial_sequence and
 * the REGCLASS casts are rewritten by agentlake (there are no identity columns, so it is NULL).
 */
const SA_COLUMNS = `SELECT pg_catalog.pg_attribute.attname AS name, pg_catalog.format_type(pg_catalog.pg_attribute.atttypid, pg_catalog.pg_attribute.atttypmod) AS format_type, (SELECT pg_catalog.pg_get_expr(pg_catalog.pg_attrdef.adbin, pg_catalog.pg_attrdef.adrelid) AS pg_get_expr_1
FROM pg_catalog.pg_attrdef
WHERE pg_catalog.pg_attrdef.adrelid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attrdef.adnum = pg_catalog.pg_attribute.attnum AND pg_catalog.pg_attribute.atthasdef) AS "default", pg_catalog.pg_attribute.attnotnull AS not_null, pg_catalog.pg_class.relname AS table_name, pg_catalog.pg_description.description AS comment, pg_catalog.pg_attribute.attgenerated AS generated, (SELECT json_build_object('always', pg_catalog.pg_attribute.attidentity = 'a', 'start', pg_catalog.pg_sequence.seqstart, 'increment', pg_catalog.pg_sequence.seqincrement, 'minvalue', pg_catalog.pg_sequence.seqmin, 'maxvalue', pg_catalog.pg_sequence.seqmax, 'cache', pg_catalog.pg_sequence.seqcache, 'cycle', pg_catalog.pg_sequence.seqcycle) AS json_build_object_1
FROM pg_catalog.pg_sequence
WHERE pg_catalog.pg_attribute.attidentity != '' AND pg_catalog.pg_sequence.seqrelid = CAST(CAST(pg_catalog.pg_get_serial_sequence(CAST(CAST(pg_catalog.pg_attribute.attrelid AS REGCLASS) AS TEXT), pg_catalog.pg_attribute.attname) AS REGCLASS) AS OID)) AS identity_options
FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_class.oid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attribute.attnum > 0 AND NOT pg_catalog.pg_attribute.attisdropped LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_description.objsubid = pg_catalog.pg_attribute.attnum JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p', 'f', 'v', 'm']) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog' AND pg_catalog.pg_class.relname IN ('news') ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_attribute.attnum`;

/** pgjdbc getTables(null, "main", "%", {"TABLE", "VIEW"}) (plus 'PARTITIONED TABLE', as DBeaver asks). */
const JDBC_TABLES = `SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,  CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema'  WHEN true THEN CASE  WHEN n.nspname = 'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM TABLE'   WHEN 'v' THEN 'SYSTEM VIEW'   WHEN 'i' THEN 'SYSTEM INDEX'   ELSE NULL   END  WHEN n.nspname = 'pg_toast' THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM TOAST TABLE'   WHEN 'i' THEN 'SYSTEM TOAST INDEX'   ELSE NULL   END  ELSE CASE c.relkind   WHEN 'r' THEN 'TEMPORARY TABLE'   WHEN 'p' THEN 'TEMPORARY TABLE'   WHEN 'i' THEN 'TEMPORARY INDEX'   WHEN 'S' THEN 'TEMPORARY SEQUENCE'   WHEN 'v' THEN 'TEMPORARY VIEW'   ELSE NULL   END  END  WHEN false THEN CASE c.relkind  WHEN 'r' THEN 'TABLE'  WHEN 'p' THEN 'PARTITIONED TABLE'  WHEN 'i' THEN 'INDEX'  WHEN 'P' then 'PARTITIONED INDEX'  WHEN 'S' THEN 'SEQUENCE'  WHEN 'v' THEN 'VIEW'  WHEN 'c' THEN 'TYPE'  WHEN 'f' THEN 'FOREIGN TABLE'  WHEN 'm' THEN 'MATERIALIZED VIEW'  ELSE NULL  END  ELSE NULL  END  AS TABLE_TYPE, d.description AS REMARKS,  '' as TYPE_CAT, '' as TYPE_SCHEM, '' as TYPE_NAME, '' AS SELF_REFERENCING_COL_NAME, '' AS REF_GENERATION  FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c  LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0  and d.classoid = 'pg_class'::regclass)  WHERE c.relnamespace = n.oid  AND n.nspname LIKE 'main' AND c.relname LIKE '%' AND (false  OR ( c.relkind = 'r' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' )  OR ( c.relkind = 'p' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' )  OR ( c.relkind = 'v' AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' ) )  ORDER BY TABLE_TYPE,TABLE_SCHEM,TABLE_NAME`;

/** pgjdbc getSchemas(). */
const JDBC_SCHEMAS = `SELECT nspname AS TABLE_SCHEM, NULL AS TABLE_CATALOG FROM pg_catalog.pg_namespace  WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_'  OR nspname = (pg_catalog.current_schemas(true))[1]) AND (nspname !~ '^pg_toast_temp_'  OR nspname = replace((pg_catalog.current_schemas(true))[1], 'pg_temp_', 'pg_toast_temp_'))  ORDER BY TABLE_SCHEM`;

/** pgjdbc getColumns(null, "main", "news", null). */
const JDBC_COLUMNS = `SELECT * FROM (SELECT n.nspname,c.relname,a.attname,a.atttypid,a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS attnotnull,a.atttypmod,a.attlen,t.typtypmod,row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum, nullif(a.attidentity, '') as attidentity,nullif(a.attgenerated, '') as attgenerated,pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS adsrc,dsc.description,t.typbasetype,t.typtype  FROM pg_catalog.pg_namespace n  JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid)  JOIN pg_catalog.pg_attribute a ON (a.attrelid=c.oid)  JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)  LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid=def.adrelid AND a.attnum = def.adnum)  LEFT JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)  LEFT JOIN pg_catalog.pg_class dc ON (dc.oid=dsc.classoid AND dc.relname='pg_class')  LEFT JOIN pg_catalog.pg_namespace dn ON (dc.relnamespace=dn.oid AND dn.nspname='pg_catalog')  WHERE c.relkind in ('r','p','v','f','m') and a.attnum > 0 AND NOT a.attisdropped  AND n.nspname LIKE 'main' AND c.relname LIKE 'news' ) c WHERE true  ORDER BY nspname,c.relname,attnum`;

/** pgjdbc TypeInfoCache.getPGType(oid) (oid 1043). */
const JDBC_TYPE_BY_OID = `SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = $1`;

/** pgjdbc TypeInfoCache's lookup of a type by name (here 'int4'). */
const JDBC_TYPE_BY_NAME = `SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid   FROM pg_catalog.pg_type   LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r           from pg_namespace as ns           join ( select s.r, (current_schemas(false))[s.r] as nspname                    from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r          using ( nspname )        ) as sp     ON sp.nspoid = typnamespace  WHERE typname = 'int4'  ORDER BY sp.r, pg_type.oid DESC`;

/** The demo lakehouse's Parquet tables (each a temporary view over read_parquet in DuckDB). */
const LAKEHOUSE_TABLES = ['financials', 'news', 'prices', 'symbols'];

describe('pgwire catalog queries of BI tools', () => {
  let t: TestServer;
  let c: pg.Client;
  beforeAll(async () => {
    t = await startTestServer();
    c = await pgClient(t.port);
    await c.query('CREATE TABLE bi_orders (id INTEGER NOT NULL, amount DECIMAL(10,2) DEFAULT 0, note VARCHAR)');
    await c.query('CREATE VIEW bi_big_orders AS SELECT * FROM bi_orders WHERE amount > 100');
  }, 60_000);
  afterAll(async () => {
    await c?.end();
    await t?.dispose();
  });

  it("SQLAlchemy's connect-time queries", async () => {
    expect((await c.query('select pg_catalog.version()')).rows[0]?.version).toMatch(/^PostgreSQL 15\.\d+ /);
    expect(Object.values((await c.query('select current_schema()')).rows[0] ?? {})).toEqual(['main']);
    expect((await c.query('show transaction isolation level')).rows).toEqual([{ transaction_isolation: 'read committed' }]);
    expect((await c.query('show standard_conforming_strings')).rows).toEqual([{ standard_conforming_strings: 'on' }]);
    expect((await c.query("SELECT CAST('test plain returns' AS VARCHAR(60)) AS anon_1")).rows).toEqual([{ anon_1: 'test plain returns' }]);
    // psycopg2's hstore probe: no hstore type, no rows.
    expect((await c.query("SELECT t.oid, typarray\nFROM pg_type t JOIN pg_namespace ns\n    ON typnamespace = ns.oid\nWHERE typname = 'hstore';\n")).rows).toEqual([]);
  });

  it('SQLAlchemy get_schema_names, get_table_names, get_view_names and has_table', async () => {
    expect((await c.query(SA_SCHEMA_NAMES)).rows.map((r) => r.nspname)).toEqual(['information_schema', 'main']);
    const tables = (await c.query(SA_TABLE_NAMES, ['r', 'p', 't', 'pg_catalog'])).rows.map((r) => String(r.relname));
    // Lakehouse tables are tables (relkind 'r', permanent), next to the user's own DuckDB tables.
    expect(tables).toEqual(expect.arrayContaining([...LAKEHOUSE_TABLES, 'bi_orders']));
    expect(tables).not.toContain('bi_big_orders');
    expect((await c.query(SA_VIEW_NAMES, ['v', 't', 'pg_catalog'])).rows.map((r) => r.relname)).toEqual(['bi_big_orders']);
    expect((await c.query(SA_HAS_TABLE)).rows).toEqual([{ relname: 'news' }]);
    expect((await c.query(SA_HAS_TABLE.replace("'news'", "'no_such_table'"))).rows).toEqual([]);
  });

  it('SQLAlchemy get_columns gives each column its PostgreSQL type, default and nullability', async () => {
    const news = await c.query(SA_COLUMNS);
    expect(news.rows.map((r) => [r.name, r.format_type, r.table_name])).toEqual([
      ['id', 'bigint', 'news'], ['symbol', 'character varying', 'news'], ['day', 'date', 'news'],
      ['title', 'character varying', 'news'], ['body', 'character varying', 'news'], ['chart_key', 'character varying', 'news'],
    ]);
    expect(news.fields.map((f) => f.name)).toEqual(['name', 'format_type', 'default', 'not_null', 'table_name', 'comment', 'generated', 'identity_options']);
    const orders = await c.query(SA_COLUMNS.replace("IN ('news')", "IN ('bi_orders')"));
    expect(orders.rows.map((r) => [r.name, r.format_type, r.default, r.not_null])).toEqual([
      ['id', 'integer', null, true], ['amount', 'numeric(10,2)', expect.stringMatching(/0/), false], ['note', 'character varying', null, false],
    ]);
  });

  it("pgjdbc's connect-time settings and type lookups", async () => {
    await c.query('SET extra_float_digits = 3');
    await c.query("SET application_name = 'PostgreSQL JDBC Driver'");
    expect((await c.query('SHOW application_name')).rows).toEqual([{ application_name: 'PostgreSQL JDBC Driver' }]);
    const byOid = await c.query(JDBC_TYPE_BY_OID, [OID.varchar]);
    expect(byOid.rows.map((r) => [r.nspname, r.typname])).toEqual([['pg_catalog', 'varchar']]);
    const byName = await c.query(JDBC_TYPE_BY_NAME);
    expect(byName.rows).toEqual([{ is_array: false, typtype: 'b', typname: 'int4', oid: OID.int4 }]);
  });

  it('pgjdbc getSchemas and getTables list the lakehouse tables as TABLE in schema main', async () => {
    expect((await c.query(JDBC_SCHEMAS)).rows.map((r) => r.table_schem)).toEqual(['information_schema', 'main', 'pg_catalog']);
    const rows = (await c.query(JDBC_TABLES)).rows.map((r) => [r.table_schem, r.table_name, r.table_type]);
    for (const name of [...LAKEHOUSE_TABLES, 'bi_orders']) expect(rows).toContainEqual(['main', name, 'TABLE']);
    expect(rows).toContainEqual(['main', 'bi_big_orders', 'VIEW']);
    // ORDER BY TABLE_TYPE: the tables first.
    expect(rows.at(-1)?.[2]).toBe('VIEW');
  });

  it('pgjdbc getColumns', async () => {
    const r = await c.query(JDBC_COLUMNS.replace("LIKE 'news'", "LIKE 'bi_orders'"));
    expect(r.rows.map((x) => [x.relname, x.attname, x.atttypid, x.atttypmod, x.attnotnull, String(x.attnum)])).toEqual([
      ['bi_orders', 'id', OID.int4, -1, true, '1'],
      ['bi_orders', 'amount', OID.numeric, 10 * 65536 + 2 + 4, false, '2'],
      ['bi_orders', 'note', OID.varchar, -1, false, '3'],
    ]);
    expect(r.rows[1]?.adsrc).toMatch(/0/);
  });

  it('oids agree between catalogs and across queries', async () => {
    const cls = await c.query("SELECT c.oid, c.relnamespace FROM pg_catalog.pg_class c WHERE c.relname = 'news'");
    const att = await c.query("SELECT DISTINCT a.attrelid FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = 'news'");
    const ns = await c.query("SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'main'");
    expect(att.rows[0]?.attrelid).toBe(cls.rows[0]?.oid);
    expect(cls.rows[0]?.relnamespace).toBe(ns.rows[0]?.oid);
    expect((await c.query("SELECT 'main.news'::regclass = c.oid AS same FROM pg_catalog.pg_class c WHERE c.relname = 'news'")).rows).toEqual([{ same: true }]);
  });

  it('information_schema.tables, columns and schemata describe the lakehouse', async () => {
    const tables = await c.query("SELECT table_catalog, table_name, table_type FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name");
    for (const name of [...LAKEHOUSE_TABLES, 'bi_orders']) expect(tables.rows).toContainEqual({ table_catalog: 'agentlake', table_name: name, table_type: 'BASE TABLE' });
    expect(tables.rows).toContainEqual({ table_catalog: 'agentlake', table_name: 'bi_big_orders', table_type: 'VIEW' });
    const cols = await c.query('SELECT column_name, data_type, is_nullable, numeric_precision, numeric_scale, udt_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', ['main', 'bi_orders']);
    expect(cols.rows).toEqual([
      { column_name: 'id', data_type: 'integer', is_nullable: 'NO', numeric_precision: 32, numeric_scale: 0, udt_name: 'int4' },
      { column_name: 'amount', data_type: 'numeric', is_nullable: 'YES', numeric_precision: 10, numeric_scale: 2, udt_name: 'numeric' },
      { column_name: 'note', data_type: 'character varying', is_nullable: 'YES', numeric_precision: null, numeric_scale: null, udt_name: 'varchar' },
    ]);
    const schemata = await c.query('SELECT schema_name FROM information_schema.schemata ORDER BY 1');
    expect(schemata.rows.map((r) => r.schema_name)).toEqual(['information_schema', 'main', 'pg_catalog']);
  });

  it('the answers follow the lakehouse: a new table shows up at once', async () => {
    await c.query('CREATE TABLE bi_later (x DOUBLE)');
    expect((await c.query(SA_TABLE_NAMES, ['r', 'p', 't', 'pg_catalog'])).rows.map((r) => r.relname)).toContain('bi_later');
    expect((await c.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'bi_later'")).rows).toEqual([{ data_type: 'double precision' }]);
  });

  it('a catalog query the layer cannot answer is a clean error, and the connection goes on', async () => {
    const e = await rejection(c.query("SELECT c.oid FROM pg_catalog.pg_class c WHERE c.oid = 'no_such_table'::regclass"));
    expect(String(e['code'])).toMatch(/^[0-9A-Z]{5}$/);
    expect(String(e['message'])).toMatch(/regclass/i);
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('queries without catalog relations go to the executor unchanged', async () => {
    // 'pg_class' inside a string and a column named like a catalog relation stay as they are.
    const r = await c.query("SELECT 'FROM pg_catalog.pg_class' AS s, symbol FROM symbols ORDER BY symbol LIMIT 1");
    expect(r.rows[0]?.s).toBe('FROM pg_catalog.pg_class');
  });
});
