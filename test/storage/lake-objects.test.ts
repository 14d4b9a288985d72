// lake_objects(prefix) in SQL on a local lakehouse and on an S3 one (s3rver on a loopback port): the
// same keys, sizes and times for a folder with and without its slash, a glob, an exact key, URI forms
// and a computed argument; the same objects as listObjects; a fresh listing for every statement (and
// for a stored workflow's SQL step); and the macro's matching in SQL agreeing with keyMatcher.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/engine/session.ts';
import { Database, quoteString } from '../../src/storage/duckdb.ts';
import type { Value } from '../../src/ir/values.ts';
import { defineLakeObjects, objectPattern } from '../../src/storage/lake-objects.ts';
import { keyMatcher } from '../../src/storage/object-store.ts';
import { startS3rver, useS3Env, type S3rverHandle } from '../helpers/s3rver.ts';

let server: S3rverHandle;
let restoreEnv: () => void;
const temps: string[] = [];

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `agentlake-${name}-`));
  temps.push(dir);
  return dir;
}

beforeAll(async () => {
  server = await startS3rver(['lake']);
  restoreEnv = useS3Env(server.endpoint, tempDir('cache'));
});

afterAll(async () => {
  restoreEnv?.();
  await server?.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** Object keys and their bodies (sizes are the body lengths). */
const OBJECTS: Readonly<Record<string, string>> = {
  'charts/AAPL/0.png': 'aapl zero',
  'charts/AAPL/1.png': 'aapl one!',
  'charts/MSFT/0.png': 'msft 0',
  'charts/MSFT/10.png': 'msft ten',
  'chartsx/z.txt': 'not under charts/',
  'notes/a.txt': 'a note',
};

const KINDS: readonly { readonly name: string; readonly location: () => string }[] = [
  { name: 'local lakehouse', location: () => tempDir('lake-objects') },
  { name: 'S3 lakehouse', location: () => `s3://lake/lo-${Math.random().toString(36).slice(2, 8)}` },
];

/** Runs one statement through the session; its rows. */
async function rows(session: Session, sql: string): Promise<(readonly Value[])[]> {
  const out = await session.runScript({ name: 'q.sql', text: sql }, 'run');
  if (out.kind !== 'rows') throw new Error(`expected rows from ${sql}, got ${out.kind}`);
  return [...out.rows];
}

/** `[key, size]` of each object lake_objects(arg) lists, in its order. */
async function listed(session: Session, arg: string): Promise<(readonly Value[])[]> {
  return rows(session, `SELECT key, size FROM lake_objects(${arg})`);
}

/** `[key, size]` pairs of OBJECTS with these keys. */
function expected(...keys: string[]): [string, number][] {
  return keys.map((k) => [k, Buffer.byteLength(OBJECTS[k] ?? '')]);
}

describe('lake_objects() key matching', () => {
  it('selects in SQL exactly the keys keyMatcher selects, regex characters included', async () => {
    const db = await Database.open(':memory:');
    try {
      await defineLakeObjects(db, '/lake/objects');
      const keys = ['a', 'a/b', 'a/b/c', 'ab', 'a/x/b', 'a/xb', 'a.b', 'aXb', 'a+b', 'a(b)', 'a$', '^a', 'a{1}', 'a|b', 'a\\b', '[a]', 'b', "it's", 'a/b.png', 'a/bc.png'];
      const patterns = ['', '/a', 'a', 'a/', 'a/**', '**', '**/b', 'a/**/b', '*', '*/b', 'a?', 'a?b', '[ab]', '[^a]', '[a-b]/b', 'a.b', 'a+b', 'a(b)', 'a$', '^a', 'a{1}', 'a|b', 'a\\b', '[a', 'a]', '[[]a]', "it's", 'a/b*.png', 'lake://a/', '/lake/objects/a/*'];
      const values = keys.map((k) => `(${quoteString(k)})`).join(', ');
      for (const pattern of patterns) {
        const m = keyMatcher(objectPattern(pattern, '/lake/objects'));
        const sql = await db.query(`SELECT k FROM (VALUES ${values}) t(k) WHERE __agentlake_key_matches(k, __agentlake_object_pattern(${quoteString(pattern)})) ORDER BY k`);
        expect(sql.rows.map((r) => r[0]), pattern).toEqual(keys.filter((k) => m.test(k)).sort());
      }
    } finally {
      db.close();
    }
  });
});

describe.each(KINDS)('lake_objects() on a $name', ({ location }) => {
  let session: Session;
  let started: number;

  beforeAll(async () => {
    session = await Session.open({ lakehouse: location(), bootstrap: false });
    started = Math.floor(Date.now() / 1000);
    for (const [key, body] of Object.entries(OBJECTS)) await session.lakehouse.writeObject(key, body);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('has key, size and last_modified columns, and lists everything for an empty prefix, sorted by key', async () => {
    const out = await session.runScript({ name: 'q.sql', text: "SELECT * FROM lake_objects('')" }, 'run');
    expect(out.kind === 'rows' ? out.columns : []).toEqual([
      { name: 'key', type: 'VARCHAR' },
      { name: 'size', type: 'BIGINT' },
      { name: 'last_modified', type: 'TIMESTAMP WITH TIME ZONE' },
    ]);
    expect(await listed(session, "''")).toEqual(expected(...Object.keys(OBJECTS)));
    expect(await listed(session, '')).toEqual(expected(...Object.keys(OBJECTS)));
    const times = await rows(session, "SELECT min(epoch(last_modified)), max(epoch(last_modified)), count(last_modified) FROM lake_objects('')");
    const [first, last, n] = times[0] ?? [];
    expect(n).toBe(Object.keys(OBJECTS).length);
    expect(Number(first)).toBeGreaterThanOrEqual(started - 1);
    expect(Number(last)).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });

  it('takes a folder with or without its slash, but never a longer name beside it', async () => {
    expect(await listed(session, "'charts/AAPL/'")).toEqual(expected('charts/AAPL/0.png', 'charts/AAPL/1.png'));
    expect(await listed(session, "'charts/AAPL'")).toEqual(expected('charts/AAPL/0.png', 'charts/AAPL/1.png'));
    expect(await listed(session, "'charts'")).toEqual(expected('charts/AAPL/0.png', 'charts/AAPL/1.png', 'charts/MSFT/0.png', 'charts/MSFT/10.png'));
    expect(await listed(session, "'chart'")).toEqual([]);
    expect(await listed(session, "'notes/a.txt'")).toEqual(expected('notes/a.txt'));
    expect(await listed(session, "'nothing/'")).toEqual([]);
    expect(await listed(session, "'../'")).toEqual([]);
  });

  it('matches globs: * within a segment, ** across, ? one character, [..] a class', async () => {
    expect(await listed(session, "'charts/*/0.png'")).toEqual(expected('charts/AAPL/0.png', 'charts/MSFT/0.png'));
    expect(await listed(session, "'charts/MSFT/?.png'")).toEqual(expected('charts/MSFT/0.png'));
    expect(await listed(session, "'charts/*/1*.png'")).toEqual(expected('charts/AAPL/1.png', 'charts/MSFT/10.png'));
    expect(await listed(session, "'**/*.txt'")).toEqual(expected('chartsx/z.txt', 'notes/a.txt'));
    expect(await listed(session, "'charts/[A]*/*'")).toEqual(expected('charts/AAPL/0.png', 'charts/AAPL/1.png'));
    expect(await listed(session, "'*.png'")).toEqual([]);
  });

  it('strips lake:// and the objects folder URI, takes prefix := and computed arguments', async () => {
    const msft = expected('charts/MSFT/0.png', 'charts/MSFT/10.png');
    expect(await listed(session, "'lake://charts/MSFT/'")).toEqual(msft);
    expect(await listed(session, `'${session.lakehouse.objects.location}/charts/MSFT/'`)).toEqual(msft);
    expect(await listed(session, "prefix := 'charts/MSFT'")).toEqual(msft);
    // Not a literal: the statement lists every object and the macro does the matching.
    expect(await listed(session, "'charts/' || 'MSFT/'")).toEqual(msft);
    expect(await listed(session, "lower('CHARTS/*/0.PNG')")).toEqual(expected('charts/AAPL/0.png', 'charts/MSFT/0.png'));
  });

  it('selects the same objects as listObjects (FETCH globs)', async () => {
    for (const pattern of ['', 'charts/', 'charts/MSFT', 'charts/**', 'charts/**/0.png', '**', 'n*/*', 'charts/[AM]???/1*', 'notes/a.txt']) {
      const sql = (await listed(session, `'${pattern}'`)).map(([key, size]) => ({ key, size }));
      expect(sql, pattern).toEqual(await session.lakehouse.listObjects(pattern));
    }
  });

  it('lists afresh for every statement that uses it, and only for those', async () => {
    expect(await listed(session, "'generated/'")).toEqual([]);
    await session.lakehouse.writeObject('generated/img-0.png', 'png bytes');
    expect(await listed(session, "'generated/'")).toEqual([['generated/img-0.png', 9]]);
    await session.lakehouse.writeObject('generated/img-1.png', 'more png bytes');
    await session.lakehouse.writeObject('generated/img-0.png', 'replaced');
    expect(await rows(session, "SELECT key, size FROM lake_objects('generated/*.png') WHERE size > 8")).toEqual([['generated/img-1.png', 14]]);
    expect(await listed(session, "'generated'")).toEqual([['generated/img-0.png', 8], ['generated/img-1.png', 14]]);
    // A statement that mentions it in upper case and a CTAS see the new objects too.
    await session.lakehouse.writeObject('generated/img-2.png', 'x');
    await session.runScript({ name: 'ctas.sql', text: "CREATE TABLE shots AS SELECT key FROM LAKE_OBJECTS('generated/')" }, 'run');
    expect(await rows(session, 'SELECT count(*) FROM shots')).toEqual([[3]]);
    expect(await session.lakehouse.refreshLakeObjects('SELECT 1')).toBe(false);
    expect(await session.lakehouse.refreshLakeObjects("select * from Lake_Objects('generated/')")).toBe(true);
  });

  it('lists afresh for a statement that runs a stored workflow whose SQL step uses it', async () => {
    await session.runScript({ name: 'wf.sql', text: `CREATE MODEL m (KIND llm, ENDPOINT 'sim://');
      CREATE WORKFLOW pending(dir VARCHAR) AS (files := SQL (SELECT count(*) AS n FROM lake_objects('queue/')), note := LLM m PROMPT '{{dir}}: {{files}}') RETURN files` }, 'run');
    await session.lakehouse.writeObject('queue/1.json', '{}');
    expect(await rows(session, "SELECT w.n FROM pending('queue') w")).toEqual([[1]]);
    await session.lakehouse.writeObject('queue/2.json', '{}');
    expect(await rows(session, "SELECT w.n FROM pending('queue') w")).toEqual([[2]]);
  });
});
