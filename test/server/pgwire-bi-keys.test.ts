// Keys, indexes and types through the real `pg` client against a real server: npgsql's connect-time
// type loading (version, types, composite fields, enum labels, as one batch), SQLAlchemy 2.0's
// get_pk_constraint / get_unique_constraints / get_foreign_keys / get_indexes and pgjdbc's
// getPrimaryKeys / getImportedKeys / getIndexInfo, over a DuckDB table with keys and a lakehouse
// table without any. Query texts are the tools' own (SQLAlchemy's as psycopg2 sends them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { OID } from '../../src/server/pgwire/pg-types.ts';
import { pgClient, startTestServer, type TestServer } from './pgwire-helpers.ts';

/** npgsql 8 PostgresDatabaseInfo: version, GenerateLoadTypesQuery(withRange, withMultirange, !loadTableComposites), composites, enums. */
const NPGSQL_LOAD = `SELECT version();

SELECT ns.nspname, t.oid, t.typname, t.typtype, t.typnotnull, t.elemtypoid
FROM (
    -- Arrays have typtype=b - this subquery identifies them by their typreceive and converts their typtype to a
    -- We first do this for the type (innerest-most subquery), and then for its element type
    -- This also returns the array element, range subtype and domain base type as elemtypoid
    SELECT
        typ.oid, typ.typnamespace, typ.typname, typ.typtype, typ.typrelid, typ.typnotnull, typ.relkind,
        elemtyp.oid AS elemtypoid, elemtyp.typname AS elemtypname, elemcls.relkind AS elemrelkind,
        CASE WHEN elemproc.proname='array_recv' THEN 'a' ELSE elemtyp.typtype END AS elemtyptype
    FROM (
        SELECT typ.oid, typnamespace, typname, typrelid, typnotnull, relkind, typelem AS elemoid,
            CASE WHEN proc.proname='array_recv' THEN 'a' ELSE typ.typtype END AS typtype,
            CASE
                WHEN proc.proname='array_recv' THEN typ.typelem
                WHEN typ.typtype='r' THEN rngsubtype
                WHEN typ.typtype='m' THEN (SELECT rngtypid FROM pg_range WHERE rngmultitypid = typ.oid)
                WHEN typ.typtype='d' THEN typ.typbasetype
            END AS elemtypoid
        FROM pg_type AS typ
        LEFT JOIN pg_class AS cls ON (cls.oid = typ.typrelid)
        LEFT JOIN pg_proc AS proc ON proc.oid = typ.typreceive
        LEFT JOIN pg_range ON (pg_range.rngtypid = typ.oid)
    ) AS typ
    LEFT JOIN pg_type AS elemtyp ON elemtyp.oid = elemtypoid
    LEFT JOIN pg_class AS elemcls ON (elemcls.oid = elemtyp.typrelid)
    LEFT JOIN pg_proc AS elemproc ON elemproc.oid = elemtyp.typreceive
) AS t
JOIN pg_namespace AS ns ON (ns.oid = typnamespace)
WHERE
    typtype IN ('b', 'r', 'm', 'e', 'd') OR -- Base, range, multirange, enum, domain
    (typtype = 'c' AND relkind='c') OR -- User-defined free-standing composites (not table composites) by default
    (typtype = 'p' AND typname IN ('record', 'void')) OR -- Some special supported pseudo-types
    (typtype = 'a' AND (  -- Array of...
        elemtyptype IN ('b', 'r', 'm', 'e', 'd') OR -- Array of base, range, multirange, enum, domain
        (elemtyptype = 'p' AND elemtypname IN ('record', 'void')) OR -- Arrays of special supported pseudo-types
        (elemtyptype = 'c' AND elemrelkind='c') -- Array of user-defined free-standing composites (not table composites) by default
    ))
ORDER BY CASE
       WHEN typtype IN ('b', 'e', 'p') THEN 0           -- First base types, enums, pseudo-types
       WHEN typtype = 'r' THEN 1                        -- Ranges after
       WHEN typtype = 'm' THEN 2                        -- Multiranges after
       WHEN typtype = 'c' THEN 3                        -- Composites after
       WHEN typtype = 'd' AND elemtyptype <> 'a' THEN 4 -- Domains over non-arrays after
       WHEN typtype = 'a' THEN 5                        -- Arrays after
       WHEN typtype = 'd' AND elemtyptype = 'a' THEN 6  -- Domains over arrays last
END;

-- Load field definitions for (free-standing) composite types
SELECT typ.oid, att.attname, att.atttypid
FROM pg_type AS typ
JOIN pg_namespace AS ns ON (ns.oid = typ.typnamespace)
JOIN pg_class AS cls ON (cls.oid = typ.typrelid)
JOIN pg_attribute AS att ON (att.attrelid = typ.typrelid)
WHERE
  (typ.typtype = 'c' AND cls.relkind='c') AND
  attnum > 0 AND     -- Don't load system attributes
  NOT attisdropped
ORDER BY typ.oid, att.attnum;

-- Load enum fields
SELECT pg_type.oid, enumlabel
FROM pg_enum
JOIN pg_type ON pg_type.oid=enumtypid
ORDER BY oid, enumsortorder;
`;

