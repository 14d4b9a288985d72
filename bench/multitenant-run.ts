// `npx tsx bench/multitenant-run.ts [--quick]`: the multi-tenant benchmark (ALGORITHMS.md §5) on
// sim:// models: (a) cross-tenant merging (bench/multitenant.ts), (b) priority scheduling
// (bench/multitenant-priority.ts), both through the JobManager and the serve runner. Writes
// bench/results/multitenant.json and multitenant.md (--quick: smaller sizes, *.quick.* files).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { codeVersion } from './code-version.ts';
import { BenchLakehouses } from './lakehouse.ts';
import { runCrossTenant, type CrossTenantFigures, type CrossTenantResult, type CrossTenantSpec } from './multitenant.ts';
import { runPriority, type PriorityResult, type PrioritySpec } from './multitenant-priority.ts';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};


function specs(quick: boolean): { cross: CrossTenantSpec; priority: PrioritySpec } {
  return {
    cross: { workflow: 'q1_social', symbols: quick ? 8 : 40, overlap: 0.5, gpus: 4 },
    priority: {
      gpus: 4,
      highUsers: [{ tenant: 'acme', user: 'hana' }, { tenant: 'globex', user: 'hugo' }],
      highJobs: quick ? 24 : 60,
      highInitial: 2,
      mediumUsers: [{ tenant: 'acme', user: 'mia' }, { tenant: 'acme', user: 'max' }, { tenant: 'globex', user: 'mo' }, { tenant: 'initech', user: 'meg' }],
      mediumJobsPerUser: quick ? 3 : 5,
      lowUser: { tenant: 'initech', user: 'lou' },
      symbolsPerJob: 2,
    },
  };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const started = performance.now();
  const generatedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const code = codeVersion();
  const s = specs(quick);
  log(`multitenant bench${quick ? ' (--quick)' : ''} on ${code}; GPU figures are simulated (sim://, virtual time)`);
  const lakes = await BenchLakehouses.prepare(log);
  try {
    const cross = await runCrossTenant(lakes, s.cross, log);
    const priority = await runPriority(lakes, s.priority, log);
    const benchWallS = (performance.now() - started) / 1000;
    const results = join(dirname(fileURLToPath(import.meta.url)), 'results');
    await mkdir(results, { recursive: true });
    const suffix = quick ? '.quick' : '';
    const json = {
      generatedAt, code, quick, benchWallS, node: process.version, simulated: true,
      note: 'Model calls run on sim:// models (simulated GPUs, virtual time): makespans and simulated latencies are simulated. Wall times are real. Jobs run through the JobManager on the serve runner (one Session, one job at a time).',
      crossTenant: cross, priority,
    };
    await writeFile(join(results, `multitenant${suffix}.json`), `${JSON.stringify(json, null, 2)}\n`);
    await writeFile(join(results, `multitenant${suffix}.md`), renderMarkdown({ generatedAt, code, quick, benchWallS, cross, priority }));
    log(`multitenant bench: done in ${benchWallS.toFixed(1)} s; wrote bench/results/multitenant${suffix}.json and multitenant${suffix}.md`);
  } finally {
    await lakes.dispose();
  }
}

