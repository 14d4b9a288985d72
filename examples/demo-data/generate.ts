// Writes the demo lakehouse: DIR/tables/<table>.parquet, DIR/objects/charts/<SYMBOL>/<k>.png and
// the marker DIR/tables/_demo.json (written last). Deterministic: two runs give identical bytes.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { renderChart } from './charts.ts';
import { financialsTable, generateBars, insiderTradesTable, pricesTable } from './market.ts';
import type { Bar } from './market.ts';
import { CHART_WINDOW, generateNews } from './news.ts';
import { patientTables } from './patients.ts';
import { DEMO_SEED } from './prng.ts';
import { spectraTables } from './spectra.ts';
import { generateCompanies } from './symbols.ts';
import type { Company } from './symbols.ts';
import { writeParquet } from './table.ts';
import type { DemoTable } from './table.ts';

/** Bump when the generated content changes, so existing lakehouses are regenerated. */
export const DEMO_DATA_VERSION = 1;
export const MARKER_FILE = '_demo.json';

/** What a lakehouse folder holds after generateDemoData. */
export interface DemoDataSummary {
  readonly dir: string;
  readonly version: number;
  /** True when a marker of the same version was found and nothing was written. */
  readonly skipped: boolean;
  /** Row count per table. */
  readonly tables: Readonly<Record<string, number>>;
  /** Number of objects written under DIR/objects. */
  readonly objects: number;
}

export interface GenerateOptions {
  /** Regenerate even when the marker says the data is already there. */
  readonly force?: boolean;
}

interface Marker {
  readonly version: number;
  readonly tables: Record<string, number>;
  readonly objects: number;
}

function parseMarker(text: string): Marker | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { version, tables, objects } = value as Record<string, unknown>;
  if (typeof version !== 'number' || typeof objects !== 'number') return undefined;
  if (typeof tables !== 'object' || tables === null) return undefined;
  const counts: Record<string, number> = {};
  for (const [name, n] of Object.entries(tables)) if (typeof n === 'number') counts[name] = n;
  return { version, tables: counts, objects };
}

async function readMarker(path: string): Promise<Marker | undefined> {
  try {
    return parseMarker(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function symbolsTable(companies: readonly Company[]): DemoTable {
  return {
    name: 'symbols',
    columns: [{ name: 'symbol', type: 'VARCHAR' }, { name: 'name', type: 'VARCHAR' }, { name: 'sector', type: 'VARCHAR' }],
    rows: companies.map((c) => [c.symbol, c.name, c.sector.name]),
  };
}

async function writeTables(tablesDir: string, tables: readonly DemoTable[]): Promise<void> {
  // One thread: row groups and page layout then never depend on scheduling.
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    threads: '1',
  });
  const conn = await instance.connect();
  try {
    for (const t of tables) await writeParquet(conn, t, join(tablesDir, `${t.name}.parquet`));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Generates the demo lakehouse under `dir` unless its marker already has this version
 * (then returns the marker's summary with skipped: true). `force` always regenerates.
 */
export async function generateDemoData(dir: string, opts: GenerateOptions = {}): Promise<DemoDataSummary> {
  const root = resolve(dir);
  const tablesDir = join(root, 'tables');
  const markerPath = join(tablesDir, MARKER_FILE);
  const existing = await readMarker(markerPath);
  if (existing !== undefined && existing.version === DEMO_DATA_VERSION && opts.force !== true) {
    return { dir: root, version: existing.version, skipped: true, tables: existing.tables, objects: existing.objects };
  }
  await rm(markerPath, { force: true });
  await mkdir(tablesDir, { recursive: true });

  const companies = generateCompanies();
  const bars = new Map<string, Bar[]>(companies.map((c) => [c.symbol, generateBars(c)]));
  const news = generateNews(companies, bars);
  const patients = patientTables();
  const spectra = spectraTables();
  const tables: DemoTable[] = [
    symbolsTable(companies),
    financialsTable(companies),
    insiderTradesTable(companies, bars),
    pricesTable(companies, bars),
    news.table,
    patients.patients,
    patients.reports,
    spectra.spectra,
    spectra.points,
  ];
  await writeTables(tablesDir, tables);

  for (const item of news.items) {
    const series = bars.get(item.symbol) ?? [];
    const png = renderChart(series.slice(item.dayIndex - CHART_WINDOW + 1, item.dayIndex + 1));
    const path = join(root, 'objects', item.chartKey);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, png);
  }

  const counts: Record<string, number> = {};
  for (const t of tables) counts[t.name] = t.rows.length;
  const marker = { version: DEMO_DATA_VERSION, seed: DEMO_SEED, tables: counts, objects: news.items.length };
  await writeFile(markerPath, `${JSON.stringify(marker, null, 2)}\n`);
  return { dir: root, version: DEMO_DATA_VERSION, skipped: false, tables: counts, objects: news.items.length };
}
