// The agentlake command line: `explain` and `run` over a script file or `-e 'SQL'`.
// Exit codes: 0 success, 1 user error (diagnostics on stderr), 2 internal error.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { diag, InternalError, UserError } from '../diag/diagnostic.ts';
import { renderDiagnostics } from '../diag/render.ts';
import type { Source } from '../diag/span.ts';
import type { Outcome } from '../engine/outcome.ts';
import type { Progress } from '../ir/run-stats.ts';
import { parseClusterArgs } from '../ir/cluster.ts';
import { BASELINES, DEFAULT_BASELINE, baselineNamed } from '../ir/engines.ts';
import { formatOutcome, type OutputFormat } from './format-output.ts';

const USAGE = `usage: agentlake <command> [options]

commands:
  explain FILE.sql | -e SQL   run the script's catalog and plain statements, explain its last statement
  run FILE.sql | -e SQL       run the script and print the last statement's result
  sim-serve                   serve the GPU simulator over HTTP (OpenAI-compatible; simulated, not real GPUs)
  serve                       serve the lakehouse to many users: Postgres wire and the HTTP job API

options:
  --lakehouse DIR|s3://B/P    lakehouse folder or S3 prefix (default ./lakehouse)
  --json                      explain: print the plan as JSON
  --verbose                   explain: show every action of the first input
  --format table|json|csv     run: output format (default table)
  --no-cache                  run: do not answer deterministic calls from the response cache
  --gpus N                    run, serve, sim-serve: simulated GPUs behind sim:// models (default 1)
  --device h100|h200          run, explain, serve: the simulated accelerator (default h100)
  --warm                      run, explain, serve: each GPU starts with the first model of its planned order
                              loaded, as a server deployed for the workload (default: cold, every
                              first load costs its load time)
  --preload M1,M2,...         run, explain, serve: models resident at time 0 on GPU 0, 1, ... for every engine
  --reasoning                 run, explain, serve: thinking mode: every sim:// llm/vlm call thinks (hundreds
                              to thousands of tokens) before it answers, within its max_tokens
  --baseline [NAME]           run, explain: execute as practitioners' engines do, to compare with
                              agentlake's plan (each call sent when its inputs are ready, no dedup, no
                              response cache); NAME is one of
                                ray-serve  (the default) work-proportional vLLM replicas, prefix caching
                                           on, power-of-two-choices routing on queue length
                                router     the same replicas behind the SGLang router's cache-aware policy
                                paper      the LUMILAKE paper's Ray + vLLM: prefix caching off, GPUs
                                           split equally among models
                                langgraph  each input's steps in sequence, 16 inputs in flight
  --port P                    sim-serve: port on 127.0.0.1 (default 8000; 0 picks a free one)
  --time-scale S              sim-serve: real seconds per simulated second (default 0.01)
  --pg-port P                 serve: Postgres-wire port (default 5433; 0 picks a free one)
  --http-port H               serve: HTTP API port (default 8080; 0 picks a free one)
  --users FILE                serve: JSON array of { "name", "tenant", "password" }; without it the
                              server binds 127.0.0.1 only and trusts every connection
  --batch-size N              serve: most job slices run together as one batch, sharing identical
                              model calls (default 8; 1 runs jobs one at a time)
  -e, --execute SQL           take the script from the argument instead of a file
  -h, --help                  show this help
  -V, --version               print agentlake's version
`;

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let source: Source | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: bareBaseline(argv),
      allowPositionals: true,
      options: {
        lakehouse: { type: 'string', default: './lakehouse' },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        format: { type: 'string', default: 'table' },
        execute: { type: 'string', short: 'e' },
        'no-cache': { type: 'boolean', default: false },
        baseline: { type: 'string' },
        gpus: { type: 'string', default: '1' },
        device: { type: 'string', default: 'h100' },
        warm: { type: 'boolean', default: false },
        preload: { type: 'string', default: '' },
        reasoning: { type: 'boolean', default: false },
        port: { type: 'string', default: '8000' },
        'time-scale': { type: 'string', default: '0.01' },
        'pg-port': { type: 'string', default: '5433' },
        'http-port': { type: 'string', default: '8080' },
        users: { type: 'string' },
        'batch-size': { type: 'string', default: '8' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'V', default: false },
      },
    });
    const [command, file, ...extra] = positionals;
    if (values.version) {
      out.write(`agentlake ${version()}\n`);
      return 0;
    }
    if (values.help || !command) {
      (values.help ? out : err).write(USAGE);
      return values.help ? 0 : 1;
    }
    if (command === 'sim-serve') return await simServe(values.port, values['time-scale'], values.gpus, out, err);
    if (command === 'serve') {
      if (file !== undefined) return usageError(err, `unexpected argument '${file}'`);
      // Loaded here, not at start-up: the server (pg-gateway, apache-arrow IPC, HTTP) is only for `serve`.
      const { serve } = await import('../server/serve-command.ts');
      return await serve({ lakehouse: values.lakehouse, pgPort: values['pg-port'], httpPort: values['http-port'], gpus: values.gpus, device: values.device, warm: values.warm, preload: values.preload, reasoning: values.reasoning, batchSize: values['batch-size'], cache: !values['no-cache'], ...(values.users !== undefined ? { users: values.users } : {}) }, out, err);
    }
    if (command !== 'explain' && command !== 'run') return usageError(err, `unknown command '${command}'`);
    if (extra.length > 0) return usageError(err, `unexpected argument '${extra[0] ?? ''}'`);
    if (values.execute !== undefined && file !== undefined) return usageError(err, 'give either a FILE or -e SQL, not both');
    if (values.execute === undefined && file === undefined) return usageError(err, `${command} needs a FILE.sql or -e 'SQL'`);
    const format = values.format as OutputFormat;
    if (!['table', 'json', 'csv'].includes(format)) return usageError(err, `unknown --format '${values.format}' (table, json or csv)`);
    source = values.execute !== undefined ? { name: '<-e>', text: values.execute } : readSource(file ?? '', err);
    if (!source) return 1;
    const cluster = parseClusterArgs(values);
    if ('error' in cluster) return usageError(err, cluster.error);
    const baseline = values.baseline === undefined ? undefined : baselineNamed(values.baseline);
    if (values.baseline !== undefined && baseline === undefined) return usageError(err, `--baseline is ${BASELINES.join(', ')}, got '${values.baseline}'`);
    // The engine (DuckDB, apache-arrow, the planner) loads here: --version, --help and usage errors never load it.
    const { Session } = await import('../engine/session.ts');
    const session = await Session.open({ lakehouse: values.lakehouse, ...cluster, cache: !values['no-cache'], ...(baseline ? { baseline } : {}) });
    let outcome: Outcome;
    const ctrl = new AbortController();
    const onSigint = (): void => ctrl.abort(new UserError([diag('E0002', 'cancelled (Ctrl-C)')]));
    process.once('SIGINT', onSigint);
    try {
      const bar = command === 'run' && 'isTTY' in err && err.isTTY ? progressBar(err) : undefined;
      outcome = await session.runScript(source, command, { verbose: values.verbose, signal: ctrl.signal, ...(bar ? { onProgress: bar.update } : {}) });
      bar?.end();
    } finally {
      process.off('SIGINT', onSigint);
      await session.close();
    }
    out.write(formatOutcome(outcome, command === 'explain' ? (values.json ? 'json' : 'text') : format));
    return 0;
  } catch (e) {
    if (e instanceof UserError) {
      err.write(renderDiagnostics(e.diagnostics, source));
      return 1;
    }
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) return usageError(err, e.message);
    const message = e instanceof InternalError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    err.write(`internal error: ${message}\nthis is a bug in agentlake, not in your SQL; please report it\n`);
    return 2;
  }
}

