// A local S3-compatible server for tests: s3rver in a child process (s3rver-child.mjs) on a free
// loopback port, storing into a temporary folder, with the requests it served countable. Also the
// environment agentlake's S3 client reads, pointed at it, and a way to undo that.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A request s3rver served. */
export interface S3Request {
  readonly method: string;
  readonly url: string;
}

/** A running s3rver. */
export interface S3rverHandle {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Every request served so far, in order. */
  requests(): Promise<S3Request[]>;
  /** GetObject requests served so far (listings excluded), optionally only for one bucket/key path. */
  objectGets(path?: string): Promise<number>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 's3rver-child.mjs');

/** Starts s3rver with the given buckets (S3RVER / S3RVER are its credentials). */
export async function startS3rver(buckets: readonly string[]): Promise<S3rverHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'agentlake-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, dir, buckets.join(',')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${String(code)}`)));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const requests = async (): Promise<S3Request[]> => (await (await fetch(`${endpoint}/__requests`)).json()) as S3Request[];
  return {
    endpoint,
    requests,
    async objectGets(path) {
      return (await requests()).filter((r) => {
        const [p = '', query = ''] = r.url.split('?');
        return r.method === 'GET' && !p.endsWith('/') && !query.includes('list-type') && (path === undefined || decodeURIComponent(p) === `/${path}`);
      }).length;
    },
    stop: () => stopChild(child, dir),
  };
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Points agentlake's S3 client at an endpoint with s3rver's credentials, and a cache folder; returns the undo. */
export function useS3Env(endpoint: string, cacheDir: string): () => void {
  const vars: Record<string, string> = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AGENTLAKE_CACHE_DIR: cacheDir,
  };
  const saved = new Map([...Object.keys(vars), 'AWS_ENDPOINT_URL_S3'].map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) process.env[k] = v;
  delete process.env['AWS_ENDPOINT_URL_S3'];
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
