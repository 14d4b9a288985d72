// CatalogStore: models, prompts, workflows and workers persist in the lakehouse's DuckDB file and are
// there after reopening; replacing with an identical definition keeps the version, a change bumps
// it; snapshots are replaced, never mutated. Through the statements: CREATE of an existing name
// without OR REPLACE is B0120, DROP of a missing name is B0121 unless IF EXISTS, SHOW lists, and the
// built-in catalog (catalog/*.sql) is loaded into a new lakehouse once per file content.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore } from '../../src/catalog/catalog-store.ts';
import { CATALOG_DIR } from '../../src/engine/bootstrap.ts';
import { Session } from '../../src/engine/session.ts';
import type { Outcome } from '../../src/engine/outcome.ts';
import { Database } from '../../src/storage/duckdb.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';
import { parseSql, userErrors } from '../helpers/bind.ts';

describe('CatalogStore', () => {
  let dir: string;
  let db: Database;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentlake-catalog-test-'));
    db = await Database.open(join(dir, 'catalog.duckdb'));
  });

  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const model = { name: 'm1', kind: 'llm' as const, endpoint: 'sim://', modelName: 'org/m1', paramsB: 3, apiKeyEnv: 'M1_KEY', options: { timeout_ms: 5 } };

  it('starts empty and creates its tables', async () => {
    const store = await CatalogStore.open(db);
    expect([...store.snapshot.models.keys()]).toEqual([]);
    const tables = (await db.all("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'agentlake_%' ORDER BY 1")).map((r) => r['table_name']);
    expect(tables).toEqual(expect.arrayContaining(['agentlake_meta', 'agentlake_models', 'agentlake_prompts', 'agentlake_workers', 'agentlake_workflows']));
  });

  it('versions: 1 when new, kept for an identical definition, bumped by a change', async () => {
    const store = await CatalogStore.open(db);
    expect((await store.putModel(model)).version).toBe(1);
    expect((await store.putModel({ ...model, options: { timeout_ms: 5 } })).version).toBe(1);
    expect((await store.putModel({ ...model, paramsB: 4 })).version).toBe(2);
    expect((await store.putPrompt({ name: 'p1', text: 'hello' })).version).toBe(1);
    expect((await store.putPrompt({ name: 'p1', text: 'hello' })).version).toBe(1);
    expect((await store.putPrompt({ name: 'p1', text: 'hello!' })).version).toBe(2);
    const wf = { name: 'w1', params: [{ name: 'x', type: 'VARCHAR' }], returnStep: 's', stepCount: 1, source: 'CREATE WORKFLOW w1 ...', fingerprint: 'f1' };
    expect((await store.putWorkflow(wf)).version).toBe(1);
    // Workflows compare by fingerprint (the meaning), not by source layout.
    expect((await store.putWorkflow({ ...wf, source: 'CREATE  WORKFLOW  w1 ...' })).version).toBe(1);
    expect((await store.putWorkflow({ ...wf, fingerprint: 'f2' })).version).toBe(2);
    expect((await store.putWorker({ name: 'box', endpoint: 'http://h:1/v1', models: ['m1'], gpu: 'H100' })).version).toBe(1);
  });

  it('replaces the snapshot instead of mutating it', async () => {
    const store = await CatalogStore.open(db);
    const before = store.snapshot;
    await store.putPrompt({ name: 'p2', text: 'x' });
    expect(before.prompts.has('p2')).toBe(false);
    expect(store.snapshot.prompts.has('p2')).toBe(true);
    expect(store.snapshot).not.toBe(before);
  });

  it('persists everything, with versions, across reopening the database', async () => {
    await db.close();
    db = await Database.open(join(dir, 'catalog.duckdb'));
    const snap = (await CatalogStore.open(db)).snapshot;
    expect(snap.models.get('m1')).toEqual({ ...model, paramsB: 4, version: 2 });
    expect(snap.prompts.get('p1')).toEqual({ name: 'p1', text: 'hello!', version: 2 });
    expect(snap.workflows.get('w1')).toMatchObject({ params: [{ name: 'x', type: 'VARCHAR' }], returnStep: 's', stepCount: 1, fingerprint: 'f2', version: 2 });
    expect(snap.workers.get('box')).toEqual({ name: 'box', endpoint: 'http://h:1/v1', models: ['m1'], gpu: 'H100', version: 1 });
  });

  it('drop removes an object (also from the file) and says whether it existed', async () => {
    const store = await CatalogStore.open(db);
    expect(await store.drop('prompt', 'p2')).toBe(true);
    expect(await store.drop('prompt', 'p2')).toBe(false);
    expect(await store.drop('worker', 'nope')).toBe(false);
    expect(store.snapshot.prompts.has('p2')).toBe(false);
    expect((await CatalogStore.open(db)).snapshot.prompts.has('p2')).toBe(false);
  });

  it('keeps meta values', async () => {
    const store = await CatalogStore.open(db);
    expect(await store.getMeta('k')).toBeUndefined();
    await store.setMeta('k', 'v1');
    await store.setMeta('k', 'v2');
    expect(await (await CatalogStore.open(db)).getMeta('k')).toBe('v2');
  });
});