/** A bare `--baseline` (not followed by a baseline's name) means the default baseline. */
function bareBaseline(argv: readonly string[]): string[] {
  return argv.map((a, i) => (a === '--baseline' && baselineNamed(argv[i + 1] ?? '') === undefined ? `--baseline=${DEFAULT_BASELINE}` : a));
}

/** `agentlake sim-serve`: the simulator over HTTP until Ctrl-C. */
async function simServe(portArg: string, scaleArg: string, gpusArg: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const port = Number(portArg);
  const timeScale = Number(scaleArg);
  const gpus = Number(gpusArg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usageError(err, `--port takes a port number, got '${portArg}'`);
  if (!(timeScale > 0)) return usageError(err, `--time-scale takes a positive number, got '${scaleArg}'`);
  if (!Number.isInteger(gpus) || gpus < 1 || gpus > 64) return usageError(err, `--gpus takes a whole number from 1 to 64, got '${gpusArg}'`);
  const { startSimServer } = await import('../sim/http-server.ts');
  const server = await startSimServer({ port, timeScale, gpus });
  out.write(`agentlake sim-serve: OpenAI-compatible SIMULATED inference at ${server.url} (${gpus} simulated GPU${gpus === 1 ? '' : 's'}, 1 simulated second = ${timeScale} s); Ctrl-C stops it\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await server.close();
  return 0;
}

/** A one-line progress bar on a TTY: calls done/total, cache hits, ETA from the wall-clock rate. */
function progressBar(err: NodeJS.WritableStream): { update: (p: Progress) => void; end: () => void } {
  const start = Date.now();
  let last = 0;
  let shown = false;
  return {
    update: (p) => {
      const now = Date.now();
      if (now - last < 100 && p.done < p.total) return;
      last = now;
      shown = true;
      const width = 30;
      const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : 0;
      const eta = p.done > 0 ? ((now - start) / p.done) * (p.total - p.done) / 1000 : 0;
      err.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${p.done}/${p.total} calls, ${p.cacheHits} cache hits, ETA ${eta.toFixed(0)} s `);
    },
    end: () => {
      if (shown) err.write('\n');
    },
  };
}

/** package.json's version (this file is src/cli/main.ts, or dist/cli/main.js when built: both two folders down). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return String(pkg.version);
}

function usageError(err: NodeJS.WritableStream, message: string): number {
  err.write(`error: ${message}\n\n${USAGE}`);
  return 1;
}

function readSource(file: string, err: NodeJS.WritableStream): Source | undefined {
  try {
    return { name: file, text: readFileSync(file, 'utf8') };
  } catch (e) {
    err.write(`error: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return undefined;
  }
}
