// A session over one lakehouse: the lifetime of its DuckDB, catalog and model runtime, its settings,
// and statement dispatch. Scripts run statement by statement: catalog statements to the catalog,
// SET agentlake.* to the settings, plain SQL to DuckDB, EXPLAIN to explain-statement.ts, and
// statements that call models through run-model-statements.ts. runBatch runs several scripts as one
// batch (`agentlake serve` runs a batch of jobs so).
import { UserError, fail } from '../diag/diagnostic.ts';
import { assertNever } from '../diag/assert-never.ts';
import type { Source } from '../diag/span.ts';
import type { Explain, SqlStatement, Statement } from '../sql/ast.ts';
import { parseSettingStatement } from '../sql/setting-statement.ts';
import { Lakehouse } from '../storage/lakehouse.ts';
import { CatalogStore } from '../catalog/catalog-store.ts';
import { bindQuery } from '../bind/bind-query.ts';
import type { BoundQuery } from '../ir/bound-query.ts';
import { duckdbDiagnostic } from '../sql/duckdb-error.ts';
import { optimizeBatch, type OptimizeOptions } from '../scheduler/optimize-batch.ts';
import type { DeclaredWorker } from '../scheduler/workers.ts';
import type { ActionDag } from '../ir/action-dag.ts';
import { runModelStatement, runModelStatements, type RunDeps } from './run-model-statements.ts';
import type { BatchStatement } from './batch-items.ts';
import { copyTarget, statementError } from './finish-statement.ts';
import { ModelRuntime, preloadSpecs } from './model-runtime.ts';
import { executeCatalogStatement } from './catalog-statements.ts';
import { bootstrapCatalog } from './bootstrap.ts';
import { explainStatement } from './explain-statement.ts';
import type { ExecContext, Outcome } from './outcome.ts';
import { parseChecked, refreshLakeObjects } from './script-check.ts';
import { CLUSTER_SETTINGS, checkSettingValue, isSettingName, unknownSetting, withSetting, type Settings } from './settings.ts';
import { clusterLabel, type ClusterSpec } from '../ir/cluster.ts';
import type { BatchScript, RunOptions, ScriptResult, SessionOptions } from './session-options.ts';
import type { StatementContext } from './statement-context.ts';

/** A model statement of a batch, waiting for the others. */
interface Merge {
  readonly k: number;
  readonly stmt: BatchStatement;
  readonly settings: Settings;
  readonly simulated: boolean;
  readonly signal: AbortSignal;
}

/** An open session. Close it to release the lakehouse's DuckDB file. */
export class Session implements StatementContext {
  private models: ModelRuntime | undefined;
  /** Writes still pending in model runtimes replaced by a new GPU count. */
  private retired: Promise<unknown> = Promise.resolve();
  /** Session settings, from the options and `SET agentlake.<name> = value`. */
  private settings: Settings;

  private constructor(
    readonly lakehouse: Lakehouse,
    readonly catalog: CatalogStore,
    private readonly opts: SessionOptions,
  ) {
    this.settings = this.defaults();
  }

  static async open(opts: SessionOptions): Promise<Session> {
    const lakehouse = await Lakehouse.open(opts.lakehouse);
    try {
      const catalog = await CatalogStore.open(lakehouse.db);
      const session = new Session(lakehouse, catalog, opts);
      if (opts.bootstrap !== false) await bootstrapCatalog(session);
      return session;
    } catch (e) {
      await lakehouse.close();
      throw e;
    }
  }

  /** Closes the lakehouse: its DuckDB file at once, then (S3 lakehouses) the catalog upload, which the promise waits for. */
  async close(): Promise<void> {
    // Answers the response cache still has to write (it writes behind the calls).
    await Promise.all([this.retired, this.models?.cache.flush()]);
    await this.lakehouse.close();
  }

  /** The settings a new session (and RESET) starts from. */
  private defaults(): Settings {
    const o = this.opts;
    return { gpus: o.gpus ?? 1, device: o.device ?? 'h100', warm: o.warm ?? false, preload: o.preload ?? [], reasoning: o.reasoning ?? false, cache: o.cache ?? true, optimizer: true, priority: 'medium' };
  }

  /** The settings statements run under now. */
  get current(): Settings {
    return this.settings;
  }

  /** Simulated GPUs behind sim:// models (SET agentlake.gpus, --gpus). */
  get gpus(): number {
    return this.settings.gpus;
  }

  /** The simulated cluster statements run on now. */
  get cluster(): ClusterSpec {
    const { gpus, device, warm, preload, reasoning } = this.settings;
    return { gpus, device, warm, preload, reasoning };
  }

