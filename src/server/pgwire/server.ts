// startPgServer: a TCP listener speaking the PostgreSQL wire protocol through pg-gateway (start-up,
// SSL refusal, SCRAM/md5/password auth) with agentlake's own query handling (connection.ts).
// Cancel requests find their connection by BackendKeyData; a failing connection never throws out of
// its handlers, so one client can never take the server down.
import { randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { PostgresConnection } from 'pg-gateway';
import { Authenticator, type PgUser } from './auth.ts';
import { PgConnection } from './connection.ts';
import type { QueryExecutor } from './executor.ts';
import { PgCatalog } from './pg-catalog.ts';
import * as msg from './protocol.ts';
import { socketDuplex } from './socket-stream.ts';
import { PG_VERSION } from './pg-settings.ts';

/** Options of startPgServer. */
export interface PgServerOptions {
  readonly executor: QueryExecutor;
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Port (0 picks a free one). */
  readonly port: number;
  /** Logins; without them every connection is trusted (user from the start-up message, tenant 'default'). */
  readonly users?: readonly PgUser[];
  /** Reported in version() (default the package version). */
  readonly agentlakeVersion?: string;
  /** Where connection-level problems are reported (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** A running server. */
export interface PgServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
}

const CANCEL_REQUEST = 80877102;
const GSSENC_REQUEST = 80877104;

/** Starts the Postgres-wire endpoint. */
export async function startPgServer(opts: PgServerOptions): Promise<PgServer> {
  const auth = opts.users ? new Authenticator(opts.users) : undefined;
  const live = new Map<number, { secret: number; conn: PgConnection | undefined }>();
  const sockets = new Set<Socket>();
  const log = opts.log ?? (() => undefined);
  const version = opts.agentlakeVersion ?? '0.1.0';
  const catalog = new PgCatalog();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', (e) => log(`pgwire: connection error: ${e.message}`));
    let pid = randomInt(1, 2 ** 31 - 1);
    while (live.has(pid)) pid = randomInt(1, 2 ** 31 - 1);
    const secret = randomInt(0, 2 ** 31 - 1);
    const entry: { secret: number; conn: PgConnection | undefined } = { secret, conn: undefined };
    live.set(pid, entry);
    socket.on('close', () => {
      sockets.delete(socket);
      live.delete(pid);
      entry.conn?.dispose();
    });
    try {
      const gateway: PostgresConnection = new PostgresConnection(socketDuplex(socket), {
        serverVersion: PG_VERSION,
        auth: { method: 'trust' },
        onStartup(state) {
          if (auth) gateway.options.auth = auth.optionsFor(state.clientParams?.user ?? '');
        },
        async onAuthenticated(state) {
          const user = state.clientParams?.user ?? '';
          const conn = new PgConnection({
            executor: opts.executor,
            catalog,
            user,
            tenant: auth?.tenantOf(user) ?? 'default',
            agentlakeVersion: version,
            startupParams: state.clientParams ?? { user },
            close: () => socket.end(),
          });
          entry.conn = conn;
          // pg-gateway sends AuthenticationOk before this hook and ReadyForQuery after it.
          const writer = gateway.streamWriter;
          if (!writer) return;
          for (const [k, v] of conn.settings.startupStatus()) if (k !== 'server_version') await writer.write(msg.parameterStatus(k, v));
          await writer.write(msg.backendKeyData(pid, secret));
        },
        onMessage(data, state) {
          try {
            if (!state.hasStarted) return initialMessage(data, socket);
            if (!state.isAuthenticated || !entry.conn) return undefined;
            return guarded(entry.conn.handle(data), socket, log);
          } catch (e) {
            log(`pgwire: ${e instanceof Error ? e.message : String(e)}`);
            socket.destroy();
            return new Uint8Array(0);
          }
        },
      });
      void gateway;
    } catch (e) {
      log(`pgwire: cannot start a connection: ${e instanceof Error ? e.message : String(e)}`);
      socket.destroy();
    }
  });

  /** CancelRequest and GSSENCRequest arrive before start-up; pg-gateway knows neither. */
  function initialMessage(data: Uint8Array, socket: Socket): Uint8Array | undefined {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.byteLength < 8) return undefined;
    const code = view.getInt32(4);
    if (code === GSSENC_REQUEST) return new TextEncoder().encode('N');
    if (code === CANCEL_REQUEST && data.byteLength === 16) {
      const target = live.get(view.getInt32(8));
      if (target && target.secret === view.getInt32(12)) target.conn?.cancel();
      socket.end();
      return new Uint8Array(0);
    }
    return undefined;
  }

  await listen(server, opts.port, opts.host ?? '127.0.0.1');
  server.on('error', (e) => log(`pgwire: server error: ${e.message}`));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    host: opts.host ?? '127.0.0.1',
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Listens on `host:port`; rejects when the port cannot be had. */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Forwards a handler's messages; a handler that throws ends its connection only. Always returns a
 * value: pg-gateway would otherwise handle a message that produced no reply (Flush, a message
 * skipped until Sync) itself, and answer "not implemented".
 */
async function* guarded(messages: AsyncGenerator<Uint8Array>, socket: Socket, log: (l: string) => void): AsyncGenerator<Uint8Array, Uint8Array> {
  try {
    yield* messages;
  } catch (e) {
    log(`pgwire: handler failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    yield msg.errorResponse({ severity: 'FATAL', code: 'XX000', message: 'internal error in the protocol handler' });
    socket.end();
  }
  return new Uint8Array(0);
}
