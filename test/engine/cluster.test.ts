// The simulated cluster as one value (ir/cluster.ts): the accelerator, warm start, preloaded models and
// thinking mode set by SQL (and the CLI's options), planned for, shown by EXPLAIN and recorded in the
// run's stats; the figures move as documented and the rows do not (thinking: unless it uses up max_tokens).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { UserError } from '../../src/diag/diagnostic.ts';
import { runCli } from '../helpers/cli.ts';
import { openSession, runModel } from './support.ts';

/** One model (qwen3_8b) over 6 rows: a single-model statement, so warm saves exactly one cold load. */
const ONE_MODEL = "SELECT id, llm('qwen3_8b', 'Summarize: ' || title, max_tokens => 32) AS s FROM news WHERE symbol = 'ALTP' ORDER BY id LIMIT 6";

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await openSession({ cache: false }));
});

afterAll(() => dispose());

async function runWith(settings: string): Promise<Awaited<ReturnType<typeof runModel>>> {
  const r = await runModel(session, `${settings}\n${ONE_MODEL}`);
  await session.runScript({ name: 'reset.sql', text: 'RESET agentlake.device; RESET agentlake.warm; RESET agentlake.preload' }, 'run');
  return r;
}

describe('the simulated cluster', () => {
  it('records the cluster in the stats; warm saves exactly the one cold load; the rows do not change', async () => {
    const cold = await runWith('');
    const warm = await runWith('SET agentlake.warm = true;');
    expect(cold.stats.simulated_cluster).toBe('1× H100, cold');
    expect(warm.stats.simulated_cluster).toBe('1× H100, warm');
    expect(warm.rows).toEqual(cold.rows);
    // Each statement gets a fresh cluster (a cluster setting changed): cold pays one 30 s load.
    expect(cold.stats.simulated_model_switches).toBe(1);
    expect(warm.stats.simulated_model_switches).toBe(0);
    expect(cold.stats.simulated_makespan_seconds - warm.stats.simulated_makespan_seconds).toBeCloseTo(30, 2);
  });

  it('preloads the same model for every engine, and an H200 is faster than an H100', async () => {
    const h100 = await runWith('SET agentlake.preload = qwen3_8b;');
    const h200 = await runWith("SET agentlake.preload = 'qwen3_8b'; SET agentlake.device = 'h200';");
    expect(h100.stats.simulated_cluster).toBe('1× H100, preload qwen3_8b');
    expect(h200.stats.simulated_cluster).toBe('1× H200, preload qwen3_8b');
    expect(h100.stats.simulated_model_switches).toBe(0);
    expect(h200.stats.simulated_makespan_seconds).toBeLessThan(h100.stats.simulated_makespan_seconds);
    expect(h200.rows).toEqual(h100.rows);
  });

  it('shows the cluster in EXPLAIN and plans the warm start with no first load', async () => {
    const explain = async (settings: string): Promise<string> => {
      const out = await session.runScript({ name: 'e.sql', text: `${settings}\n${ONE_MODEL}` }, 'explain');
      await session.runScript({ name: 'reset.sql', text: 'RESET agentlake.device; RESET agentlake.warm' }, 'run');
      if (out.kind !== 'explain') throw new Error('expected a plan');
      return out.text;
    };
    const cold = await explain('');
    const warm = await explain("SET agentlake.warm = true; SET agentlake.device = 'h200';");
    expect(cold).toMatch(/Optimizer: engine=agentlake gpus=1 device=h100 start=cold /);
    expect(warm).toMatch(/Optimizer: engine=agentlake gpus=1 device=h200 start=warm /);
    const estimate = (t: string): number => Number(/simulated_makespan_s=([\d.]+)/.exec(t)?.[1]);
    expect(estimate(cold) - estimate(warm)).toBeGreaterThan(29);
  });

  it('SET agentlake.reasoning = true: every call thinks first, so completions grow, and it shows in the stats and EXPLAIN', async () => {
    // A budget the thinking (300..3000 tokens) fits in: the answers survive; 32 tokens: thinking uses them all.
    const roomy = ONE_MODEL.replace('max_tokens => 32', 'max_tokens => 4096');
    const run = async (settings: string, sql: string): Promise<{ completion: number; r: Awaited<ReturnType<typeof runModel>> }> => {
      let completion = 0;
      const out = await session.runScript({ name: 'r.sql', text: `${settings}\n${sql}` }, 'run', { onEvent: (e) => (completion += e.usage?.completionTokens ?? 0) });
      await session.runScript({ name: 'reset.sql', text: 'RESET agentlake.reasoning' }, 'run');
      if (out.kind !== 'rows' || !out.stats) throw new Error('expected rows with stats');
      return { completion, r: { columns: out.columns, rows: out.rows, stats: out.stats } };
    };
    const plain = await run('', roomy);
    const thinking = await run('SET agentlake.reasoning = true;', roomy);
    expect(plain.r.stats.simulated_cluster).toBe('1× H100, cold');
    expect(thinking.r.stats.simulated_cluster).toBe('1× H100, cold, reasoning');
    // Six calls of 300..3000 thinking tokens each on top of their answers.
    expect(thinking.completion - plain.completion).toBeGreaterThanOrEqual(6 * 300);
    expect(thinking.r.stats.simulated_makespan_seconds).toBeGreaterThan(plain.r.stats.simulated_makespan_seconds);
    // Thinking that reaches max_tokens leaves no answer, as on a real server.
    const starved = await run("SET agentlake.reasoning = 'on';", ONE_MODEL);
    expect(starved.completion).toBe(6 * 32);
    expect(starved.r.rows.map((row) => row[1])).toEqual(Array(6).fill(''));
    // EXPLAIN plans for it: the line says so, and the expected output (so the estimate) grows.
    const explain = async (settings: string): Promise<string> => {
      const out = await session.runScript({ name: 'e.sql', text: `${settings}\n${roomy}` }, 'explain');
      await session.runScript({ name: 'reset.sql', text: 'RESET agentlake.reasoning' }, 'run');
      if (out.kind !== 'explain') throw new Error('expected a plan');
      return out.text;
    };
    const [off, on] = [await explain(''), await explain('SET agentlake.reasoning = true;')];
    expect(off).toMatch(/Optimizer: engine=agentlake gpus=1 device=h100 start=cold calls_before/);
    expect(on).toMatch(/Optimizer: engine=agentlake gpus=1 device=h100 start=cold reasoning=on calls_before/);
    const estimate = (t: string): number => Number(/simulated_makespan_s=([\d.]+)/.exec(t)?.[1]);
    expect(estimate(on)).toBeGreaterThan(estimate(off));
  });

  it('refuses a bad setting and a preload that is not a sim:// model of the catalog', async () => {
    const fails = async (text: string): Promise<UserError> => {
      try {
        await session.runScript({ name: 'bad.sql', text }, 'run');
      } catch (e) {
        if (e instanceof UserError) return e;
        throw e;
      }
      throw new Error(`'${text}' did not fail`);
    };
    expect((await fails("SET agentlake.device = 'a100'")).diagnostics[0]).toMatchObject({ code: 'B0131', message: "agentlake.device is 'h100' or 'h200', not 'a100'" });
    expect((await fails("SET agentlake.preload = 'qwen3_8b;'")).diagnostics[0]?.code).toBe('B0131');
    const unknown = await fails(`SET agentlake.preload = qwen3_9b;\n${ONE_MODEL}`);
    expect(unknown.diagnostics[0]).toMatchObject({ code: 'B0134' });
    expect(unknown.diagnostics[0]?.message).toMatch(/'qwen3_9b' for GPU 0, which is not a sim:\/\/ model/);
    const many = await fails(`SET agentlake.preload = 'qwen3_8b,llava';\n${ONE_MODEL}`);
    expect(many.diagnostics[0]?.message).toMatch(/names 2 models for 1 simulated GPU/);
    await session.runScript({ name: 'reset.sql', text: 'RESET agentlake.preload' }, 'run');
  });

  it('takes the cluster from the command line', async () => {
    const { dir } = session.lakehouse;
    const warm = await runCli(['run', '-e', ONE_MODEL, '--format', 'json', '--no-cache', '--device', 'h200', '--warm', '--gpus', '2'], dir);
    expect(warm.code).toBe(0);
    expect((JSON.parse(warm.stdout) as { stats: { simulated_cluster: string } }).stats.simulated_cluster).toBe('2× H200, warm');
    const thinking = await runCli(['run', '-e', ONE_MODEL, '--format', 'json', '--no-cache', '--reasoning'], dir);
    expect(thinking.code).toBe(0);
    expect((JSON.parse(thinking.stdout) as { stats: { simulated_cluster: string } }).stats.simulated_cluster).toBe('1× H100, cold, reasoning');
    const explained = await runCli(['explain', '-e', ONE_MODEL, '--reasoning'], dir);
    expect(explained.stdout).toMatch(/Optimizer: engine=agentlake gpus=1 device=h100 start=cold reasoning=on /);
    const bad = await runCli(['run', '-e', 'SELECT 1', '--device', 'tpu'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--device is h100 or h200, got 'tpu'/);
    const many = await runCli(['run', '-e', 'SELECT 1', '--preload', 'qwen3_8b,llava'], dir);
    expect(many.stderr).toMatch(/--preload names 2 models for 1 GPU/);
  });
});