// sqlalchemy/dialects/postgresql/base.py (2.0): _table_oids_query, _constraint_query (contype 'p' or
// 'u'), _foreing_key_query, _index_query; 999999 stands for the table oids of the first query.
const SA_OIDS = `SELECT pg_catalog.pg_class.oid, pg_catalog.pg_class.relname 
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p', 'f', 'v', 'm']) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog' AND pg_catalog.pg_class.relname IN ('kt_orders')`;

const SA_CONSTRAINT = `SELECT attr.conrelid, array_agg(CAST(attr.attname AS TEXT) ORDER BY attr.ord) AS cols, attr.conname, min(attr.description) AS description, min(attr.indnkeyatts) AS indnkeyatts, bool_and(attr.indnullsnotdistinct) AS indnullsnotdistinct 
FROM (SELECT con.conrelid AS conrelid, con.conname AS conname, con.description AS description, con.ord AS ord, con.indnkeyatts AS indnkeyatts, con.indnullsnotdistinct AS indnullsnotdistinct, pg_catalog.pg_attribute.attname AS attname 
FROM pg_catalog.pg_attribute JOIN (SELECT pg_catalog.pg_constraint.conrelid AS conrelid, pg_catalog.pg_constraint.conname AS conname, unnest(pg_catalog.pg_index.indkey) AS attnum, generate_subscripts(pg_catalog.pg_index.indkey, 1) AS ord, pg_catalog.pg_index.indnkeyatts AS indnkeyatts, pg_catalog.pg_index.indnullsnotdistinct AS indnullsnotdistinct, pg_catalog.pg_description.description AS description 
FROM pg_catalog.pg_constraint JOIN pg_catalog.pg_index ON pg_catalog.pg_constraint.conindid = pg_catalog.pg_index.indexrelid LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_constraint.oid 
WHERE pg_catalog.pg_constraint.contype = 'p' AND pg_catalog.pg_constraint.conrelid IN (999999)) AS con ON pg_catalog.pg_attribute.attnum = con.attnum AND pg_catalog.pg_attribute.attrelid = con.conrelid 
WHERE con.conrelid IN (999999)) AS attr GROUP BY attr.conrelid, attr.conname ORDER BY attr.conrelid, attr.conname`;

const SA_FK = `SELECT pg_catalog.pg_class.relname, pg_catalog.pg_constraint.conname, CASE WHEN (pg_catalog.pg_constraint.oid IS NOT NULL) THEN pg_catalog.pg_get_constraintdef(pg_catalog.pg_constraint.oid, True) END AS anon_1, nsp_ref.nspname, pg_catalog.pg_description.description 
FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_constraint ON pg_catalog.pg_class.oid = pg_catalog.pg_constraint.conrelid AND pg_catalog.pg_constraint.contype = 'f' LEFT OUTER JOIN pg_catalog.pg_class AS cls_ref ON cls_ref.oid = pg_catalog.pg_constraint.confrelid LEFT OUTER JOIN pg_catalog.pg_namespace AS nsp_ref ON cls_ref.relnamespace = nsp_ref.oid LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_constraint.oid JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p', 'f', 'v', 'm']) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog' AND pg_catalog.pg_class.relname IN ('kt_orders') ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_constraint.conname`;

