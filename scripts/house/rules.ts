// The house rules' tables: edit these, not the checker (scripts/house/check.ts).

/**
 * Stage folders (the first path segment under src/) and their ranks, lowest first.
 * A file may import only from its own folder or from a folder of strictly lower rank;
 * folders at the same rank may not import each other. A folder missing here is itself a violation.
 */
export const STAGE_RANKS: Readonly<Record<string, number>> = {
  diag: 0, // diagnostics, spans, assertNever: usable from everywhere
  util: 0, // small helpers with no agentlake knowledge (heap, PRNG, lazy tokenizer)
  sql: 1, // the one lexer and splitter, the parser and AST of the extended SQL, DuckDB's parse tree and errors
  ir: 2, // plain data every later stage shares: values, bound query, workflow graph, action DAG, physical plan, run stats
  storage: 3, // the lakehouse: DuckDB, objects, Arrow, the appender
  catalog: 4, // models, prompts, workflows, workers as data, persisted
  cost: 4, // the cost model, estimates, prompt trie, lower bound (planner and simulator share it)
  bind: 5, // names resolved against the catalog; the query's parse tree
  optimizer: 5, // rewrite rules over the action DAG, Merkle signatures
  lower: 6, // bound statements instantiated over their input rows
  scheduler: 7, // the physical plan: contraction, order, epoch DP, placement, baseline
  runtime: 8, // executes a physical plan: operators, clients, response cache
  explain: 8, // EXPLAIN reports and text
  assemble: 9, // model results back under SQL semantics
  governance: 9, // provenance written and read back
  sim: 9, // the simulated inference server and its in-process client
  engine: 10, // sessions: lifetime, settings, dispatch, the model-statement batch
  jobs: 11, // the multi-tenant job manager
  service: 12, // the job runner over a session
  server: 13, // transports: Postgres wire and HTTP
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
