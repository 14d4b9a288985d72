// A session over one lakehouse: runs scripts statement by statement. Catalog statements go to the
// catalog, plain SQL to DuckDB, and statements that call models are bound, lowered and explained
// (executing model calls arrives with the runtime). Used by the CLI and, later, the servers.
import { UserError, fail, type Diagnostic } from '../diag/diagnostic.ts';
import { didYouMean } from '../diag/suggest.ts';
import type { Source } from '../diag/span.ts';
import type { Explain, SqlStatement, Statement } from '../sql/ast.ts';
import { parseScript } from '../sql/parse.ts';
import { Lakehouse } from '../storage/lakehouse.ts';
import type { Column, Value } from '../ir/values.ts';
import { CatalogStore } from '../catalog/catalog-store.ts';
import { bindQuery, type BoundQuery } from '../bind/bind-query.ts';
import { optimizeBatch, type OptimizeOptions } from '../scheduler/optimize-batch.ts';
import type { DeclaredWorker } from '../scheduler/schedule.ts';
import type { ActionEvent } from '../runtime/executor.ts';
import type { ActionDag } from '../ir/action-dag.ts';
import { copyTarget, statementError, runModelStatement, runModelStatements, type BatchStatement, type Progress, type RunDeps, type RunStats } from './run-statement.ts';
import { ModelRuntime } from './model-runtime.ts';
import type { FaultOptions } from '../sim/faults.ts';
import { duckdbDiagnostic } from '../bind/duckdb-error.ts';
import { executeCatalogStatement } from './catalog-statements.ts';
import { bootstrapCatalog } from './bootstrap.ts';
import { explainStatement } from './explain-statement.ts';

/** What one statement produced. */
export type Outcome =
  | { readonly kind: 'ok'; readonly message: string }
  | { readonly kind: 'rows'; readonly columns: readonly Column[]; readonly rows: readonly (readonly Value[])[]; readonly stats?: RunStats }
  | { readonly kind: 'explain'; readonly text: string; readonly json: unknown };

/** Options of one script run. */
export interface RunOptions {
  readonly verbose?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Every finished action of a model statement (provenance's source), e.g. for bench/ figures. */
  readonly onEvent?: (e: ActionEvent) => void;
}

/** The agentlake.* settings a statement runs under. */
export interface Settings {
  readonly gpus: number;
  readonly cache: boolean;
  readonly optimizer: boolean;
  readonly priority: 'high' | 'medium' | 'low';
}

/** What a statement runs for and reports to (all optional). */
export interface ExecContext {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  readonly onEvent?: (e: ActionEvent) => void;
  /** The job and tenant of `agentlake serve`, recorded in provenance. */
  readonly job?: { readonly id: string; readonly tenant: string };
}

/** One script of a batch (`Session.runBatch`). */
export interface BatchScript extends ExecContext {
  readonly source: Source;
  /**
   * agentlake.* settings to start from (a connection's SETs) over the session's own; the script's
   * own SETs last until its end only.
   */
  readonly settings?: Partial<Pick<Settings, 'cache' | 'optimizer' | 'priority'>>;
}

/** How one script of a batch ended. */
export type ScriptResult = { readonly ok: true; readonly outcome: Outcome } | { readonly ok: false; readonly error: unknown };

export interface SessionOptions {
  /** Lakehouse folder (default ./lakehouse) or `s3://bucket/prefix`. */
  readonly lakehouse: string;
  /** Load the built-in models, prompts and workflows into a new lakehouse (default true). */
  readonly bootstrap?: boolean;
  /** Simulated GPUs behind sim:// models (default 1). */
  readonly gpus?: number;
  /** Use the response cache for deterministic calls (default true). */
  readonly cache?: boolean;
  /** Fault injection on the simulated cluster (tests). */
  readonly faults?: FaultOptions;
  /**
   * Run the way ALGORITHMS.md §7's "Ray + vLLM" baseline does: each call sent when its dependencies
   * finish, FIFO at the server, GPUs split statically among the models, no dedup, no response cache.
   */
  readonly baseline?: boolean;
  /**
   * The GPU count is the owner's (`agentlake serve --gpus`): `SET agentlake.gpus` is refused, since
   * the simulated cluster is shared by everyone's statements. Default false.
   */
  readonly fixedGpus?: boolean;
}

/** An open session. Close it to release the lakehouse's DuckDB file. */
export class Session {
  private models: ModelRuntime | undefined;

  private constructor(
    readonly lakehouse: Lakehouse,
    readonly catalog: CatalogStore,
    private readonly opts: SessionOptions,
  ) {}

