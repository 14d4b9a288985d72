// The demo lakehouse generator: every table with its exact schema and row count, 6 news per
// symbol, a valid PNG behind every chart_key, byte-identical reruns, and no rewrite when present.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '../../examples/demo-data/generate.ts';
import type { DemoDataSummary } from '../../examples/demo-data/generate.ts';
import { readPngSize } from '../../src/storage/png.ts';

const SCHEMAS: Record<string, string> = {
  symbols: 'symbol VARCHAR, name VARCHAR, sector VARCHAR',
  financials: 'symbol VARCHAR, fiscal_year INTEGER, revenue DOUBLE, net_income DOUBLE, eps DOUBLE, pe_ratio DOUBLE, debt_to_equity DOUBLE',
  insider_trades: 'symbol VARCHAR, trade_date DATE, insider VARCHAR, role VARCHAR, side VARCHAR, shares BIGINT, price DOUBLE',
  prices: 'symbol VARCHAR, day DATE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume BIGINT',
  news: 'id BIGINT, symbol VARCHAR, day DATE, title VARCHAR, body VARCHAR, chart_key VARCHAR',
  patients: 'patient_id VARCHAR, age INTEGER, sex VARCHAR, bmi DOUBLE, t_score DOUBLE, fracture_history BOOLEAN, medications VARCHAR',
  patient_reports: 'patient_id VARCHAR, report VARCHAR',
  spectra: 'spectrum_id VARCHAR, material VARCHAR, technique VARCHAR, peaks VARCHAR, notes VARCHAR',
  spectrum_points: 'spectrum_id VARCHAR, x DOUBLE, intensity DOUBLE',
};

const FIXED_COUNTS: Record<string, number> = {
  symbols: 160,
  financials: 640,
  prices: 9600,
  news: 960,
  patients: 320,
  patient_reports: 320,
  spectra: 160,
  spectrum_points: 32000,
};

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

async function hashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(dir)) {
    out.set(f, createHash('sha256').update(await readFile(join(dir, f))).digest('hex'));
  }
  return out;
}

let root: string;
let dirA: string;
let dirB: string;
let first: DemoDataSummary;
let instance: DuckDBInstance;
let conn: DuckDBConnection;

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjects() as Record<string, unknown>[];
}

function table(name: string): string {
  return `read_parquet('${join(dirA, 'tables', `${name}.parquet`)}')`;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'agentlake-demo-'));
  dirA = join(root, 'a');
  dirB = join(root, 'b');
  first = await generateDemoData(dirA);
  await generateDemoData(dirB);
  instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  conn = await instance.connect();
});

