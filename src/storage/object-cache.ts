// The local object cache for S3 reads (DuckDB's httpfs is not available offline, so S3 objects are
// read from local copies). One folder per bucket and key, one file per ETag in it: an unchanged
// object is never downloaded twice, a changed one gets a new file and the older versions are removed.
// Files appear by atomic rename, so a reader sees a whole object or none. Cache files are read-only.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The cache folder: AGENTLAKE_CACHE_DIR, else ~/.cache/agentlake. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['AGENTLAKE_CACHE_DIR'];
  return resolve(dir !== undefined && dir !== '' ? dir : join(homedir(), '.cache', 'agentlake'));
}

/** Content a cache entry can be filled from. */
export type CacheSource = { readonly bytes: Uint8Array | string } | { readonly stream: Readable } | { readonly file: string; readonly move: boolean };

/** Local copies of S3 objects, keyed by bucket, key and ETag, under `<dir>/objects/`. */
export class ObjectCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** The cached file for this version of the object, or undefined when it is not cached. */
  lookup(bucket: string, key: string, etag: string): string | undefined {
    const p = this.entryPath(bucket, key, etag);
    return existsSync(p) ? p : undefined;
  }

  /** Stores a version of an object, removes its older versions, and returns the cached file. */
  async store(bucket: string, key: string, etag: string, source: CacheSource): Promise<string> {
    const final = this.entryPath(bucket, key, etag);
    const folder = join(final, '..');
    await mkdir(folder, { recursive: true });
    const tmp = join(folder, `.${randomBytes(6).toString('hex')}.tmp`);
    try {
      if ('bytes' in source) await writeFile(tmp, source.bytes);
      else if ('stream' in source) await pipeline(source.stream, createWriteStream(tmp));
      else if (source.move) await rename(source.file, tmp).catch(() => copyFile(source.file, tmp));
      else await copyFile(source.file, tmp);
      await rename(tmp, final);
    } finally {
      await rm(tmp, { force: true });
      if ('file' in source && source.move) await rm(source.file, { force: true });
    }
    // Older versions of this key; other processes' temporary files (dot names) are left alone.
    for (const name of readdirSync(folder)) {
      if (!name.startsWith('.') && join(folder, name) !== final) await rm(join(folder, name), { force: true });
    }
    return final;
  }

  /** `<dir>/objects/<bucket>/<sha256 of key>/<etag><extension of key>`: never escapes the cache, whatever the key. */
  private entryPath(bucket: string, key: string, etag: string): string {
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 40);
    const ext = extname(key);
    return join(this.dir, 'objects', safeName(bucket), hash, safeName(etag) + (/^\.[A-Za-z0-9]{1,12}$/.test(ext) ? ext : ''));
  }
}

/** A string as one safe file-name segment. */
function safeName(s: string): string {
  const clean = s.replace(/"/g, '').replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_').slice(0, 120);
  return clean === '' ? '_' : clean;
}
