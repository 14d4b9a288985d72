// The house rules' tables: edit these, not the checker (scripts/house/check.ts).

/**
 * Stage folders (the first path segment under src/) and their ranks, lowest first.
 * A file may import only from its own folder or from a folder of strictly lower rank;
 * folders at the same rank may not import each other. A folder missing here is itself a violation.
 */
export const STAGE_RANKS: Readonly<Record<string, number>> = {
  diag: 0, // diagnostics, spans, errors, assertNever: usable from everywhere
  util: 0, // small dependency-free helpers
  sql: 1, // parser and AST of the extended SQL
  ir: 1, // the intermediate representation shared by the later stages
  storage: 2, // lakehouse files, object store, DuckDB access
  catalog: 3, // tables, models, functions known to a session
  cost: 3, // cost and token models
  bind: 4, // name resolution and typing of the AST
  lower: 5, // bound statements to IR plans
  assemble: 5, // putting lowered pieces together into one batch
  optimizer: 6, // plan search over the IR
  scheduler: 7, // ordering and batching of the optimized plan
  explain: 7, // EXPLAIN rendering
  runtime: 8, // executing scheduled plans
  governance: 8, // budgets, quotas, policies applied while running
  sim: 9, // simulated models and workloads
  engine: 10, // one statement end to end: parse, bind, optimize, run
  jobs: 11, // long-running jobs on top of the engine
  service: 12, // the API a server exposes, independent of the wire
  server: 13, // HTTP and Postgres-wire front ends
  cli: 14, // the command line
};

/** Imports that stay forbidden whatever the ranks say: from a folder to a folder. */
export const FORBIDDEN_IMPORTS: readonly { readonly from: string; readonly to: string }[] = [
  { from: 'scheduler', to: 'sim' }, // scheduling must not depend on the simulator
  { from: 'optimizer', to: 'sim' }, // nor the optimizer
  { from: 'cost', to: 'sim' }, // nor the cost models
  { from: 'runtime', to: 'bind' }, // the runtime sees IR, never the binder
  { from: 'runtime', to: 'sim' }, // the runtime runs real plans; sim drives it, not the reverse
];

/** A source file may have at most this many lines. */
export const MAX_FILE_LINES = 400;

/** A function (declaration, method, arrow or function expression) may span at most this many lines. */
export const MAX_FUNCTION_LINES = 100;
