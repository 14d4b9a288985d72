// The ObjectStore interface over a local folder or an S3 prefix, and the key-pattern rules both
// implement the same way. Keys are '/'-separated and relative to the store's root; listings are
// sorted by key (JavaScript string order), so local and S3 stores list identically.
import { globToRegExp } from './glob.ts';

/** An object in a store: key relative to the store's root, size in bytes, ETag when the store has one. */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
  /** When it was last written, where the store says (listings of both kinds of store do). */
  readonly lastModified?: Date;
}

/** Bytes to store: a Buffer or typed array, or a string (written as UTF-8). */
export type ObjectBody = Uint8Array | string;

/** Objects under one root: a local folder (LocalObjectStore) or `s3://bucket/prefix` (S3ObjectStore). */
export interface ObjectStore {
  /** Where the root is: an absolute folder, or `s3://bucket/prefix`. */
  readonly location: string;
  /** The folder that holds the objects as plain files when they are local (read in place), else undefined. */
  readonly localRoot: string | undefined;
  /** Objects matching a pattern (see keyMatcher), sorted by key. */
  list(pattern: string): Promise<StoredObject[]>;
  /** The object's size and ETag, or undefined when there is no such object. */
  head(key: string): Promise<StoredObject | undefined>;
  /** The object's bytes. Rejects with ObjectNotFoundError when there is no such object. */
  get(key: string): Promise<Buffer>;
  /** Writes (replaces) an object. */
  put(key: string, body: ObjectBody): Promise<StoredObject>;
  /** Writes (replaces) an object from a local file; with `move` the file is taken over (renamed away or deleted). */
  putFile(key: string, path: string, opts?: { readonly move?: boolean }): Promise<StoredObject>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A local file holding the object's current bytes, to read (never to write): the file itself for
   * a local store, a file in the object cache for S3. `etag`, when the caller just listed the
   * object, saves a round trip. Rejects with ObjectNotFoundError when there is no such object.
   */
  localPath(key: string, etag?: string): Promise<string>;
}

/** There is no object with this key (a storage fact; callers turn it into a diagnostic). */
export class ObjectNotFoundError extends Error {
  constructor(
    readonly location: string,
    readonly key: string,
  ) {
    super(`no object '${key}' in ${location}`);
    this.name = 'ObjectNotFoundError';
  }
}

/** How a list pattern selects keys: the literal prefix every match starts with, and the test. */
export interface KeyMatcher {
  readonly prefix: string;
  readonly test: (key: string) => boolean;
}

/**
 * A list pattern: a glob (`*` within a segment, `**` across segments, `?`, `[abc]`; see glob.ts)
 * matches whole keys; without wildcards it names one key or, as a folder, every key under it;
 * '' names every key.
 */
export function keyMatcher(pattern: string): KeyMatcher {
  const first = pattern.search(/[*?[]/);
  if (first >= 0) {
    const re = globToRegExp(pattern);
    return { prefix: pattern.slice(0, first), test: (k) => re.test(k) };
  }
  const folder = pattern === '' || pattern.endsWith('/') ? pattern : `${pattern}/`;
  return { prefix: pattern, test: (k) => k === pattern || k.startsWith(folder) };
}

/** Sorts objects by key in place and returns them. */
export function sortByKey<T extends { readonly key: string }>(objects: T[]): T[] {
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** A parsed `s3://bucket/key` URI; the key has no leading slashes. */
export interface S3Uri {
  readonly bucket: string;
  readonly key: string;
}

/** Parses `s3://bucket[/key]`, or returns undefined for anything else. */
export function parseS3Uri(uri: string): S3Uri | undefined {
  const m = /^s3:\/\/([^/]+)\/*(.*)$/.exec(uri);
  if (!m || !m[1]) return undefined;
  return { bucket: m[1], key: m[2] ?? '' };
}
