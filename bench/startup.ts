// `npx tsx bench/startup.ts [--runs N] [--warmup W] [--lakehouse DIR] [--tsx]` (npm run bench:startup):
// the wall time of a CLI call, spawned as a user runs it: `node bin/agentlake.js run -e "SELECT 1"
// --lakehouse DIR` on an existing lakehouse (made by the first call when missing, default a folder in
// the temp dir without tables: the built-in catalog is loaded, the demo tables are not there), against
// two floors: `node -e 0` (Node itself) and `agentlake --version` (the bundle, no lakehouse). Each
// command runs W times unmeasured, then N times measured, the commands interleaved round by round so
// that a change in the machine's load hits all of them alike. --tsx adds the same sources run
// through tsx without the build (what bin/agentlake.js did before dist/). Needs a built dist/
// (`npm run build`). Writes bench/results/startup.json and startup.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { codeVersion } from './code-version.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'agentlake.js');

interface Command {
  readonly name: string;
  readonly argv: readonly string[];
  /** What a correct run prints on stdout. */
  readonly stdout: RegExp;
}

interface Figures {
  readonly name: string;
  readonly command: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly p90Ms: number;
  readonly maxMs: number;
  readonly samplesMs: readonly number[];
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** Runs a command once; returns its wall time in ms. Throws when it fails or prints something else. */
function timeOnce(c: Command): number {
  const t0 = performance.now();
  const r = spawnSync(c.argv[0]!, c.argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const ms = performance.now() - t0;
  if (r.status !== 0 || !c.stdout.test(r.stdout)) throw new Error(`${c.name} failed (exit ${String(r.status)}): ${r.stdout}${r.stderr}`);
  return ms;
}

/** The q-quantile by nearest rank of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[m] ?? NaN) : ((sorted[m - 1] ?? NaN) + (sorted[m] ?? NaN)) / 2;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

function shown(argv: readonly string[]): string {
  return argv.map((a, i) => (i === 0 ? 'node' : a.startsWith(ROOT) ? a.slice(ROOT.length + 1) : /[\s"]/.test(a) ? `'${a}'` : a)).join(' ');
}

function main(): void {
  const runs = Number(option('--runs', '15'));
  const warmup = Number(option('--warmup', '2'));
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(warmup) || warmup < 0) throw new Error('--runs takes a whole number >= 1, --warmup >= 0');
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  const lakehouse = option('--lakehouse', join(tmpdir(), 'agentlake-bench-startup'));
  const node = process.execPath;
  const commands: Command[] = [
    { name: 'node -e 0', argv: [node, '-e', '0'], stdout: /^$/ },
    { name: 'agentlake --version', argv: [node, BIN, '--version'], stdout: /^agentlake \S+\n$/ },
    { name: 'agentlake run -e "SELECT 1"', argv: [node, BIN, 'run', '-e', 'SELECT 1', '--lakehouse', lakehouse], stdout: /^1\n-\n1\n\(1 row\)\n$/ },
  ];
  let scratch: string | undefined;
  if (process.argv.includes('--tsx')) {
    // What bin/agentlake.js did before the build: register tsx, import the TypeScript main.
    scratch = mkdtempSync(join(tmpdir(), 'agentlake-bench-tsx-'));
    const runner = join(scratch, 'tsx-main.mjs');
    writeFileSync(runner, `import { register } from ${JSON.stringify(join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs'))};\nregister();\nconst { main } = await import(${JSON.stringify(join(ROOT, 'src', 'cli', 'main.ts'))});\nprocess.exitCode = await main(process.argv.slice(2));\n`);
    commands.push({ name: 'tsx src/cli/main.ts run -e "SELECT 1" (no build)', argv: [node, runner, 'run', '-e', 'SELECT 1', '--lakehouse', lakehouse], stdout: /^1\n-\n1\n\(1 row\)\n$/ });
  }
  const created = !existsSync(join(lakehouse, 'agentlake.duckdb'));
  if (created) {
    mkdirSync(lakehouse, { recursive: true });
    timeOnce(commands[2]!);
  }
  const loadBefore = loadavg();
  const samples = commands.map(() => [] as number[]);
  const started = performance.now();
  for (let round = 0; round < warmup + runs; round++) {
    commands.forEach((c, i) => {
      const ms = timeOnce(c);
      if (round >= warmup) samples[i]!.push(ms);
    });
    process.stderr.write(`round ${round + 1}/${warmup + runs}${round < warmup ? ' (warm-up)' : ''}: ${commands.map((c, i) => `${c.name} ${round >= warmup ? (samples[i]!.at(-1) ?? 0).toFixed(0) : '-'} ms`).join(', ')}\n`);
  }
  const loadAfter = loadavg();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  const figures: Figures[] = commands.map((c, i) => {
    const s = [...samples[i]!].sort((a, b) => a - b);
    return { name: c.name, command: shown(c.argv), runs, medianMs: round1(median(s)), minMs: round1(s[0] ?? NaN), p90Ms: round1(quantile(s, 0.9)), maxMs: round1(s.at(-1) ?? NaN), samplesMs: samples[i]!.map(round1) };
  });
  const cpu = cpus();
  const machine = {
    cores: cpu.length,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: round1(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadAverageBefore: loadBefore.map(round1),
    loadAverageAfter: loadAfter.map(round1),
  };
  const json = {
    generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    code: codeVersion(),
    lakehouse: { path: lakehouse, createdByThisRun: created, tables: 'none (the built-in catalog only)' },
    warmup,
    runs,
    benchWallS: round1((performance.now() - started) / 1000),
    machine,
    figures,
  };
  const results = join(ROOT, 'bench', 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'startup.json'), `${JSON.stringify(json, null, 2)}\n`);
  const md = [
    '# CLI start-up',
    '',
    `Generated ${json.generatedAt} by \`npm run bench:startup\` (bench/startup.ts) on code ${json.code}.`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; ` +
      `load average (1, 5, 15 min) ${machine.loadAverageBefore.join(', ')} before, ${machine.loadAverageAfter.join(', ')} after ` +
      '(other processes share these cores: figures move with the load).',
    '',
    `Wall time of each command spawned from Node (spawn included), ${runs} runs after ${warmup} warm-ups, commands interleaved ` +
      `round by round. The lakehouse is a local folder without tables (the built-in catalog only)${created ? ', created by this run' : ''}.`,
    '',
    '| command | median ms | min ms | p90 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    ...figures.map((f) => `| ${f.name.replace(/\|/g, '\\|')} | ${f.medianMs} | ${f.minMs} | ${f.p90Ms} | ${f.maxMs} |`),
    '',
    'Command lines:',
    '',
    ...figures.map((f) => `- ${f.name}: \`${f.command}\``),
    '',
    '`node -e 0` is the floor no CLI written for Node can go under; `--version` loads the bundle\'s entry only',
    '(no DuckDB, no lakehouse); `run -e "SELECT 1"` loads the engine and DuckDB, opens the lakehouse and its catalog, runs',
    'the statement and closes (apache-arrow, gpt-tokenizer, openai, the AWS SDK and the servers are loaded only by the',
    'statements and commands that use them).',
    '',
  ].join('\n');
  writeFileSync(join(results, 'startup.md'), md);
  process.stdout.write(md);
}

main();
