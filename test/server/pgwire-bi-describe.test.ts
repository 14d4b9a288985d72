// Describe of a portal asks the executor for the row shape instead of running the statement (raw
// protocol messages, as a driver preparing a statement sends them): an INSERT that is described but
// never executed inserts nothing; a SELECT's RowDescription matches the rows Execute then sends; a
// catalog query (answered only by running it) is still described by running it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { OID } from '../../src/server/pgwire/pg-types.ts';
import { message, pgClient, rawExchange, startTestServer, startupMessage, type TestServer } from './pgwire-helpers.ts';

const cstr = (s: string): Buffer => Buffer.from(`${s}\0`);
const int16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const parse = (sql: string): Buffer => message('P', Buffer.concat([cstr(''), cstr(sql), int16(0)]));
const bind = (): Buffer => message('B', Buffer.concat([cstr(''), cstr(''), int16(0), int16(0), int16(0)]));
const describePortal = (): Buffer => message('D', Buffer.concat([Buffer.from('P'), cstr('')]));
const execute = (): Buffer => message('E', Buffer.concat([cstr(''), int32(0)]));
const sync = (): Buffer => message('S', Buffer.alloc(0));

/** The backend messages after start-up (from the first ReadyForQuery on), as [type, body]. */
function messagesAfterStartup(data: Buffer): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  let i = 0;
  while (i + 5 <= data.length) {
    const len = data.readInt32BE(i + 1);
    out.push([String.fromCharCode(data[i]!), data.subarray(i + 5, i + 1 + len)]);
    i += 1 + len;
  }
  return out.slice(out.findIndex(([t]) => t === 'Z') + 1);
}

/** A RowDescription's [name, type oid] pairs. */
function rowDescription(body: Buffer): [string, number][] {
  const n = body.readInt16BE(0);
  const out: [string, number][] = [];
  let i = 2;
  for (let k = 0; k < n; k++) {
    const end = body.indexOf(0, i);
    const name = body.subarray(i, end).toString();
    out.push([name, body.readInt32BE(end + 1 + 6)]);
    i = end + 1 + 18;
  }
  return out;
}

describe('pgwire Describe of a portal', () => {
  let t: TestServer;
  let c: pg.Client;
  beforeAll(async () => {
    t = await startTestServer();
    c = await pgClient(t.port);
    await c.query('CREATE TABLE described (a INTEGER)');
  }, 60_000);
  afterAll(async () => {
    await c?.end();
    await t?.dispose();
  });

  it('an INSERT described but never executed inserts nothing', async () => {
    const { data } = await rawExchange(t.port, [startupMessage({ user: 'analyst', database: 'agentlake' }), parse('INSERT INTO described VALUES (1)'), bind(), describePortal(), sync()]);
    expect(messagesAfterStartup(data).map(([type]) => type)).toEqual(['1', '2', 'n', 'Z']);
    expect((await c.query('SELECT count(*)::INTEGER AS n FROM described')).rows).toEqual([{ n: 0 }]);
    // Executed, it inserts once.
    const run = await rawExchange(t.port, [startupMessage({ user: 'analyst', database: 'agentlake' }), parse('INSERT INTO described VALUES (1)'), bind(), describePortal(), execute(), sync()]);
    expect(messagesAfterStartup(run.data).map(([type]) => type)).toEqual(['1', '2', 'n', 'C', 'Z']);
    expect((await c.query('SELECT count(*)::INTEGER AS n FROM described')).rows).toEqual([{ n: 1 }]);
  });

  it("a SELECT's description matches the rows Execute sends", async () => {
    const { data } = await rawExchange(t.port, [startupMessage({ user: 'analyst', database: 'agentlake' }), parse('SELECT symbol, 2::BIGINT AS two FROM symbols ORDER BY symbol LIMIT 2'), bind(), describePortal(), execute(), sync()]);
    const msgs = messagesAfterStartup(data);
    expect(msgs.map(([type]) => type)).toEqual(['1', '2', 'T', 'D', 'D', 'C', 'Z']);
    expect(rowDescription(msgs[2]![1])).toEqual([['symbol', OID.varchar], ['two', OID.int8]]);
  });

  it('a catalog query is described by running it, with the columns it answers', async () => {
    const { data } = await rawExchange(t.port, [startupMessage({ user: 'analyst', database: 'agentlake' }), parse("SELECT c.oid, c.relname FROM pg_catalog.pg_class c WHERE c.relname = 'news'"), bind(), describePortal(), execute(), sync()]);
    const msgs = messagesAfterStartup(data);
    expect(msgs.map(([type]) => type)).toEqual(['1', '2', 'T', 'D', 'C', 'Z']);
    expect(rowDescription(msgs[2]![1])).toEqual([['oid', OID.int4], ['relname', OID.varchar]]);
  });

  it('the pg client (Describe then Execute) gets typed rows of a parameterized SELECT', async () => {
    const r = await c.query('SELECT a, a + $1::INTEGER AS b FROM described', [41]);
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([['a', OID.int4], ['b', OID.int4]]);
    expect(r.rows).toEqual([{ a: 1, b: 42 }]);
  });
});
