// The engine's own CPU cost (issue 14): one statement of N model calls on sim:// (`SELECT llm(...) FROM
// range(N)`, short prompts and answers, so the simulated GPUs are never what limits), for several N:
// real wall seconds, calls dispatched per wall-second, peak resident memory (the process's high-water
// mark, VmHWM) and its growth per call. Each N runs in a fresh child process, so every peak is that
// run's own. `npm run bench:engine -- [--calls=1000,5000,20000]` writes bench/results/engine-cost.{md,json}.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from '../src/engine/session.ts';
import { BenchLakehouses } from './lakehouse.ts';
import { codeVersion } from './code-version.ts';

interface Run {
  readonly calls: number;
  readonly wallS: number;
  readonly callsPerS: number;
  readonly peakRssMb: number;
  readonly baseRssMb: number;
  readonly kbPerCall: number;
  readonly simulatedMakespanS: number;
}

/** The process's peak resident set so far (Linux VmHWM), MB; else the current RSS. */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: fall back to the current figure
  }
  return process.memoryUsage().rss / 2 ** 20;
}

/** One run in this process: N calls in one statement. */
async function child(calls: number): Promise<Run> {
  const lakes = await BenchLakehouses.prepare(() => undefined);
  try {
    const dir = await lakes.fresh();
    const session = await Session.open({ lakehouse: dir, gpus: 4, cache: false, warm: true });
    try {
      const baseRssMb = peakRssMb();
      const t0 = performance.now();
      const out = await session.runScript({ name: 'bench:engine', text: `SELECT i, llm('qwen3_8b', 'Name a colour for item ' || i, max_tokens => 8) AS c FROM range(${calls}) t(i)` }, 'run');
      const wallS = (performance.now() - t0) / 1000;
      if (out.kind !== 'rows' || out.rows.length !== calls || !out.stats) throw new Error(`bench: expected ${calls} rows`);
      const peak = peakRssMb();
      return { calls, wallS, callsPerS: calls / wallS, peakRssMb: peak, baseRssMb, kbPerCall: ((peak - baseRssMb) * 1024) / calls, simulatedMakespanS: out.stats.simulated_makespan_seconds };
    } finally {
      await session.close();
    }
  } finally {
    await lakes.dispose();
  }
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const arg = process.argv.find((a) => a.startsWith('--child='));
  if (arg) {
    process.stdout.write(JSON.stringify(await child(Number(arg.slice('--child='.length)))));
    return;
  }
  const sizes = (process.argv.find((a) => a.startsWith('--calls='))?.slice('--calls='.length) ?? '1000,5000,20000').split(',').map(Number).filter((n) => n > 0);
  const runs: Run[] = [];
  const load = loadavg();
  for (const n of sizes) {
    const raw = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), `--child=${n}`], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const r = JSON.parse(raw) as Run;
    runs.push(r);
    process.stderr.write(`engine cost: ${n} calls in ${r.wallS.toFixed(1)} s wall, ${r.callsPerS.toFixed(0)} calls/s, peak RSS ${r.peakRssMb.toFixed(0)} MB (+${r.kbPerCall.toFixed(1)} KB per call)\n`);
  }
  const results = join(dirname(fileURLToPath(import.meta.url)), 'results');
  await mkdir(results, { recursive: true });
  const generatedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const machine = `${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join('/')} at the start`;
  await writeFile(join(results, 'engine-cost.json'), `${JSON.stringify({ generatedAt, code: codeVersion(), machine, node: process.version, runs }, null, 2)}\n`);
  const md = [
    '# The engine\'s own CPU cost (real wall time and memory)',
    '',
    `Generated ${generatedAt} on ${codeVersion()} (${machine}, Node ${process.version}). One statement of N \`llm()\` calls on sim:// (4 simulated H100s, warm, response cache off; short prompts, 8-token answers, so the simulated GPUs never limit): real wall seconds, calls per wall-second, the process's peak resident memory and its growth per call over the session's baseline. Each N in a fresh process. Targets (issue 14): ≥ 5,000 calls/s on one core, ≤ 5 KB per call, 100,000 calls under 1 GB.`,
    '',
    '| calls | wall s | calls/s | peak RSS MB | baseline MB | KB per call | simulated makespan s |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map((r) => `| ${r.calls} | ${round(r.wallS)} | ${round(r.callsPerS, 0)} | ${round(r.peakRssMb, 0)} | ${round(r.baseRssMb, 0)} | ${round(r.kbPerCall)} | ${round(r.simulatedMakespanS)} |`),
    '',
  ].join('\n');
  await writeFile(join(results, 'engine-cost.md'), md);
}

await main();
