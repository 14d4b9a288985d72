// The pgwire helpers on their own: statement splitting and $n substitution around quotes and
// comments, parameter literals, SQLSTATE mapping and positions, DuckDB type OIDs and text values,
// command tags, the frame guard, and the password formats.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/diag/diagnostic.ts';
import { Authenticator, hashPassword, parseUsers } from '../../src/server/pgwire/auth.ts';
import { commandTag } from '../../src/server/pgwire/command-tag.ts';
import { ParameterError, parameterLiteral } from '../../src/server/pgwire/parameters.ts';
import { OID, pgType, textValue } from '../../src/server/pgwire/pg-types.ts';
import { PgSettings } from '../../src/server/pgwire/pg-settings.ts';
import { FrameGuard } from '../../src/server/pgwire/socket-stream.ts';
import { errorFields, sqlstateOf } from '../../src/server/pgwire/sqlstate.ts';
import { parameterCount, splitStatements, substituteParameters } from '../../src/sql/sql-text.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('sql-text', () => {
  it('splits at top-level semicolons only', () => {
    const sql = "SELECT ';' AS a; -- c;\nSELECT \"x;y\" FROM t /* ; */; CREATE WORKFLOW w() AS (a := SQL (SELECT 1; )) RETURN a;;  ";
    expect(splitStatements(sql).map((s) => s.text)).toEqual(["SELECT ';' AS a", '-- c;\nSELECT "x;y" FROM t /* ; */', 'CREATE WORKFLOW w() AS (a := SQL (SELECT 1; )) RETURN a']);
    const second = splitStatements(sql)[1]!;
    expect(sql.slice(second.start, second.start + 4)).toBe('-- c');
    expect(splitStatements(' ; -- only a comment\n')).toEqual([]);
  });

  it('substitutes $n outside strings and maps offsets back', () => {
    const sql = "SELECT $1, '$1', $$ $2 $$, $2 FROM t WHERE x = $10";
    expect(parameterCount(sql)).toBe(10);
    const lits = Array.from({ length: 10 }, (_, i) => `'v${i + 1}'`);
    const { text, toOriginal } = substituteParameters(sql, lits);
    expect(text).toBe("SELECT 'v1', '$1', $$ $2 $$, 'v2' FROM t WHERE x = 'v10'");
    expect(toOriginal(text.indexOf('FROM'))).toBe(sql.indexOf('FROM'));
    expect(toOriginal(text.indexOf("'v2'") + 1)).toBe(sql.indexOf('$2 FROM'));
  });
});

describe('parameter literals', () => {
  it('quotes text and checks typed values', () => {
    expect(parameterLiteral(enc("O'Brien"), 0, 0, 1)).toBe("'O''Brien'");
    expect(parameterLiteral(null, 0, OID.int4, 1)).toBe('NULL');
    expect(parameterLiteral(enc('42'), 0, OID.int4, 1)).toBe("CAST('42' AS INTEGER)");
    expect(parameterLiteral(enc('t'), 0, OID.bool, 1)).toBe('TRUE');
    expect(parameterLiteral(enc('2025-01-02'), 0, OID.date, 1)).toBe("CAST('2025-01-02' AS DATE)");
    expect(parameterLiteral(enc('\\x4142'), 0, OID.bytea, 1)).toBe("CAST('\\x41\\x42' AS BLOB)");
    expect(() => parameterLiteral(enc('1; DROP TABLE x'), 0, OID.int8, 2)).toThrow(ParameterError);
  });

  it('reads binary integers and refuses binary for other types', () => {
    expect(parameterLiteral(Uint8Array.from([0, 0, 0, 7]), 1, OID.int4, 1)).toBe('CAST(7 AS INTEGER)');
    expect(parameterLiteral(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 9]), 1, OID.int8, 1)).toBe('CAST(9 AS BIGINT)');
    expect(() => parameterLiteral(Uint8Array.from([0, 0]), 1, OID.int4, 1)).toThrow(/expected 4/);
    expect(() => parameterLiteral(Uint8Array.from([1, 2, 3, 4]), 1, OID.date, 1)).toThrow(/not supported/);
  });
});

describe('sqlstate', () => {
  it('maps agentlake codes to SQLSTATE', () => {
    expect(['P0301', 'B0401', 'B0402', 'B0403', 'E0002', 'B0102', 'G0001', 'Q9999'].map(sqlstateOf)).toEqual(['42601', '42P01', '42703', '42883', '57014', '42704', '42501', 'XX000']);
  });

  it('gives the 1-based character position of the span start in the whole query', () => {
    const query = 'SELECT 1; SELECT é, * FROM nope';
    const at = query.indexOf('SELECT é');
    const e = new UserError([{ code: 'B0401', message: "unknown table 'nope'", span: { start: 'SELECT é, * FROM '.length, end: 'SELECT é, * FROM nope'.length } }]);
    const f = errorFields(e, query, (o) => at + o);
    expect(f).toMatchObject({ code: '42P01', position: query.indexOf('nope') + 1 });
    expect(errorFields(new Error('boom'), query, (o) => o)).toMatchObject({ code: 'XX000' });
  });
});

