// Helpers of the serve and HTTP API tests: a server (startServer) over a fresh demo lakehouse, a
// small HTTP client that never throws on a status, and polling a job until it ends.
import { request } from 'node:http';
import { expect } from 'vitest';
import type { PgUser } from '../../src/server/pgwire/auth.ts';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/serve.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';

export { bearerToken } from '../../src/server/http/auth.ts';

/** A server over a demo lakehouse; `restart` closes it and opens a new one on the same lakehouse. */
export interface ServeFixture {
  server: RunningServer;
  readonly dir: string;
  readonly logs: string[];
  restart(opts?: Partial<ServeOptions>): Promise<RunningServer>;
  dispose(): Promise<void>;
}

export async function startServe(opts: { users?: readonly PgUser[]; gpus?: number; paused?: boolean; maxBody?: number } = {}): Promise<ServeFixture> {
  const dir = await freshLakehouse({ demo: true });
  const logs: string[] = [];
  const optsFor = (more: Partial<ServeOptions> = {}): ServeOptions => ({
    lakehouse: dir,
    pgPort: 0,
    httpPort: 0,
    log: (l) => logs.push(l),
    ...(opts.users ? { users: opts.users } : {}),
    ...(opts.gpus !== undefined ? { gpus: opts.gpus } : {}),
    ...(opts.paused !== undefined ? { paused: opts.paused } : {}),
    ...(opts.maxBody !== undefined ? { maxBody: opts.maxBody } : {}),
    ...more,
  });
  const fixture: ServeFixture = {
    server: await startServer(optsFor()),
    dir,
    logs,
    async restart(more) {
      await fixture.server.close();
      fixture.server = await startServer(optsFor(more));
      return fixture.server;
    },
    async dispose() {
      await fixture.server.close();
      removeLakehouse(dir);
    },
  };
  return fixture;
}

/** A job as GET /v1/jobs/:id shows it. */
export interface JobJson {
  readonly id: string;
  readonly state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  readonly priority: string;
  readonly user: string;
  readonly sql: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly progress: { readonly callsDone: number; readonly callsTotal: number | null; readonly cacheHits: number; readonly etaSeconds: number | null; readonly slicesDone: number; readonly slicesTotal: number };
  readonly error: string | null;
}

/** An error body. */
export interface ErrorJson {
  readonly error: { readonly code: string; readonly message: string; readonly position?: number; readonly line?: number; readonly column?: number };
}

/** A result or provenance body in JSON. */
export interface TableJson {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly unknown[])[];
  readonly stats?: Readonly<Record<string, number | boolean>>;
  readonly runIds?: readonly string[];
}

/** What an HTTP call answered. */
export interface Answer<T = unknown> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly bytes: Buffer;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON), as the caller says it is. */
  readonly json: T;
}

/** One HTTP request to the server on `port`. */
export function http<T = unknown>(port: number, method: string, path: string, opts: { body?: string | Buffer; type?: string; token?: string; authorization?: string; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.type !== undefined) headers['Content-Type'] = opts.type;
    if (opts.token !== undefined) headers['Authorization'] = `Bearer ${opts.token}`;
    if (opts.authorization !== undefined) headers['Authorization'] = opts.authorization;
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const bytes = Buffer.concat(parts);
        const text = bytes.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text, json: json as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Polls GET /v1/jobs/:id until `until` holds for the job (default: a final state); returns the job. */
export async function pollJob(port: number, id: string, opts: { token?: string; until?: (job: JobJson) => boolean; timeoutMs?: number } = {}): Promise<JobJson> {
  const until = opts.until ?? ((j: JobJson) => ['done', 'failed', 'cancelled'].includes(j.state));
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  for (;;) {
    const a = await http<JobJson>(port, 'GET', `/v1/jobs/${id}`, opts.token !== undefined ? { token: opts.token } : {});
    expect(a.status).toBe(200);
    if (until(a.json)) return a.json;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${String(a.json?.state)} after ${opts.timeoutMs ?? 90_000} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Submits SQL (as text, or JSON when a priority is given) and waits for the job to end. */
export async function runJob(port: number, sql: string, opts: { token?: string; priority?: string } = {}): Promise<JobJson> {
  const auth = opts.token !== undefined ? { token: opts.token } : {};
  const a = opts.priority !== undefined
    ? await http<JobJson>(port, 'POST', '/v1/jobs', { body: JSON.stringify({ sql, priority: opts.priority }), type: 'application/json', ...auth })
    : await http<JobJson>(port, 'POST', '/v1/jobs', { body: sql, type: 'text/plain', ...auth });
  expect(a.status).toBe(202);
  return pollJob(port, a.json.id, auth);
}

/** An LLM query over the demo table: one short answer per symbol. */
export const LLM_SQL = "SELECT symbol, llm('qwen3_8b', 'Say hi to ' || symbol, max_tokens => 8) AS hi FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 3) ORDER BY symbol";

/** A workflow over `n` symbols: hundreds of model calls, seconds of work. */
export const bigWorkflow = (n: number): string => `SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT ${n}) s, q2_trading(s.symbol) t`;
