// A lakehouse at s3://bucket/prefix against s3rver on a loopback port: tables registered by name,
// object listing by prefix and glob (across list pages), the object cache (GETs counted at the server),
// writeTable, and the catalog surviving close/open through S3 alone.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/engine/session.ts';
import { Database } from '../../src/storage/duckdb.ts';
import { Lakehouse } from '../../src/storage/lakehouse.ts';
import { ObjectCache } from '../../src/storage/object-cache.ts';
import { ObjectNotFoundError } from '../../src/storage/object-store.ts';
import { s3ClientFromEnv, S3ObjectStore } from '../../src/storage/s3-object-store.ts';
import { startS3rver, useS3Env, type S3rverHandle } from '../helpers/s3rver.ts';

let server: S3rverHandle;
let client: S3Client;
let restoreEnv: () => void;
const temps: string[] = [];

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `agentlake-${name}-`));
  temps.push(dir);
  return dir;
}

/** Uploads the result of a query as a Parquet object. */
async function putParquet(key: string, sql: string): Promise<void> {
  const file = join(tempDir('parquet'), 't.parquet');
  const db = await Database.open(':memory:');
  try {
    await db.run(`COPY (${sql}) TO '${file}' (FORMAT parquet)`);
  } finally {
    db.close();
  }
  await client.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: readFileSync(file) }));
}

async function put(bucket: string, key: string, body: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }));
}

async function exists(bucket: string, key: string): Promise<boolean> {
  return client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);
}

beforeAll(async () => {
  server = await startS3rver(['lake', 'other']);
  restoreEnv = useS3Env(server.endpoint, tempDir('cache'));
  client = s3ClientFromEnv();
  await putParquet('lh/tables/prices.parquet', 'SELECT i AS day, 100 + i AS close FROM range(10) t(i)');
  await putParquet('lh/tables/trades/part-0.parquet', "SELECT i AS id, 'buy' AS side FROM range(3) t(i)");
  await putParquet('lh/tables/trades/part-1.parquet', "SELECT 3 + i AS id, 'sell' AS side FROM range(4) t(i)");
  for (const k of ['charts/AAPL/0.png', 'charts/AAPL/1.png', 'charts/MSFT/0.png', 'charts/MSFT/10.png', 'notes/a.txt']) await put('lake', `lh/objects/${k}`, `bytes of ${k}`);
  await put('other', 'x/1.json', '{"n":1}');
  await put('other', 'x/2.json', '{"n":2}');
});

