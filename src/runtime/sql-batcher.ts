// Groups SQL step runs that become ready together (same SQL text) into one batch query, so 160 inputs
// cost one decorrelated DuckDB query rather than 160. Flushes on the next turn of the event loop; each
// caller gets its own input's record batches.
import type { RecordBatch } from 'apache-arrow';
import type { Value } from '../ir/values.ts';

type Params = Readonly<Record<string, Value>>;
export type RunBatch = (sql: string, params: readonly Params[], types: Readonly<Record<string, string>>) => Promise<RecordBatch[][]>;

interface Pending {
  readonly params: Params;
  readonly resolve: (r: RecordBatch[]) => void;
  readonly reject: (e: unknown) => void;
}

/** A `sql(text, params, types)` function that batches concurrent calls through `runBatch`. */
export function sqlBatcher(runBatch: RunBatch): (sql: string, params: Params, types: Readonly<Record<string, string>>) => AsyncIterable<RecordBatch> {
  const queues = new Map<string, { types: Readonly<Record<string, string>>; items: Pending[] }>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const all = [...queues.entries()];
    queues.clear();
    for (const [sql, q] of all) {
      runBatch(sql, q.items.map((i) => i.params), q.types).then(
        (results) => q.items.forEach((item, k) => item.resolve(results[k] ?? [])),
        (e: unknown) => q.items.forEach((item) => item.reject(e)),
      );
    }
  };
  const submit = (sql: string, params: Params, types: Readonly<Record<string, string>>): Promise<RecordBatch[]> =>
    new Promise<RecordBatch[]>((resolve, reject) => {
      const q = queues.get(sql) ?? { types, items: [] };
      q.items.push({ params, resolve, reject });
      queues.set(sql, q);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  // Submitted at the call (not at the first pull), so calls made together share one batch query.
  return (sql, params, types) => {
    const pending = submit(sql, params, types);
    pending.catch(() => undefined); // the generator rethrows it; never an unhandled rejection meanwhile
    return (async function* () {
      yield* await pending;
    })();
  };
}
