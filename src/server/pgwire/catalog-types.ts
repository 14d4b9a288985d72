// The PostgreSQL built-in types agentlake maps DuckDB's types to (pg-types.ts), with what the
// catalog says about them: array types, sizes, the type I/O functions pg_type names (listed in
// pg_proc, so `pg_proc.oid = pg_type.typreceive` finds array_recv for arrays) and default btree
// operator classes (pg_opclass). Oids of functions and operator classes are fixed here.
import { OID } from './pg-types.ts';

/** The PostgreSQL types a snapshot can mention: [oid, typname, array oid, category]. */
export const TYPES: readonly (readonly [number, string, number, string])[] = [
  [OID.bool, 'bool', 1000, 'B'], [OID.bytea, 'bytea', 1001, 'U'], [OID.int8, 'int8', 1016, 'N'], [OID.int2, 'int2', 1005, 'N'],
  [OID.int4, 'int4', 1007, 'N'], [OID.text, 'text', 1009, 'S'], [OID.json, 'json', 199, 'U'], [OID.float4, 'float4', 1021, 'N'],
  [OID.float8, 'float8', 1022, 'N'], [OID.unknown, 'unknown', 0, 'X'], [OID.varchar, 'varchar', 1015, 'S'], [OID.date, 'date', 1182, 'D'],
  [OID.time, 'time', 1183, 'D'], [OID.timestamp, 'timestamp', 1115, 'D'], [OID.timestamptz, 'timestamptz', 1185, 'D'],
  [OID.interval, 'interval', 1187, 'T'], [OID.numeric, 'numeric', 1231, 'N'], [OID.uuid, 'uuid', 2951, 'U'],
];

/** Fixed sizes of the types above (pg_type.typlen). */
export function typlen(oid: number): number {
  const sizes: Record<number, number> = { [OID.bool]: 1, [OID.int2]: 2, [OID.int4]: 4, [OID.int8]: 8, [OID.float4]: 4, [OID.float8]: 8, [OID.date]: 4, [OID.time]: 8, [OID.timestamp]: 8, [OID.timestamptz]: 8, [OID.interval]: 16, [OID.uuid]: 16, [OID.unknown]: -2 };
  return sizes[oid] ?? -1;
}

/** Types whose I/O functions PostgreSQL spells with an underscore (json_in, date_recv, ...). */
const UNDERSCORED = new Set(['json', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'numeric', 'uuid']);

/** A type's [input, output, receive, send] function names ('array' for the array types). */
export function ioNames(typname: string): readonly [string, string, string, string] {
  const sep = typname === 'array' || UNDERSCORED.has(typname) ? '_' : '';
  return [`${typname}${sep}in`, `${typname}${sep}out`, `${typname}${sep}recv`, `${typname}${sep}send`];
}

/** One function of pg_proc: [oid, proname, argument type oid, result type oid]. */
export type ProcRow = readonly [number, string, number, number];

/** The type I/O functions, with fixed oids (array_* keep PostgreSQL's own: 750, 751, 2400, 2401). */
export const PROCS: readonly ProcRow[] = (() => {
  const rows: ProcRow[] = [[750, 'array_in', 2275, 2277], [751, 'array_out', 2277, 2275], [2400, 'array_recv', 2281, 2277], [2401, 'array_send', 2277, 17]];
  let next = 12000;
  for (const [oid, name] of TYPES) {
    const [i, o, r, s] = ioNames(name);
    rows.push([next++, i, 2275, oid], [next++, o, oid, 2275], [next++, r, 2281, oid], [next++, s, oid, 17]);
  }
  return rows;
})();

/** The oid of a function of PROCS by name. */
export function procOid(name: string): number | undefined {
  return PROCS.find(([, n]) => n === name)?.[0];
}

/** Default btree operator classes: [oid, opcname, opcintype] (every type but json and unknown). */
export const OPCLASSES: readonly (readonly [number, string, number])[] = TYPES.filter(([oid]) => oid !== OID.json && oid !== OID.unknown).map(([oid, name]) => [13000 + oid, `${name}_ops`, oid] as const);
