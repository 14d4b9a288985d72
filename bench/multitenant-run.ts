// `npx tsx bench/multitenant-run.ts [--quick]`: the multi-tenant benchmark (ALGORITHMS.md §5) on
// sim:// models: (a) cross-tenant merging (bench/multitenant.ts: both tenants' jobs merged in one
// batch vs one job per batch with and without the response cache), (b) priority scheduling
// (bench/multitenant-priority.ts, one job per batch), both through the JobManager and the serve
// runner. Writes bench/results/multitenant.json and multitenant.md (--quick: smaller sizes,
// *.quick.* files).
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
    cross: { workflow: 'q1_social', symbols: quick ? 8 : 40, overlap: 0.5, gpus: 4, batchSize: 8 },
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
      note: 'Model calls run on sim:// models (simulated GPUs, virtual time): makespans and simulated latencies are simulated. Wall times are real. Jobs run through the JobManager on the serve runner (one Session, one batch at a time; the model statements of a batch run as one DAG). Cross-tenant: the merged variant puts both jobs in one batch (they share one simulated makespan, counted once); the others and the priority part run one job per batch.',
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
  const pointers = (f: CrossTenantFigures): string => {
    if (f.pointers) return `${f.pointers.rows} (${f.pointers.sharer}; ${f.pointers.modelCallRows} model calls; ${f.pointers.resolved} resolved)`;
    if (f.cacheHitRows !== null) return `${f.cacheHitRows} cache hits`;
    return '—';
  };
  const row = (f: CrossTenantFigures): string =>
    `| ${f.label} | ${f.batches} | ${f.callsAsked} | ${f.callsExecuted} | ${f.dedupSaved} | ${f.servedShared} | ${f.makespanS.toFixed(1)}${f.perBatchMakespanS.length > 1 ? ` (${f.perBatchMakespanS.map((x) => x.toFixed(1)).join(' + ')})` : ''} | ${f.gpuBusyS.toFixed(1)} | ${f.modelSwitches} | ${f.promptTokens - f.cachedTokens} | ${f.sharedRowsIdentical ? 'yes' : 'NO'} | ${f.rowsAsControl === null ? '—' : f.rowsAsControl ? 'yes' : 'NO'} | ${pointers(f)} | ${f.wallS.toFixed(1)} |`;
  const { merged: m, cached: k, control: x, oneStatement: o } = c;
  const ps = p.spec;
  const lines = [
    `# agentlake multi-tenant benchmark${r.quick ? ' (--quick)' : ''}`,
    '',
    `Generated ${r.generatedAt} on ${r.code}, ${r.benchWallS.toFixed(1)} s wall. **Simulated**: model calls run on sim:// models (simulated H100s, virtual time), so every GPU figure (makespans, GPU busy time, model loads, simulated latencies) is simulated; wall times are real. Every job goes through the JobManager (src/jobs) and the serve runner (src/service/session-runner.ts: one Session, one batch of jobs at a time; the last model statements of a batch's jobs run as one DAG, so identical deterministic calls of different tenants execute once), each variant on a fresh copy of the demo lakehouse.`,
    '',
    `## (a) Cross-tenant merging`,
    '',
    `Tenant acme (alice) and tenant globex (bob) each submit \`${c.spec.workflow}\` over ${c.spec.symbols} symbols, ${Math.round(c.spec.overlap * 100)}% overlap (${c.sharedSymbols} shared, ${c.distinctSymbols} distinct: ${c.distinctCalls} distinct model calls), ${c.spec.gpus} simulated GPUs, both queued before the manager starts, cold GPUs (every variant pays its first model loads, 30 s cold load per GPU used).`,
    '',
    `- **(1) merged**: runner and manager batch size ${c.spec.batchSize}, response cache off, so every saving is the in-batch merge: one job's shared calls are merged into the other's (\`dedup_saved\`), and its provenance rows for them carry \`shared_with\` = \`output_ref\` = \`<executor run>/<action>\`. The two jobs share one simulated makespan and one GPU busy figure (counted once, not per job).`,
    `- **(2) cache**: one job per batch, response cache on: the later job's shared calls are served from the earlier job's execution (\`response_cache_hit\`).`,
    `- **(3) control**: one job per batch, cache off: no sharing; makespans add (the second job runs on the GPUs the first warmed).`,
    `- The last row is a reference outside the job manager: both tenants' call sites in one statement (\`UNION ALL\`), where the optimizer merges the identical calls inside the statement, cache off.`,
    '',
    '| variant | batches | calls asked | executed | merged (dedup_saved) | from cache | makespan, s (sim) | GPU busy, s (sim) | model loads/switches (sim) | prefill tokens computed | shared rows identical | rows = control | sharer provenance rows → other tenant\'s run |  wall, s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    row(m),
    row(k),
    row(x),
    row(o),
    '',
    `**Merged vs control: ${c.speedup.toFixed(2)}× simulated makespan** (${m.makespanS.toFixed(1)} s vs ${x.makespanS.toFixed(1)} s), **${c.callsSaved} calls saved** (${m.callsExecuted} of ${m.callsAsked} executed; ${x.callsExecuted} in the control), simulated GPU busy ${m.gpuBusyS.toFixed(1)} s vs ${x.gpuBusyS.toFixed(1)} s, prefill tokens computed ${m.promptTokens - m.cachedTokens} vs ${x.promptTokens - x.cachedTokens}. Sharing through the cache, one job per batch: ${k.callsExecuted} executed, ${(x.makespanS / Math.max(1e-9, k.makespanS)).toFixed(2)}× the control's makespan. One statement (reference): ${o.callsExecuted} executed, ${o.makespanS.toFixed(1)} s simulated, GPU busy ${o.gpuBusyS.toFixed(1)} s${o.makespanS === m.makespanS && o.gpuBusyS === m.gpuBusyS && o.callsExecuted === m.callsExecuted ? ": the same figures as the merged batch, so the runner's merge of two jobs gets what the optimizer gets inside one statement" : ''}.`,
    '',
    ...crossTenantNotes(c),
    '',
    `## (b) Priority scheduling`,
    '',
    `${ps.mediumUsers.length} medium users (${ps.mediumUsers.map((u) => `${u.tenant}/${u.user}`).join(', ')}) with ${ps.mediumJobsPerUser} jobs each and one low job (${ps.lowUser.tenant}/${ps.lowUser.user}) queued at the start; a stream of ${ps.highJobs} high jobs from ${ps.highUsers.map((u) => `${u.tenant}/${u.user}`).join(' and ')} (${ps.highInitial} queued at the start, one more each time a job finishes, so high work is always waiting until the stream ends). Each job: ${ps.symbolsPerJob} short \`llm\` calls (qwen3_8b, 16 tokens), response cache off, ${ps.gpus} simulated GPUs. Runner and manager take one job per batch: priorities are about order, and with one job per batch the completion order is exactly the order the manager serves (a batch of several jobs would finish them together). Quanta high 20 / medium 10 / low 5 per round. Simulated latency = simulated finish − simulated submission, with simulated time = Σ makespans of the jobs run so far (jobs run one after the other). One warm-up statement loads the model before the jobs are queued, so no job pays the cold load.`,
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

/** What the cross-tenant figures say beyond the table: the target, and what is off. */
function crossTenantNotes(c: CrossTenantResult): string[] {
  const { merged: m, control: x } = c;
  const out: string[] = [];
  const target = 1.37;
  out.push(
    c.speedup >= target
      ? `The merged batch meets the ${target}× cross-tenant target of ALGORITHMS.md (that target is measured in the main bench on Q1 + Q2-text over 160 symbols).`
      : `Below the ${target}× cross-tenant target (set for the main bench's Q1 + Q2-text over 160 symbols). The merge removes ${c.callsSaved} of ${x.callsExecuted} calls (${((100 * c.callsSaved) / Math.max(1, x.callsExecuted)).toFixed(0)}%) and ${(100 * (1 - m.gpuBusyS / Math.max(1e-9, x.gpuBusyS))).toFixed(0)}% of the simulated GPU busy time, but the makespan cannot gain as much: the control's first job alone takes ${(x.perBatchMakespanS[0] ?? 0).toFixed(1)} s on cold GPUs (model loads, 30 s per GPU, and its symbols' call chains: debate rounds, then the reporter), and the merged batch holds all of that job's work on cold GPUs too, so even if the second job cost nothing the speedup would be at most about **${c.ceiling.toFixed(2)}×** (control / first job alone). The merge reaches ${c.speedup.toFixed(2)}×: the second tenant's ${c.distinctSymbols - c.spec.symbols} own symbols add ${(m.makespanS - (x.perBatchMakespanS[0] ?? 0)).toFixed(1)} s to the batch, against ${(x.perBatchMakespanS[1] ?? 0).toFixed(1)} s as a job of its own after the first.`,
  );
  const bad: string[] = [];
  if (m.batches !== 1) bad.push(`the merged variant ran in ${m.batches} batches`);
  if (m.pointers && m.pointers.resolved !== m.pointers.rows) bad.push(`${m.pointers.rows - m.pointers.resolved} of the sharer's pointers name no call the executor's run executed`);
  if (m.pointers && m.pointers.reverse > 0) bad.push(`${m.pointers.reverse} of the executor's rows point back at the sharer's run`);
  if (m.callsExecuted !== c.distinctCalls) bad.push(`merged executed ${m.callsExecuted} calls, not the ${c.distinctCalls} distinct ones`);
  for (const f of [m, c.cached, c.oneStatement]) if (f.rowsAsControl === false) bad.push(`${f.label}: rows differ from the control's`);
  for (const f of [m, c.cached, x, c.oneStatement]) if (!f.sharedRowsIdentical) bad.push(`${f.label}: shared symbols' rows differ between the tenants`);
  if (bad.length > 0) out.push('', `**Checks failed**: ${bad.join('; ')}.`);
  return out;
}

await main();
