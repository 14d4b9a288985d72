// `npm run bench`: Q1-Q6 × inputs × GPUs × {baseline, agentlake} on simulated GPUs (virtual time,
// response cache off, a fresh lakehouse copy and session per cell), the cross-tenant case (Q1 and
// Q2-text together vs one after the other) and the optimizer timings; writes bench/results/latest.json,
// latest.md and makespan.svg. `--quick`: 40 inputs, 1 and 4 GPUs (files *.quick.*). Progress on stderr.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ENGINES, runCell, type CellResult, type CellSpec, type Engine } from './cell.ts';
import { codeVersion } from './code-version.ts';
import { BenchLakehouses } from './lakehouse.ts';
import { timeOptimizer } from './optimizer-timing.ts';
import { renderMarkdown } from './report-md.ts';
import { renderSvg } from './report-svg.ts';
import { speedups, summarize, type CrossTenant, type CrossTenantEngine } from './summary.ts';
import { TENANTS, WORKLOADS, togetherStatement, workloadStatement } from './workloads.ts';

interface Args {
  readonly quick: boolean;
  /** Workload ids to run (default all). */
  readonly only: readonly string[] | undefined;
  readonly cross: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let only: string[] | undefined;
  let cross = true;
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a === '--no-cross') cross = false;
    else if (a.startsWith('--only=')) only = a.slice('--only='.length).split(',').map((s) => s.trim().toUpperCase()).filter((s) => s.length > 0);
    else if (a === '--help' || a === '-h') {
      process.stderr.write('usage: npm run bench -- [--quick] [--only=Q1,Q2] [--no-cross]\n');
      process.exit(0);
    } else throw new Error(`bench: unknown argument '${a}' (try --help)`);
  }
  return { quick, only, cross };
}

/** Simulated GPUs of the optimizer-timing batch (its input shards, hence its contracted nodes). */
const OPT_GPUS = 8;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const generatedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const code = codeVersion();
  const gpuCounts = args.quick ? [1, 4] : [1, 2, 4];
  const specs: CellSpec[] = [];
  for (const w of WORKLOADS) {
    if (args.only && !args.only.includes(w.id)) continue;
    for (const inputs of args.quick ? [40] : w.inputs) {
      for (const gpus of gpuCounts) {
        for (const engine of ENGINES) specs.push({ workload: w.id, inputs, gpus, engine, statements: [workloadStatement(w, inputs)] });
      }
    }
  }
  const crossInputs = args.quick ? 40 : 160;
  const crossGpus = 4;
  const crossSpecs = (engine: Engine): { together: CellSpec; sequential: CellSpec } => ({
    together: { workload: 'Q1+Q2text together', inputs: crossInputs, gpus: crossGpus, engine, statements: [togetherStatement(crossInputs)] },
    sequential: { workload: 'Q1+Q2text sequential', inputs: crossInputs, gpus: crossGpus, engine, statements: [workloadStatement(TENANTS.q1, crossInputs), workloadStatement(TENANTS.q2Text, crossInputs)] },
  });
  const total = specs.length + (args.cross ? 4 : 0);
  log(`bench: ${total} cells${args.quick ? ' (--quick)' : ''} on ${code}; GPU figures are simulated (sim://, virtual time)`);
  const lakes = await BenchLakehouses.prepare(log);
  let done = 0;
  const run = async (spec: CellSpec): Promise<CellResult> => {
    const r = await runCell(spec, lakes);
    done++;
    log(`[${done}/${total}] ${spec.workload} ${spec.inputs} inputs ${spec.gpus} GPU ${spec.engine.padEnd(9)} makespan ${r.makespanS.toFixed(1)} s (sim, LB ${r.lbTime.seconds.toFixed(1)}), prefill ${r.prefill.ratio.toFixed(3)}×LB, ${r.modelSwitches} switches, wall ${r.cellWallS.toFixed(1)} s${r.checks.tokenMismatches > 0 ? `, ${r.checks.tokenMismatches} token mismatches` : ''}`);
    return r;
  };
  try {
    // Optimizer timings first, in a fresh process heap (after 76 cells, GC of the retained heap
    // slowed every timed run by half). 8 simulated GPUs make 8 input shards: 50+ contracted nodes.
    const optW = WORKLOADS.find((w) => w.id === 'Q2');
    if (!optW) throw new Error('bench: no Q2 workload');
    log(`optimizer timings: scheduleBatch on Q2 × 160 inputs, ${OPT_GPUS} GPUs; planEpochs on syntheticBatch 50 nodes × 4 GPUs`);
    const optimizer = await timeOptimizer(lakes, optW, 160, OPT_GPUS, 7);
    const cells: CellResult[] = [];
    for (const spec of specs) cells.push(await run(spec));
    let cross: CrossTenant | undefined;
    if (args.cross) {
      const pair = async (engine: Engine): Promise<CrossTenantEngine> => {
        const s = crossSpecs(engine);
        const together = await run(s.together);
        const sequential = await run(s.sequential);
        return { together, sequential, speedup: together.makespanS > 0 ? sequential.makespanS / together.makespanS : 1 };
      };
      const agentlake = await pair('agentlake');
      const baseline = await pair('baseline');
      cross = { inputs: crossInputs, gpus: crossGpus, agentlake, baseline };
    }
    const sp = speedups(cells);
    const summary = summarize(cells, sp, cross, optimizer);
    const benchWallS = (performance.now() - started) / 1000;
    const results = join(dirname(fileURLToPath(import.meta.url)), 'results');
    await mkdir(results, { recursive: true });
    const suffix = args.quick ? '.quick' : '';
    const json = {
      generatedAt, code, quick: args.quick, benchWallS, simulated: true,
      note: 'GPU figures (makespans, LB_time, tokens, cache hits, model switches) are simulated: sim:// models on simulated H100s in virtual time, response cache off, a fresh lakehouse copy and session per cell. Wall, optimizer and governance times are real.',
      node: process.version, summary, speedups: sp, crossTenant: cross ?? null, optimizer, cells,
    };
    await writeFile(join(results, `latest${suffix}.json`), `${JSON.stringify(json, null, 2)}\n`);
    await writeFile(join(results, `latest${suffix}.md`), renderMarkdown({ generatedAt, code, quick: args.quick, benchWallS, cells, speedups: sp, cross, optimizer, summary }));
    await writeFile(join(results, `makespan${suffix}.svg`), renderSvg(sp, generatedAt));
    log(`bench: done in ${benchWallS.toFixed(1)} s; wrote bench/results/latest${suffix}.json, latest${suffix}.md, makespan${suffix}.svg`);
    for (const t of summary.targets) log(`  ${t.pass ? 'PASS' : 'FAIL'} ${t.name}: ${t.measured} (target ${t.target})`);
  } finally {
    await lakes.dispose();
  }
}

await main();
