// A run's stats carry the simulator's KV pre-emptions (vllm:num_preemptions_total over every GPU):
// present and zero when the KV pool holds every request, positive when it cannot (a 40B model on one
// H100 leaves the 256-block floor, 4,096 tokens, for KV) and every call is sent at once (a baseline),
// zero again under agentlake's dispatch, which admits only what the KV budget holds; the rows do not change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { openSession, runModel } from './support.ts';

let session: Session;
let baseline: Session;
let dispose: () => Promise<void>;
let disposeBaseline: () => Promise<void>;

const TIGHT = "CREATE OR REPLACE MODEL tight_kv (KIND llm, ENDPOINT 'sim://', NAME 'bench/tight-kv-40b', PARAMS_B 40)";

beforeAll(async () => {
  ({ session, dispose } = await openSession({ cache: false }));
  ({ session: baseline, dispose: disposeBaseline } = await openSession({ cache: false, baseline: 'ray-serve' }));
  for (const s of [session, baseline]) await s.runScript({ name: 'm.sql', text: TIGHT }, 'run');
});

afterAll(async () => {
  await dispose();
  await disposeBaseline();
});

/** Thirty calls of ~800-1,800 prompt tokens and up to 256 output tokens each: ~40k tokens of KV at once. */
const query = (model: string): string =>
  `SELECT id, llm('${model}', 'Rewrite this story in full, then add a long commentary. ' || repeat(body || ' ', 25), max_tokens => 256) AS s FROM news ORDER BY id LIMIT 30`;

describe('simulated pre-emptions in the run stats', () => {
  it('are present and zero when the KV pool holds every request', async () => {
    const r = await runModel(session, query('qwen3_8b'));
    expect(r.stats.simulated_preemptions).toBe(0);
  });

  it('are positive under a tiny KV pool when every call is sent at once, and zero under agentlake\'s dispatch', async () => {
    const sent = await runModel(baseline, query('tight_kv'));
    expect(sent.stats.simulated).toBe(true);
    expect(sent.stats.simulated_preemptions).toBeGreaterThan(0);
    const planned = await runModel(session, query('tight_kv'));
    expect(planned.stats.simulated_preemptions).toBe(0);
    expect(planned.rows).toEqual(sent.rows);
  });
});