const SA_INDEX = `SELECT pg_catalog.pg_index.indrelid, pg_catalog.pg_class.relname, pg_catalog.pg_index.indisunique, pg_catalog.pg_constraint.conrelid IS NOT NULL AS has_constraint, pg_catalog.pg_index.indoption, pg_catalog.pg_class.reloptions, pg_catalog.pg_am.amname, CASE WHEN (pg_catalog.pg_index.indpred IS NOT NULL) THEN pg_catalog.pg_get_expr(pg_catalog.pg_index.indpred, pg_catalog.pg_index.indrelid) END AS filter_definition, pg_catalog.pg_index.indnkeyatts, pg_catalog.pg_index.indnullsnotdistinct, idx_cols.elements, idx_cols.elements_is_expr, idx_cols.elements_opclass, idx_cols.elements_opdefault 
FROM pg_catalog.pg_index JOIN pg_catalog.pg_class ON pg_catalog.pg_index.indexrelid = pg_catalog.pg_class.oid JOIN pg_catalog.pg_am ON pg_catalog.pg_class.relam = pg_catalog.pg_am.oid LEFT OUTER JOIN (SELECT idx_attr.indexrelid AS indexrelid, min(idx_attr.indrelid) AS min_1, array_agg(idx_attr.element ORDER BY idx_attr.ord) AS elements, array_agg(idx_attr.is_expr ORDER BY idx_attr.ord) AS elements_is_expr, array_agg(idx_attr.opcname ORDER BY idx_attr.ord) AS elements_opclass, array_agg(idx_attr.opcdefault ORDER BY idx_attr.ord) AS elements_opdefault 
FROM (SELECT idx.indexrelid AS indexrelid, idx.indrelid AS indrelid, idx.ord AS ord, CASE WHEN (idx.attnum = 0) THEN pg_catalog.pg_get_indexdef(idx.indexrelid, idx.ord + 1, True) ELSE CAST(pg_catalog.pg_attribute.attname AS TEXT) END AS element, idx.attnum = 0 AS is_expr, pg_catalog.pg_opclass.opcname AS opcname, pg_catalog.pg_opclass.opcdefault AS opcdefault 
FROM (SELECT pg_catalog.pg_index.indexrelid AS indexrelid, pg_catalog.pg_index.indrelid AS indrelid, unnest(pg_catalog.pg_index.indkey) AS attnum, unnest(pg_catalog.pg_index.indclass) AS att_opclass, generate_subscripts(pg_catalog.pg_index.indkey, 1) AS ord 
FROM pg_catalog.pg_index 
WHERE NOT pg_catalog.pg_index.indisprimary AND pg_catalog.pg_index.indrelid IN (999999)) AS idx LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_attribute.attnum = idx.attnum AND pg_catalog.pg_attribute.attrelid = idx.indrelid LEFT OUTER JOIN pg_catalog.pg_opclass ON pg_catalog.pg_opclass.oid = idx.att_opclass 
WHERE idx.indrelid IN (999999)) AS idx_attr GROUP BY idx_attr.indexrelid) AS idx_cols ON pg_catalog.pg_index.indexrelid = idx_cols.indexrelid LEFT OUTER JOIN pg_catalog.pg_constraint ON pg_catalog.pg_index.indrelid = pg_catalog.pg_constraint.conrelid AND pg_catalog.pg_index.indexrelid = pg_catalog.pg_constraint.conindid AND pg_catalog.pg_constraint.contype = ANY (ARRAY['p', 'u', 'x']) 
WHERE pg_catalog.pg_index.indrelid IN (999999) AND NOT pg_catalog.pg_index.indisprimary ORDER BY pg_catalog.pg_index.indrelid, pg_catalog.pg_class.relname`;

/** pgjdbc 42.x getPrimaryKeys(null, "main", "kt_orders"). */
const JDBC_PRIMARY_KEYS = `SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM,   ct.relname AS TABLE_NAME, a.attname AS COLUMN_NAME,   (i.keys).n AS KEY_SEQ, ci.relname AS PK_NAME FROM pg_catalog.pg_class ct   JOIN pg_catalog.pg_attribute a ON (ct.oid = a.attrelid)   JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid)   JOIN (SELECT i.indexrelid, i.indrelid, i.indisprimary,              information_schema._pg_expandarray(i.indkey) AS keys         FROM pg_catalog.pg_index i) i     ON (a.attnum = (i.keys).x AND a.attrelid = i.indrelid)   JOIN pg_catalog.pg_class ci ON (ci.oid = i.indexrelid) WHERE true  AND n.nspname = E'main' AND ct.relname = E'kt_orders' AND i.indisprimary  ORDER BY table_name, pk_name, key_seq`;

