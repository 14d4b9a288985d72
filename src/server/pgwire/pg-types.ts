// DuckDB result types as PostgreSQL type OIDs, and values in PostgreSQL's text format. Lists of a
// scalar type are PostgreSQL arrays (int4[] is OID 1007, text `{1,2,NULL}`); nested lists, structs,
// maps and unions travel as JSON text (OID 25); every value is sent in text format.
import type { Value } from '../../ir/values.ts';

/** PostgreSQL type OIDs used here. */
export const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  uuid: 2950,
} as const;

/** The array type of each element type that has one. */
const ARRAY_OF: Readonly<Record<number, number>> = {
  [OID.bool]: 1000, [OID.bytea]: 1001, [OID.int2]: 1005, [OID.int4]: 1007, [OID.text]: 1009, [OID.varchar]: 1015,
  [OID.int8]: 1016, [OID.float4]: 1021, [OID.float8]: 1022, [OID.json]: 199, [OID.date]: 1182, [OID.time]: 1183,
  [OID.timestamp]: 1115, [OID.timestamptz]: 1185, [OID.interval]: 1187, [OID.numeric]: 1231, [OID.uuid]: 2951,
};
const ELEMENT_OF: Readonly<Record<number, number>> = Object.fromEntries(Object.entries(ARRAY_OF).map(([e, a]) => [a, Number(e)]));

/** The element type of a one-level list type (`INTEGER[]`, `VARCHAR[3]`), or undefined. */
function listElement(t: string): string | undefined {
  const m = /^(.*?)(\[\d*\])$/.exec(t);
  const inner = m?.[1]?.trim();
  if (inner === undefined || /\[\d*\]$/.test(inner) || /^(STRUCT|MAP|UNION)\b/.test(inner)) return undefined;
  return inner;
}

/** The OID and fixed size (-1 variable) of a DuckDB type as DuckDB prints it. */
export function pgType(duckType: string): { oid: number; size: number } {
  const t = duckType.trim().toUpperCase();
  const element = listElement(t);
  if (element !== undefined) {
    const array = ARRAY_OF[pgType(element).oid];
    return { oid: array ?? OID.text, size: -1 };
  }
  if (t.endsWith(']') || /^(STRUCT|MAP|UNION)\b/.test(t)) return { oid: OID.text, size: -1 };
  if (t.startsWith('DECIMAL') || t.startsWith('NUMERIC') || t === 'HUGEINT' || t === 'UHUGEINT' || t === 'UBIGINT' || t === 'VARINT' || t === 'BIGNUM') return { oid: OID.numeric, size: -1 };
  switch (t) {
    case 'BOOLEAN':
      return { oid: OID.bool, size: 1 };
    case 'TINYINT':
    case 'SMALLINT':
    case 'UTINYINT':
      return { oid: OID.int2, size: 2 };
    case 'INTEGER':
    case 'USMALLINT':
      return { oid: OID.int4, size: 4 };
    case 'BIGINT':
    case 'UINTEGER':
      return { oid: OID.int8, size: 8 };
    case 'FLOAT':
      return { oid: OID.float4, size: 4 };
    case 'DOUBLE':
      return { oid: OID.float8, size: 8 };
    case 'DATE':
      return { oid: OID.date, size: 4 };
    case 'TIME':
      return { oid: OID.time, size: 8 };
    case 'TIMESTAMP':
    case 'TIMESTAMP_S':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_NS':
      return { oid: OID.timestamp, size: 8 };
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMPTZ':
      return { oid: OID.timestamptz, size: 8 };
    case 'INTERVAL':
      return { oid: OID.interval, size: 16 };
    case 'BLOB':
      return { oid: OID.bytea, size: -1 };
    case 'JSON':
      return { oid: OID.json, size: -1 };
    case 'UUID':
      return { oid: OID.uuid, size: 16 };
    case 'VARCHAR':
      return { oid: OID.varchar, size: -1 };
    default:
      return { oid: OID.text, size: -1 };
  }
}

/** PostgreSQL's name for an OID (format_type, \d output). */
export function pgTypeName(oid: number): string {
  const names: Record<number, string> = {
    [OID.bool]: 'boolean', [OID.bytea]: 'bytea', [OID.int8]: 'bigint', [OID.int2]: 'smallint', [OID.int4]: 'integer',
    [OID.text]: 'text', [OID.json]: 'json', [OID.float4]: 'real', [OID.float8]: 'double precision', [OID.varchar]: 'character varying',
    [OID.date]: 'date', [OID.time]: 'time without time zone', [OID.timestamp]: 'timestamp without time zone',
    [OID.timestamptz]: 'timestamp with time zone', [OID.interval]: 'interval', [OID.numeric]: 'numeric', [OID.uuid]: 'uuid', [OID.unknown]: 'unknown',
  };
  const element = ELEMENT_OF[oid];
  if (element !== undefined) return `${pgTypeName(element)}[]`;
  return names[oid] ?? 'text';
}

/** A value in PostgreSQL text format for a column of `duckType` (null stays SQL NULL). */
export function textValue(v: Value, duckType: string): string | null {
  if (v === null) return null;
  const { oid } = pgType(duckType);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    return String(v);
  }
  if (typeof v === 'string') {
    if (oid === OID.bytea) return `\\x${Buffer.from(v, 'base64').toString('hex')}`;
    if (oid === OID.timestamptz && /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d(\.\d+)?)?$/.test(v)) return `${v}+00`;
    return v;
  }
  if (oid === OID.interval && !isList(v)) return intervalText(v);
  const element = listElement(duckType.trim().toUpperCase());
  if (isList(v) && element !== undefined && ELEMENT_OF[oid] !== undefined) return arrayText(v, element);
  return JSON.stringify(v);
}

/** A list in PostgreSQL's array text format: `{a,"b c",NULL}`, elements quoted when they must be. */
function arrayText(v: readonly Value[], elementType: string): string {
  const items = v.map((x) => {
    const t = textValue(x, elementType);
    if (t === null) return 'NULL';
    return t === '' || /[{},"\\\s]/.test(t) || t.toUpperCase() === 'NULL' ? `"${t.replace(/[\\"]/g, (c) => `\\${c}`)}"` : t;
  });
  return `{${items.join(',')}}`;
}

function isList(v: readonly Value[] | { readonly [key: string]: Value }): v is readonly Value[] {
  return Array.isArray(v);
}

function intervalText(v: { readonly [key: string]: Value }): string {
  const months = Number(v['months'] ?? 0);
  const days = Number(v['days'] ?? 0);
  const micros = Number(v['micros'] ?? 0);
  const parts: string[] = [];
  const years = Math.trunc(months / 12);
  const mons = months % 12;
  if (years) parts.push(`${years} year${Math.abs(years) === 1 ? '' : 's'}`);
  if (mons) parts.push(`${mons} mon${Math.abs(mons) === 1 ? '' : 's'}`);
  if (days) parts.push(`${days} day${Math.abs(days) === 1 ? '' : 's'}`);
  if (micros || parts.length === 0) {
    const sign = micros < 0 ? '-' : '';
    const abs = Math.abs(micros);
    const h = Math.floor(abs / 3_600_000_000);
    const m = Math.floor((abs % 3_600_000_000) / 60_000_000);
    const s = (abs % 60_000_000) / 1_000_000;
    const ss = s < 10 ? `0${s}` : String(s);
    parts.push(`${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${ss}`);
  }
  return parts.join(' ');
}
