// The lakehouse: a local folder or `s3://bucket/prefix` holding Parquet tables (tables/<name>.parquet or
// tables/<name>/*.parquet), objects (objects/<key>, listed in SQL by lake_objects() on both kinds) and
// agentlake's DuckDB database (catalog, provenance). Tables are registered as views by name; on S3 the
// Parquet files are read through the object cache and the DuckDB file through a local CatalogReplica.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { CatalogReplica } from './catalog-replica.ts';
import { Database, quoteIdent, quoteString } from './duckdb.ts';
import { defineLakeObjects, lakeObjectsListing, loadLakeObjects } from './lake-objects.ts';
import { LocalObjectStore } from './local-object-store.ts';
import { defaultCacheDir, ObjectCache } from './object-cache.ts';
import { parseS3Uri, type ObjectBody, type ObjectStore } from './object-store.ts';
import { s3ClientFromEnv, s3EndpointFromEnv, S3ObjectStore } from './s3-object-store.ts';

/** An object in the lakehouse: key relative to objects/ (or a full `s3://` URI for other buckets), size in bytes. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

/** How to open a lakehouse. */
export interface LakehouseOptions {
  /** The object cache and S3 state folder (default AGENTLAKE_CACHE_DIR, else ~/.cache/agentlake). */
  readonly cacheDir?: string;
  /** Where S3 settings come from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CATALOG_KEY = 'agentlake.duckdb';

/** An open lakehouse. One process at a time (DuckDB's file lock; on S3, the last close wins). */
export class Lakehouse {
  private tableNames: readonly string[] = [];
  private readonly buckets = new Map<string, S3ObjectStore>();
  private closed = false;

  private constructor(
    /** The absolute folder, or `s3://bucket/prefix`. */
    readonly location: string,
    readonly db: Database,
    /** The lakehouse root: tables/ and agentlake.duckdb. */
    readonly root: ObjectStore,
    /** objects/: keys of FETCH and lake_objects() (see lake-objects.ts). */
    readonly objects: ObjectStore,
    private readonly scratch: string,
    private readonly cache: ObjectCache,
    private readonly env: NodeJS.ProcessEnv,
    private client: S3Client | undefined,
    private readonly replica: CatalogReplica | undefined,
  ) {}

  /** Opens (creating if needed) the lakehouse at a folder or `s3://bucket/prefix`. */
  static async open(location: string, opts: LakehouseOptions = {}): Promise<Lakehouse> {
    const env = opts.env ?? process.env;
    const cache = new ObjectCache(opts.cacheDir ?? defaultCacheDir(env));
    const s3 = parseS3Uri(location);
    let lake: Lakehouse;
    if (s3) {
      const prefix = s3.key.replace(/^\/+|\/+$/g, '');
      const client = s3ClientFromEnv(env);
      const root = new S3ObjectStore(client, s3.bucket, prefix, { cache });
      const objects = new S3ObjectStore(client, s3.bucket, prefix ? `${prefix}/objects` : 'objects', { cache });
      // One state folder per endpoint, bucket and prefix: the DuckDB file and scratch space for writes.
      const id = createHash('sha256').update(`${s3EndpointFromEnv(env) ?? 'aws'}\0${s3.bucket}\0${prefix}`).digest('hex').slice(0, 16);
      const state = join(cache.dir, 'state', id);
      let replica: CatalogReplica;
      let db: Database;
      try {
        replica = await CatalogReplica.pull(root, CATALOG_KEY, state);
        db = await Database.open(replica.path);
      } catch (e) {
        client.destroy();
        throw e;
      }
      lake = new Lakehouse(root.location, db, root, objects, join(state, 'scratch'), cache, env, client, replica);
    } else {
      const abs = resolve(location);
      mkdirSync(join(abs, 'tables'), { recursive: true });
      mkdirSync(join(abs, 'objects'), { recursive: true });
      const db = await Database.open(join(abs, CATALOG_KEY));
      lake = new Lakehouse(abs, db, new LocalObjectStore(abs), new LocalObjectStore(join(abs, 'objects')), join(abs, 'tables'), cache, env, undefined, undefined);
    }
    try {
      await defineLakeObjects(lake.db, lake.objects.location);
      await lake.refresh();
    } catch (e) {
      await lake.close().catch(() => undefined);
      throw e;
    }
    return lake;
  }

  /** The table names registered as views, sorted. */
  get tables(): readonly string[] {
    return this.tableNames;
  }

