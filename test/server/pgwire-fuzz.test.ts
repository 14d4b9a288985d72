// Malformed protocol input never takes the server down: truncated messages, wrong and huge lengths,
// unknown message types, garbage before and after start-up (seeded, so a failure replays). After
// each case a new client still runs a query; the broken connection gets FATAL 08P01 where the
// protocol allows an answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../../src/util/prng.ts';
import { errorCodes, message, messageTypes, rawExchange, startTestServer, startupMessage, stillServes, type TestServer } from './pgwire-helpers.ts';


const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0, 0);
  return b;
};

const START = startupMessage({ user: 'fuzzer', database: 'agentlake' });

describe('pgwire fuzzing', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });

  const cases: [string, Buffer[]][] = [
    ['zero startup length', [Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])]],
    ['huge startup length', [Buffer.concat([int32(0x7fffffff), int32(196608)])]],
    ['negative startup length', [Buffer.concat([int32(-5), int32(196608)])]],
    ['unknown protocol version', [Buffer.concat([int32(8), int32(0x00020000)])]],
    ['truncated startup message', [START.subarray(0, START.length - 3)]],
    ['startup without a terminating NUL', [Buffer.concat([int32(8 + 4), int32(196608), Buffer.from('user')])]],
    ['regular message with length 0', [START, Buffer.from([0x51, 0, 0, 0, 0])]],
    ['regular message with a huge length', [START, Buffer.concat([Buffer.from('Q'), int32(0x7ffffff0), Buffer.from('SELECT 1')])]],
    ['unknown message type', [START, message('z', Buffer.from('hello\0'))]],
    ['Query without its NUL', [START, message('Q', Buffer.from('SELECT 1'))]],
    ['Parse with a negative parameter count', [START, message('P', Buffer.concat([Buffer.from('\0SELECT 1\0'), Buffer.from([0xff, 0xff])]))]],
    ['Bind with more values than bytes', [START, message('P', Buffer.from('\0SELECT $1\0\0\0')), message('B', Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 0, 0, 1]), int32(1000)]))]],
    ['Describe with an unknown target', [START, message('D', Buffer.from('Xname\0'))]],
    ['Query with invalid UTF-8 and a NUL', [START, message('Q', Buffer.from([0xc3, 0x28, 0xff, 0x00]))]],
    ['cancel request for nobody', [Buffer.concat([int32(16), int32(80877102), int32(12345), int32(678)])]],
    ['cancel request with a wrong length', [Buffer.concat([int32(12), int32(80877102), int32(1)])]],
  ];

  for (const [name, chunks] of cases) {
    it(`${name}: at most that connection ends`, async () => {
      await rawExchange(t.port, chunks);
      expect(await stillServes(t.port)).toBe(true);
    });
  }

  it('bad framing is answered with FATAL 08P01 and the connection is closed', async () => {
    const r = await rawExchange(t.port, [START, Buffer.from([0x51, 0, 0, 0, 1])]);
    expect(r.closedByServer).toBe(true);
    expect(errorCodes(r.data)).toContain('08P01');
  });

  it('an unknown message type after start-up is FATAL 08P01', async () => {
    const r = await rawExchange(t.port, [START, message('z', Buffer.from('x\0'))]);
    expect(messageTypes(r.data)[0]).toBe('R');
    expect(errorCodes(r.data)).toEqual(['08P01']);
    expect(r.closedByServer).toBe(true);
  });

  it('a statement error in the extended protocol skips to Sync and the connection goes on', async () => {
    const r = await rawExchange(t.port, [
      START,
      message('P', Buffer.from('\0SELECT * FROM nowhere_table\0\0\0')),
      message('B', Buffer.from('\0\0\0\0\0\0\0\0')),
      message('E', Buffer.from('\0\0\0\0\0')),
      message('S', Buffer.alloc(0)),
      message('Q', Buffer.from('SELECT 7\0')),
    ]);
    const types = messageTypes(r.data);
    // After the start-up's ReadyForQuery: ParseComplete, BindComplete, the error, nothing for the
    // skipped Execute, ReadyForQuery at Sync; then the simple query runs.
    const afterAuth = types.slice(types.indexOf('Z') + 1);
    expect(afterAuth).toEqual(['1', '2', 'E', 'Z', 'T', 'D', 'C', 'Z']);
    expect(errorCodes(r.data)).toEqual(['42P01']);
  });

  it('random garbage, before and after start-up, never brings the server down', async () => {
    const rng = new Prng(20240605);
    const rand = (): number => rng.next();
    for (let i = 0; i < 40; i++) {
      const len = 1 + Math.floor(rand() * 200);
      const junk = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
      // Half the cases look like a regular message with a plausible type byte.
      if (i % 2 === 1) junk[0] = 'QPBDESCHXFdcf'.charCodeAt(Math.floor(rand() * 13));
      await rawExchange(t.port, i % 2 === 0 ? [junk] : [START, junk], 300);
    }
    expect(await stillServes(t.port)).toBe(true);
  }, 60_000);
});
