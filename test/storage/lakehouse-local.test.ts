// A lakehouse in a local folder: tables in both forms registered by name, object listing by prefix and
// glob, object reads and writes (keys never escape objects/), writeTable, and the object URIs
// objectStoreFor accepts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/storage/duckdb.ts';
import { Lakehouse } from '../../src/storage/lakehouse.ts';
import { LocalObjectStore } from '../../src/storage/local-object-store.ts';
import { ObjectNotFoundError } from '../../src/storage/object-store.ts';
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts';

let dir: string;

async function writeParquet(path: string, sql: string): Promise<void> {
  const db = await Database.open(':memory:');
  try {
    await db.run(`COPY (${sql}) TO '${path}' (FORMAT parquet)`);
  } finally {
    db.close();
  }
}

function writeObjectFile(key: string, body: string): void {
  mkdirSync(join(dir, 'objects', key, '..'), { recursive: true });
  writeFileSync(join(dir, 'objects', key), body);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentlake-local-'));
  mkdirSync(join(dir, 'tables', 'trades'), { recursive: true });
  await writeParquet(join(dir, 'tables', 'prices.parquet'), 'SELECT i AS day, 100 + i AS close FROM range(10) t(i)');
  await writeParquet(join(dir, 'tables', 'trades', 'a.parquet'), "SELECT i AS id, 'buy' AS side FROM range(3) t(i)");
  await writeParquet(join(dir, 'tables', 'trades', 'b.parquet'), "SELECT 3 + i AS id, 'sell' AS side FROM range(4) t(i)");
  writeFileSync(join(dir, 'tables', 'notes.json'), '{}');
  for (const k of ['charts/AAPL/0.png', 'charts/AAPL/1.png', 'charts/MSFT/0.png', 'charts/MSFT/10.png', 'notes/a.txt']) writeObjectFile(k, `bytes of ${k}`);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('local lakehouse', () => {
  it('registers tables/<name>.parquet and tables/<name>/*.parquet as views', async () => {
    const lake = await Lakehouse.open(dir);
    try {
      expect(lake.location).toBe(dir);
      expect(lake.tables).toEqual(['prices', 'trades']);
      expect(await lake.db.all('SELECT count(*) AS n FROM prices')).toEqual([{ n: 10 }]);
      expect(await lake.db.all('SELECT count(*) AS n FROM trades')).toEqual([{ n: 7 }]);
      // Folder tables read their folder live; refresh() picks up new tables.
      await writeParquet(join(dir, 'tables', 'trades', 'c.parquet'), "SELECT 7 AS id, 'buy' AS side");
      await writeParquet(join(dir, 'tables', 'later.parquet'), 'SELECT 1 AS x');
      expect(await lake.db.all('SELECT count(*) AS n FROM trades')).toEqual([{ n: 8 }]);
      expect(await lake.refresh()).toBe(lake);
      expect(lake.tables).toEqual(['later', 'prices', 'trades']);
    } finally {
      await lake.close();
    }
  });

  it('lists objects by prefix and glob, sorted by key', async () => {
    const lake = await Lakehouse.open(dir);
    try {
      const keys = async (p: string): Promise<string[]> => (await lake.listObjects(p)).map((o) => o.key);
      expect(await keys('charts/AAPL')).toEqual(['charts/AAPL/0.png', 'charts/AAPL/1.png']);
      expect(await keys('charts/*/0.png')).toEqual(['charts/AAPL/0.png', 'charts/MSFT/0.png']);
      expect(await keys('charts/**')).toHaveLength(4);
      expect(await keys('**/*.txt')).toEqual(['notes/a.txt']);
      expect(await keys('charts/MSFT/?.png')).toEqual(['charts/MSFT/0.png']);
      expect(await keys('lake://charts/*/1*.png')).toEqual(['charts/AAPL/1.png', 'charts/MSFT/10.png']);
      expect(await keys('char*/AAPL/0.png')).toEqual(['charts/AAPL/0.png']);
      expect(await lake.listObjects('notes/a.txt')).toEqual([{ key: 'notes/a.txt', size: 'bytes of notes/a.txt'.length }]);
      expect(await keys('nothing/*')).toEqual([]);
      expect(await keys('')).toHaveLength(5);
    } finally {
      await lake.close();
    }
  });

  it('reads and writes objects; keys never escape objects/', async () => {
    const lake = await Lakehouse.open(dir);
    try {
      expect((await lake.readObject('notes/a.txt')).toString()).toBe('bytes of notes/a.txt');
      await lake.writeObject('out/new.txt', 'hello');
      expect(readFileSync(join(dir, 'objects', 'out', 'new.txt'), 'utf8')).toBe('hello');
      expect(await lake.objectLocalPath('out/new.txt')).toBe(join(dir, 'objects', 'out', 'new.txt'));
      expect(lake.objectPath('lake://out/new.txt')).toBe(join(dir, 'objects', 'out', 'new.txt'));
      await expect(lake.readObject('notes/missing.txt')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(lake.readObject('../tables/prices.parquet')).rejects.toBeInstanceOf(RangeError);
      expect(() => lake.objectPath('a/../../x')).toThrow(RangeError);
      expect(() => lake.objectStoreFor('http://example.com/x')).toThrow(RangeError);
      // s3:// names a bucket, even from a local lakehouse (no request is made here).
      const other = lake.objectStoreFor('s3://other-bucket/x/y.png');
      expect(other.store).toBeInstanceOf(S3ObjectStore);
      expect([other.store.location, other.key]).toEqual(['s3://other-bucket', 'x/y.png']);
    } finally {
      await lake.close();
    }
  });

  it('stores objects with put, head, delete and putFile', async () => {
    const store = new LocalObjectStore(join(dir, 'objects'));
    expect(await store.put('p/q.bin', Buffer.from([1, 2, 3]))).toEqual({ key: 'p/q.bin', size: 3 });
    expect(await store.head('p/q.bin')).toEqual({ key: 'p/q.bin', size: 3 });
    const src = join(dir, 'src.txt');
    writeFileSync(src, 'moved');
    expect(await store.putFile('p/r.txt', src, { move: true })).toEqual({ key: 'p/r.txt', size: 5 });
    expect(existsSync(src)).toBe(false);
    expect((await store.get('p/r.txt')).toString()).toBe('moved');
    await store.delete('p/q.bin');
    await store.delete('p/q.bin');
    expect(await store.head('p/q.bin')).toBeUndefined();
    expect((await store.list('p/')).map((o) => o.key)).toEqual(['p/r.txt']);
  });

  it('writes tables with writeTable, replacing folder tables, and keeps them across open', async () => {
    const lake = await Lakehouse.open(dir);
    try {
      await lake.writeTable('top_days', 'SELECT day FROM prices WHERE close >= 107');
      expect(await lake.db.all('SELECT day FROM top_days ORDER BY day')).toEqual([{ day: 7 }, { day: 8 }, { day: 9 }]);
      await lake.writeTable('trades', "SELECT * FROM trades WHERE side = 'buy'");
      expect(await lake.db.all('SELECT count(*) AS n FROM trades')).toEqual([{ n: 3 }]);
      expect(existsSync(join(dir, 'tables', 'trades', 'a.parquet'))).toBe(false);
      await expect(lake.writeTable('bad name', 'SELECT 1')).rejects.toBeInstanceOf(RangeError);
    } finally {
      await lake.close();
    }
    const again = await Lakehouse.open(dir);
    try {
      expect(again.tables).toEqual(['prices', 'top_days', 'trades']);
      expect(await again.db.all('SELECT count(*) AS n FROM trades')).toEqual([{ n: 3 }]);
    } finally {
      await again.close();
    }
  });
});
