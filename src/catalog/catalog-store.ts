// Persists the catalog in the lakehouse's DuckDB database (tables agentlake_models, agentlake_prompts,
// agentlake_workflows), so models, prompts and workflows survive restarts. Holds an in-memory snapshot
// that is replaced (never mutated) on every change.
import type { Database } from '../storage/duckdb.ts';
import type { CatalogSnapshot, ModelDef, PromptDef, WorkerDef, WorkflowDef } from './catalog.ts';
import type { ModelKind } from '../ir/common.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS agentlake_models (
  name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, endpoint VARCHAR NOT NULL, model_name VARCHAR NOT NULL,
  params_b DOUBLE, api_key_env VARCHAR, options JSON NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS agentlake_prompts (name VARCHAR PRIMARY KEY, text VARCHAR NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS agentlake_workflows (
  name VARCHAR PRIMARY KEY, params JSON NOT NULL, return_step VARCHAR NOT NULL, step_count INTEGER NOT NULL,
  source VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS agentlake_workers (name VARCHAR PRIMARY KEY, endpoint VARCHAR NOT NULL, models VARCHAR NOT NULL, gpu VARCHAR, max_concurrency INTEGER, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS agentlake_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
ALTER TABLE agentlake_workflows ADD COLUMN IF NOT EXISTS fingerprint VARCHAR DEFAULT '';
`;

/** The persistent catalog of one lakehouse. */
export class CatalogStore {
  private current: CatalogSnapshot;

  private constructor(
    private readonly db: Database,
    snapshot: CatalogSnapshot,
  ) {
    this.current = snapshot;
  }

  /** Creates the catalog tables if needed and loads the snapshot. */
  static async open(db: Database): Promise<CatalogStore> {
    await db.run(SCHEMA);
    return new CatalogStore(db, await load(db));
  }

  get snapshot(): CatalogSnapshot {
    return this.current;
  }

  /** A value from agentlake_meta (e.g. the built-in catalog version). */
  async getMeta(key: string): Promise<string | undefined> {
    const rows = await this.db.all('SELECT value FROM agentlake_meta WHERE key = $1', [key]);
    const v = rows[0]?.['value'];
    return typeof v === 'string' ? v : undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.run('INSERT OR REPLACE INTO agentlake_meta (key, value) VALUES ($1, $2)', [key, value]);
  }

  /** Inserts or replaces a model; the version goes up by one on replace. */
  async putModel(m: Omit<ModelDef, 'version'>): Promise<ModelDef> {
    const version = nextVersion(this.current.models.get(m.name), m);
    const def: ModelDef = { ...m, version };
    await this.db.run('INSERT OR REPLACE INTO agentlake_models (name, kind, endpoint, model_name, params_b, api_key_env, options, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      def.name, def.kind, def.endpoint, def.modelName, def.paramsB ?? null, def.apiKeyEnv ?? null, JSON.stringify(def.options), version,
    ]);
    this.current = { ...this.current, models: withEntry(this.current.models, def.name, def) };
    return def;
  }

  async putPrompt(p: Omit<PromptDef, 'version'>): Promise<PromptDef> {
    const version = nextVersion(this.current.prompts.get(p.name), p);
    const def: PromptDef = { ...p, version };
    await this.db.run('INSERT OR REPLACE INTO agentlake_prompts (name, text, version) VALUES ($1, $2, $3)', [def.name, def.text, version]);
    this.current = { ...this.current, prompts: withEntry(this.current.prompts, def.name, def) };
    return def;
  }

  async putWorkflow(w: Omit<WorkflowDef, 'version'>): Promise<WorkflowDef> {
    const old = this.current.workflows.get(w.name);
    const version = !old ? 1 : old.fingerprint === w.fingerprint ? old.version : old.version + 1;
    const def: WorkflowDef = { ...w, version };
    await this.db.run('INSERT OR REPLACE INTO agentlake_workflows (name, params, return_step, step_count, source, fingerprint, version) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      def.name, JSON.stringify(def.params), def.returnStep, def.stepCount, def.source, def.fingerprint, version,
    ]);
    this.current = { ...this.current, workflows: withEntry(this.current.workflows, def.name, def) };
    return def;
  }

  async putWorker(w: Omit<WorkerDef, 'version'>): Promise<WorkerDef> {
    const version = nextVersion(this.current.workers.get(w.name), w);
    const def: WorkerDef = { ...w, version };
    await this.db.run('INSERT OR REPLACE INTO agentlake_workers (name, endpoint, models, gpu, max_concurrency, version) VALUES ($1, $2, $3, $4, $5, $6)', [
      def.name, def.endpoint, JSON.stringify(def.models), def.gpu ?? null, def.maxConcurrency ?? null, version,
    ]);
    this.current = { ...this.current, workers: withEntry(this.current.workers, def.name, def) };
    return def;
  }

  /** Removes a catalog object; returns whether it existed. */
  async drop(kind: 'model' | 'prompt' | 'workflow' | 'worker', name: string): Promise<boolean> {
    const key = kind === 'model' ? 'models' : kind === 'prompt' ? 'prompts' : kind === 'workflow' ? 'workflows' : 'workers';
    if (!this.current[key].has(name)) return false;
    await this.db.run(`DELETE FROM agentlake_${key} WHERE name = $1`, [name]);
    const c = this.current;
    this.current =
      key === 'models' ? { ...c, models: without(c.models, name) }
      : key === 'prompts' ? { ...c, prompts: without(c.prompts, name) }
      : key === 'workflows' ? { ...c, workflows: without(c.workflows, name) }
      : { ...c, workers: without(c.workers, name) };
    return true;
  }
}

/** Replacing an object with an identical definition keeps its version; any change bumps it. */
function nextVersion<T extends { version: number }>(old: T | undefined, next: Omit<T, 'version'>): number {
  if (!old) return 1;
  const { version, ...rest } = old;
  return JSON.stringify(canonical(rest)) === JSON.stringify(canonical(next)) ? version : version + 1;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, canonical(x)]));
  return v;
}

function without<T>(map: ReadonlyMap<string, T>, key: string): ReadonlyMap<string, T> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

function withEntry<T>(map: ReadonlyMap<string, T>, key: string, value: T): ReadonlyMap<string, T> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

async function load(db: Database): Promise<CatalogSnapshot> {
  const models = new Map<string, ModelDef>();
  for (const r of await db.all('SELECT * FROM agentlake_models ORDER BY name')) {
    const paramsB = r['params_b'];
    const apiKeyEnv = r['api_key_env'];
    models.set(String(r['name']), {
      name: String(r['name']),
      kind: String(r['kind']) as ModelKind,
      endpoint: String(r['endpoint']),
      modelName: String(r['model_name']),
      ...(typeof paramsB === 'number' ? { paramsB } : {}),
      ...(typeof apiKeyEnv === 'string' ? { apiKeyEnv } : {}),
      options: JSON.parse(String(r['options'])) as Record<string, string | number | boolean>,
      version: Number(r['version']),
    });
  }
  const prompts = new Map<string, PromptDef>();
  for (const r of await db.all('SELECT * FROM agentlake_prompts ORDER BY name')) {
    prompts.set(String(r['name']), { name: String(r['name']), text: String(r['text']), version: Number(r['version']) });
  }
  const workflows = new Map<string, WorkflowDef>();
  for (const r of await db.all('SELECT * FROM agentlake_workflows ORDER BY name')) {
    workflows.set(String(r['name']), {
      name: String(r['name']),
      params: JSON.parse(String(r['params'])) as { name: string; type: string }[],
      returnStep: String(r['return_step']),
      stepCount: Number(r['step_count']),
      source: String(r['source']),
      fingerprint: String(r['fingerprint']),
      version: Number(r['version']),
    });
  }
  const workers = new Map<string, WorkerDef>();
  for (const r of await db.all('SELECT * FROM agentlake_workers ORDER BY name')) {
    const gpu = r['gpu'];
    const max = r['max_concurrency'];
    workers.set(String(r['name']), {
      name: String(r['name']),
      endpoint: String(r['endpoint']),
      models: JSON.parse(String(r['models'])) as string[],
      ...(typeof gpu === 'string' ? { gpu } : {}),
      ...(typeof max === 'number' ? { maxConcurrency: max } : {}),
      version: Number(r['version']),
    });
  }
  return { models, prompts, workflows, workers };
}