  /** How statements are planned: the baseline (--baseline), the optimizer, or neither (SET agentlake.optimizer = off). */
  engine(): OptimizeOptions['engine'] {
    return this.opts.baseline === true ? 'baseline' : this.settings.optimizer ? 'agentlake' : 'off';
  }

  /** The workers declared with CREATE WORKER, for the planner. */
  declaredWorkers(): DeclaredWorker[] {
    return [...this.catalog.snapshot.workers.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((w) => ({ name: w.name, models: w.models, ...(w.maxConcurrency !== undefined ? { maxConcurrency: w.maxConcurrency } : {}) }));
  }

  /** Simulated GPUs behind sim:// models (SET agentlake.gpus, --gpus). */
  get gpus(): number {
    return this.settings.gpus;
  }

  /** The session's model clients and simulated cluster (made on first use; again after the GPU count changes). */
  modelRuntime(): ModelRuntime {
    if (this.models === undefined || this.models.cluster.gpus.length !== this.settings.gpus) {
      if (this.models) this.retired = Promise.all([this.retired, this.models.cache.flush()]);
      this.models = new ModelRuntime(this.lakehouse.db, () => this.catalog.snapshot, {
        gpus: this.settings.gpus,
        cache: this.opts.cache ?? true,
        ...(this.opts.faults !== undefined ? { faults: this.opts.faults } : {}),
      });
    }
    return this.models;
  }

  /** Session settings, from the options and `SET agentlake.<name> = value`. */
  private settings: { -readonly [K in keyof Settings]: Settings[K] } = { gpus: 1, cache: true, optimizer: true, priority: 'medium' };

  /** The settings statements run under now. */
  get current(): Settings {
    return this.settings;
  }

  /** `SET agentlake.cache = false`, `SET agentlake.gpus = 4`, `SET agentlake.priority = 'low'` (and RESET). */
  private applySetting(stmt: SqlStatement): Outcome | undefined {
    const m = /^\s*(SET|RESET)\s+(?:SESSION\s+)?agentlake\.([A-Za-z_]+)\s*(?:(?:=|TO)\s*(.+?))?\s*$/is.exec(stmt.text);
    if (!m) return undefined;
    const name = (m[2] ?? '').toLowerCase();
    const raw = (m[3] ?? '').trim().replace(/^'(.*)'$/s, '$1').toLowerCase();
    const reset = (m[1] ?? '').toUpperCase() === 'RESET';
    const at = stmt.span;
    if (name === 'cache') {
      if (!reset && !['true', 'false', 'on', 'off'].includes(raw)) fail('B0131', `agentlake.cache is true or false, not '${raw}'`, at);
      this.settings.cache = reset ? this.opts.cache ?? true : raw === 'true' || raw === 'on';
    } else if (name === 'optimizer') {
      if (!reset && !['true', 'false', 'on', 'off'].includes(raw)) fail('B0131', `agentlake.optimizer is on or off, not '${raw}'`, at);
      this.settings.optimizer = reset ? true : raw === 'true' || raw === 'on';
    } else if (name === 'gpus') {
      if (this.opts.fixedGpus === true) {
        if (!reset) fail('B0133', `agentlake.gpus is set by the server (--gpus ${this.opts.gpus ?? 1}) for everyone`, at);
        // RESET changes nothing: the shared cluster stays as it is (warm).
        return { kind: 'ok', message: 'reset agentlake.gpus' };
      }
      const n = reset ? (this.opts.gpus ?? 1) : Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > 64) fail('B0131', `agentlake.gpus is a whole number from 1 to 64, not '${raw}'`, at);
      this.settings.gpus = n;
    } else if (name === 'priority') {
      if (!reset && raw !== 'high' && raw !== 'medium' && raw !== 'low') fail('B0131', `agentlake.priority is 'high', 'medium' or 'low', not '${raw}'`, at);
      this.settings.priority = reset ? 'medium' : (raw as 'high' | 'medium' | 'low');
    } else {
      fail('B0132', `unknown setting 'agentlake.${name}'`, at, { help: didYouMean(name, ['cache', 'gpus', 'optimizer', 'priority']) ?? 'settings: agentlake.cache, agentlake.gpus, agentlake.optimizer, agentlake.priority' });
    }
    // Settings are read per statement; SET agentlake.gpus makes a new (cold) simulated cluster.
    if (name === 'gpus' && this.models) {
      this.retired = Promise.all([this.retired, this.models.cache.flush()]);
      this.models = undefined;
    }
    return { kind: 'ok', message: `${reset ? 'reset' : 'set'} agentlake.${name}` };
  }

