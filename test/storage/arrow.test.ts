// DuckDB <-> Arrow: typed columns round-trip, chunked results stream as several batches, nested and
// non-fitting values travel as text, and batches load back into DuckDB through the appender.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type, type RecordBatch } from 'apache-arrow';
import { Database } from '../../src/storage/duckdb.ts';
import { batchFromRows, columnsOf, rowsOf, DUCKDB_TYPE } from '../../src/storage/arrow.ts';
import { withStagedBatches } from '../../src/storage/stage-rows.ts';

let db: Database;
beforeAll(async () => {
  db = await Database.open(':memory:');
});
afterAll(() => db.close());

async function collect(it: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('DuckDB results as record batches', () => {
  it('types columns and keeps the DuckDB type in field metadata', async () => {
    const [b] = await collect(db.batches(`SELECT 1::INTEGER AS i, 9007199254740993::BIGINT AS big, 2.5::DOUBLE AS d, 0.25::FLOAT AS f,
      true AS ok, DATE '2024-02-29' AS day, 'x' AS s, [1.5, NULL]::FLOAT[] AS v, {'a': 1, 'b': 'y'} AS st, TIMESTAMP '2024-01-02 03:04:05' AS ts, 12.34::DECIMAL(6,2) AS dec`));
    expect(b).toBeDefined();
    if (!b) return;
    const types = b.schema.fields.map((f) => [f.name, Type[f.type.typeId], f.metadata.get(DUCKDB_TYPE)]);
    expect(types).toEqual([
      ['i', 'Int', 'INTEGER'], ['big', 'Int', 'BIGINT'], ['d', 'Float', 'DOUBLE'], ['f', 'Float', 'FLOAT'], ['ok', 'Bool', 'BOOLEAN'],
      ['day', 'Date', 'DATE'], ['s', 'Utf8', 'VARCHAR'], ['v', 'List', 'FLOAT[]'], ['st', 'Utf8', 'STRUCT("a" INTEGER, "b" VARCHAR)'],
      ['ts', 'Utf8', 'TIMESTAMP'], ['dec', 'Float', 'DECIMAL(6,2)'],
    ]);
    // Same values as the row API gives (BIGINT beyond 2^53 as text, nested values as objects).
    expect(rowsOf(b)).toEqual([[1, '9007199254740993', 2.5, 0.25, true, '2024-02-29', 'x', [1.5, null], { a: 1, b: 'y' }, '2024-01-02 03:04:05', 12.34]]);
    expect(rowsOf(b)).toEqual((await db.query(`SELECT 1::INTEGER, 9007199254740993::BIGINT, 2.5::DOUBLE, 0.25::FLOAT, true, DATE '2024-02-29', 'x', [1.5, NULL]::FLOAT[], {'a': 1, 'b': 'y'}, TIMESTAMP '2024-01-02 03:04:05', 12.34::DECIMAL(6,2)`)).rows);
  });

  it('streams a large result as one batch per DuckDB chunk, in order', async () => {
    const batches = await collect(db.batches('SELECT range AS n FROM range(5000)'));
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.reduce((s, b) => s + b.numRows, 0)).toBe(5000);
    const all = rowsOf(batches).map((r) => r[0]);
    expect(all[0]).toBe(0);
    expect(all[4999]).toBe(4999);
    expect(all.every((n, i) => n === i)).toBe(true);
  });

  it('an empty result is one empty batch that still has the columns', async () => {
    const batches = await collect(db.batches('SELECT 1 AS a, \'x\' AS b WHERE false'));
    expect(batches.length).toBe(1);
    expect(batches[0]?.numRows).toBe(0);
    expect(columnsOf(batches[0]!.schema)).toEqual([{ name: 'a', type: 'INTEGER' }, { name: 'b', type: 'VARCHAR' }]);
  });
});

describe('rows as record batches', () => {
  it('falls back to text when a value does not fit the typed column, and converts back', () => {
    const b = batchFromRows([{ name: 'n', type: 'INTEGER' }, { name: 'd', type: 'DATE' }], [[1, 'infinity'], ['many', '2024-01-01']]);
    expect(b.schema.fields.map((f) => Type[f.type.typeId])).toEqual(['Utf8', 'Utf8']);
    expect(rowsOf(b)).toEqual([['1', 'infinity'], ['many', '2024-01-01']]);
    const typed = batchFromRows([{ name: 'n', type: 'INTEGER' }, { name: 'd', type: 'DATE' }], [[1, '2024-01-01'], [null, null]]);
    expect(typed.schema.fields.map((f) => Type[f.type.typeId])).toEqual(['Int', 'Date']);
    expect(rowsOf(typed)).toEqual([[1, '2024-01-01'], [null, null]]);
  });

  it('load into DuckDB through the appender with their declared types, across chunk boundaries', async () => {
    const columns = [{ name: 'id', type: 'INTEGER' }, { name: 'label', type: 'VARCHAR' }, { name: 'v', type: 'FLOAT[]' }, { name: 'ok', type: 'BOOLEAN' }];
    const rows = Array.from({ length: 3000 }, (_, i) => [i, i % 7 === 0 ? null : `row ${i}`, [i, i / 2], i % 2 === 0]);
    const batches = [batchFromRows(columns, rows.slice(0, 2500)), batchFromRows(columns, rows.slice(2500))];
    const r = await withStagedBatches(db, columns, batches, (select) => db.query(`SELECT count(*), sum(id), count(label), max(v[2]), count(*) FILTER (ok), typeof(any_value(v)), typeof(any_value(id)) FROM (${select})`));
    expect(r.rows).toEqual([[3000, (2999 * 3000) / 2, 3000 - Math.ceil(3000 / 7), 1499.5, 1500, 'FLOAT[]', 'INTEGER']]);
  });
});
