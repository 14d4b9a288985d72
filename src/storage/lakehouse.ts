// The lakehouse: a local folder holding Parquet tables (tables/<name>.parquet or tables/<name>/*.parquet),
// objects (objects/<key>) and agentlake's own DuckDB database (agentlake.duckdb: catalog, and later
// provenance). Opening it registers every Parquet table as a view so SQL sees it by name.
import { mkdirSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { Database, quoteIdent, quoteString } from './duckdb.ts';
import { globToRegExp, globBase } from './glob.ts';

/** An object in the lakehouse: key relative to objects/, size in bytes. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

/** An open lakehouse folder. One process at a time (DuckDB's file lock). */
export class Lakehouse {
  private constructor(
    readonly dir: string,
    readonly db: Database,
    readonly tables: readonly string[],
  ) {}

  /** Opens (creating if needed) the lakehouse at `dir`. */
  static async open(dir: string): Promise<Lakehouse> {
    const abs = resolve(dir);
    mkdirSync(join(abs, 'tables'), { recursive: true });
    mkdirSync(join(abs, 'objects'), { recursive: true });
    const db = await Database.open(join(abs, 'agentlake.duckdb'));
    const tables = await registerTables(db, join(abs, 'tables'));
    return new Lakehouse(abs, db, tables);
  }

  /** Re-scans tables/ (after new Parquet files were written). */
  async refresh(): Promise<Lakehouse> {
    const tables = await registerTables(this.db, join(this.dir, 'tables'));
    return new Lakehouse(this.dir, this.db, tables);
  }

  /** Absolute path of an object key (keys never escape objects/). */
  objectPath(key: string): string {
    const root = join(this.dir, 'objects');
    const p = resolve(root, stripScheme(key));
    if (p !== root && !p.startsWith(root + sep)) throw new RangeError(`object key escapes the lakehouse: ${key}`);
    return p;
  }

  /** Lists objects whose key matches a glob (`*`, `**`, `?`) or, without wildcards, equals the key or starts with it as a folder. Sorted by key. */
  async listObjects(pattern: string): Promise<ObjectInfo[]> {
    const pat = stripScheme(pattern);
    const root = join(this.dir, 'objects');
    const hasGlob = /[*?[]/.test(pat);
    const base = hasGlob ? globBase(pat) : pat;
    const start = this.objectPath(base);
    if (!existsSync(start)) return [];
    const st = statSync(start);
    if (st.isFile()) return hasGlob ? [] : [{ key: toKey(root, start), size: st.size }];
    const all = walk(start).map((p) => ({ key: toKey(root, p), size: statSync(p).size }));
    const re = hasGlob ? globToRegExp(pat) : undefined;
    return all.filter((o) => (re ? re.test(o.key) : true)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  close(): void {
    this.db.close();
  }
}

/** `s3://bucket/key` and `lake://key` name objects of the lakehouse too; the scheme is dropped for local folders. */
function stripScheme(key: string): string {
  return key.replace(/^(?:s3|lake):\/\//, '').replace(/^\/+/, '');
}

function toKey(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function registerTables(db: Database, tablesDir: string): Promise<string[]> {
  const names: string[] = [];
  for (const e of readdirSync(tablesDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    let source: string | undefined;
    let name: string | undefined;
    if (e.isFile() && e.name.endsWith('.parquet')) {
      name = e.name.slice(0, -'.parquet'.length);
      source = join(tablesDir, e.name);
    } else if (e.isDirectory() && readdirSync(join(tablesDir, e.name)).some((f) => f.endsWith('.parquet'))) {
      name = e.name;
      source = join(tablesDir, e.name, '*.parquet');
    }
    if (!name || !source || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
    await db.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS SELECT * FROM read_parquet(${quoteString(source)})`);
    names.push(name);
  }
  return names;
}