  /** How statements are planned: the baseline (--baseline), the optimizer, or neither (SET agentlake.optimizer = off). */
  engine(): OptimizeOptions['engine'] {
    return this.opts.baseline ?? (this.settings.optimizer ? 'agentlake' : 'off');
  }

  /** The workers declared with CREATE WORKER, for the planner. */
  declaredWorkers(): DeclaredWorker[] {
    return [...this.catalog.snapshot.workers.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((w) => ({ name: w.name, models: w.models, ...(w.maxConcurrency !== undefined ? { maxConcurrency: w.maxConcurrency } : {}) }));
  }

  /** The session's model clients and simulated cluster (made on first use; again after the GPU count changes). */
  modelRuntime(): ModelRuntime {
    const spec = this.cluster;
    if (this.models === undefined || !sameCluster(this.models.spec, spec)) {
      if (this.models) this.retired = Promise.all([this.retired, this.models.cache.flush()]);
      this.models = new ModelRuntime(this.lakehouse.db, () => this.catalog.snapshot, {
        cluster: spec,
        cache: this.opts.cache ?? true,
        ...(this.opts.faults !== undefined ? { faults: this.opts.faults } : {}),
        // The paper's Ray + vLLM ran without KV-cache sharing.
        ...(this.opts.baseline === 'paper' ? { prefixCaching: false } : {}),
      });
    }
    return this.models;
  }

  /** `SET agentlake.cache = false`, `SET agentlake.gpus = 4`, `SET agentlake.priority = 'low'` (and RESET). */
  private applySetting(stmt: SqlStatement): Outcome | undefined {
    const s = parseSettingStatement(stmt.text);
    if (!s || s.op === 'show') return undefined;
    const at = stmt.span;
    const reset = s.op === 'reset';
    if (!isSettingName(s.name)) return unknownSetting(s.name, at);
    if (CLUSTER_SETTINGS.has(s.name) && this.opts.fixedGpus === true) {
      if (!reset) fail('B0133', `agentlake.${s.name} is set by the server (${clusterLabel(this.cluster)}) for everyone`, at);
      // RESET changes nothing: the shared cluster stays as it is (warm).
      return { kind: 'ok', message: `reset agentlake.${s.name}` };
    }
    if (!reset) checkSettingValue(s.name, s.value, at);
    const next = reset ? { ...this.settings, [s.name]: this.defaults()[s.name] } : withSetting(this.settings, s.name, s.value);
    // A preload is checked where it is written (the catalog may still change before it is used).
    if (s.name === 'preload' || s.name === 'gpus') preloadSpecs(this.catalog.snapshot, { ...this.cluster, gpus: next.gpus, preload: next.preload }, at);
    this.settings = next;
    // Settings are read per statement; a new cluster setting makes a new (fresh) simulated cluster.
    if (CLUSTER_SETTINGS.has(s.name) && this.models) {
      this.retired = Promise.all([this.retired, this.models.cache.flush()]);
      this.models = undefined;
    }
    return { kind: 'ok', message: `${reset ? 'reset' : 'set'} agentlake.${s.name}` };
  }

  /**
   * Runs a script. `explain` mode runs catalog and plain statements and explains the last statement;
   * `run` mode runs everything. Returns the last statement's outcome. Parse errors stop the script
   * before anything runs, all of them reported at once.
   */
  async runScript(source: Source, mode: 'run' | 'explain', opts: RunOptions = {}): Promise<Outcome> {
    try {
      return await this.runStatements(source, mode, opts);
    } catch (e) {
      throw this.withHint(e);
    }
  }

  private async runStatements(source: Source, mode: 'run' | 'explain', opts: RunOptions): Promise<Outcome> {
    const stmts = await parseChecked(this.lakehouse, source);
    let last: Outcome = { kind: 'ok', message: 'ok' };
    for (const [i, stmt] of stmts.entries()) {
      const isLast = i === stmts.length - 1;
      if (mode === 'explain' && isLast) {
        const target: Explain = stmt.kind === 'explain' ? (opts.verbose ? { ...stmt, mode: 'verbose' } : stmt) : { kind: 'explain', mode: opts.verbose ? 'verbose' : 'plain', statement: stmt, span: stmt.span };
        await refreshLakeObjects(this.lakehouse, this.catalog.snapshot, target);
        last = await explainStatement(this, target, source);
      } else if (mode === 'explain' && (stmt.kind === 'explain' || (stmt.kind === 'sql' && (await this.bindSql(stmt))))) {
        // explain mode runs only catalog and plain statements before the one it explains.
        continue;
      } else last = await this.execute(stmt, source, opts);
    }
    return last;
  }

  /**
   * Runs several scripts as one batch. Each script runs its statements but the last in order, under
   * its own settings; then the last statements that call models run together as one DAG
   * (runModelStatements: identical deterministic actions of different scripts execute once, each
   * script's provenance records the sharing), one batch per distinct settings; other last statements
   * run alone. A script's failure is its own; `signal` (shutdown) stops them all, a script's own
   * signal stops it (in a merged batch: the actions no other script shares are not started any more).
   */
  async runBatch(scripts: readonly BatchScript[], signal: AbortSignal = new AbortController().signal): Promise<ScriptResult[]> {
    const results: (ScriptResult | undefined)[] = scripts.map(() => undefined);
    const merge: Merge[] = [];
    for (const [k, script] of scripts.entries()) {
      const own = script.signal ? AbortSignal.any([script.signal, signal]) : signal;
      const r = await this.underSettings(script.settings ?? {}, () => this.prepareScript(k, script, own));
      if ('k' in r) merge.push(r);
      else results[k] = r;
    }
    const groups = new Map<string, Merge[]>();
    for (const m of merge) {
      const key = JSON.stringify([m.settings.cache, m.settings.optimizer, m.simulated]);
      groups.set(key, [...(groups.get(key) ?? []), m]);
    }
    for (const group of groups.values()) {
      const first = group[0];
      if (!first) continue;
      const done = await this.underSettings(first.settings, () => this.runMerged(group));
      for (const [i, r] of done.entries()) {
        const m = group[i];
        if (m) results[m.k] = r;
      }
    }
    return results.map((r) => r ?? { ok: false, error: new Error('the script has no result') });
  }

  /** Runs `fn` under the session's settings overlaid with `settings`, restoring them after. */
  private async underSettings<T>(settings: Partial<Settings>, fn: () => Promise<T>): Promise<T> {
    const base = this.settings;
    this.settings = { ...base, ...settings };
    try {
      return await fn();
    } finally {
      this.settings = base;
    }
  }

  /** A batch script's statements but the last, run; its last one run too unless it calls models (then it waits to merge). */
  private async prepareScript(k: number, script: BatchScript, own: AbortSignal): Promise<ScriptResult | Merge> {
    const ctx: ExecContext = { ...script, signal: own };
    try {
      const stmts = await parseChecked(this.lakehouse, script.source);
      for (const stmt of stmts.slice(0, -1)) await this.execute(stmt, script.source, ctx);
      const last = stmts[stmts.length - 1] as Statement;
      await refreshLakeObjects(this.lakehouse, this.catalog.snapshot, last);
      const bound = last.kind === 'sql' && last.form !== 'other' ? await this.bindSql(last) : undefined;
      own.throwIfAborted();
      if (!bound) return { ok: true, outcome: await this.execute(last, script.source, ctx) };
      const stmt: BatchStatement = { bound, signal: own, ...(script.onProgress ? { onProgress: script.onProgress } : {}), ...(script.job ? { job: script.job } : {}) };
      return { k, stmt, settings: this.settings, simulated: bound.sites.some(usesSim), signal: own };
    } catch (e) {
      return { ok: false, error: this.withHint(e) };
    }
  }

  /** The model statements of one settings group, as one batch. */
  private async runMerged(group: readonly Merge[]): Promise<ScriptResult[]> {
    const first = group[0];
    if (!first) return [];
    try {
      const done = await runModelStatements(this.lakehouse, group.map((m) => m.stmt), this.modelDeps(first.simulated, allAborted(group.map((m) => m.signal))));
      return group.map((m, i): ScriptResult => {
        const r = done[i];
        // Stopped on its own while the others ran on: its part of the batch is discarded.
        if (m.signal.aborted) return { ok: false, error: m.signal.reason };
        if (!r) return { ok: false, error: new Error('the script has no result') };
        return r.ok ? { ok: true, outcome: { kind: 'rows', columns: r.result.columns, rows: r.result.rows, stats: r.result.stats } } : { ok: false, error: this.withHint(r.error) };
      });
    } catch (e) {
      return group.map(() => ({ ok: false, error: this.withHint(e) }));
    }
  }

  /** An unknown table in a lakehouse without tables: most likely the demo data was never generated. */
  private withHint(e: unknown): unknown {
    if (e instanceof UserError && this.lakehouse.tables.length === 0 && e.diagnostics.some((d) => d.code === 'B0401')) {
      return new UserError(e.diagnostics.map((d) => (d.code === 'B0401' ? { ...d, help: `the lakehouse ${this.lakehouse.dir} has no tables yet; 'npm run demo:data' generates the demo tables` } : d)));
    }
    return e;
  }

  /** Runs one statement. */
  async execute(stmt: Statement, source: Source, ctx: ExecContext = {}): Promise<Outcome> {
    await refreshLakeObjects(this.lakehouse, this.catalog.snapshot, stmt);
    switch (stmt.kind) {
      case 'create_model':
      case 'create_prompt':
      case 'create_workflow':
      case 'create_worker':
      case 'drop':
      case 'show':
        return executeCatalogStatement(this, stmt, source);
      case 'explain':
        return explainStatement(this, stmt, source);
      case 'sql':
        return this.executeSql(stmt, ctx);
      default:
        return assertNever(stmt, 'statement');
    }
  }

  /** Binds the query part of a SQL statement (finding model call sites), or undefined when it has none. */
  async bindSql(stmt: SqlStatement): Promise<BoundQuery | undefined> {
    if (!stmt.query) return undefined;
    const bound = await bindQuery(stmt, { catalog: this.catalog.snapshot, db: this.lakehouse.db });
    return bound.sites.length > 0 ? bound : undefined;
  }

  private async executeSql(stmt: SqlStatement, ctx: ExecContext): Promise<Outcome> {
    const setting = stmt.form === 'other' ? this.applySetting(stmt) : undefined;
    if (setting) return setting;
    const bound = await this.bindSql(stmt);
    if (bound) {
      const deps = this.modelDeps(bound.sites.some(usesSim), ctx.signal ?? new AbortController().signal);
      const r = await runModelStatement(this.lakehouse, bound, { ...deps, ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}), ...(ctx.onEvent ? { onEvent: ctx.onEvent } : {}) }, ctx.job);
      return { kind: 'rows', columns: r.columns, rows: r.rows, stats: r.stats };
    }
    const copy = copyTarget(stmt);
    if (copy && stmt.query) {
      try {
        const n = await this.lakehouse.copyToObject(stmt.query.text, copy.uri, copy.options);
        return { kind: 'ok', message: `ok (${n} row${n === 1 ? '' : 's'})` };
      } catch (e) {
        throw statementError(e, stmt);
      }
    }
    try {
      const result = await this.lakehouse.db.query(stmt.text);
      if (stmt.form === 'query' || result.columns.length > 1 || result.columns[0]?.name !== 'Count') return { kind: 'rows', ...result };
      const n = Number(result.rows[0]?.[0] ?? 0);
      return { kind: 'ok', message: `ok (${n} row${n === 1 ? '' : 's'})` };
    } catch (e) {
      throw new UserError([duckdbDiagnostic(e, stmt.text, stmt.span.start, stmt.span)]);
    }
  }

  /** How a model statement reaches its clients under the current settings; simulated runs measure time on the simulator's virtual clock, real ones on the wall clock. */
  private modelDeps(simulated: boolean, signal: AbortSignal): RunDeps {
    const models = this.modelRuntime();
    const { cache } = this.settings;
    const cluster = this.cluster;
    const engine = this.engine();
    return {
      clientFor: (m) => (this.opts.baseline !== undefined ? models.directClientFor(m) : models.clientFor(m, cache)),
      optimize: (dag: ActionDag) => optimizeBatch(dag, { engine, ...cluster, workers: this.declaredWorkers() }),
      cluster,
      endpointOf: (worker) => this.catalog.snapshot.workers.get(worker.name)?.endpoint,
      clock: simulated ? () => models.clock.now() : () => performance.now() / 1000,
      hold: () => models.clock.hold(),
      simulated,
      gpuBusySeconds: () => models.gpuBusySeconds(),
      modelSwitches: () => models.modelSwitches(),
      preemptions: () => models.preemptions(),
      signal,
    };
  }
}

/** A signal aborted once every one of `signals` is (with the last one's reason). */
function allAborted(signals: readonly AbortSignal[]): AbortSignal {
  const ctrl = new AbortController();
  const check = (): void => {
    const last = signals.at(-1);
    if (signals.every((s) => s.aborted)) ctrl.abort(last?.reason);
  };
  for (const s of signals) s.addEventListener('abort', check, { once: true });
  check();
  return ctrl.signal;
}

/** True when a call site reaches a sim:// model (its figures are simulated). */
function usesSim(site: BoundQuery['sites'][number]): boolean {
  if (site.kind !== 'workflow') return site.model.endpoint.startsWith('sim://');
  return site.graph.steps.some((s) => 'model' in s && s.model.endpoint.startsWith('sim://'));
}

/** Two cluster specs that build the same simulated cluster. */
function sameCluster(a: ClusterSpec, b: ClusterSpec): boolean {
  return a.gpus === b.gpus && a.device === b.device && a.warm === b.warm && a.reasoning === b.reasoning && a.preload.join(',') === b.preload.join(',');
}
