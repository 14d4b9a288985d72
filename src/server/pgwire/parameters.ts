// Bind parameters as SQL literals: each value is quoted (quotes doubled) and, when the client
// declared its type, cast to it; numbers are checked to be numbers. Text format for every type;
// binary format for the fixed-size numeric types, bool, text and bytea (anything else is refused).
import { OID } from './pg-types.ts';

/** A parameter the server cannot turn into a literal: ErrorResponse 22P02 / 0A000. */
export class ParameterError extends Error {
  constructor(
    readonly sqlstate: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParameterError';
  }
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const SPECIAL_FLOAT = /^\s*(NaN|[+-]?Infinity)\s*$/i;

const CASTS: Readonly<Record<number, string>> = {
  [OID.int2]: 'SMALLINT',
  [OID.int4]: 'INTEGER',
  [OID.int8]: 'BIGINT',
  [OID.float4]: 'FLOAT',
  [OID.float8]: 'DOUBLE',
  [OID.numeric]: 'DECIMAL(38,10)',
  [OID.date]: 'DATE',
  [OID.time]: 'TIME',
  [OID.timestamp]: 'TIMESTAMP',
  [OID.timestamptz]: 'TIMESTAMPTZ',
  [OID.interval]: 'INTERVAL',
  [OID.uuid]: 'UUID',
  [OID.json]: 'JSON',
};

const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(b: Uint8Array, n: number): string {
  try {
    return decoder.decode(b);
  } catch {
    throw new ParameterError('22021', `parameter $${n} is not valid UTF-8`);
  }
}

/** The SQL literal for parameter `n` (1-based). */
export function parameterLiteral(value: Uint8Array | null, format: number, oid: number, n: number): string {
  if (value === null) return 'NULL';
  if (format === 1) return binaryLiteral(value, oid, n);
  if (format !== 0) throw new ParameterError('08P01', `parameter $${n} has unknown format code ${format}`);
  const s = utf8(value, n);
  if (s.includes('\0')) throw new ParameterError('22021', `parameter $${n} contains a NUL byte`);
  switch (oid) {
    case OID.bool:
      if (/^\s*(t|true|y|yes|on|1)\s*$/i.test(s)) return 'TRUE';
      if (/^\s*(f|false|n|no|off|0)\s*$/i.test(s)) return 'FALSE';
      throw new ParameterError('22P02', `invalid input syntax for type boolean: "${s}" (parameter $${n})`);
    case OID.int2:
    case OID.int4:
    case OID.int8:
    case OID.numeric:
    case OID.float4:
    case OID.float8:
      if (!NUMBER.test(s) && !(SPECIAL_FLOAT.test(s) && (oid === OID.float4 || oid === OID.float8 || oid === OID.numeric))) {
        throw new ParameterError('22P02', `invalid input syntax for type ${oid === OID.numeric ? 'numeric' : 'number'}: "${s}" (parameter $${n})`);
      }
      return `CAST(${quote(s.trim())} AS ${CASTS[oid] ?? 'DOUBLE'})`;
    case OID.bytea:
      return `CAST(${quote(byteaText(s, n))} AS BLOB)`;
    default: {
      const cast = CASTS[oid];
      return cast ? `CAST(${quote(s)} AS ${cast})` : quote(s);
    }
  }
}

/** bytea text input ('\x4142' or raw text) as DuckDB's BLOB escape text ('\x41\x42'). */
function byteaText(s: string, n: number): string {
  if (s.startsWith('\\x')) {
    const hex = s.slice(2);
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new ParameterError('22P02', `invalid hexadecimal bytea in parameter $${n}`);
    return hex.replace(/(..)/g, '\\x$1');
  }
  return blobEscape(new TextEncoder().encode(s));
}

function blobEscape(b: Uint8Array): string {
  return [...b].map((x) => `\\x${x.toString(16).padStart(2, '0')}`).join('');
}

function binaryLiteral(b: Uint8Array, oid: number, n: number): string {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const size = (want: number): void => {
    if (b.byteLength !== want) throw new ParameterError('22P03', `binary parameter $${n} has ${b.byteLength} bytes, expected ${want}`);
  };
  switch (oid) {
    case OID.bool:
      size(1);
      return b[0] ? 'TRUE' : 'FALSE';
    case OID.int2:
      size(2);
      return `CAST(${view.getInt16(0)} AS SMALLINT)`;
    case OID.int4:
      size(4);
      return `CAST(${view.getInt32(0)} AS INTEGER)`;
    case OID.int8:
      size(8);
      return `CAST(${view.getBigInt64(0).toString()} AS BIGINT)`;
    case OID.float4:
      size(4);
      return `CAST(${quote(String(view.getFloat32(0)))} AS FLOAT)`;
    case OID.float8:
      size(8);
      return `CAST(${quote(String(view.getFloat64(0)))} AS DOUBLE)`;
    case OID.text:
    case OID.varchar:
    case OID.unknown:
    case 0:
      return quote(utf8(b, n).replace(/\0/g, ''));
    case OID.bytea:
      return `CAST(${quote(blobEscape(b))} AS BLOB)`;
    default:
      throw new ParameterError('0A000', `binary format for parameter $${n} (type oid ${oid}) is not supported; send it in text format`);
  }
}
