// `agentlake serve` (called by cli/main.ts): checks its options, starts the server, prints where it listens (one line per
// endpoint, `listening` lines that scripts can parse), and closes it cleanly on Ctrl-C or SIGTERM.
import { readFileSync } from 'node:fs';
import { parseUsers, type PgUser } from './pgwire/auth.ts';
import { startServer } from './serve.ts';
import { parseClusterArgs } from '../ir/cluster.ts';

export interface ServeArgs {
  readonly lakehouse: string;
  readonly pgPort: string;
  readonly httpPort: string;
  readonly gpus: string;
  readonly device: string;
  readonly warm: boolean;
  readonly preload: string;
  readonly reasoning: boolean;
  readonly batchSize: string;
  readonly cache: boolean;
  readonly users?: string;
}

function usageError(err: NodeJS.WritableStream, message: string): number {
  err.write(`error: ${message} (agentlake --help lists the options)\n`);
  return 1;
}

/** Runs the server until a signal; returns the exit code. */
export async function serve(args: ServeArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const port = (name: string, v: string): number | undefined => {
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : (usageError(err, `${name} takes a port number, got '${v}'`), undefined);
  };
  const pgPort = port('--pg-port', args.pgPort);
  const httpPort = port('--http-port', args.httpPort);
  if (pgPort === undefined || httpPort === undefined) return 1;
  const cluster = parseClusterArgs(args);
  if ('error' in cluster) return usageError(err, cluster.error);
  const batchSize = Number(args.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1024) return usageError(err, `--batch-size takes a whole number from 1 to 1024, got '${args.batchSize}'`);
  let users: PgUser[] | undefined;
  if (args.users !== undefined) {
    try {
      users = parseUsers(JSON.parse(readFileSync(args.users, 'utf8')) as unknown);
    } catch (e) {
      err.write(`error: cannot read users from '${args.users}': ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
  }
  const server = await startServer({ lakehouse: args.lakehouse, pgPort, httpPort, ...cluster, batchSize, cache: args.cache, ...(users ? { users } : {}), log: (l) => err.write(`${l}\n`) });
  const shown = server.host === '0.0.0.0' ? 'localhost' : server.host;
  out.write(`agentlake serve: listening postgres ${server.host}:${server.pgPort} (psql -h ${shown} -p ${server.pgPort} -U <user> agentlake)\n`);
  out.write(`agentlake serve: listening http ${server.host}:${server.httpPort} (http://${shown}:${server.httpPort}/v1/jobs)\n`);
  if (server.trusting) out.write(`agentlake serve: no --users file: every connection is TRUSTED (tenant 'default'); bound to ${server.host} only\n`);
  else out.write(`agentlake serve: ${users?.length ?? 0} user(s); Postgres passwords and HTTP bearer tokens (base64 of name:password) are required\n`);
  if (server.pending > 0) out.write(`agentlake serve: ${server.pending} queued slice(s) from before, ${server.resumed.length} job(s) resumed\n`);
  out.write('agentlake serve: Ctrl-C stops it\n');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out.write('agentlake serve: stopping (running jobs resume on the next start)\n');
  await server.close();
  return 0;
}
