// The runtime's operators exchange Arrow record batches: a hand-built DAG (a SQL step over three
// inputs, one of them with no rows; a format over its table; an LLM call with RETURNS on the real
// simulator; a fetch of a missing object and a call that depends on it) runs through executeDag, and
// every output is an Arrow table whose kind and columns say what it holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'apache-arrow';
import type { Action, ActionDag } from '../../src/ir/action-dag.ts';
import type { ModelRef } from '../../src/ir/common.ts';
import { executeDag } from '../../src/runtime/executor.ts';
import { errorOf, outputKind, outputRows, outputText, tableOf } from '../../src/runtime/action-output.ts';
import { sqlBatcher } from '../../src/runtime/sql-batcher.ts';
import { SimClient } from '../../src/sim/sim-client.ts';
import { SimCluster } from '../../src/sim/cluster.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { Database } from '../../src/storage/duckdb.ts';
import { columnsOf, rowsOf } from '../../src/storage/arrow.ts';
import { engineProbe } from '../../src/engine/engine-probe.ts';
import type { Lakehouse } from '../../src/storage/lakehouse.ts';

const model: ModelRef = { name: 'qwen3_8b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-8B', paramsB: 8, version: 1 };
const decoding = { temperature: 0, maxTokens: 32 };

let db: Database;
beforeAll(async () => {
  db = await Database.open(':memory:');
  await db.run("CREATE TABLE items AS SELECT * FROM (VALUES ('a', 1, 2.5), ('a', 2, 3.5), ('b', 3, 1.0)) t(grp, id, price)");
});
afterAll(() => db.close());

function dag(): ActionDag {
  const actions: Action[] = [];
  for (const [i, grp] of ['a', 'b', 'zzz'].entries()) {
    actions.push({ kind: 'sql', id: `s${i}`, step: 'rows', input: i, deps: [], sql: 'SELECT id, price FROM items WHERE grp = $grp ORDER BY id', params: { grp }, paramTypes: { grp: 'VARCHAR' } });
    actions.push({ kind: 'format', id: `f${i}`, step: 'table', input: i, deps: [`s${i}`], format: 'markdown_table', parts: [{ kind: 'ref', action: `s${i}`, render: 'table' }] });
    actions.push({
      kind: 'llm', id: `l${i}`, step: 'judge', input: i, deps: [`f${i}`], model, decoding, system: [],
      prompt: [{ kind: 'text', text: 'Rate these items:\n' }, { kind: 'ref', action: `f${i}`, render: 'text' }],
      returns: { columns: [{ name: 'ok', type: 'BOOLEAN' }, { name: 'note', type: 'VARCHAR' }] },
    });
  }
  actions.push({ kind: 'fetch', id: 'x', step: 'doc', input: 0, deps: [], key: 'missing/doc.txt' });
  actions.push({ kind: 'llm', id: 'y', step: 'summary', input: 0, deps: ['x'], model, decoding, system: [], prompt: [{ kind: 'ref', action: 'x', render: 'text' }] });
  return { kind: 'action_dag', source: 'test', inputs: [0, 1, 2].map((i) => ({ index: i, values: {}, outputs: [`l${i}`] })), actions };
}

describe('operators exchange Arrow record batches', () => {
  it('SQL, format, LLM with RETURNS, fetch errors and their dependents', async () => {
    const clock = new VirtualClock();
    const client = new SimClient(new SimCluster({ clock, gpus: 1 }));
    const probe = engineProbe({ db, listObjects: async () => [] } as unknown as Lakehouse);
    const outputs = await executeDag(dag(), {
      db,
      sql: sqlBatcher(probe.sqlBatches),
      readObject: async (key) => {
        throw new Error(`no object ${key}`);
      },
      writeObject: async () => undefined,
      clientFor: () => client,
      signal: new AbortController().signal,
      clock: () => clock.now(),
      hold: () => clock.hold(),
    }, { deterministic: true });

    // SQL: each input's own rows, typed, with the step's columns even when the input has none.
    const s0 = outputs.get('s0');
    expect(outputKind(s0)).toBe('table');
    expect(columnsOf(s0!.schema)).toEqual([{ name: 'id', type: 'INTEGER' }, { name: 'price', type: 'DECIMAL(2,1)' }]);
    expect(s0!.schema.fields.map((f) => Type[f.type.typeId])).toEqual(['Int', 'Float']);
    expect(rowsOf(s0!)).toEqual([[1, 2.5], [2, 3.5]]);
    expect(rowsOf(outputs.get('s1')!)).toEqual([[3, 1]]);
    expect(outputs.get('s2')!.numRows).toBe(0);
    expect(tableOf(outputs.get('s2')!).columns.map((c) => c.name)).toEqual(['id', 'price']);

    // Format: the table as markdown text.
    expect(outputKind(outputs.get('f0'))).toBe('text');
    expect(outputText(outputs.get('f0'))).toBe('| id | price |\n| --- | --- |\n| 1 | 2.5 |\n| 2 | 3.5 |');

    // LLM with RETURNS: one typed record row (BOOLEAN, VARCHAR) plus the raw answer.
    for (const id of ['l0', 'l1', 'l2']) {
      const o = outputs.get(id)!;
      expect(outputKind(o)).toBe('record');
      expect(o.schema.fields.map((f) => [f.name, Type[f.type.typeId]])).toEqual([['ok', 'Bool'], ['note', 'Utf8'], ['__text', 'Utf8']]);
      const [row] = outputRows(o, ['ok', 'note']);
      expect(typeof row?.values[0]).toBe('boolean');
      expect(typeof row?.values[1]).toBe('string');
      expect(JSON.parse(outputText(o))).toEqual({ ok: row?.values[0], note: row?.values[1] });
    }

    // A failed fetch is an error value; the call that needed it inherits it; nothing else is lost.
    expect(errorOf(outputs.get('x'))?.code).toBe('E0201');
    expect(errorOf(outputs.get('y'))).toEqual({ code: 'E0301', message: expect.stringContaining('no object missing/doc.txt') });
    expect(outputs.size).toBe(11);
  });
});