describe('catalog statements', () => {
  const SCRIPT = `
CREATE TABLE docs AS SELECT i AS id, 'title ' || i AS title FROM range(3) t(i);
CREATE MODEL chat (KIND llm, ENDPOINT 'sim://', API_KEY_ENV 'CHAT_KEY');
CREATE PROMPT terse AS 'Be terse.';
CREATE WORKFLOW brief(doc_id BIGINT) AS (
  facts := SQL (SELECT title FROM docs WHERE id = :doc_id),
  note  := LLM chat SYSTEM terse PROMPT 'Summarize {{facts}}'
) RETURN note;
CREATE WORKER box (ENDPOINT 'http://gpu1:8000/v1', MODELS (chat), GPU 'H100');
`;
  let dir: string;
  let session: Session;

  beforeAll(async () => {
    dir = await freshLakehouse();
    session = await Session.open({ lakehouse: dir, bootstrap: false });
    await session.runScript({ name: 'setup.sql', text: SCRIPT }, 'run');
  });

  afterAll(async () => {
    await session.close();
    removeLakehouse(dir);
  });

  async function run(text: string): Promise<Outcome> {
    return session.runScript({ name: 'q.sql', text }, 'run');
  }

  function rows(o: Outcome): Record<string, unknown>[] {
    if (o.kind !== 'rows') throw new Error(`expected rows, got ${o.kind}`);
    return o.rows.map((r) => Object.fromEntries(o.columns.map((c, i) => [c.name, r[i]])));
  }

  it('CREATE of an existing name without OR REPLACE: B0120 at the name, nothing changed', async () => {
    for (const [text, name] of [
      ["CREATE MODEL chat (KIND llm, ENDPOINT 'sim://', PARAMS_B 99)", 'chat'],
      ["CREATE PROMPT terse AS 'Other.'", 'terse'],
      ["CREATE WORKFLOW brief(x VARCHAR) AS (a := LLM chat PROMPT '{{x}}') RETURN a", 'brief'],
      ["CREATE WORKER box (ENDPOINT 'http://gpu2:8000/v1', MODELS (chat))", 'box'],
    ] as const) {
      const ds = await userErrors(text, () => run(text));
      expect(ds.map((d) => `${d.code} ${d.at}`), text).toEqual([`B0120 ${name}`]);
      expect(ds[0]?.help).toMatch(/CREATE OR REPLACE/);
    }
    const snap = session.catalog.snapshot;
    expect(snap.models.get('chat')?.paramsB).not.toBe(99);
    expect(snap.prompts.get('terse')?.text).toBe('Be terse.');
    expect(snap.workflows.get('brief')?.params).toEqual([{ name: 'doc_id', type: 'BIGINT' }]);
  });

  it('OR REPLACE replaces and bumps the version; an identical replace keeps it', async () => {
    await run("CREATE OR REPLACE PROMPT terse AS 'Be very terse.'");
    expect(session.catalog.snapshot.prompts.get('terse')).toMatchObject({ text: 'Be very terse.', version: 2 });
    await run("CREATE OR REPLACE PROMPT terse AS 'Be very terse.'");
    expect(session.catalog.snapshot.prompts.get('terse')?.version).toBe(2);
    // A workflow re-created with a different layout only means the same thing.
    await run(`CREATE OR REPLACE WORKFLOW brief(doc_id BIGINT) AS (
      facts := SQL (SELECT title FROM docs WHERE id = :doc_id),   note := LLM chat SYSTEM terse PROMPT 'Summarize {{facts}}') RETURN note`);
    expect(session.catalog.snapshot.workflows.get('brief')?.version).toBe(1);
  });

  it('DROP IF EXISTS of a missing object is fine; DROP of a missing one is B0121 with a near name', async () => {
    for (const what of ['MODEL', 'PROMPT', 'WORKFLOW', 'WORKER']) {
      const o = await run(`DROP ${what} IF EXISTS never_made`);
      expect(o.kind).toBe('ok');
    }
    const text = 'DROP WORKFLOW breif';
    const ds = await userErrors(text, () => run(text));
    expect(ds).toEqual([expect.objectContaining({ code: 'B0121', at: 'breif', help: "did you mean 'brief'?" })]);
  });

  it('SHOW lists each kind by name with its version; the key variable is shown, never a key', async () => {
    await run("CREATE MODEL another (KIND vlm, ENDPOINT 'sim://')");
    expect(rows(await run('SHOW MODELS')).map((r) => [r['name'], r['kind'], r['api_key_env'], r['version']])).toEqual([['another', 'vlm', null, 1], ['chat', 'llm', 'CHAT_KEY', 1]]);
    expect(rows(await run('SHOW PROMPTS')).map((r) => r['name'])).toEqual(['terse']);
    expect(rows(await run('SHOW WORKFLOWS'))).toEqual([{ name: 'brief', params: 'doc_id BIGINT', steps: 2, return_step: 'note', version: 1 }]);
    expect(rows(await run('SHOW WORKERS')).map((r) => [r['name'], r['models'], r['gpu']])).toEqual([['box', 'chat', 'H100']]);
  });

  it('a dropped model leaves no trace in SHOW, and a workflow using it no longer binds', async () => {
    await run("CREATE MODEL temp_m (KIND llm, ENDPOINT 'sim://')");
    await run("CREATE WORKFLOW uses_temp(x VARCHAR) AS (a := LLM temp_m PROMPT '{{x}}') RETURN a");
    await run('DROP MODEL temp_m');
    expect(rows(await run('SHOW MODELS')).map((r) => r['name'])).not.toContain('temp_m');
    const text = "SELECT * FROM uses_temp('a')";
    const ds = await userErrors(text, () => session.bindSql(parseSql(text)));
    expect(ds.map((d) => d.code)).toEqual(['B0506']);
    await run('DROP WORKFLOW uses_temp');
  });

  it('everything persists across reopening the lakehouse, and a stored workflow still binds', async () => {
    await session.close();
    session = await Session.open({ lakehouse: dir, bootstrap: false });
    const snap = session.catalog.snapshot;
    expect([...snap.models.keys()].sort()).toEqual(['another', 'chat']);
    expect(snap.models.get('chat')?.apiKeyEnv).toBe('CHAT_KEY');
    expect(snap.prompts.get('terse')).toMatchObject({ text: 'Be very terse.', version: 2 });
    expect([...snap.workers.keys()]).toEqual(['box']);
    const bound = await session.bindSql(parseSql('SELECT d.id, b.text FROM docs d, brief(d.id) b'));
    const site = bound?.sites[0];
    expect(site?.kind === 'workflow' && site.graph.steps.map((s) => s.name)).toEqual(['facts', 'note']);
  });
});

