// Binds CREATE WORKER into a WorkerDef: ENDPOINT (an OpenAI-compatible http(s) base URL), MODELS (catalog
// models, each at most once), optional GPU (a device name, for EXPLAIN) and MAX_CONCURRENCY.
import type { CreateWorker, WorkerOption } from '../sql/ast.ts';
import type { CatalogSnapshot, WorkerDef } from '../catalog/catalog.ts';
import { DiagnosticSink } from '../diag/diagnostic.ts';
import { didYouMean } from '../diag/suggest.ts';

const OPTIONS = ['endpoint', 'models', 'gpu', 'max_concurrency'] as const;

/** Validates a CREATE WORKER statement against the catalog; throws a UserError listing every problem. */
export function bindWorker(stmt: CreateWorker, catalog: CatalogSnapshot): Omit<WorkerDef, 'version'> {
  const sink = new DiagnosticSink();
  const seen = new Map<string, WorkerOption>();
  let endpoint: string | undefined;
  let gpu: string | undefined;
  let maxConcurrency: number | undefined;
  const models: string[] = [];
  for (const opt of stmt.options) {
    const key = opt.key.name;
    if (!(OPTIONS as readonly string[]).includes(key)) {
      sink.error('B0111', `unknown worker option '${key}'`, opt.key.span, { help: didYouMean(key, OPTIONS) ?? `known options: ${OPTIONS.join(', ')}` });
      continue;
    }
    if (seen.has(key)) {
      sink.error('B0114', `worker option '${key}' is given twice`, opt.key.span);
      continue;
    }
    seen.set(key, opt);
    const v = opt.value;
    if (key === 'models') {
      if (v.kind !== 'list') {
        sink.error('B0112', "worker option 'models' expects a list of model names, e.g. MODELS (qwen3_8b, llava)", v.span);
        continue;
      }
      for (const m of v.items) {
        if (!catalog.models.has(m.name)) sink.error('B0102', `unknown model '${m.name}'`, m.span, { help: didYouMean(m.name, catalog.models.keys()) ?? 'declare it with CREATE MODEL' });
        else if (models.includes(m.name)) sink.error('B0114', `model '${m.name}' is listed twice`, m.span);
        else models.push(m.name);
      }
    } else if (key === 'max_concurrency') {
      if (v.kind !== 'number' || !Number.isInteger(v.value) || v.value < 1) sink.error('B0112', "worker option 'max_concurrency' expects a positive integer", v.span);
      else maxConcurrency = v.value;
    } else if (v.kind !== 'string') {
      sink.error('B0112', `worker option '${key}' expects a quoted string`, v.span);
    } else if (key === 'endpoint') {
      if (!/^https?:\/\/[^\s/]+/.test(v.value)) sink.error('B0115', `bad endpoint '${v.value}': a worker is an OpenAI-compatible server, an http(s):// base URL`, v.span, { help: 'sim:// models run on the simulated GPUs of --gpus / SET agentlake.gpus' });
      else endpoint = v.value;
    } else gpu = v.value;
  }
  if (!seen.has('endpoint')) sink.error('B0110', `worker '${stmt.name.name}' needs ENDPOINT (an OpenAI-compatible base URL)`, stmt.name.span);
  if (!seen.has('models')) sink.error('B0110', `worker '${stmt.name.name}' needs MODELS (the catalog models it serves)`, stmt.name.span);
  sink.throwIfAny();
  return {
    name: stmt.name.name,
    endpoint: endpoint ?? '',
    models,
    ...(gpu !== undefined ? { gpu } : {}),
    ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
  };
}