  /** Same as `location` (kept for callers that print it). */
  get dir(): string {
    return this.location;
  }

  /** Re-scans tables/ (after Parquet files were written there) and re-registers the views. Returns this lakehouse. */
  async refresh(): Promise<Lakehouse> {
    const found = await this.root.list('tables/');
    const files = new Map<string, { etag?: string; key: string }[]>();
    const single = new Map<string, { etag?: string; key: string }>();
    for (const o of found) {
      const one = /^tables\/([^/]+)\.parquet$/.exec(o.key);
      const part = /^tables\/([^/]+)\/[^/]+\.parquet$/.exec(o.key);
      if (one?.[1] && TABLE_NAME.test(one[1])) single.set(one[1], o);
      else if (part?.[1] && TABLE_NAME.test(part[1])) files.set(part[1], [...(files.get(part[1]) ?? []), o]);
    }
    const names = [...new Set([...single.keys(), ...files.keys()])].sort((a, b) => a.localeCompare(b));
    for (const name of names) {
      const one = single.get(name);
      // A name with both forms reads tables/<name>.parquet.
      if (one) await this.registerView(name, [await this.root.localPath(one.key, one.etag)]);
      else if (this.root.localRoot) await this.registerView(name, join(this.root.localRoot, 'tables', name, '*.parquet'));
      else await this.registerView(name, await Promise.all((files.get(name) ?? []).map((o) => this.root.localPath(o.key, o.etag))));
    }
    for (const gone of this.tableNames.filter((n) => !names.includes(n))) await this.db.run(`DROP VIEW IF EXISTS ${quoteIdent(gone)}`);
    this.tableNames = names;
    return this;
  }