describe('types and tags', () => {
  it('maps DuckDB types to OIDs and values to text', () => {
    expect(['INTEGER', 'BIGINT', 'DECIMAL(10,2)', 'VARCHAR', 'INTEGER[]', 'STRUCT(a INTEGER)', 'TIMESTAMP WITH TIME ZONE', 'BLOB', 'VARCHAR[]', 'INTEGER[][]', 'STRUCT(a INTEGER)[]'].map((t) => pgType(t).oid)).toEqual([23, 20, 1700, 1043, 1007, 25, 1184, 17, 1015, 25, 25]);
    expect(textValue(true, 'BOOLEAN')).toBe('t');
    expect(textValue([1, 2, null], 'INTEGER[]')).toBe('{1,2,NULL}');
    expect(textValue(['a', 'b c', '', 'null', 'q"x', 'back\\slash'], 'VARCHAR[]')).toBe('{a,"b c","","null","q\\"x","back\\\\slash"}');
    expect(textValue([[1], [2]], 'INTEGER[][]')).toBe('[[1],[2]]');
    expect(textValue('QQ==', 'BLOB')).toBe('\\x41');
    expect(textValue('2025-01-02 03:04:05', 'TIMESTAMP WITH TIME ZONE')).toBe('2025-01-02 03:04:05+00');
    expect(textValue({ months: 14, days: 1, micros: 3_600_000_000 }, 'INTERVAL')).toBe('1 year 2 mons 1 day 01:00:00');
    expect(textValue(null, 'INTEGER')).toBeNull();
  });

  it('builds PostgreSQL command tags', () => {
    expect(commandTag('INSERT INTO t VALUES (1)', 3)).toBe('INSERT 0 3');
    expect(commandTag('create or replace model m (KIND llm)', undefined)).toBe('CREATE MODEL');
    expect(commandTag('CREATE TABLE t AS SELECT 1', 1)).toBe('SELECT 1');
    expect(commandTag('begin', undefined)).toBe('BEGIN');
  });
});

describe('settings', () => {
  it('answers SET/SHOW/RESET and reports ParameterStatus changes', () => {
    const s = new PgSettings('ann', '0.1.0', { application_name: 'psql' });
    expect(s.answer('SHOW application_name')?.result).toMatchObject({ rows: [['psql']] });
    expect(s.answer("SET TIME ZONE 'Europe/Paris'")?.report).toEqual([['TimeZone', 'Europe/Paris']]);
    expect(s.answer('show timezone')?.result).toMatchObject({ rows: [['Europe/Paris']] });
    expect(s.answer('SET statement_timeout TO 5000')?.result).toMatchObject({ kind: 'command' });
    expect(s.statementTimeoutMs()).toBe(5000);
    expect(s.answer('RESET statement_timeout')?.result).toMatchObject({ message: 'RESET' });
    expect(s.statementTimeoutMs()).toBe(0);
    expect(() => s.answer("SET client_encoding = 'LATIN1'")).toThrow(/UTF8 only/);
    expect(s.answer('SET agentlake.cache = false')).toBeUndefined();
    expect(s.answer('SET threads = 2')).toBeUndefined();
  });
});

describe('frame guard', () => {
  const startup = (): Uint8Array => {
    const b = Buffer.concat([Buffer.alloc(8), Buffer.from('user\0u\0\0')]);
    b.writeInt32BE(b.length, 0);
    b.writeInt32BE(196608, 4);
    return b;
  };
  it('splits the StartupMessage from what follows and rejects bad lengths', () => {
    const s = startup();
    const q = Buffer.from([0x51, 0, 0, 0, 5, 0]);
    expect(new FrameGuard().feed(Buffer.concat([s, q]))).toEqual({ splits: [s.byteLength] });
    expect(new FrameGuard().feed(Buffer.concat([s, Buffer.from([0x51, 0, 0, 0, 2])]))).toHaveProperty('error');
    expect(new FrameGuard().feed(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0]))).toHaveProperty('error');
    const g = new FrameGuard();
    for (const byte of Buffer.concat([s, q])) expect(g.feed(Uint8Array.of(byte))).not.toHaveProperty('error');
  });
});

describe('users', () => {
  it('validates user lists and picks the auth method by password format', async () => {
    expect(() => parseUsers([{ name: 'a', tenant: 't' }])).toThrow(/password/);
    expect(() => parseUsers({})).toThrow(/array/);
    const users = parseUsers([
      { name: 'plain', tenant: 't', password: 'x' },
      { name: 'hashed', tenant: 't', password: await hashPassword('x', 'scrypt') },
      { name: 'md5user', tenant: 't', password: 'md5' + '0'.repeat(32) },
      { name: 'scram', tenant: 'u', password: await hashPassword('x') },
    ]);
    const auth = new Authenticator(users);
    expect(['plain', 'hashed', 'md5user', 'scram', 'nobody'].map((u) => auth.optionsFor(u).method)).toEqual(['scram-sha-256', 'password', 'md5', 'scram-sha-256', 'scram-sha-256']);
    expect(auth.tenantOf('scram')).toBe('u');
    expect(auth.tenantOf('nobody')).toBeUndefined();
  });
});