/** pgjdbc 42.x getImportedKeys(null, "main", "kt_orders"). */
const JDBC_IMPORTED_KEYS = `SELECT NULL::text AS PKTABLE_CAT, pkn.nspname AS PKTABLE_SCHEM, pkc.relname AS PKTABLE_NAME, pka.attname AS PKCOLUMN_NAME, NULL::text AS FKTABLE_CAT, fkn.nspname AS FKTABLE_SCHEM, fkc.relname AS FKTABLE_NAME, fka.attname AS FKCOLUMN_NAME, pos.n AS KEY_SEQ, CASE con.confupdtype  WHEN 'c' THEN 0 WHEN 'n' THEN 2 WHEN 'd' THEN 4 WHEN 'r' THEN 1 WHEN 'p' THEN 1 WHEN 'a' THEN 3 ELSE NULL END AS UPDATE_RULE, CASE con.confdeltype  WHEN 'c' THEN 0 WHEN 'n' THEN 2 WHEN 'd' THEN 4 WHEN 'r' THEN 1 WHEN 'p' THEN 1 WHEN 'a' THEN 3 ELSE NULL END AS DELETE_RULE, con.conname AS FK_NAME, pkic.relname AS PK_NAME, CASE  WHEN con.condeferrable AND con.condeferred THEN 5 WHEN con.condeferrable THEN 6 ELSE 7 END AS DEFERRABILITY  FROM  pg_catalog.pg_namespace pkn, pg_catalog.pg_class pkc, pg_catalog.pg_attribute pka,  pg_catalog.pg_namespace fkn, pg_catalog.pg_class fkc, pg_catalog.pg_attribute fka,  pg_catalog.pg_constraint con,  pg_catalog.generate_series(1, 32) pos(n),  pg_catalog.pg_class pkic WHERE pkn.oid = pkc.relnamespace AND pkc.oid = pka.attrelid AND pka.attnum = con.confkey[pos.n] AND con.confrelid = pkc.oid  AND fkn.oid = fkc.relnamespace AND fkc.oid = fka.attrelid AND fka.attnum = con.conkey[pos.n] AND con.conrelid = fkc.oid  AND con.contype = 'f' AND (pkic.relkind = 'i' OR pkic.relkind = 'I') AND pkic.oid = con.conindid  AND fkn.nspname = E'main' AND fkc.relname = E'kt_orders' ORDER BY pkn.nspname,pkc.relname, con.conname,pos.n`;

/** pgjdbc 42.x getIndexInfo(null, "main", "kt_orders", false, true) (server >= 9.6: an outer query over the index rows). */
const JDBC_INDEX_INFO = `SELECT     tmp.TABLE_CAT,     tmp.TABLE_SCHEM,     tmp.TABLE_NAME,     tmp.NON_UNIQUE,     tmp.INDEX_QUALIFIER,     tmp.INDEX_NAME,     tmp.TYPE,     tmp.ORDINAL_POSITION,     trim(both '"' from pg_catalog.pg_get_indexdef(tmp.CI_OID, tmp.ORDINAL_POSITION, false)) AS COLUMN_NAME,   CASE tmp.AM_NAME     WHEN 'btree' THEN CASE tmp.I_INDOPTION[tmp.ORDINAL_POSITION - 1] & 1::smallint       WHEN 1 THEN 'D'       ELSE 'A'     END     ELSE NULL   END AS ASC_OR_DESC,     tmp.CARDINALITY,     tmp.PAGES,     tmp.FILTER_CONDITION FROM (SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM,   ct.relname AS TABLE_NAME, NOT i.indisunique AS NON_UNIQUE,   NULL AS INDEX_QUALIFIER, ci.relname AS INDEX_NAME,   CASE i.indisclustered     WHEN true THEN 1    ELSE CASE am.amname       WHEN 'hash' THEN 2      ELSE 3    END   END AS TYPE,   (information_schema._pg_expandarray(i.indkey)).n AS ORDINAL_POSITION,   ci.reltuples AS CARDINALITY,   ci.relpages AS PAGES,   pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS FILTER_CONDITION,   ci.oid AS CI_OID,   i.indoption AS I_INDOPTION,   am.amname AS AM_NAME FROM pg_catalog.pg_class ct   JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid)   JOIN pg_catalog.pg_index i ON (ct.oid = i.indrelid)   JOIN pg_catalog.pg_class ci ON (ci.oid = i.indexrelid)   JOIN pg_catalog.pg_am am ON (ci.relam = am.oid) WHERE true  AND n.nspname = E'main' AND ct.relname = E'kt_orders') AS tmp ORDER BY NON_UNIQUE, TYPE, INDEX_NAME, ORDINAL_POSITION`;

