// Groups SQL step runs that become ready together (same SQL text) into one batch query, so 160 inputs
// cost one decorrelated DuckDB query rather than 160. Flushes on the next turn of the event loop.
import type { Rows, Value } from '../storage/duckdb.ts';

type Params = Readonly<Record<string, Value>>;
export type RunBatch = (sql: string, params: readonly Params[], types: Readonly<Record<string, string>>) => Promise<Rows[]>;

interface Pending {
  readonly params: Params;
  readonly resolve: (r: Rows) => void;
  readonly reject: (e: unknown) => void;
}

/** A `sql(text, params, types)` function that batches concurrent calls through `runBatch`. */
export function sqlBatcher(runBatch: RunBatch): (sql: string, params: Params, types: Readonly<Record<string, string>>) => Promise<Rows> {
  const queues = new Map<string, { types: Readonly<Record<string, string>>; items: Pending[] }>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const all = [...queues.entries()];
    queues.clear();
    for (const [sql, q] of all) {
      runBatch(sql, q.items.map((i) => i.params), q.types).then(
        (rows) => q.items.forEach((item, k) => item.resolve(rows[k] ?? { columns: [], rows: [] })),
        (e: unknown) => q.items.forEach((item) => item.reject(e)),
      );
    }
  };
  return (sql, params, types) =>
    new Promise<Rows>((resolve, reject) => {
      const q = queues.get(sql) ?? { types, items: [] };
      q.items.push({ params, resolve, reject });
      queues.set(sql, q);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
