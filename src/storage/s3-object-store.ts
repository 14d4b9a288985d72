// An ObjectStore over `s3://bucket/prefix` with @aws-sdk/client-s3. Reads go through the ObjectCache
// (HEAD for the ETag, GET only when that version is not cached); writes go through to it. The client
// comes from the environment: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (path-style, for S3-compatible
// servers), AWS_REGION (default us-east-1), AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRequire } from 'node:module';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { ObjectCache } from './object-cache.ts';
import { keyMatcher, ObjectNotFoundError, sortByKey, type ObjectBody, type ObjectStore, type StoredObject } from './object-store.ts';

type AwsS3Sdk = typeof import('@aws-sdk/client-s3');
let sdk: AwsS3Sdk | undefined;

/**
 * The AWS SDK's S3 client package, loaded on first use (its CommonJS build, so callers stay
 * synchronous): loading it takes a large part of a CLI call's start-up, and a local lakehouse that
 * names no s3:// object never needs it.
 */
export function s3Sdk(): AwsS3Sdk {
  return (sdk ??= createRequire(import.meta.url)('@aws-sdk/client-s3') as AwsS3Sdk);
}

/** The S3 endpoint from the environment (AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL), or undefined for AWS itself. */
export function s3EndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const e = env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'];
  return e ? e : undefined;
}

/** An S3 client configured from the environment (see the file header). */
export function s3ClientFromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
  // agentlake pins Node 20 and the SDK major; the SDK's notice about its future Node floor is noise here.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const endpoint = s3EndpointFromEnv(env);
  const id = env['AWS_ACCESS_KEY_ID'];
  const secret = env['AWS_SECRET_ACCESS_KEY'];
  const token = env['AWS_SESSION_TOKEN'];
  const config: S3ClientConfig = {
    region: env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || 'us-east-1',
    ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) } } : {}),
    // S3-compatible servers want path-style URLs and often reject streamed (aws-chunked) checksums.
    ...(endpoint ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  };
  return new (s3Sdk().S3Client)(config);
}

/** Options of an S3ObjectStore. */
export interface S3StoreOptions {
  /** Where reads are cached. */
  readonly cache: ObjectCache;
  /** Keys per ListObjectsV2 page (default: the server's, 1000 on S3). */
  readonly pageSize?: number;
}

/** Objects under `s3://bucket/prefix`; keys are relative to the prefix. */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  readonly localRoot = undefined;
  readonly prefix: string;

  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    prefix: string,
    private readonly opts: S3StoreOptions,
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    this.location = `s3://${bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  /** The full S3 key of a store key. */
  fullKey(key: string): string {
    const k = key.replace(/^\/+/, '');
    return this.prefix ? `${this.prefix}/${k}` : k;
  }

  async list(pattern: string): Promise<StoredObject[]> {
    const m = keyMatcher(pattern.replace(/^\/+/, ''));
    const out: StoredObject[] = [];
    const cut = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new (s3Sdk().ListObjectsV2Command)({
        Bucket: this.bucket, Prefix: this.fullKey(m.prefix),
        ...(token ? { ContinuationToken: token } : {}), ...(this.opts.pageSize ? { MaxKeys: this.opts.pageSize } : {}),
      }));
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined || o.Key.endsWith('/')) continue; // folder markers are not objects
        const key = o.Key.slice(cut);
        if (m.test(key)) out.push({ key, size: o.Size ?? 0, etag: versionTag(o.ETag, o.Size, o.LastModified), ...(o.LastModified ? { lastModified: o.LastModified } : {}) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return sortByKey(out);
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const r = await this.client.send(new (s3Sdk().HeadObjectCommand)({ Bucket: this.bucket, Key: this.fullKey(key) }));
      return { key: normalize(key), size: r.ContentLength ?? 0, etag: versionTag(r.ETag, r.ContentLength, r.LastModified) };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async get(key: string): Promise<Buffer> {
    return readFile(await this.localPath(key));
  }

  async put(key: string, body: ObjectBody): Promise<StoredObject> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const r = await this.client.send(new (s3Sdk().PutObjectCommand)({ Bucket: this.bucket, Key: this.fullKey(key), Body: bytes, ContentLength: bytes.byteLength }));
    const etag = versionTag(r.ETag, bytes.byteLength, undefined);
    if (r.ETag) await this.opts.cache.store(this.bucket, this.fullKey(key), etag, { bytes });
    return { key: normalize(key), size: bytes.byteLength, etag };
  }

  async putFile(key: string, path: string, opts: { readonly move?: boolean } = {}): Promise<StoredObject> {
    const size = (await stat(path)).size;
    const r = await this.client.send(new (s3Sdk().PutObjectCommand)({ Bucket: this.bucket, Key: this.fullKey(key), Body: createReadStream(path), ContentLength: size }));
    const etag = versionTag(r.ETag, size, undefined);
    if (r.ETag) await this.opts.cache.store(this.bucket, this.fullKey(key), etag, { file: path, move: opts.move === true });
    else if (opts.move) await rm(path, { force: true });
    return { key: normalize(key), size, etag };
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new (s3Sdk().DeleteObjectCommand)({ Bucket: this.bucket, Key: this.fullKey(key) }));
  }

  async localPath(key: string, etag?: string): Promise<string> {
    const full = this.fullKey(key);
    const known = etag ?? (await this.head(key))?.etag;
    if (known === undefined) throw new ObjectNotFoundError(this.location, key);
    const hit = this.opts.cache.lookup(this.bucket, full, known);
    if (hit) return hit;
    try {
      const r = await this.client.send(new (s3Sdk().GetObjectCommand)({ Bucket: this.bucket, Key: full }));
      const tag = versionTag(r.ETag, r.ContentLength, r.LastModified);
      return await this.opts.cache.store(this.bucket, full, tag, await bodySource(r.Body));
    } catch (e) {
      if (isNotFound(e)) throw new ObjectNotFoundError(this.location, key);
      throw e;
    }
  }

  /** Downloads an object straight to a local file, bypassing the cache; undefined when there is no such object. */
  async download(key: string, dest: string): Promise<StoredObject | undefined> {
    try {
      const r = await this.client.send(new (s3Sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.fullKey(key) }));
      await mkdir(dirname(dest), { recursive: true });
      const tmp = `${dest}.download`;
      const src = await bodySource(r.Body);
      if ('bytes' in src) await writeFile(tmp, src.bytes);
      else await pipeline(src.stream, createWriteStream(tmp));
      await rename(tmp, dest);
      return { key: normalize(key), size: r.ContentLength ?? 0, etag: versionTag(r.ETag, r.ContentLength, r.LastModified) };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}

/** The ETag without quotes; servers without ETags get one made of size and modification time. */
function versionTag(etag: string | undefined, size: number | undefined, modified: Date | undefined): string {
  if (etag) return etag.replace(/"/g, '');
  return `nt-${size ?? 0}-${modified?.getTime() ?? 0}`;
}

function normalize(key: string): string {
  return key.replace(/^\/+/, '');
}

function isNotFound(e: unknown): boolean {
  return e instanceof s3Sdk().S3ServiceException && (e.$metadata.httpStatusCode === 404 || e.name === 'NoSuchKey' || e.name === 'NotFound');
}

async function bodySource(body: unknown): Promise<{ stream: Readable } | { bytes: Uint8Array }> {
  if (body instanceof Readable) return { stream: body };
  if (body && typeof body === 'object' && 'transformToByteArray' in body && typeof body.transformToByteArray === 'function') {
    return { bytes: (await (body.transformToByteArray as () => Promise<Uint8Array>)()) };
  }
  return { bytes: new Uint8Array() };
}
