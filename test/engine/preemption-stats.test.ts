// A run's stats carry the simulator's KV pre-emptions (vllm:num_preemptions_total over every GPU):
// present and zero when the KV pool holds every request, positive when it cannot (a 40B model on one
// H100 leaves the 256-block floor, 4,096 tokens, for KV), and the rows do not change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { openSession, runModel } from './support.ts';

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await openSession({ cache: false }));
  await session.runScript({ name: 'm.sql', text: "CREATE OR REPLACE MODEL tight_kv (KIND llm, ENDPOINT 'sim://', NAME 'bench/tight-kv-40b', PARAMS_B 40)" }, 'run');
});

afterAll(() => dispose());

/** Thirty calls of ~800-1,800 prompt tokens and up to 256 output tokens each: ~40k tokens of KV at once. */
const query = (model: string): string =>
  `SELECT id, llm('${model}', 'Rewrite this story in full, then add a long commentary. ' || repeat(body || ' ', 25), max_tokens => 256) AS s FROM news ORDER BY id LIMIT 30`;

describe('simulated pre-emptions in the run stats', () => {
  it('are present and zero when the KV pool holds every request', async () => {
    const r = await runModel(session, query('qwen3_8b'));
    expect(r.stats.simulated_preemptions).toBe(0);
  });

  it('are positive under a tiny KV pool', async () => {
    const r = await runModel(session, query('tight_kv'));
    expect(r.stats.simulated).toBe(true);
    expect(r.stats.simulated_preemptions).toBeGreaterThan(0);
  });
});
