// A session over one lakehouse: runs scripts statement by statement. Catalog statements go to the
// catalog, plain SQL to DuckDB, and statements that call models are bound, lowered and explained
// (executing model calls arrives with the runtime). Used by the CLI and, later, the servers.
import { UserError, fail, type Diagnostic } from '../diag/diagnostic.ts';
import { didYouMean } from '../diag/suggest.ts';
import type { Source } from '../diag/span.ts';
import type { Explain, SqlStatement, Statement } from '../sql/ast.ts';
import { parseScript } from '../sql/parse.ts';
import { Lakehouse } from '../storage/lakehouse.ts';
import type { Column, Value } from '../storage/duckdb.ts';
import { CatalogStore } from '../catalog/catalog-store.ts';
import { bindQuery, type BoundQuery } from '../bind/bind-query.ts';
import { optimizeBatch, type OptimizeOptions } from '../optimizer/optimize.ts';
import type { DeclaredWorker } from '../optimizer/schedule.ts';
import type { ActionEvent } from '../runtime/executor.ts';
import type { ActionDag } from '../ir/action-dag.ts';
import { copyTarget, statementError, runModelStatement, type Progress, type RunStats } from './run-statement.ts';
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

  /** The session's model clients and simulated cluster (made on first use). */
  modelRuntime(): ModelRuntime {
    this.models ??= new ModelRuntime(this.lakehouse.db, () => this.catalog.snapshot, {
      gpus: this.settings.gpus,
      cache: this.settings.cache,
      ...(this.opts.faults !== undefined ? { faults: this.opts.faults } : {}),
    });
    return this.models;
  }

  /** Session settings, from the options and `SET agentlake.<name> = value`. */
  private readonly settings: { gpus: number; cache: boolean; optimizer: boolean; priority: 'high' | 'medium' | 'low' } = { gpus: 1, cache: true, optimizer: true, priority: 'medium' };

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
      const n = reset ? (this.opts.gpus ?? 1) : Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > 64) fail('B0131', `agentlake.gpus is a whole number from 1 to 64, not '${raw}'`, at);
      this.settings.gpus = n;
    } else if (name === 'priority') {
      if (!reset && raw !== 'high' && raw !== 'medium' && raw !== 'low') fail('B0131', `agentlake.priority is 'high', 'medium' or 'low', not '${raw}'`, at);
      this.settings.priority = reset ? 'medium' : (raw as 'high' | 'medium' | 'low');
    } else {
      fail('B0132', `unknown setting 'agentlake.${name}'`, at, { help: didYouMean(name, ['cache', 'gpus', 'optimizer', 'priority']) ?? 'settings: agentlake.cache, agentlake.gpus, agentlake.optimizer, agentlake.priority' });
    }
    // The model runtime is rebuilt with the new settings on its next use.
    this.models = undefined;
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
      // An unknown table in a lakehouse without tables: most likely the demo data was never generated.
      if (e instanceof UserError && this.lakehouse.tables.length === 0 && e.diagnostics.some((d) => d.code === 'B0401')) {
        throw new UserError(e.diagnostics.map((d) => (d.code === 'B0401' ? { ...d, help: `the lakehouse ${this.lakehouse.dir} has no tables yet; 'npm run demo:data' generates the demo tables` } : d)));
      }
      throw e;
    }
  }

  private async runStatements(source: Source, mode: 'run' | 'explain', opts: RunOptions): Promise<Outcome> {
    const parsed = parseScript(source);
    const syntax = await this.checkSqlSyntax(parsed.script.statements);
    if (parsed.diagnostics.length > 0 || syntax.length > 0) throw new UserError([...parsed.diagnostics, ...syntax]);
    const stmts = parsed.script.statements;
    if (stmts.length === 0) fail('P0003', 'the script has no statements', { start: 0, end: Math.min(1, source.text.length) });
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
      } else last = await this.execute(stmt, source, opts.signal, opts.onProgress, opts.onEvent);
    }
    return last;
  }

  /** Runs one statement. */
  async execute(stmt: Statement, source: Source, signal: AbortSignal = new AbortController().signal, onProgress?: (p: Progress) => void, onEvent?: (e: ActionEvent) => void): Promise<Outcome> {
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
        return this.executeSql(stmt, signal, onProgress, onEvent);
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

  private async executeSql(stmt: SqlStatement, signal: AbortSignal, onProgress?: (p: Progress) => void, onEvent?: (e: ActionEvent) => void): Promise<Outcome> {
    const setting = stmt.form === 'other' ? this.applySetting(stmt) : undefined;
    if (setting) return setting;
    const bound = await this.bindSql(stmt);
    if (bound) {
      const models = this.modelRuntime();
      // Simulated runs measure time on the simulator's virtual clock; real ones on the wall clock.
      const simulated = bound.sites.some(usesSim);
      const gpus = this.settings.gpus;
      const r = await runModelStatement(this.lakehouse, bound, {
        clientFor: (m) => (this.opts.baseline === true ? models.directClientFor(m) : models.clientFor(m)),
        optimize: (dag: ActionDag) => optimizeBatch(dag, { engine: this.engine(), gpus, workers: this.declaredWorkers() }),
        endpointOf: (worker: string) => this.catalog.snapshot.workers.get(worker.replace(/^worker:/, ''))?.endpoint,
        clock: simulated ? () => models.clock.now() : () => performance.now() / 1000,
        hold: () => models.clock.hold(),
        simulated,
        gpuBusySeconds: () => models.gpuBusySeconds(),
        modelSwitches: () => models.modelSwitches(),
        signal,
        ...(onProgress ? { onProgress } : {}),
        ...(onEvent ? { onEvent } : {}),
      });
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

  /** Closes the lakehouse: its DuckDB file at once, then (S3 lakehouses) the catalog upload, which the promise waits for. */
  async close(): Promise<void> {
    await this.lakehouse.close();
  }
}

/** True when a call site reaches a sim:// model (its figures are simulated). */
function usesSim(site: BoundQuery['sites'][number]): boolean {
  if (site.kind !== 'workflow') return site.model.endpoint.startsWith('sim://');
  return site.graph.steps.some((s) => 'model' in s && s.model.endpoint.startsWith('sim://'));
}
