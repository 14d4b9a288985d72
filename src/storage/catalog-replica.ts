// agentlake's own DuckDB file for an S3 lakehouse. DuckDB cannot open a file on S3, so the file lives
// in a local state folder: pulled from `prefix/agentlake.duckdb` on open when S3 holds a version this
// folder has not seen, pushed on close when its bytes changed. A sync record (ETag and MD5 of the last
// version pulled or pushed) decides both; a WAL left beside a replaced file is dropped with it.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { s3Sdk, type S3ObjectStore } from './s3-object-store.ts';

interface SyncRecord {
  readonly etag: string;
  readonly md5: string;
}

/** The local copy of an S3 lakehouse's DuckDB file. */
export class CatalogReplica {
  private constructor(
    /** The local DuckDB file to open. */
    readonly path: string,
    private readonly store: S3ObjectStore,
    private readonly key: string,
    private synced: SyncRecord | undefined,
  ) {}

  /** Brings `<stateDir>/agentlake.duckdb` up to date with `key` in the store (a missing object means a new lakehouse). */
  static async pull(store: S3ObjectStore, key: string, stateDir: string): Promise<CatalogReplica> {
    await mkdir(stateDir, { recursive: true });
    const path = join(stateDir, 'agentlake.duckdb');
    let synced = readRecord(path);
    const remote = await store.head(key);
    if (remote && (remote.etag !== synced?.etag || !existsSync(path))) {
      await rm(`${path}.wal`, { force: true });
      const got = await store.download(key, path);
      synced = got ? { etag: got.etag ?? '', md5: await md5(path) } : undefined;
      await writeRecord(path, synced);
    } else if (!remote && synced) {
      // S3 no longer has the file this folder last synced with: the lakehouse was removed, start afresh.
      await Promise.all([path, `${path}.wal`, recordPath(path)].map((p) => rm(p, { force: true })));
      synced = undefined;
    }
    return new CatalogReplica(path, store, key, synced);
  }

  /** Uploads the local file when it differs from the last version synced. Call with the database closed or checkpointed. */
  async push(): Promise<void> {
    if (!existsSync(this.path)) return;
    const sum = await md5(this.path);
    if (this.synced?.md5 === sum) return;
    const size = (await stat(this.path)).size;
    const r = await this.store.client.send(new (s3Sdk().PutObjectCommand)({
      Bucket: this.store.bucket, Key: this.store.fullKey(this.key), Body: createReadStream(this.path), ContentLength: size,
    }));
    this.synced = { etag: (r.ETag ?? '').replace(/"/g, ''), md5: sum };
    await writeRecord(this.path, this.synced);
  }
}

function recordPath(path: string): string {
  return `${path}.sync.json`;
}

function readRecord(path: string): SyncRecord | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(recordPath(path), 'utf8'));
    if (v && typeof v === 'object' && 'etag' in v && 'md5' in v && typeof v.etag === 'string' && typeof v.md5 === 'string') return { etag: v.etag, md5: v.md5 };
  } catch {
    // No record (or an unreadable one): treat the folder as never synced.
  }
  return undefined;
}

async function writeRecord(path: string, rec: SyncRecord | undefined): Promise<void> {
  if (rec) await writeFile(recordPath(path), JSON.stringify(rec));
  else await rm(recordPath(path), { force: true });
}

async function md5(path: string): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