describe('pgwire keys, indexes and types of BI drivers', () => {
  let t: TestServer;
  let c: pg.Client;
  const oidOf = async (name: string): Promise<number> => Number((await c.query(SA_OIDS.replace("'kt_orders'", `'${name}'`))).rows[0]?.oid);
  beforeAll(async () => {
    t = await startTestServer();
    c = await pgClient(t.port);
    await c.query('CREATE TABLE kt_customers (id INTEGER PRIMARY KEY, email VARCHAR UNIQUE, region VARCHAR)');
    await c.query('CREATE TABLE kt_orders (order_id BIGINT, line INTEGER, customer_id INTEGER REFERENCES kt_customers (id), sku VARCHAR, PRIMARY KEY (order_id, line), UNIQUE (sku, line))');
    await c.query('CREATE INDEX kt_orders_customer ON kt_orders (customer_id)');
  }, 60_000);
  afterAll(async () => {
    await c?.end();
    await t?.dispose();
  });

  it("npgsql's type loading answers the mapped types with PostgreSQL's oids, arrays as 'a' over their element", async () => {
    const results = (await c.query(NPGSQL_LOAD)) as unknown as pg.QueryResult[];
    expect(results).toHaveLength(4);
    expect(String(results[0]?.rows[0]?.version)).toMatch(/^PostgreSQL 15\./);
    const types = results[1]?.rows ?? [];
    const byName = new Map(types.map((r) => [String(r.typname), r]));
    expect(byName.get('int4')).toEqual({ nspname: 'pg_catalog', oid: OID.int4, typname: 'int4', typtype: 'b', typnotnull: false, elemtypoid: null });
    expect(byName.get('_int4')).toEqual({ nspname: 'pg_catalog', oid: 1007, typname: '_int4', typtype: 'a', typnotnull: false, elemtypoid: OID.int4 });
    for (const [name, oid] of [['varchar', OID.varchar], ['numeric', OID.numeric], ['timestamptz', OID.timestamptz], ['uuid', OID.uuid], ['json', OID.json]] as const) expect(byName.get(name)?.oid).toBe(oid);
    expect(byName.get('_varchar')).toMatchObject({ typtype: 'a', elemtypoid: OID.varchar });
    // Base types first, arrays after; every array's element came before it; no pseudo-type 'unknown'.
    const firstArray = types.findIndex((r) => r.typtype === 'a');
    expect(types.slice(firstArray).every((r) => r.typtype === 'a')).toBe(true);
    expect(types.filter((r) => r.typtype === 'a').every((r) => types.slice(0, firstArray).some((b) => b.oid === r.elemtypoid))).toBe(true);
    expect(byName.has('unknown')).toBe(false);
    expect(results[2]?.rows).toEqual([]);
    expect(results[3]?.rows).toEqual([]);
    expect(results[3]?.fields.map((f) => f.name)).toEqual(['oid', 'enumlabel']);
  });

  it('SQLAlchemy get_pk_constraint and get_unique_constraints read the DuckDB keys', async () => {
    const orders = await oidOf('kt_orders');
    const pk = await c.query(SA_CONSTRAINT.replaceAll('999999', String(orders)));
    // Lists are PostgreSQL arrays (text[] / varchar[]), parsed by the client.
    expect(pk.rows).toEqual([{ conrelid: orders, cols: ['order_id', 'line'], conname: expect.stringMatching(/pkey$/), description: null, indnkeyatts: 2, indnullsnotdistinct: false }]);
    const uq = await c.query(SA_CONSTRAINT.replaceAll('999999', String(orders)).replace("contype = 'p'", "contype = 'u'"));
    expect(uq.rows.map((r) => r.cols)).toEqual([['sku', 'line']]);
    // A lakehouse (Parquet) table has no keys.
    const news = await oidOf('news');
    expect((await c.query(SA_CONSTRAINT.replaceAll('999999', String(news)))).rows).toEqual([]);
  });

  it('SQLAlchemy get_foreign_keys: the definition text its regex parses, and the referred schema', async () => {
    const fk = await c.query(SA_FK);
    expect(fk.rows).toEqual([{ relname: 'kt_orders', conname: expect.stringMatching(/fkey$/), anon_1: 'FOREIGN KEY (customer_id) REFERENCES kt_customers(id)', nspname: 'main', description: null }]);
    // A table without foreign keys: one row, all NULL but its name (the outer join).
    const none = await c.query(SA_FK.replace("IN ('kt_orders')", "IN ('news')"));
    expect(none.rows).toEqual([{ relname: 'news', conname: null, anon_1: null, nspname: null, description: null }]);
  });

  it('SQLAlchemy get_indexes: the CREATE INDEX and the unique constraint (as duplicating it), not the primary key', async () => {
    const orders = await oidOf('kt_orders');
    const r = await c.query(SA_INDEX.replaceAll('999999', String(orders)));
    // Lists arrive as PostgreSQL arrays, which the client parses.
    const list = (v: unknown): unknown => {
      expect(Array.isArray(v)).toBe(true);
      return v;
    };
    expect(r.rows.map((x) => [x.relname, x.indisunique, x.has_constraint, x.amname, list(x.elements), list(x.elements_is_expr), list(x.elements_opclass), list(x.elements_opdefault)])).toEqual([
      ['kt_orders_customer', false, false, 'btree', ['customer_id'], [false], ['int4_ops'], [true]],
      [expect.stringMatching(/key$/), true, true, 'btree', ['sku', 'line'], [false, false], ['varchar_ops', 'int4_ops'], [true, true]],
    ]);
    expect(list(r.rows[0]?.indoption)).toEqual([0]);
  });

  it("pgjdbc getPrimaryKeys, getImportedKeys and getIndexInfo", async () => {
    const pk = await c.query(JDBC_PRIMARY_KEYS);
    expect(pk.rows.map((r) => [r.table_name, r.column_name, r.key_seq, r.pk_name])).toEqual([
      ['kt_orders', 'order_id', 1, expect.stringMatching(/pkey$/)],
      ['kt_orders', 'line', 2, expect.stringMatching(/pkey$/)],
    ]);
    const fk = await c.query(JDBC_IMPORTED_KEYS);
    expect(fk.rows.map((r) => [r.pktable_name, r.pkcolumn_name, r.fktable_name, r.fkcolumn_name, String(r.key_seq), r.update_rule, r.delete_rule, r.deferrability])).toEqual([
      ['kt_customers', 'id', 'kt_orders', 'customer_id', '1', 3, 3, 7],
    ]);
    expect(fk.rows[0]?.pk_name).toMatch(/pkey$/);
    const idx = await c.query(JDBC_INDEX_INFO);
    expect(idx.rows.map((r) => [r.non_unique, r.index_name, r.ordinal_position, r.column_name, r.asc_or_desc])).toEqual([
      [false, expect.stringMatching(/pkey$/), 1, 'order_id', 'A'], [false, expect.stringMatching(/pkey$/), 2, 'line', 'A'],
      [false, expect.stringMatching(/key$/), 1, 'sku', 'A'], [false, expect.stringMatching(/key$/), 2, 'line', 'A'],
      [true, 'kt_orders_customer', 1, 'customer_id', 'A'],
    ]);
  });

  it('pg_roles, pg_user and pg_database: the connection user and the one database', async () => {
    expect((await c.query('SELECT rolname, rolsuper, rolcanlogin FROM pg_catalog.pg_roles WHERE oid = 10')).rows).toEqual([{ rolname: 'analyst', rolsuper: false, rolcanlogin: true }]);
    expect((await c.query('SELECT usename FROM pg_catalog.pg_user')).rows).toEqual([{ usename: 'analyst' }]);
    expect((await c.query('SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate')).rows).toEqual([{ datname: 'agentlake' }]);
    // Owners resolve to the role.
    expect((await c.query("SELECT r.rolname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.relname = 'kt_orders'")).rows).toEqual([{ rolname: 'analyst' }]);
  });

  it("current_setting('server_version_num') agrees with version()", async () => {
    expect((await c.query("SELECT current_setting('server_version_num')")).rows).toEqual([{ current_setting: '150000' }]);
    expect((await c.query('SHOW server_version_num')).rows).toEqual([{ server_version_num: '150000' }]);
  });
});
