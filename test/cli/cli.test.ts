// The agentlake CLI: exit codes (0 ok, 1 user or usage error), -e and script files, run output
// formats, explain text vs --json, the catalog surviving a restart, the six built-in workflows'
// per-input call counts, --version, and the real bin/agentlake.js (the built dist/cli/) in child processes.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { runCli } from '../helpers/cli.ts';
import { freshLakehouse, removeLakehouse, sharedDemoData } from '../helpers/lakehouse.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE_LINE = /^ {2}-V, --version +print agentlake's version$/m;

/** The EXPLAIN --json fields this test reads. */
interface PlanJson {
  readonly inputs: number;
  readonly actions: {
    readonly total: number;
    readonly modelCalls: number;
    readonly byKind: Readonly<Record<string, number>>;
    readonly byModel: Readonly<Record<string, number>>;
    readonly perInput: Readonly<Record<string, { readonly total: number; readonly min: number; readonly max: number; readonly mean: number }>>;
  };
}

interface RowsJson {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly unknown[])[];
}

/** key=value fields of the first EXPLAIN text line labelled `label` (values as printed, quotes removed). */
function textFields(text: string, label: string): Record<string, string> {
  const line = text.split('\n').find((l) => new RegExp(`^\\s*\\d+\\s+${label}(:|$)`).test(l));
  if (line === undefined) throw new Error(`no '${label}' line in:\n${text}`);
  const out: Record<string, string> = {};
  const body = line.slice(line.indexOf(label) + label.length + 1);
  for (const m of body.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    const v = m[2] ?? '';
    out[m[1] ?? ''] = v.startsWith('"') ? (JSON.parse(v) as string) : v;
  }
  return out;
}

const numbers = (r: Record<string, string>): Record<string, number> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]));

/** Checks that the text form of an EXPLAIN prints the same figures as its --json form. */
function expectTextMatchesJson(text: string, json: PlanJson): void {
  expect(numbers(textFields(text, 'Plan'))).toEqual({ inputs: json.inputs, actions: json.actions.total, model_calls: json.actions.modelCalls });
  expect(numbers(textFields(text, 'Actions'))).toEqual({ total: json.actions.total, ...json.actions.byKind });
  expect(numbers(textFields(text, 'Models'))).toEqual(json.actions.byModel);
  const perInput = textFields(text, 'PerInput');
  for (const [kind, s] of Object.entries(json.actions.perInput)) {
    expect(perInput[kind]).toBe(s.min === s.max ? String(s.min) : `${s.mean} (${s.min}..${s.max})`);
  }
  expect(Object.keys(perInput).sort()).toEqual(Object.keys(json.actions.perInput).sort());
}