  /**
   * Where an object key or URI lives: a plain key or `lake://key` is in objects/; `s3://bucket/key`
   * is in objects/ when it names this S3 lakehouse's objects/ folder, else in that bucket (keys from
   * its store are relative to the bucket). Other schemes are a RangeError.
   */
  objectStoreFor(uri: string): { readonly store: ObjectStore; readonly key: string } {
    const s3 = parseS3Uri(uri);
    if (!s3) {
      if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(uri) && !uri.startsWith('lake://')) throw new RangeError(`unsupported object URI: ${uri}`);
      return { store: this.objects, key: uri.replace(/^lake:\/\//, '').replace(/^\/+/, '') };
    }
    const own = this.objects instanceof S3ObjectStore ? this.objects : undefined;
    if (own && s3.bucket === own.bucket && s3.key.startsWith(`${own.prefix}/`)) return { store: own, key: s3.key.slice(own.prefix.length + 1) };
    let store = this.buckets.get(s3.bucket);
    if (!store) {
      this.client ??= s3ClientFromEnv(this.env);
      store = new S3ObjectStore(this.client, s3.bucket, '', { cache: this.cache });
      this.buckets.set(s3.bucket, store);
    }
    return { store, key: s3.key };
  }

  /**
   * Lists objects whose key matches a glob (`*`, `**`, `?`) or, without wildcards, equals the key or
   * starts with it as a folder. Sorted by key. Objects outside objects/ come back as full `s3://` URIs.
   */
  async listObjects(pattern: string): Promise<ObjectInfo[]> {
    const { store, key } = this.objectStoreFor(pattern);
    const found = await store.list(key);
    return found.map((o) => ({ key: store === this.objects ? o.key : `${store.location}/${o.key}`, size: o.size }));
  }

  /** An object's bytes (S3 objects through the object cache). Rejects with ObjectNotFoundError. */
  async readObject(key: string): Promise<Buffer> {
    const at = this.objectStoreFor(key);
    return at.store.get(at.key);
  }

  /** A local file holding an object's bytes, to read (S3 objects are downloaded into the object cache). */
  async objectLocalPath(key: string): Promise<string> {
    const at = this.objectStoreFor(key);
    return at.store.localPath(at.key);
  }

  /** Writes (replaces) an object. */
  async writeObject(key: string, body: ObjectBody): Promise<void> {
    const at = this.objectStoreFor(key);
    await at.store.put(at.key, body);
  }

  /**
   * Makes `lake_objects()` see the objects as they are now, when a statement's SQL text mentions it
   * (a cheap text test; other statements cost nothing): lists what its calls ask for, or every object
   * when an argument is not a string literal, into the table the macro reads. Returns whether it listed.
   */
  async refreshLakeObjects(sql: string): Promise<boolean> {
    const listing = lakeObjectsListing(sql, this.objects.location);
    if (!listing) return false;
    await loadLakeObjects(this.db, this.objects, listing);
    return true;
  }

  /** Absolute path of an object key in a local lakehouse (keys never escape objects/); objectLocalPath works for both kinds. */
  objectPath(key: string): string {
    const at = this.objectStoreFor(key);
    if (!(at.store instanceof LocalObjectStore)) throw new RangeError(`object '${key}' is not a local file; use objectLocalPath`);
    return at.store.pathOf(at.key);
  }

  /**
   * Writes the result of a query as table `name` (tables/<name>.parquet, replacing the table in either
   * form) with DuckDB's COPY, and registers it as a view. The query may read the table it replaces.
   */
  async writeTable(name: string, sql: string): Promise<void> {
    if (!TABLE_NAME.test(name)) throw new RangeError(`not a table name: '${name}'`);
    await mkdir(this.scratch, { recursive: true });
    const tmp = join(this.scratch, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await this.db.run(`COPY (${sql}) TO ${quoteString(tmp)} (FORMAT parquet)`);
      const put = await this.root.putFile(`tables/${name}.parquet`, tmp, { move: true });
      for (const part of await this.root.list(`tables/${name}/*.parquet`)) await this.root.delete(part.key);
      await this.registerView(name, [await this.root.localPath(put.key, put.etag)]);
      if (!this.tableNames.includes(name)) this.tableNames = [...this.tableNames, name].sort((a, b) => a.localeCompare(b));
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * `COPY (sql) TO uri (options)` for an object URI (`s3://` in any bucket, `lake://` in objects/),
   * which DuckDB cannot write offline (no httpfs): DuckDB writes a local file, the object store
   * uploads it. Returns the number of rows written.
   */
  async copyToObject(sql: string, uri: string, options: string): Promise<number> {
    const at = this.objectStoreFor(uri);
    await mkdir(this.scratch, { recursive: true });
    const tmp = join(this.scratch, `.copy.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const r = await this.db.query(`COPY (${sql}) TO ${quoteString(tmp)} ${options}`);
      await at.store.putFile(at.key, tmp, { move: true });
      return Number(r.rows[0]?.[0] ?? 0);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Confines DuckDB's file access to the lakehouse's table files, objects and scratch space (and the
   * object cache of an S3 lakehouse), and locks its configuration: SQL can then neither read nor write
   * other files (a users file, /etc) nor change settings that every user of the database shares.
   * For a server of several tenants; irreversible for this database handle.
   */
  async sandbox(): Promise<void> {
    const local = !this.location.startsWith('s3://');
    const dirs = local ? [join(this.location, 'tables'), join(this.location, 'objects'), this.scratch] : [this.scratch, this.cache.dir];
    await mkdir(this.scratch, { recursive: true });
    // DuckDB checks the files it opens by their real paths: table files linked in from elsewhere
    // need their real folders allowed too.
    for (const d of [...dirs]) {
      dirs.push(await realpath(d));
      if (!local) continue;
      for (const e of await readdir(d, { withFileTypes: true, recursive: true })) {
        if (e.isSymbolicLink()) dirs.push(dirname(await realpath(join(e.parentPath, e.name))));
      }
    }
    const list = [...new Set(dirs.map((d) => `${resolve(d)}/`))].map(quoteString).join(', ');
    await this.db.run(`SET allowed_directories = [${list}]`);
    await this.db.run('SET enable_external_access = false');
    await this.db.run('SET lock_configuration = true');
  }

  /** Checkpoints the DuckDB database and, on S3, uploads it when it changed (close does this too). */
  async flush(): Promise<void> {
    await this.db.run('CHECKPOINT');
    await this.replica?.push();
  }

  /** Closes the database (at once) and, on S3, then uploads it when it changed. Closing twice is a no-op. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
    // Statements still in flight (a request cut off by a shutdown) end first.
    await this.db.whenClosed();
    try {
      await this.replica?.push();
    } finally {
      this.client?.destroy();
    }
  }

  private async registerView(name: string, source: string | readonly string[]): Promise<void> {
    const arg = typeof source === 'string' ? quoteString(source) : `[${source.map(quoteString).join(', ')}]`;
    await this.db.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS SELECT * FROM read_parquet(${arg})`);
  }
}
