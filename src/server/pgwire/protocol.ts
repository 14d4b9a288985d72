// Postgres wire protocol v3 messages: the backend messages agentlake sends (encoded here, not by
// pg-gateway) and a bounds-checked reader for frontend messages. Every reader call throws
// ProtocolViolation on a short or malformed message; nothing here trusts a length it was given.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** A frontend message that does not parse: the connection answers FATAL 08P01 and closes. */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

/** Reads one frontend message body (after the type byte and length). */
export class MessageReader {
  private offset = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }
  private need(n: number): void {
    if (n < 0 || this.offset + n > this.bytes.byteLength) throw new ProtocolViolation('message is shorter than its fields');
  }
  byte(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }
  int16(): number {
    this.need(2);
    const v = this.view.getInt16(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }
  cstring(): string {
    const end = this.bytes.indexOf(0, this.offset);
    if (end < 0) throw new ProtocolViolation('string field is not terminated');
    const s = decoder.decode(this.bytes.subarray(this.offset, end));
    this.offset = end + 1;
    return s;
  }
  bytesOf(n: number): Uint8Array {
    this.need(n);
    const b = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
}

/** Builds one backend message: type byte, int32 length, fields. */
class Writer {
  private parts: Uint8Array[] = [];
  private size = 0;
  private push(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.byteLength;
    return this;
  }
  int16(n: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setInt16(0, n);
    return this.push(b);
  }
  int32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n);
    return this.push(b);
  }
  cstring(s: string): this {
    // A NUL inside a C string would cut the field and desynchronize the client.
    this.push(encoder.encode(s.replace(/\0/g, '')));
    return this.push(new Uint8Array([0]));
  }
  bytes(b: Uint8Array): this {
    return this.push(b);
  }
  finish(type: string): Uint8Array {
    const out = new Uint8Array(5 + this.size);
    const view = new DataView(out.buffer);
    out[0] = type.charCodeAt(0);
    view.setInt32(1, 4 + this.size);
    let at = 5;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
}

/** One column of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  readonly typeOid: number;
  readonly typeSize: number;
}

export function rowDescription(fields: readonly FieldDescription[]): Uint8Array {
  const w = new Writer().int16(fields.length);
  for (const f of fields) w.cstring(f.name).int32(0).int16(0).int32(f.typeOid).int16(f.typeSize).int32(-1).int16(0);
  return w.finish('T');
}

/** A DataRow of text-format values (null = SQL NULL). */
export function dataRow(values: readonly (string | null)[]): Uint8Array {
  const w = new Writer().int16(values.length);
  for (const v of values) {
    if (v === null) w.int32(-1);
    else {
      const b = encoder.encode(v);
      w.int32(b.byteLength).bytes(b);
    }
  }
  return w.finish('D');
}

export const commandComplete = (tag: string): Uint8Array => new Writer().cstring(tag).finish('C');
export const emptyQueryResponse = (): Uint8Array => new Writer().finish('I');
export const parseComplete = (): Uint8Array => new Writer().finish('1');
export const bindComplete = (): Uint8Array => new Writer().finish('2');
export const closeComplete = (): Uint8Array => new Writer().finish('3');
export const noData = (): Uint8Array => new Writer().finish('n');
export const portalSuspended = (): Uint8Array => new Writer().finish('s');
export const parameterStatus = (name: string, value: string): Uint8Array => new Writer().cstring(name).cstring(value).finish('S');
export const backendKeyData = (pid: number, secret: number): Uint8Array => new Writer().int32(pid).int32(secret).finish('K');

/** ReadyForQuery with the transaction status: I idle, T in a transaction, E in a failed one. */
export const readyForQuery = (status: 'I' | 'T' | 'E'): Uint8Array => new Writer().bytes(encoder.encode(status)).finish('Z');

export function parameterDescription(oids: readonly number[]): Uint8Array {
  const w = new Writer().int16(oids.length);
  for (const o of oids) w.int32(o);
  return w.finish('t');
}

/** The fields of an ErrorResponse or NoticeResponse. */
export interface ErrorFields {
  readonly severity: 'ERROR' | 'FATAL' | 'NOTICE' | 'WARNING' | 'INFO';
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based character position in the query string. */
  readonly position?: number;
}

function fields(f: ErrorFields, type: 'E' | 'N'): Uint8Array {
  const w = new Writer();
  w.bytes(encoder.encode('S')).cstring(f.severity);
  w.bytes(encoder.encode('V')).cstring(f.severity);
  w.bytes(encoder.encode('C')).cstring(f.code);
  w.bytes(encoder.encode('M')).cstring(f.message);
  if (f.detail !== undefined) w.bytes(encoder.encode('D')).cstring(f.detail);
  if (f.hint !== undefined) w.bytes(encoder.encode('H')).cstring(f.hint);
  if (f.position !== undefined) w.bytes(encoder.encode('P')).cstring(String(f.position));
  w.bytes(new Uint8Array([0]));
  return w.finish(type);
}

export const errorResponse = (f: ErrorFields): Uint8Array => fields(f, 'E');
export const noticeResponse = (f: Omit<ErrorFields, 'severity'> & { severity?: ErrorFields['severity'] }): Uint8Array => fields({ ...f, severity: f.severity ?? 'NOTICE' }, 'N');