describe('agentlake CLI', () => {
  let lakehouse = '';
  let scratch = '';

  beforeAll(async () => {
    lakehouse = await freshLakehouse({ demo: true });
    scratch = mkdtempSync(join(tmpdir(), 'agentlake-cli-test-'));
  });

  afterAll(() => {
    if (lakehouse) removeLakehouse(lakehouse);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  describe('usage and exit codes', () => {
    it('--help prints the usage on stdout and exits 0', async () => {
      const r = await runCli(['--help'], lakehouse);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: agentlake <command>/);
      expect(r.stderr).toBe('');
    });

    it('--version and -V print the version from package.json and exit 0', async () => {
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      for (const flag of ['--version', '-V']) {
        const r = await runCli([flag], lakehouse);
        expect(r).toEqual({ code: 0, stdout: `agentlake ${version}\n`, stderr: '' });
      }
      // No --lakehouse needed, and nothing is opened.
      const chunks: string[] = [];
      const out = new Writable({ write: (c: Buffer, _e, cb) => { chunks.push(String(c)); cb(); } });
      expect(await main(['--version'], out, out)).toBe(0);
      expect(chunks.join('')).toBe(`agentlake ${version}\n`);
      expect(USAGE_LINE.test((await runCli(['--help'], lakehouse)).stdout)).toBe(true);
    });

    it('no command prints the usage on stderr and exits 1', async () => {
      const r = await runCli([], lakehouse);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^usage: agentlake <command>/);
    });

    it.each([
      [['frobnicate'], "error: unknown command 'frobnicate'"],
      [['run'], "error: run needs a FILE.sql or -e 'SQL'"],
      [['explain', 'x.sql', '-e', 'SELECT 1'], 'error: give either a FILE or -e SQL, not both'],
      [['run', 'a.sql', 'b.sql'], "error: unexpected argument 'b.sql'"],
      [['run', '-e', 'SELECT 1', '--format', 'xml'], "error: unknown --format 'xml' (table, json or csv)"],
      [['run', '--bogus', '-e', 'SELECT 1'], "error: Unknown option '--bogus'"],
      [['run', '-e', 'SELECT 1', '--baseline=vllm'], "error: --baseline is ray-serve, router, paper, langgraph, got 'vllm'"],
    ])('usage error %j exits 1 with a message and the usage', async (args, message) => {
      const r = await runCli(args, lakehouse);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(message)).toBe(true);
      expect(r.stderr).toContain('usage: agentlake <command>');
    });

    it('a missing script file exits 1', async () => {
      const missing = join(scratch, 'nope.sql');
      const r = await runCli(['run', missing], lakehouse);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`error: cannot read '${missing}': ENOENT\n`);
    });

    it('a user error exits 1 with the rendered diagnostic on stderr', async () => {
      const r = await runCli(['run', '-e', "SELECT llm('nope', title) FROM news"], lakehouse);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        [
          "error[B0102]: unknown model 'nope'",
          ' --> <-e>:1:12',
          '  |',
          "1 | SELECT llm('nope', title) FROM news",
          '  |            ^^^^^^',
          '  = help: declare it with CREATE MODEL',
          '',
        ].join('\n'),
      );
    });

    it('every parse error of a script file is reported at once, with the file name and line', async () => {
      const file = join(scratch, 'bad.sql');
      writeFileSync(file, "CREATE MODEL a;\nSELECT 1;\nCREATE MODEL b;\n");
      const r = await runCli(['explain', file], lakehouse);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.match(/^error\[P0110\]/gm)).toHaveLength(2);
      expect(r.stderr).toContain(`--> ${file}:1:`);
      expect(r.stderr).toContain(`--> ${file}:3:`);
    });

    it('an empty script is a user error', async () => {
      const r = await runCli(['run', '-e', ''], lakehouse);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error\[P0003\]: the script has no statements/);
    });
  });

  describe('run', () => {
    const query = 'SELECT symbol, name, sector FROM symbols ORDER BY symbol LIMIT 2';

    it('-e prints a table by default', async () => {
      const r = await runCli(['run', '-e', query], lakehouse);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(
        [
          'symbol | name                  | sector',
          '-------+-----------------------+-----------',
          'ALTP   | Altair Packaging Ltd. | Materials',
          'AMBF   | Amberly Financial Co. | Financials',
          '(2 rows)',
          '',
        ].join('\n'),
      );
      const table = await runCli(['run', '-e', query, '--format', 'table'], lakehouse);
      expect(table).toEqual(r);
    });

    it('--baseline [NAME] runs as that baseline; a bare --baseline is ray-serve, even before -e', async () => {
      const q = "SELECT symbol, llm('qwen3_8b', 'One word for ' || symbol, max_tokens => 8) AS w FROM symbols ORDER BY symbol LIMIT 3";
      const ours = await runCli(['run', '-e', q, '--gpus', '2', '--no-cache'], lakehouse);
      expect(ours.code).toBe(0);
      const rows = (r: { stdout: string }): string => r.stdout.split('\n').filter((l) => !l.startsWith('--')).join('\n');
      for (const args of [['--baseline'], ['--baseline', 'router'], ['--baseline', 'paper'], ['--baseline=langgraph']]) {
        const r = await runCli(['run', ...args, '-e', q, '--gpus', '2', '--no-cache'], lakehouse);
        expect(r.code, args.join(' ')).toBe(0);
        expect(rows(r), args.join(' ')).toBe(rows(ours));
      }
      const explained = await runCli(['explain', '--baseline', '-e', q], lakehouse);
      expect(explained.stdout).toMatch(/Optimizer: engine=ray-serve /);
      expect((await runCli(['explain', '-e', q, '--baseline', 'paper'], lakehouse)).stdout).toMatch(/Optimizer: engine=paper /);
    });

    it('--format json prints columns and rows', async () => {
      const r = await runCli(['run', '-e', query, '--format', 'json'], lakehouse);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({
        columns: [
          { name: 'symbol', type: 'VARCHAR' },
          { name: 'name', type: 'VARCHAR' },
          { name: 'sector', type: 'VARCHAR' },
        ],
        rows: [
          ['ALTP', 'Altair Packaging Ltd.', 'Materials'],
          ['AMBF', 'Amberly Financial Co.', 'Financials'],
        ],
      });
    });

    it('--format csv prints a header and quotes cells that need it', async () => {
      const r = await runCli(['run', '-e', query, '--format', 'csv'], lakehouse);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('symbol,name,sector\nALTP,Altair Packaging Ltd.,Materials\nAMBF,Amberly Financial Co.,Financials\n');
      const quoted = await runCli(['run', '-e', `SELECT 'a,b' AS x, 'say "hi"' AS y, NULL AS z`, '--format', 'csv'], lakehouse);
      expect(quoted.stdout).toBe('x,y,z\n"a,b","say ""hi""",NULL\n');
    });

    it('runs a script file and prints the last statement', async () => {
      const file = join(scratch, 'script.sql');
      writeFileSync(file, '-- a script\nCREATE TEMP TABLE x AS SELECT range AS i FROM range(5);\nSELECT sum(i) AS total FROM x;\n');
      const r = await runCli(['run', file, '--format', 'csv'], lakehouse);
      expect(r).toEqual({ code: 0, stdout: 'total\n10\n', stderr: '' });
    });

    it('runs llm() in SELECT: one typed row per input row, the run figures after the table', async () => {
      const sql = "SELECT symbol, llm('qwen3_8b', 'Summarize: ' || title, max_tokens => 8) AS s FROM news WHERE symbol IN ('ALTP', 'AMBF') ORDER BY id LIMIT 3";
      const r = await runCli(['run', '-e', sql, '--no-cache'], lakehouse);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^symbol \| s/);
      expect(lines.slice(2, 5).map((l) => l.split(' | ')[0]?.trim())).toEqual(['ALTP', 'ALTP', 'ALTP']);
      expect(lines.at(-2)).toBe('(3 rows)');
      expect(lines.at(-1)).toMatch(/^-- 3 model calls \(3 executed, 0 cache hits, 0 deduplicated\), \d+ prompt tokens .*, 0 errors, simulated makespan [\d.]+ s/);
    });

    it('runs a workflow on sim:// and prints rows with the run figures as JSON', async () => {
      const sql = "SELECT s.symbol, t.outlook FROM symbols s, q1_social(s.symbol) t WHERE s.symbol IN ('ALTP', 'AMBF') ORDER BY s.symbol";
      const r = await runCli(['run', '-e', sql, '--format', 'json', '--no-cache'], lakehouse);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout) as { columns: { name: string; type: string }[]; rows: unknown[][]; stats: Record<string, unknown> };
      expect(j.columns).toEqual([{ name: 'symbol', type: 'VARCHAR' }, { name: 'outlook', type: 'VARCHAR' }]);
      expect(j.rows.map((row) => row[0])).toEqual(['ALTP', 'AMBF']);
      for (const row of j.rows) expect(['bullish', 'bearish', 'neutral']).toContain(row[1]);
      expect(j.stats).toMatchObject({ calls_total: 34, errors: 0, simulated: true });
      for (const k of ['calls_executed', 'response_cache_hits', 'dedup_saved', 'prompt_tokens', 'cached_tokens', 'simulated_makespan_seconds', 'simulated_gpu_busy_seconds', 'wall_seconds']) {
        expect(j.stats[k]).toBeTypeOf('number');
      }
    });
  });

  describe('explain', () => {
    const sql = "SELECT id, llm('qwen3_8b', 'Summarize: ' || title, max_tokens => 64) FROM news WHERE symbol IN ('ALTP', 'AMBF') AND llm_filter('qwen3_8b', 'Earnings? {{title}}')";

    it('--json prints inputs and action counts that match the text form', async () => {
      const text = await runCli(['explain', '-e', sql], lakehouse);
      const json = await runCli(['explain', '-e', sql, '--json'], lakehouse);
      expect(text.code).toBe(0);
      expect(json.code).toBe(0);
      const plan = JSON.parse(json.stdout) as PlanJson;
      expect(plan.inputs).toBe(24);
      expect(plan.actions.total).toBe(26);
      expect(plan.actions.byKind).toEqual({ sql: 2, llm: 24 });
      expect(plan.actions.byModel).toEqual({ qwen3_8b: 24 });
      expectTextMatchesJson(text.stdout, plan);
    });

    it('--verbose adds the actions of the first input', async () => {
      const plain = await runCli(['explain', '-e', sql], lakehouse);
      const verbose = await runCli(['explain', '-e', sql, '--verbose'], lakehouse);
      expect(verbose.code).toBe(0);
      expect(plain.stdout).not.toContain('Slice:');
      expect(verbose.stdout).toContain('Slice: input=0');
    });

    it('EXPLAIN of plain SQL has no actions', async () => {
      const r = await runCli(['explain', '-e', 'SELECT count(*) FROM symbols', '--json'], lakehouse);
      expect(r.code).toBe(0);
      const plan = JSON.parse(r.stdout) as PlanJson;
      expect(plan.inputs).toBe(0);
      expect(plan.actions.total).toBe(0);
    });

    // Per-input LLM calls and inputs of the six built-in workflows (catalog/README.md).
    it.each([
      ['q1_social', 17, 160],
      ['q2_trading', 16, 160],
      ['q3_imagegen', 5, 160],
      ['q4_summary', 10, 160],
      ['q5_healthcare', 21, 320],
      ['q6_materials', 14, 160],
    ])('catalog/workflows/%s.sql: %i LLM calls per input over %i inputs', async (name, llm, inputs) => {
      const file = join(ROOT, 'catalog', 'workflows', `${name}.sql`);
      const json = await runCli(['explain', file, '--json'], lakehouse);
      expect(json.stderr).toBe('');
      expect(json.code).toBe(0);
      const plan = JSON.parse(json.stdout) as PlanJson;
      expect(plan.inputs).toBe(inputs);
      expect(plan.actions.perInput['llm']).toEqual({ total: llm * inputs, min: llm, max: llm, mean: llm });
      expect(plan.actions.byKind['llm']).toBe(llm * inputs);
      const text = await runCli(['explain', file], lakehouse);
      expect(text.code).toBe(0);
      expectTextMatchesJson(text.stdout, plan);
    });
  });

  describe('the catalog survives a restart', () => {
    let lake = '';
    beforeAll(async () => {
      lake = await freshLakehouse({ demo: true });
    });
    afterAll(() => {
      if (lake) removeLakehouse(lake);
    });

    const rows = async (sql: string): Promise<RowsJson> => {
      const r = await runCli(['run', '-e', sql, '--format', 'json'], lake);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as RowsJson;
    };
    const row = (result: RowsJson, name: string): readonly unknown[] | undefined => result.rows.find((r) => r[0] === name);

    it('objects created in one call are there in the next', async () => {
      const created = await runCli(
        [
          'run',
          '-e',
          `CREATE MODEL tiny (KIND llm, ENDPOINT 'sim://', NAME 'tiny-llm', PARAMS_B 1);
           CREATE PROMPT terse AS 'Answer in one word.';
           CREATE WORKFLOW brief(symbol VARCHAR) AS (
             facts := SQL (SELECT fiscal_year, revenue FROM financials WHERE symbol = :symbol ORDER BY fiscal_year),
             note  := LLM tiny SYSTEM terse PROMPT 'Revenue of {{symbol}}:\\n{{facts}}\\nTrend?'
           ) RETURN note;`,
        ],
        lake,
      );
      expect(created).toEqual({ code: 0, stdout: 'created workflow brief(symbol VARCHAR) with 2 steps, version 1\n', stderr: '' });

      expect(row(await rows('SHOW MODELS'), 'tiny')).toEqual(['tiny', 'llm', 'sim://', 'tiny-llm', 1, null, 1]);
      expect(row(await rows('SHOW PROMPTS'), 'terse')).toEqual(['terse', 1, 19, 'Answer in one word.']);
      expect(row(await rows('SHOW WORKFLOWS'), 'brief')).toEqual(['brief', 'symbol VARCHAR', 2, 'note', 1]);
      const models = await rows('SHOW MODELS');
      expect(models.rows.map((r) => r[0]).sort()).toEqual(['e5', 'llava', 'qwen2_vl', 'qwen3_32b', 'qwen3_8b', 'tiny', 'zimage']);

      // The stored workflow binds and plans in a later process.
      const explained = await runCli(['explain', '-e', 'SELECT s.symbol, t.text FROM symbols s, brief(s.symbol) t', '--json'], lake);
      expect(explained.code).toBe(0);
      const plan = JSON.parse(explained.stdout) as PlanJson;
      expect(plan.inputs).toBe(160);
      expect(plan.actions.byModel).toEqual({ tiny: 160 });
      expect(plan.actions.byKind).toEqual({ sql: 161, format: 160, llm: 160 });
    });

    it('versions persist: an identical OR REPLACE keeps them, a change bumps them', async () => {
      const same = await runCli(['run', '-e', "CREATE OR REPLACE MODEL tiny (KIND llm, ENDPOINT 'sim://', NAME 'tiny-llm', PARAMS_B 1)"], lake);
      expect(same.stdout).toBe('created model tiny (llm, sim://) version 1\n');
      const changed = await runCli(['run', '-e', "CREATE OR REPLACE MODEL tiny (KIND llm, ENDPOINT 'sim://', NAME 'tiny-llm', PARAMS_B 2)"], lake);
      expect(changed.stdout).toBe('created model tiny (llm, sim://) version 2\n');
      expect(row(await rows('SHOW MODELS'), 'tiny')).toEqual(['tiny', 'llm', 'sim://', 'tiny-llm', 2, null, 2]);
    });

    it('changes to built-in objects are not undone by the next start', async () => {
      const r = await runCli(
        [
          'run',
          '-e',
          `CREATE OR REPLACE MODEL qwen3_8b (KIND llm, ENDPOINT 'http://gpu1:8000/v1', NAME 'Qwen/Qwen3-8B', PARAMS_B 8);
           DROP MODEL zimage;
           DROP WORKFLOW q3_imagegen;`,
        ],
        lake,
      );
      expect(r).toEqual({ code: 0, stdout: 'dropped workflow q3_imagegen\n', stderr: '' });
      const models = await rows('SHOW MODELS');
      expect(row(models, 'qwen3_8b')).toEqual(['qwen3_8b', 'llm', 'http://gpu1:8000/v1', 'Qwen/Qwen3-8B', 8, null, 2]);
      expect(row(models, 'zimage')).toBeUndefined();
      expect(row(await rows('SHOW WORKFLOWS'), 'q3_imagegen')).toBeUndefined();
    });

    it('dropped objects stay dropped', async () => {
      expect((await runCli(['run', '-e', 'DROP WORKFLOW brief; DROP PROMPT terse'], lake)).code).toBe(0);
      expect(row(await rows('SHOW WORKFLOWS'), 'brief')).toBeUndefined();
      expect(row(await rows('SHOW PROMPTS'), 'terse')).toBeUndefined();
      const gone = await runCli(['run', '-e', 'DROP WORKFLOW brief'], lake);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toMatch(/^error\[B0121\]: unknown workflow 'brief'/);
    });
  });

  describe('the built-in catalog', () => {
    it('built-in workflows over missing tables are skipped while the tables stay the same, and created once they appear', async () => {
      const empty = await freshLakehouse();
      try {
        const workflows = async (): Promise<string[]> => {
          const r = await runCli(['run', '-e', 'SHOW WORKFLOWS', '--format', 'csv'], empty);
          expect([r.code, r.stderr]).toEqual([0, '']);
          return r.stdout.trim().split('\n').slice(1).map((l) => l.split(',')[0] ?? '');
        };
        expect(await workflows()).toEqual(['q4_summary']);
        const pending = await runCli(['run', '-e', "SELECT key FROM agentlake_meta WHERE key LIKE 'builtin-pending:%' ORDER BY key", '--format', 'csv'], empty);
        expect(pending.stdout).toBe('key\n' + ['q1_social', 'q2_trading', 'q3_imagegen', 'q5_healthcare', 'q6_materials'].map((q) => `builtin-pending:workflows/${q}.sql\n`).join(''));
        expect(await workflows()).toEqual(['q4_summary']);
        // The demo tables arrive: the next open binds the workflows.
        const shared = await sharedDemoData();
        for (const f of readdirSync(join(shared, 'tables'))) symlinkSync(join(shared, 'tables', f), join(empty, 'tables', f));
        expect(await workflows()).toEqual(['q1_social', 'q2_trading', 'q3_imagegen', 'q4_summary', 'q5_healthcare', 'q6_materials']);
      } finally {
        removeLakehouse(empty);
      }
    });
  });

  describe('the real executable', () => {
    it('node bin/agentlake.js runs, and exits 1 on user and usage errors', () => {
      const bin = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
        spawnSync(process.execPath, ['bin/agentlake.js', ...args, '--lakehouse', lakehouse], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      const ok = bin('run', '-e', 'SELECT 42 AS answer');
      expect(ok.stderr).toBe('');
      expect(ok.stdout).toBe('answer\n------\n42\n(1 row)\n');
      expect(ok.status).toBe(0);
      const userError = bin('run', '-e', "SELECT llm('nope', title) FROM news");
      expect(userError.status).toBe(1);
      expect(userError.stdout).toBe('');
      expect(userError.stderr).toMatch(/^error\[B0102\]: unknown model 'nope'\n --> <-e>:1:12\n/);
      const usage = bin('frobnicate');
      expect(usage.status).toBe(1);
      expect(usage.stderr).toMatch(/^error: unknown command 'frobnicate'/);
    });

    it('node bin/agentlake.js runs the built dist/cli/: --version, and SELECT 1 on a new lakehouse', () => {
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      const bin = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
        spawnSync(process.execPath, [join(ROOT, 'bin', 'agentlake.js'), ...args], { cwd: scratch, encoding: 'utf8', timeout: 60_000 });
      expect(readFileSync(join(ROOT, 'bin', 'agentlake.js'), 'utf8')).toContain('../dist/cli/main.js');
      const v = bin('--version');
      expect([v.status, v.stdout, v.stderr]).toEqual([0, `agentlake ${version}\n`, '']);
      // A lakehouse folder that does not exist yet: created, the built-in catalog loaded from catalog/.
      const fresh = join(scratch, 'child-lakehouse');
      for (let i = 0; i < 2; i++) {
        const one = bin('run', '-e', 'SELECT 1 AS one', '--lakehouse', fresh);
        expect([one.status, one.stdout, one.stderr]).toEqual([0, 'one\n---\n1\n(1 row)\n', '']);
      }
      // The bundle finds catalog/ (the built-in models) from dist/cli/.
      const models = bin('run', '-e', 'SHOW MODELS', '--format', 'csv', '--lakehouse', fresh);
      expect([models.status, models.stderr]).toEqual([0, '']);
      expect(models.stdout).toMatch(/^name,kind,endpoint,/);
      expect(models.stdout).toMatch(/^llava,vlm,sim:\/\/,/m);
    });

    it('bin/agentlake.js without a built dist/ says to run npm run build and exits 2', () => {
      const copy = join(scratch, 'no-dist', 'bin');
      mkdirSync(copy, { recursive: true });
      copyFileSync(join(ROOT, 'bin', 'agentlake.js'), join(copy, 'agentlake.js'));
      const r = spawnSync(process.execPath, [join(copy, 'agentlake.js'), '--version'], { encoding: 'utf8', timeout: 60_000 });
      expect([r.status, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(/^agentlake: dist\/cli\/main\.js is missing; run `npm run build`.*\n$/);
    });
  });
});
