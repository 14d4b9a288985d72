// The simulator as an OpenAI-compatible HTTP server (node:http only) on a ScaledClock: the
// /v1 endpoints go through SimCluster.submit, so HTTP and in-process callers share one code path.
// Also GET /v1/models, GET /metrics (Prometheus, vLLM names) and GET /health.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScaledClock } from './clock.ts';
import { SimCluster, type SimClusterOptions } from './cluster.ts';
import { maxModelLen } from './models.ts';
import { ENDPOINT_PATHS, SimHttpError, type SimEndpoint } from './protocol.ts';

/** Options of `startSimServer`. */
/** The cluster's options (its clock is a ScaledClock here) plus the server's own. */
export interface SimServerOptions extends Omit<SimClusterOptions, 'clock' | 'epochS'> {
  /** TCP port (0: an ephemeral port). Default 0. */
  readonly port?: number;
  /** Interface to bind. Default '127.0.0.1'. */
  readonly host?: string;
  /** Real seconds per simulated second (0.01: a simulated second takes 10 ms). Default 1. */
  readonly timeScale?: number;
  /** Largest request body in bytes (default 64 MiB: images travel as data URLs). */
  readonly maxBodyBytes?: number;
}

/** A running simulator server. */
export interface SimServer {
  /** OpenAI base URL, e.g. http://127.0.0.1:PORT/v1. */
  readonly url: string;
  /** http://host:port (where /metrics and /health live). */
  readonly origin: string;
  readonly port: number;
  readonly cluster: SimCluster;
  /** Stops accepting, drops open connections and resolves when closed. */
  close(): Promise<void>;
}

const ROUTES = new Map<string, SimEndpoint>(Object.entries(ENDPOINT_PATHS).map(([e, p]) => [p, e as SimEndpoint]));

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; version=0.0.4; charset=utf-8' : 'application/json', ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, e: SimHttpError): void {
  send(res, e.status, e.toBody());
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new SimHttpError(413, `request body over ${limit} bytes`);
    chunks.push(b);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new SimHttpError(400, 'request body is not valid JSON');
  }
}

async function handle(cluster: SimCluster, req: IncomingMessage, res: ServerResponse, limit: number, timeScale: number): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'GET' && path === '/health') return send(res, 200, '');
  if (req.method === 'GET' && path === '/metrics') return send(res, 200, cluster.prometheus());
  if (req.method === 'GET' && path === '/v1/models') {
    const data = cluster.listModels().map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: 'agentlake-sim', root: m.id, max_model_len: maxModelLen(m) }));
    return send(res, 200, { object: 'list', data });
  }
  const endpoint = ROUTES.get(path);
  if (endpoint === undefined) return sendError(res, new SimHttpError(404, `no route ${req.method ?? ''} ${path}`));
  if (req.method !== 'POST') return sendError(res, new SimHttpError(405, `${path} takes POST`));
  const body = await readJson(req, limit);
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new Error('client closed the connection'));
  });
  const result = await cluster.submit({ endpoint, body }, abort.signal);
  if (abort.signal.aborted) return;
  // Retry-After is in real seconds: a simulated wait scaled like every other simulated second.
  const retryAfter = !result.ok && result.retryAfterS !== undefined ? { 'retry-after': String(result.retryAfterS * timeScale) } : {};
  send(res, result.status, result.body, retryAfter);
}

/**
 * Starts the simulator on `host:port` with a ScaledClock(timeScale). Every figure it reports
 * (usage.cached_tokens, agentlake_sim timings, /metrics) is simulated.
 */
export async function startSimServer(options: SimServerOptions = {}): Promise<SimServer> {
  const cluster = new SimCluster({
    clock: new ScaledClock(options.timeScale ?? 1),
    ...(options.gpus === undefined ? {} : { gpus: options.gpus }),
    ...(options.device === undefined ? {} : { device: options.device }),
    ...(options.models === undefined ? {} : { models: options.models }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    ...(options.switchCosts === undefined ? {} : { switchCosts: options.switchCosts }),
    ...(options.outputLength === undefined ? {} : { outputLength: options.outputLength }),
    ...(options.reasoning === true ? { reasoning: true } : {}),
  });
  const limit = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const server = createServer((req, res) => {
    handle(cluster, req, res, limit, options.timeScale ?? 1).catch((e: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (e instanceof SimHttpError) sendError(res, e);
      else if (!res.destroyed) send(res, 500, new SimHttpError(500, e instanceof Error ? e.message : String(e)).toBody());
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
    port,
    cluster,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e === undefined ? resolve() : reject(e)));
        server.closeAllConnections();
      }),
  };
}