afterAll(async () => {
  conn?.closeSync();
  instance?.closeSync();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('generateDemoData', () => {
  it('writes every table with its exact schema', async () => {
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      const cols = await query(`DESCRIBE SELECT * FROM ${table(name)}`);
      expect(cols.map((c) => `${String(c.column_name)} ${String(c.column_type)}`).join(', '), name).toBe(schema);
    }
  });

  it('has the expected row counts, matching the summary', async () => {
    for (const name of Object.keys(SCHEMAS)) {
      const [row] = await query(`SELECT count(*) AS n FROM ${table(name)}`);
      const n = Number(row?.n);
      expect(first.tables[name], name).toBe(n);
      if (FIXED_COUNTS[name] !== undefined) expect(n, name).toBe(FIXED_COUNTS[name]);
    }
    const trades = await query(
      `SELECT max(c) AS hi FROM (SELECT s.symbol, count(t.symbol) AS c FROM ${table('symbols')} s LEFT JOIN ${table('insider_trades')} t USING (symbol) GROUP BY ALL)`,
    );
    expect(Number(trades[0]?.hi)).toBeLessThanOrEqual(6);
  });

  it('has unique keys and 4 fiscal years, 60 days and 6 news per symbol', async () => {
    const [u] = await query(`SELECT count(DISTINCT symbol) AS s FROM ${table('symbols')}`);
    expect(Number(u?.s)).toBe(160);
    const per = await query(`
      SELECT (SELECT count(*) FROM (SELECT symbol FROM ${table('financials')} GROUP BY symbol HAVING count(DISTINCT fiscal_year) <> 4)) AS bad_fin,
             (SELECT count(*) FROM (SELECT symbol FROM ${table('prices')} GROUP BY symbol HAVING count(DISTINCT day) <> 60)) AS bad_prices,
             (SELECT count(*) FROM (SELECT symbol FROM ${table('news')} GROUP BY symbol HAVING count(*) <> 6)) AS bad_news,
             (SELECT count(DISTINCT symbol) FROM ${table('news')}) AS news_symbols,
             (SELECT count(DISTINCT id) FROM ${table('news')}) AS news_ids,
             (SELECT count(*) FROM ${table('prices')} WHERE dayofweek(day) IN (0, 6) OR low > least(open, close) OR high < greatest(open, close)) AS bad_bars,
             (SELECT min(day) FROM ${table('prices')}) AS first_day,
             (SELECT count(*) FROM ${table('insider_trades')} WHERE side NOT IN ('BUY', 'SELL')) AS bad_side,
             (SELECT count(DISTINCT spectrum_id) FROM ${table('spectrum_points')}) AS spectra_with_points`);
    const r = per[0] ?? {};
    expect(Number(r.bad_fin)).toBe(0);
    expect(Number(r.bad_prices)).toBe(0);
    expect(Number(r.bad_news)).toBe(0);
    expect(Number(r.news_symbols)).toBe(160);
    expect(Number(r.news_ids)).toBe(960);
    expect(Number(r.bad_bars)).toBe(0);
    expect(String(r.first_day)).toBe('2025-01-02');
    expect(Number(r.bad_side)).toBe(0);
    expect(Number(r.spectra_with_points)).toBe(160);
  });

  it('puts a valid PNG behind every chart_key', async () => {
    const rows = await query(`SELECT chart_key FROM ${table('news')} ORDER BY id`);
    expect(rows.length).toBe(960);
    const seen = new Set<string>();
    for (const { chart_key } of rows) {
      const key = String(chart_key);
      expect(key).toMatch(/^charts\/[A-Z]{3,4}\/[0-5]\.png$/);
      const bytes = await readFile(join(dirA, 'objects', key));
      expect(readPngSize(bytes)).toEqual({ width: 160, height: 96 });
      seen.add(createHash('sha256').update(bytes).digest('hex'));
    }
    // Charts show different price windows, so (almost) all images differ.
    expect(seen.size).toBeGreaterThan(900);
    expect(first.objects).toBe(960);
  });

  it('is deterministic: two runs give byte-identical files', async () => {
    const a = await hashes(dirA);
    const b = await hashes(dirB);
    expect(a.size).toBe(9 + 1 + 960);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [file, h] of a) expect(b.get(file), file).toBe(h);
  });

  it('does not rewrite an existing lakehouse unless forced', async () => {
    const files = ['tables/_demo.json', 'tables/prices.parquet', 'objects/charts/' + (await listFiles(join(dirA, 'objects', 'charts')))[0]];
    const before = await Promise.all(files.map(async (f) => (await stat(join(dirA, f))).mtimeMs));
    await new Promise((r) => setTimeout(r, 20));
    const again = await generateDemoData(dirA);
    expect(again.skipped).toBe(true);
    expect(again.tables).toEqual(first.tables);
    const after = await Promise.all(files.map(async (f) => (await stat(join(dirA, f))).mtimeMs));
    expect(after).toEqual(before);

    const forced = await generateDemoData(dirB, { force: true });
    expect(forced.skipped).toBe(false);
    const b = await hashes(dirB);
    for (const [file, h] of await hashes(dirA)) expect(b.get(file), file).toBe(h);
  });
});