  static async open(opts: SessionOptions): Promise<Session> {
    const lakehouse = await Lakehouse.open(opts.lakehouse);
    try {
      const catalog = await CatalogStore.open(lakehouse.db);
      const session = new Session(lakehouse, catalog, opts);
      if (opts.gpus !== undefined) session.settings.gpus = opts.gpus;
      if (opts.cache !== undefined) session.settings.cache = opts.cache;
      if (opts.bootstrap !== false) await bootstrapCatalog(session);
      return session;
    } catch (e) {
      await lakehouse.close();
      throw e;
    }
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

  /**
   * Runs several scripts as one batch (`agentlake serve` runs a batch of jobs so). Each script runs
   * its statements but the last in order, under its own settings; then the last statements that call
   * models run together as one DAG (runModelStatements: identical deterministic actions of different
   * scripts execute once, each script's provenance records the sharing), one batch per distinct
   * settings; other last statements run alone. A script's failure is its own; `signal` (shutdown)
   * stops them all, a script's own signal stops it (in a merged batch: the actions no other script
   * shares are not started any more).
   */
  async runBatch(scripts: readonly BatchScript[], signal: AbortSignal = new AbortController().signal): Promise<ScriptResult[]> {
    const results: (ScriptResult | undefined)[] = scripts.map(() => undefined);
    const base = this.settings;
    const merge: { k: number; stmt: BatchStatement; settings: Settings; simulated: boolean; signal: AbortSignal }[] = [];
    for (const [k, script] of scripts.entries()) {
      const own = script.signal ? AbortSignal.any([script.signal, signal]) : signal;
      const ctx: ExecContext = { ...script, signal: own };
      this.settings = { ...base, ...script.settings };
      try {
        const stmts = await this.parseChecked(script.source);
        for (const stmt of stmts.slice(0, -1)) await this.execute(stmt, script.source, ctx);
        const last = stmts[stmts.length - 1] as Statement;
        await this.refreshLakeObjects(last);
        const bound = last.kind === 'sql' && last.form !== 'other' ? await this.bindSql(last) : undefined;
        own.throwIfAborted();
        if (bound) {
          const stmt: BatchStatement = { bound, signal: own, ...(script.onProgress ? { onProgress: script.onProgress } : {}), ...(script.job ? { job: script.job } : {}) };
          merge.push({ k, stmt, settings: { ...this.settings }, simulated: bound.sites.some(usesSim), signal: own });
        } else results[k] = { ok: true, outcome: await this.execute(last, script.source, ctx) };
      } catch (e) {
        results[k] = { ok: false, error: this.withHint(e) };
      } finally {
        this.settings = base;
      }
    }
    const groups = new Map<string, typeof merge>();
    for (const m of merge) {
      const key = JSON.stringify([m.settings.cache, m.settings.optimizer, m.simulated]);
      groups.set(key, [...(groups.get(key) ?? []), m]);
    }
    for (const group of groups.values()) {
      const first = group[0];
      if (!first) continue;
      this.settings = { ...base, ...first.settings };
      try {
        const done = await runModelStatements(this.lakehouse, group.map((m) => m.stmt), this.modelDeps(first.simulated, allAborted(group.map((m) => m.signal))));
        for (const [i, r] of done.entries()) {
          const m = group[i];
          if (!m) continue;
          // Stopped on its own while the others ran on: its part of the batch is discarded.
          if (m.signal.aborted) results[m.k] = { ok: false, error: m.signal.reason };
          else results[m.k] = r.ok ? { ok: true, outcome: { kind: 'rows', columns: r.result.columns, rows: r.result.rows, stats: r.result.stats } } : { ok: false, error: this.withHint(r.error) };
        }
      } catch (e) {
        for (const m of group) results[m.k] = { ok: false, error: this.withHint(e) };
      } finally {
        this.settings = base;
      }
    }
    return results.map((r) => r ?? { ok: false, error: new Error('the script has no result') });
  }

  /** An unknown table in a lakehouse without tables: most likely the demo data was never generated. */
  private withHint(e: unknown): unknown {
    if (e instanceof UserError && this.lakehouse.tables.length === 0 && e.diagnostics.some((d) => d.code === 'B0401')) {
      return new UserError(e.diagnostics.map((d) => (d.code === 'B0401' ? { ...d, help: `the lakehouse ${this.lakehouse.dir} has no tables yet; 'npm run demo:data' generates the demo tables` } : d)));
    }
    return e;
  }

  /** The script's statements; parse and DuckDB syntax errors, all at once, before anything runs. */
  private async parseChecked(source: Source): Promise<readonly Statement[]> {
    const parsed = parseScript(source);
    const syntax = await this.checkSqlSyntax(parsed.script.statements);
    if (parsed.diagnostics.length > 0 || syntax.length > 0) throw new UserError([...parsed.diagnostics, ...syntax]);
    const stmts = parsed.script.statements;
    if (stmts.length === 0) fail('P0003', 'the script has no statements', { start: 0, end: Math.min(1, source.text.length) });
    return stmts;
  }

  private async runStatements(source: Source, mode: 'run' | 'explain', opts: RunOptions): Promise<Outcome> {
    const stmts = await this.parseChecked(source);
    let last: Outcome = { kind: 'ok', message: 'ok' };
    for (const [i, stmt] of stmts.entries()) {
      const isLast = i === stmts.length - 1;
      if (mode === 'explain' && isLast) {
        const target: Explain = stmt.kind === 'explain' ? (opts.verbose ? { ...stmt, mode: 'verbose' } : stmt) : { kind: 'explain', mode: opts.verbose ? 'verbose' : 'plain', statement: stmt, span: stmt.span };
        await this.refreshLakeObjects(target);
        last = await explainStatement(this, target, source);
      } else if (mode === 'explain' && (stmt.kind === 'explain' || (stmt.kind === 'sql' && (await this.bindSql(stmt))))) {
        // explain mode runs only catalog and plain statements before the one it explains.
        continue;
      } else last = await this.execute(stmt, source, opts);
    }
    return last;
  }

  /** Runs one statement. */
  async execute(stmt: Statement, source: Source, ctx: ExecContext = {}): Promise<Outcome> {
    await this.refreshLakeObjects(stmt);
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
    }
  }

