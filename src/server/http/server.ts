// startHttpServer: the HTTP API on node:http. Every request is authenticated (when users are
// configured), routed, and answered with JSON or a result encoding; every failure becomes a JSON
// error with its status, and nothing a client sends can throw out of the request handler.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HttpAuth } from './auth.ts';
import { HttpError } from './errors.ts';
import { jsonText } from './encode.ts';
import { route, type ApiDeps, type Reply } from './routes.ts';

export interface HttpServerOptions {
  readonly api: Omit<ApiDeps, 'maxBody' | 'now'> & Partial<Pick<ApiDeps, 'maxBody' | 'now'>>;
  readonly auth: HttpAuth;
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Where internal errors are reported (default: nowhere). */
  readonly log?: (line: string) => void;
}

export interface HttpServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
}

/** Default body limit: 1 MiB of SQL is plenty. */
export const DEFAULT_MAX_BODY = 1024 * 1024;

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const deps: ApiDeps = { maxBody: DEFAULT_MAX_BODY, now: Date.now, ...opts.api };
  const log = opts.log ?? (() => undefined);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => log(`http: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    let reply: Reply;
    try {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        throw HttpError.of(400, 'malformed request target');
      }
      if (url.pathname === '/v1/health' && req.method === 'GET') reply = { status: 200, headers: { 'Content-Type': 'application/json' }, body: jsonText({ ok: true, auth: opts.auth.required ? 'bearer' : 'trust' }) };
      else reply = await route(req, url, opts.auth.identify(req.headers.authorization), deps);
    } catch (e) {
      reply = errorReply(e, log);
    }
    send(res, reply);
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log(`http: server error: ${e.message}`));
  const address = server.address();
  return {
    host,
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function errorReply(e: unknown, log: (l: string) => void): Reply {
  if (e instanceof HttpError) {
    // A 413 leaves the rest of the body unread: close the connection after answering.
    const close = e.status === 413 ? { Connection: 'close' } : {};
    return { status: e.status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...close, ...e.headers }, body: jsonText(e.body) };
  }
  if (e instanceof RangeError) return { status: 400, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: jsonText({ error: { code: 'H0400', message: e.message } }) };
  log(`http: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return { status: 500, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: jsonText({ error: { code: 'H0500', message: `internal error: ${e instanceof Error ? e.message : String(e)}` } }) };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(body.byteLength) });
  res.end(body);
}
