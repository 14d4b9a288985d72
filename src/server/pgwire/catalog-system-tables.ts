// The rest of pg_catalog that BI drivers join (derived tables, like catalog-tables.ts): keys and
// indexes (pg_constraint, pg_index, pg_depend, pg_am, pg_opclass, from catalog-keys.ts), the type
// I/O functions (pg_proc), ranges (pg_range: none, DuckDB has no range types), the connection's
// user (pg_roles, pg_user: oid 10, the owner of every object here) and the one database
// (pg_database). Also the texts behind pg_get_constraintdef and pg_get_indexdef.
import type { Value } from '../../ir/values.ts';
import type { CatalogOids } from './catalog-oids.ts';
import type { CatalogSnapshot } from './catalog-tables.ts';
import { derivedTable } from './catalog-tables.ts';
import { OPCLASSES, PROCS } from './catalog-types.ts';
import { pgType } from './pg-types.ts';

const I = 'INTEGER';
const T = 'VARCHAR';
const B = 'BOOLEAN';
const IA = 'INTEGER[]';

/** pg_catalog relations over the snapshot's keys, functions, roles and database. */
export function systemRelations(s: CatalogSnapshot, user: string, oids: CatalogOids): Map<string, string> {
  const m = new Map<string, string>();
  const nsOid = new Map(s.schemas.map((x) => [x.name, x.oid]));
  const typeOf = (relOid: number, attnum: number): number => pgType(s.columns.find((c) => c.relOid === relOid && c.attnum === attnum)?.duckType ?? '').oid;
  const opclassOf = (relOid: number, attnum: number): number => (attnum === 0 ? 0 : OPCLASSES.find(([, , t]) => t === typeOf(relOid, attnum))?.[0] ?? 0);
  m.set('pg_catalog.pg_constraint', derivedTable(
    [['oid', I], ['conname', T], ['connamespace', I], ['contype', T], ['condeferrable', B], ['condeferred', B], ['convalidated', B], ['conrelid', I], ['contypid', I], ['conindid', I], ['conparentid', I], ['confrelid', I], ['confupdtype', T], ['confdeltype', T], ['confmatchtype', T], ['conislocal', B], ['coninhcount', I], ['connoinherit', B], ['conkey', IA], ['confkey', IA], ['conpfeqop', IA], ['conppeqop', IA], ['conffeqop', IA], ['confdelsetcols', IA], ['conexclop', IA], ['conbin', T]],
    s.constraints.map((c) => {
      const fk = c.kind === 'f';
      return [c.oid, c.name, nsOid.get(c.schema) ?? 0, c.kind, false, false, true, c.relOid, 0, c.indexOid, 0, c.refRelOid, fk ? 'a' : ' ', fk ? 'a' : ' ', fk ? 's' : ' ', true, 0, c.kind === 'c', c.columns, fk ? c.refColumns : null, null, null, null, null, null, c.expression];
    }),
  ));
  m.set('pg_catalog.pg_index', derivedTable(
    [['indexrelid', I], ['indrelid', I], ['indnatts', I], ['indnkeyatts', I], ['indisunique', B], ['indnullsnotdistinct', B], ['indisprimary', B], ['indisexclusion', B], ['indimmediate', B], ['indisclustered', B], ['indisvalid', B], ['indcheckxmin', B], ['indisready', B], ['indislive', B], ['indisreplident', B], ['indkey', IA], ['indcollation', IA], ['indclass', IA], ['indoption', IA], ['indexprs', T], ['indpred', T]],
    s.indexes.map((x) => {
      const exprs = x.elements.filter((_, k) => (x.columns[k] ?? 0) === 0);
      return [x.oid, x.relOid, x.columns.length, x.columns.length, x.unique, false, x.primary, false, true, false, true, false, true, true, false, x.columns, x.columns.map(() => 0), x.columns.map((a) => opclassOf(x.relOid, a)), x.columns.map(() => 0), exprs.length ? exprs.join(', ') : null, null];
    }),
  ));
  // What a key's index and a foreign key depend on (classid 2606 pg_constraint, 1259 pg_class).
  m.set('pg_catalog.pg_depend', derivedTable(
    [['classid', I], ['objid', I], ['objsubid', I], ['refclassid', I], ['refobjid', I], ['refobjsubid', I], ['deptype', T]],
    s.constraints.flatMap((c): Value[][] => {
      if (c.kind === 'f') return c.indexOid ? [[2606, c.oid, 0, 1259, c.indexOid, 0, 'n']] : [];
      if (c.kind === 'p' || c.kind === 'u') return [[1259, c.indexOid, 0, 2606, c.oid, 0, 'i']];
      return [];
    }),
  ));
  m.set('pg_catalog.pg_am', derivedTable([['oid', I], ['amname', T], ['amhandler', I], ['amtype', T]], [[2, 'heap', 0, 't'], [403, 'btree', 0, 'i']]));
  m.set('pg_catalog.pg_opclass', derivedTable(
    [['oid', I], ['opcmethod', I], ['opcname', T], ['opcnamespace', I], ['opcowner', I], ['opcfamily', I], ['opcintype', I], ['opcdefault', B], ['opckeytype', I]],
    OPCLASSES.map(([oid, name, type]) => [oid, 403, name, 11, 10, 0, type, true, 0]),
  ));
  m.set('pg_catalog.pg_proc', derivedTable(
    [['oid', I], ['proname', T], ['pronamespace', I], ['proowner', I], ['prolang', I], ['prokind', T], ['prosecdef', B], ['proisstrict', B], ['proretset', B], ['provolatile', T], ['pronargs', I], ['pronargdefaults', I], ['prorettype', I], ['proargtypes', IA], ['proargnames', 'VARCHAR[]'], ['prosrc', T], ['proacl', T]],
    PROCS.map(([oid, name, arg, ret]) => [oid, name, 11, 10, 12, 'f', false, true, false, 'i', 1, 0, ret, [arg], null, name, null]),
  ));
  m.set('pg_catalog.pg_range', derivedTable([['rngtypid', I], ['rngsubtype', I], ['rngmultitypid', I], ['rngcollation', I], ['rngsubopc', I], ['rngcanonical', I], ['rngsubdiff', I]], []));
  m.set('pg_catalog.pg_roles', derivedTable(
    [['oid', I], ['rolname', T], ['rolsuper', B], ['rolinherit', B], ['rolcreaterole', B], ['rolcreatedb', B], ['rolcanlogin', B], ['rolreplication', B], ['rolconnlimit', I], ['rolpassword', T], ['rolvaliduntil', T], ['rolbypassrls', B], ['rolconfig', 'VARCHAR[]']],
    [[10, user, false, true, false, false, true, false, -1, '********', null, false, null]],
  ));
  m.set('pg_catalog.pg_user', derivedTable(
    [['usename', T], ['usesysid', I], ['usecreatedb', B], ['usesuper', B], ['userepl', B], ['usebypassrls', B], ['passwd', T], ['valuntil', T], ['useconfig', 'VARCHAR[]']],
    [[user, 10, false, false, false, false, '********', null, null]],
  ));
  m.set('pg_catalog.pg_database', derivedTable(
    [['oid', I], ['datname', T], ['datdba', I], ['encoding', I], ['datlocprovider', T], ['datistemplate', B], ['datallowconn', B], ['datconnlimit', I], ['datfrozenxid', I], ['datminmxid', I], ['dattablespace', I], ['datcollate', T], ['datctype', T], ['daticulocale', T], ['datcollversion', T], ['datacl', T]],
    [[oids.object(`database:${s.database}`), s.database, 10, 6, 'c', false, true, -1, 0, 1, 1663, 'C', 'C', null, null, null]],
  ));
  return m;
}

/** Derived tables behind pg_get_constraintdef(oid) and pg_get_indexdef(oid, n): (oid, n, def). */
export function definitionTables(s: CatalogSnapshot): { constraints: string; indexes: string } {
  return {
    constraints: derivedTable([['oid', I], ['def', T]], s.constraints.map((c) => [c.oid, c.definition])),
    indexes: derivedTable([['oid', I], ['n', I], ['def', T]], s.indexes.flatMap((x) => [[x.oid, 0, x.definition], ...x.elements.map((e, k) => [x.oid, k + 1, e])])),
  };
}