  /**
   * Lists objects afresh for lake_objects() when the statement's SQL, or a stored workflow it names,
   * mentions it, so objects written by earlier statements (generated images) show up.
   */
  private async refreshLakeObjects(stmt: Statement): Promise<void> {
    const sql = stmt.kind === 'sql' ? stmt : stmt.kind === 'explain' && stmt.statement.kind === 'sql' ? stmt.statement : undefined;
    if (!sql) return;
    const words = new Set(sql.text.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
    const workflows = [...this.catalog.snapshot.workflows.values()].filter((w) => words.has(w.name.toLowerCase())).map((w) => w.source);
    await this.lakehouse.refreshLakeObjects([sql.text, ...workflows].join('\n'));
  }

  /** DuckDB's parser over every plain statement, so its syntax errors are reported before anything runs. */
  private async checkSqlSyntax(stmts: readonly Statement[]): Promise<Diagnostic[]> {
    const out: Diagnostic[] = [];
    for (const s of stmts) {
      const sql = s.kind === 'sql' ? s : s.kind === 'explain' && s.statement.kind === 'sql' ? s.statement : undefined;
      if (!sql) continue;
      try {
        await this.lakehouse.db.connection.extractStatements(sql.text);
      } catch (e) {
        out.push(duckdbDiagnostic(e, sql.text, sql.span.start, { start: sql.span.end, end: sql.span.end + 1 }));
      }
    }
    return out;
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
    const { gpus, cache } = this.settings;
    const engine = this.engine();
    return {
      clientFor: (m) => (this.opts.baseline === true ? models.directClientFor(m) : models.clientFor(m, cache)),
      optimize: (dag: ActionDag) => optimizeBatch(dag, { engine, gpus, workers: this.declaredWorkers() }),
      endpointOf: (worker: string) => this.catalog.snapshot.workers.get(worker.replace(/^worker:/, ''))?.endpoint,
      clock: simulated ? () => models.clock.now() : () => performance.now() / 1000,
      hold: () => models.clock.hold(),
      simulated,
      gpuBusySeconds: () => models.gpuBusySeconds(),
      modelSwitches: () => models.modelSwitches(),
      signal,
    };
  }

  /** Closes the lakehouse: its DuckDB file at once, then (S3 lakehouses) the catalog upload, which the promise waits for. */
  async close(): Promise<void> {
    // Answers the response cache still has to write (it writes behind the calls).
    await Promise.all([this.retired, this.models?.cache.flush()]);
    await this.lakehouse.close();
  }

  /** Writes still pending in model runtimes replaced by a new GPU count. */
  private retired: Promise<unknown> = Promise.resolve();
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