afterAll(async () => {
  client?.destroy();
  restoreEnv?.();
  await server?.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('S3 lakehouse', () => {
  it('registers Parquet tables in the bucket as views by name', async () => {
    const lake = await Lakehouse.open('s3://lake/lh/');
    try {
      expect(lake.location).toBe('s3://lake/lh');
      expect(lake.tables).toEqual(['prices', 'trades']);
      expect(await lake.db.all('SELECT count(*) AS n, max(close) AS top FROM prices')).toEqual([{ n: 10, top: 109 }]);
      expect(await lake.db.all('SELECT side, count(*) AS n FROM trades GROUP BY side ORDER BY side')).toEqual([{ side: 'buy', n: 3 }, { side: 'sell', n: 4 }]);
    } finally {
      await lake.close();
    }
  });

  it('lists objects by prefix and glob, sorted, across list pages', async () => {
    const lake = await Lakehouse.open('s3://lake/lh');
    try {
      const keys = async (p: string): Promise<string[]> => (await lake.listObjects(p)).map((o) => o.key);
      expect(await keys('charts/AAPL')).toEqual(['charts/AAPL/0.png', 'charts/AAPL/1.png']);
      expect(await keys('charts/*/0.png')).toEqual(['charts/AAPL/0.png', 'charts/MSFT/0.png']);
      expect(await keys('charts/**')).toHaveLength(4);
      expect(await keys('charts/MSFT/?.png')).toEqual(['charts/MSFT/0.png']);
      expect(await keys('s3://lake/lh/objects/charts/*/1*.png')).toEqual(['charts/AAPL/1.png', 'charts/MSFT/10.png']);
      expect(await keys('s3://other/x/*.json')).toEqual(['s3://other/x/1.json', 's3://other/x/2.json']);
      expect(await lake.listObjects('notes/a.txt')).toEqual([{ key: 'notes/a.txt', size: 'bytes of notes/a.txt'.length }]);
      expect(await keys('nothing/*')).toEqual([]);
      expect((await lake.readObject('s3://other/x/2.json')).toString()).toBe('{"n":2}');
    } finally {
      await lake.close();
    }
    const paged = new S3ObjectStore(client, 'lake', 'lh/objects', { cache: new ObjectCache(tempDir('cache')), pageSize: 2 });
    expect((await paged.list('')).map((o) => o.key)).toEqual(['charts/AAPL/0.png', 'charts/AAPL/1.png', 'charts/MSFT/0.png', 'charts/MSFT/10.png', 'notes/a.txt']);
    const pages = (await server.requests()).filter((r) => r.url.includes('max-keys=2'));
    expect(pages.length).toBe(3);
  });

  it('reads objects through the cache: unchanged objects are not fetched again, changed ones are', async () => {
    const path = 'lake/lh/objects/notes/a.txt';
    const lake = await Lakehouse.open('s3://lake/lh');
    try {
      expect((await lake.readObject('notes/a.txt')).toString()).toBe('bytes of notes/a.txt');
      expect(await server.objectGets(path)).toBe(1);
      expect((await lake.readObject('lake://notes/a.txt')).toString()).toBe('bytes of notes/a.txt');
      expect(await server.objectGets(path)).toBe(1);
      await put('lake', 'lh/objects/notes/a.txt', 'changed');
      expect((await lake.readObject('notes/a.txt')).toString()).toBe('changed');
      expect(await server.objectGets(path)).toBe(2);
      await expect(lake.readObject('notes/missing.txt')).rejects.toBeInstanceOf(ObjectNotFoundError);
      // Writes go through to the cache: reading back what was written costs no GET.
      await lake.writeObject('notes/b.txt', 'written');
      expect((await lake.readObject('notes/b.txt')).toString()).toBe('written');
      expect(await server.objectGets('lake/lh/objects/notes/b.txt')).toBe(0);
    } finally {
      await lake.close();
    }
    // The cache outlives the lakehouse: reopening downloads no table and no object again.
    const before = await server.objectGets();
    const again = await Lakehouse.open('s3://lake/lh');
    try {
      expect(await again.db.all('SELECT count(*) AS n FROM trades')).toEqual([{ n: 7 }]);
      expect((await again.objectLocalPath('notes/a.txt')).startsWith(process.env['AGENTLAKE_CACHE_DIR'] ?? '?')).toBe(true);
      expect(await server.objectGets()).toBe(before);
    } finally {
      await again.close();
    }
  });

  it('writes tables with writeTable and queries them, replacing folder tables', async () => {
    const lake = await Lakehouse.open('s3://lake/lh');
    try {
      await lake.writeTable('top_days', 'SELECT day, close FROM prices WHERE close >= 107 ORDER BY day');
      expect(lake.tables).toContain('top_days');
      expect(await lake.db.all('SELECT day FROM top_days ORDER BY day')).toEqual([{ day: 7 }, { day: 8 }, { day: 9 }]);
      expect(await exists('lake', 'lh/tables/top_days.parquet')).toBe(true);
      await lake.writeTable('trades', "SELECT * FROM trades WHERE side = 'sell'");
      expect(await lake.db.all('SELECT count(*) AS n FROM trades')).toEqual([{ n: 4 }]);
      expect(await exists('lake', 'lh/tables/trades/part-0.parquet')).toBe(false);
      expect(await exists('lake', 'lh/tables/trades.parquet')).toBe(true);
    } finally {
      await lake.close();
    }
    const again = await Lakehouse.open('s3://lake/lh');
    try {
      expect(again.tables).toEqual(['prices', 'top_days', 'trades']);
      expect(await again.db.all('SELECT count(*) AS n FROM top_days')).toEqual([{ n: 3 }]);
    } finally {
      await again.close();
    }
  });

  it('keeps the catalog in the bucket across close and open', async () => {
    const session = await Session.open({ lakehouse: 's3://lake/cat' });
    await session.runScript({ name: 'x', text: "CREATE MODEL m (KIND llm, ENDPOINT 'sim://')" }, 'run');
    await session.close();
    expect(await exists('lake', 'cat/agentlake.duckdb')).toBe(true);
    // A fresh cache folder, as on another machine: the catalog can only come from S3.
    process.env['AGENTLAKE_CACHE_DIR'] = tempDir('cache2');
    const reopened = await Session.open({ lakehouse: 's3://lake/cat' });
    try {
      const out = await reopened.runScript({ name: 'y', text: 'SHOW MODELS' }, 'run');
      expect(out.kind).toBe('rows');
      expect(out.kind === 'rows' ? out.rows.map((r) => r[0]) : []).toContain('m');
    } finally {
      await reopened.close();
    }
    // The second session changed nothing, so its close uploaded nothing.
    const puts = (await server.requests()).filter((r) => r.method === 'PUT' && r.url.startsWith('/lake/cat/agentlake.duckdb'));
    expect(puts).toHaveLength(1);
  });

  it('COPY (query with model columns) TO s3:// writes Parquet into the bucket; plain COPY too; a bad target is a diagnostic', async () => {
    const session = await Session.open({ lakehouse: 's3://lake/exp' });
    try {
      await session.runScript({ name: 'x', text: 'CREATE TABLE items AS SELECT i AS id FROM range(4) t(i)' }, 'run');
      const out = await session.runScript({ name: 'c.sql', text: "COPY (SELECT id, llm('qwen3_8b', 'Describe item ' || id, max_tokens => 8) AS d FROM items ORDER BY id) TO 's3://lake/exp/exports/items.parquet' (FORMAT parquet)" }, 'run');
      expect(out.kind === 'rows' ? out.rows : out).toEqual([[4]]);
      const plain = await session.runScript({ name: 'p.sql', text: "COPY (SELECT id FROM items WHERE id < 2) TO 'lake://exports/two.parquet' (FORMAT parquet)" }, 'run');
      expect(plain).toEqual({ kind: 'ok', message: 'ok (2 rows)' });
      expect(await exists('lake', 'exp/exports/items.parquet')).toBe(true);
      expect(await exists('lake', 'exp/objects/exports/two.parquet')).toBe(true);
      // Read back through the object cache: the rows and their model column.
      const local = await session.lakehouse.objectLocalPath('s3://lake/exp/exports/items.parquet');
      const back = await session.lakehouse.db.query(`SELECT id, d IS NOT NULL AND length(d) > 0 FROM read_parquet('${local}') ORDER BY id`);
      expect(back.rows).toEqual([[0, true], [1, true], [2, true], [3, true]]);
      await expect(session.runScript({ name: 'bad.sql', text: "COPY (SELECT id FROM items) TO 'gs://elsewhere/x.parquet' (FORMAT parquet)" }, 'run')).rejects.toMatchObject({ diagnostics: [expect.objectContaining({ code: expect.stringMatching(/^[BE]0\d{3}$/) })] });
    } finally {
      await session.close();
    }
  });
  it('sandboxed (a server of several tenants): tables read and written through the cache, other files refused', async () => {
    const lake = await Lakehouse.open('s3://lake/lh');
    try {
      await lake.sandbox();
      expect(await lake.db.all('SELECT count(*) AS n FROM prices')).toEqual([{ n: 10 }]);
      await lake.writeTable('sandboxed_days', 'SELECT day FROM prices WHERE close >= 108 ORDER BY day');
      expect(await lake.db.all('SELECT count(*) AS n FROM sandboxed_days')).toEqual([{ n: 2 }]);
      await expect(lake.db.all("SELECT * FROM read_text('/etc/passwd')")).rejects.toThrow(/disabled by configuration|Permission/);
      await expect(lake.db.run('SET threads = 1')).rejects.toThrow(/locked/);
    } finally {
      await lake.close();
    }
  });
});