describe('built-in catalog', () => {
  let dir: string;
  let session: Session | undefined;

  beforeAll(async () => {
    dir = await freshLakehouse();
  });

  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  afterAll(() => {
    removeLakehouse(dir);
  });

  /** Object names a built-in file creates (read from the file, so the test follows the catalog). */
  function builtinNames(file: string, kind: 'MODEL' | 'PROMPT'): string[] {
    const text = readFileSync(join(CATALOG_DIR, file), 'utf8');
    return [...text.matchAll(new RegExp(`^CREATE OR REPLACE ${kind} (\\w+)`, 'gm'))].map((m) => m[1] ?? '');
  }

  it('loads the built-in models and prompts into a new lakehouse', async () => {
    session = await Session.open({ lakehouse: dir });
    const models = builtinNames('models.sql', 'MODEL');
    const prompts = builtinNames('prompts.sql', 'PROMPT');
    expect(models.length).toBeGreaterThan(0);
    expect(prompts.length).toBeGreaterThan(0);
    expect([...session.catalog.snapshot.models.keys()].sort()).toEqual([...models].sort());
    expect([...session.catalog.snapshot.prompts.keys()].sort()).toEqual([...new Set(prompts)].sort());
    expect(await session.catalog.getMeta('builtin:models.sql')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('applies a built-in file once: a user’s replacement of a built-in model survives reopening', async () => {
    session = await Session.open({ lakehouse: dir });
    const name = builtinNames('models.sql', 'MODEL')[0] ?? '';
    const before = session.catalog.snapshot.models.get(name);
    await session.runScript({ name: 'q.sql', text: `CREATE OR REPLACE MODEL ${name} (KIND ${before?.kind ?? 'llm'}, ENDPOINT 'http://my-server:8000/v1')` }, 'run');
    await session.close();
    session = await Session.open({ lakehouse: dir });
    expect(session.catalog.snapshot.models.get(name)).toMatchObject({ endpoint: 'http://my-server:8000/v1', version: (before?.version ?? 0) + 1 });
  });

  it('is not loaded with bootstrap: false', async () => {
    const empty = await freshLakehouse();
    try {
      session = await Session.open({ lakehouse: empty, bootstrap: false });
      expect(session.catalog.snapshot.models.size).toBe(0);
      expect(session.catalog.snapshot.prompts.size).toBe(0);
    } finally {
      await session?.close();
      session = undefined;
      removeLakehouse(empty);
    }
  });
});