function renderMarkdown(r: { generatedAt: string; code: string; quick: boolean; benchWallS: number; cross: CrossTenantResult; priority: PriorityResult }): string {
  const { cross: c, priority: p } = r;
  const row = (f: CrossTenantFigures): string =>
    `| ${f.label} | ${f.callsAsked} | ${f.callsExecuted} | ${f.servedShared} | ${f.dedupSaved} | ${f.makespanSumS.toFixed(1)} (${f.perJobMakespanS.map((x) => x.toFixed(1)).join(' + ')}) | ${f.gpuBusyS.toFixed(1)} | ${f.promptTokens - f.cachedTokens} | ${f.sharedRowsIdentical ? 'yes' : 'NO'} | ${f.laterProvenanceSharedRows ?? '—'} | ${f.wallS.toFixed(1)} |`;
  const saved = c.unshared.makespanSumS > 0 ? c.unshared.makespanSumS / Math.max(1e-9, c.shared.makespanSumS) : 1;
  const ps = p.spec;
  const lines = [
    `# agentlake multi-tenant benchmark${r.quick ? ' (--quick)' : ''}`,
    '',
    `Generated ${r.generatedAt} on ${r.code}, ${r.benchWallS.toFixed(1)} s wall. **Simulated**: model calls run on sim:// models (simulated H100s, virtual time), so makespans and simulated latencies are simulated; wall times are real. Every job goes through the JobManager (src/jobs) and the serve runner (src/server/session-runner.ts: one Session, one job at a time), each part on a fresh copy of the demo lakehouse.`,
    '',
    `## (a) Cross-tenant merging`,
    '',
    `Tenant acme (alice) and tenant globex (bob) each submit \`${c.spec.workflow}\` over ${c.spec.symbols} symbols, ${Math.round(c.spec.overlap * 100)}% overlap (${c.sharedSymbols} shared, ${c.distinctSymbols} distinct: ${c.distinctCalls} distinct model calls), ${c.spec.gpus} simulated GPUs, both queued before the manager starts. The runner runs one job at a time, so sharing goes through the response cache: the later job's shared calls are served from the earlier job's execution, and its provenance marks them \`response_cache_hit\`. The last row is a reference outside the job manager: both tenants' call sites in one statement, where the optimizer merges identical calls (dedup) with the cache off.`,
    '',
    '| variant | calls asked | executed | served shared (cache) | dedup | makespan Σ, s (sim) | GPU busy Σ, s (sim) | prefill tokens computed | shared rows identical | later tenant provenance rows marked shared | wall, s |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    row(c.shared),
    row(c.unshared),
    row(c.oneStatement),
    '',
    `Sharing executes ${c.shared.callsExecuted} of ${c.shared.callsAsked} calls (${c.unshared.callsExecuted} without); simulated makespan Σ ${c.shared.makespanSumS.toFixed(1)} s vs ${c.unshared.makespanSumS.toFixed(1)} s (${saved.toFixed(2)}×), simulated GPU busy Σ ${c.shared.gpuBusyS.toFixed(1)} s vs ${c.unshared.gpuBusyS.toFixed(1)} s. Each makespan includes the first job's model loads (30 s cold load per GPU used), and the later job's makespan is bounded below by its own symbols' call chains (debate rounds), so the makespan gains less than the calls saved; GPU busy time shows the work saved.`,
    '',
    `## (b) Priority scheduling`,
    '',
    `${ps.mediumUsers.length} medium users (${ps.mediumUsers.map((u) => `${u.tenant}/${u.user}`).join(', ')}) with ${ps.mediumJobsPerUser} jobs each and one low job (${ps.lowUser.tenant}/${ps.lowUser.user}) queued at the start; a stream of ${ps.highJobs} high jobs from ${ps.highUsers.map((u) => `${u.tenant}/${u.user}`).join(' and ')} (${ps.highInitial} queued at the start, one more each time a job finishes, so high work is always waiting until the stream ends). Each job: ${ps.symbolsPerJob} short \`llm\` calls (qwen3_8b, 16 tokens), response cache off, ${ps.gpus} simulated GPUs. Quanta high 20 / medium 10 / low 5 per round. Simulated latency = simulated finish − simulated submission, with simulated time = Σ makespans of the jobs run so far (jobs run one after the other). One warm-up statement loads the model before the jobs are queued, so no job pays the cold load.`,
    '',
    '| priority | jobs | completion positions (first / median / last) | wall latency mean / max, ms | simulated latency mean / max, s |',
    '|---|---|---|---|---|',
    ...(['high', 'medium', 'low'] as const).map((k) => {
      const x = p.perPriority[k];
      return `| ${k} | ${x.jobs} | ${x.positions.first} / ${x.positions.median} / ${x.positions.last} | ${x.wallLatencyMs.mean.toFixed(0)} / ${x.wallLatencyMs.max.toFixed(0)} | ${x.simLatencyS.mean.toFixed(1)} / ${x.simLatencyS.max.toFixed(1)} |`;
    }),
    '',
    `- Low job: ${p.low.finished ? 'finished' : '**did not finish**'} at position ${p.low.position} of ${p.jobList.length}, after ${p.low.highDoneBefore} high jobs, with ${p.low.highQueued} high jobs queued and ${p.low.highStillToArrive} still to arrive.`,
    `- Fairness over the medium users (equal demand): within the window up to position ${p.fairness.window} (the first medium user done), jobs served ${Object.entries(p.fairness.servedInWindow).map(([u, n]) => `${u} ${n}`).join(', ')}: **Jain ${p.fairness.jainInWindow.toFixed(3)}** (target ≥ 0.9); Jain over their mean simulated latency ${p.fairness.jainMeanSimLatency.toFixed(3)}.`,
    `- Completion order (H high, M medium, L low): \`${p.sequence}\``,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

await main();
