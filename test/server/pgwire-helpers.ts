// Helpers of the pgwire tests: a server over a fresh demo lakehouse, the real psql binary, pg
// clients, and raw sockets for protocol-level tests.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import pg from 'pg';
import { Session } from '../../src/engine/session.ts';
import type { PgUser } from '../../src/server/pgwire/auth.ts';
import { startPgServer, type PgServer } from '../../src/server/pgwire/server.ts';
import { sessionExecutor } from '../helpers/session-executor.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';

/** A running server over a demo lakehouse, and how to stop it. */
export interface TestServer {
  readonly server: PgServer;
  readonly session: Session;
  readonly port: number;
  readonly logs: string[];
  dispose(): Promise<void>;
}

export async function startTestServer(opts: { users?: readonly PgUser[]; gpus?: number } = {}): Promise<TestServer> {
  const dir = await freshLakehouse({ demo: true });
  const session = await Session.open({ lakehouse: dir, ...(opts.gpus !== undefined ? { gpus: opts.gpus } : {}) });
  const logs: string[] = [];
  const server = await startPgServer({ port: 0, executor: sessionExecutor(session), ...(opts.users ? { users: opts.users } : {}), log: (l) => logs.push(l) });
  return {
    server,
    session,
    port: server.port,
    logs,
    dispose: async () => {
      await server.close();
      await session.close();
      removeLakehouse(dir);
    },
  };
}

/** Runs the real psql binary against the server; never throws for a non-zero exit. */
export function psql(port: number, args: readonly string[], opts: { user?: string; password?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', opts.user ?? 'analyst', '-d', 'agentlake', ...args], {
      env: { ...process.env, PGPASSWORD: opts.password ?? '', PGCONNECT_TIMEOUT: '10', PGSSLMODE: 'prefer', PAGER: '', PSQL_PAGER: '', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A connected pg client (close it with end()). */
export async function pgClient(port: number, opts: { user?: string; password?: string } = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: opts.user ?? 'analyst', database: 'agentlake', ...(opts.password !== undefined ? { password: opts.password } : {}) });
  await client.connect();
  return client;
}

/** Sends raw bytes on a fresh socket and collects what comes back until the server closes or `ms` pass. */
export function rawExchange(port: number, chunks: readonly Uint8Array[], ms = 1500): Promise<{ data: Buffer; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(parts), closedByServer });
    };
    const timer = setTimeout(() => finish(false), ms);
    socket.on('data', (d) => parts.push(d));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

/** A StartupMessage for protocol 3.0. */
export function startupMessage(params: Record<string, string>): Buffer {
  const body = Buffer.concat([...Object.entries(params).flatMap(([k, v]) => [Buffer.from(`${k}\0`), Buffer.from(`${v}\0`)]), Buffer.from([0])]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, body]);
}

/** A regular frontend message: type byte, length, body. */
export function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

/** The backend message types (first bytes) in a byte stream, in order. */
export function messageTypes(data: Buffer): string[] {
  const out: string[] = [];
  let i = 0;
  while (i + 5 <= data.length) {
    out.push(String.fromCharCode(data[i]!));
    const len = data.readInt32BE(i + 1);
    if (len < 4) break;
    i += 1 + len;
  }
  return out;
}

/** The SQLSTATE codes of the ErrorResponses in a byte stream. */
export function errorCodes(data: Buffer): string[] {
  const out: string[] = [];
  let i = 0;
  while (i + 5 <= data.length) {
    const len = data.readInt32BE(i + 1);
    if (len < 4) break;
    if (data[i] === 0x45) {
      const m = /C([0-9A-Z]{5})\0/.exec(data.subarray(i + 5, i + 1 + len).toString('latin1'));
      if (m) out.push(m[1] ?? '');
    }
    i += 1 + len;
  }
  return out;
}

/** The server still serves a new client. */
export async function stillServes(port: number): Promise<boolean> {
  const c = await pgClient(port);
  try {
    const r = await c.query('SELECT 41 + 1 AS n');
    return r.rows[0]?.n === 42;
  } finally {
    await c.end();
  }
}

/** Sends a CancelRequest for a client's backend, as pg_cancel_backend / libpq's PQcancel do. */
export function sendCancel(port: number, pid: number, secret: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      const b = Buffer.alloc(16);
      b.writeInt32BE(16, 0);
      b.writeInt32BE(80877102, 4);
      b.writeInt32BE(pid, 8);
      b.writeInt32BE(secret, 12);
      s.end(b);
    });
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

/** The error a promise rejects with. */
export async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
