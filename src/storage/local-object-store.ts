// An ObjectStore over a local folder: key `a/b.png` is the file <root>/a/b.png. Keys never escape
// the root (RangeError). Writes go to a temporary file first and are renamed into place, so a
// reader never sees half an object. Symbolic links to folders are followed at the root only.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { keyMatcher, ObjectNotFoundError, sortByKey, type ObjectBody, type ObjectStore, type StoredObject } from './object-store.ts';

/** Objects as plain files under one folder (created when needed). */
export class LocalObjectStore implements ObjectStore {
  readonly location: string;
  readonly localRoot: string;

  constructor(root: string) {
    this.location = resolve(root);
    this.localRoot = this.location;
  }

  /** Absolute path of a key; throws RangeError when the key would escape the root. */
  pathOf(key: string): string {
    const p = resolve(this.location, key.replace(/^\/+/, ''));
    if (p !== this.location && !p.startsWith(this.location + sep)) throw new RangeError(`object key escapes ${this.location}: ${key}`);
    return p;
  }

  async list(pattern: string): Promise<StoredObject[]> {
    const pat = pattern.replace(/^\/+/, '');
    const m = keyMatcher(pat);
    // Walk only the deepest folder every match lies in.
    const whole = m.prefix === '' || m.prefix.endsWith('/') || !/[*?[]/.test(pat);
    const start = this.pathOf(whole ? m.prefix : m.prefix.slice(0, Math.max(0, m.prefix.lastIndexOf('/'))));
    if (!existsSync(start)) return [];
    const st = statSync(start);
    const files = st.isFile() ? [start] : st.isDirectory() ? walk(start) : [];
    const out: StoredObject[] = [];
    for (const f of files) {
      const key = relative(this.location, f).split(sep).join('/');
      if (!key.startsWith(m.prefix) || !m.test(key)) continue;
      const st = statSync(f);
      out.push({ key, size: st.size, lastModified: st.mtime });
    }
    return sortByKey(out);
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const st = await stat(this.pathOf(key));
      return st.isFile() ? { key: normalize(key), size: st.size } : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(await this.localPath(key));
    } catch (e) {
      if (isNotFound(e)) throw new ObjectNotFoundError(this.location, key);
      throw e;
    }
  }

  async put(key: string, body: ObjectBody): Promise<StoredObject> {
    const p = this.pathOf(key);
    const tmp = await tempNear(p);
    await writeFile(tmp, body);
    await rename(tmp, p);
    return { key: normalize(key), size: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength };
  }

  async putFile(key: string, path: string, opts: { readonly move?: boolean } = {}): Promise<StoredObject> {
    const p = this.pathOf(key);
    const tmp = await tempNear(p);
    if (opts.move) {
      try {
        await rename(path, tmp);
      } catch {
        // Another filesystem: copy, then drop the source as a move would.
        await copyFile(path, tmp);
        await rm(path, { force: true });
      }
    } else await copyFile(path, tmp);
    await rename(tmp, p);
    return { key: normalize(key), size: (await stat(p)).size };
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async localPath(key: string): Promise<string> {
    const p = this.pathOf(key);
    if (!existsSync(p) || !statSync(p).isFile()) throw new ObjectNotFoundError(this.location, key);
    return p;
  }
}

function normalize(key: string): string {
  return key.replace(/^\/+/, '');
}

/** A fresh temporary name in the target's folder (created), so the final rename is atomic. */
async function tempNear(target: string): Promise<string> {
  await mkdir(dirname(target), { recursive: true });
  return join(dirname(target), `.${randomBytes(6).toString('hex')}.tmp`);
}

function isNotFound(e: unknown): boolean {
  return e instanceof ObjectNotFoundError || (e instanceof Error && 'code' in e && (e.code === 'ENOENT' || e.code === 'ENOTDIR'));
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    // Links count as what they point to (a lakehouse may link shared tables or objects in).
    const kind = e.isSymbolicLink() ? statSync(p, { throwIfNoEntry: false }) : e;
    if (kind?.isDirectory()) out.push(...walk(p));
    else if (kind?.isFile()) out.push(p);
  }
  return out;
}
