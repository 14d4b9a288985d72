// OpenAiClient (the `openai` SDK) against the simulator served over loopback: chat with a RETURNS
// schema, shared-prefix cached tokens, embeddings, retries of 500s, and cancellation through the
// AbortSignal reaching the server.
import { setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limiter } from '../../src/runtime/limiter.ts';
import type { ModelCall } from '../../src/runtime/model-client.ts';
import { OpenAiClient } from '../../src/runtime/openai-client.ts';
import { validateReturns } from '../../src/runtime/validate-returns.ts';
import { startSimServer, type SimServer } from '../../src/sim/http-server.ts';
import { Database } from '../../src/storage/duckdb.ts';
import type { ReturnSpec } from '../../src/ir/common.ts';

const QWEN = { name: 'remote_qwen', kind: 'llm', endpoint: '', modelName: 'Qwen/Qwen3-8B', paramsB: 8, version: 1 } as const;
const E5 = { name: 'remote_e5', kind: 'embedding', endpoint: '', modelName: 'intfloat/e5-small-v2', paramsB: 0.03, version: 1 } as const;
const SYSTEM = `You review quarterly filings. ${'State the figure, the change and what it implies, in that order, and nothing else. '.repeat(8)}`;
const VERDICT: ReturnSpec = { columns: [{ name: 'verdict', type: 'VARCHAR', check: "verdict IN ('up', 'down', 'flat')" }, { name: 'confidence', type: 'DOUBLE', check: 'confidence BETWEEN 0 AND 1' }] };

function client(server: SimServer, opts: { maxRetries?: number; concurrency?: number } = {}): OpenAiClient {
  return new OpenAiClient({ baseURL: server.url, apiKey: 'EMPTY', limiter: new Limiter(opts.concurrency ?? 4), timeoutMs: 20_000, ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}) });
}

const never = new AbortController().signal;
// Many calls listen on this one never-aborted signal.
setMaxListeners(0, never);

describe('OpenAiClient against sim-serve', () => {
  let server: SimServer;
  let db: Database;

  beforeAll(async () => {
    server = await startSimServer({ port: 0, timeScale: 0.001 });
    db = await Database.open(':memory:');
  });

  afterAll(async () => {
    db.close();
    await server.close();
  });

  it('answers a chat call with schema-valid JSON for a RETURNS spec', async () => {
    const c = client(server);
    const call: ModelCall = { model: { ...QWEN, endpoint: server.url }, kind: 'chat', system: SYSTEM, prompt: 'Revenue rose 12% to $4.1bn. Verdict?', decoding: { temperature: 0, maxTokens: 96 }, returns: VERDICT };
    const r = await c.call(call, never);
    expect(r.usage.promptTokens).toBeGreaterThan(100);
    expect(r.usage.completionTokens).toBeGreaterThan(0);
    const v = await validateReturns(r.text ?? '', VERDICT, db);
    expect(v.ok).toBe(true);
    // Same request again: same answer (temperature 0), and the shared prefix is served from the KV cache.
    const again = await c.call(call, never);
    expect(again.text).toBe(r.text);
    expect(again.usage.cachedTokens).toBeGreaterThan(0);
    expect(again.usage.cachedTokens).toBeLessThan(again.usage.promptTokens);
  });

  it('returns embeddings', async () => {
    const r = await client(server).call({ model: { ...E5, endpoint: server.url }, kind: 'embedding', prompt: 'quarterly revenue', decoding: { temperature: 0, maxTokens: 1 } }, never);
    expect(r.embedding).toHaveLength(384);
    expect(r.usage.promptTokens).toBeGreaterThan(0);
  });

  it('retries 500s and returns the answer', async () => {
    const flaky = await startSimServer({ port: 0, timeScale: 0.001, faults: { seed: 9, errorRate: 0.4, rateLimitShare: 0 } });
    try {
      const c = client(flaky, { maxRetries: 5 });
      const results = await Promise.all([1, 2, 3, 4].map((i) => c.call({ model: { ...QWEN, endpoint: flaky.url }, kind: 'chat', prompt: `Call ${i}`, decoding: { temperature: 0, maxTokens: 8 } }, never)));
      expect(results.every((r) => typeof r.text === 'string' && r.text.length > 0)).toBe(true);
      expect(flaky.cluster.faults.counts().errors500).toBeGreaterThan(0);
    } finally {
      await flaky.close();
    }
  });

  // Regression test (fixed bug): sim-serve answers a simulated 429 with `retry-after: 1` whatever its time scale
  // (handle() in src/sim/http-server.ts sends retryAfterS, simulated seconds, as the real-seconds
  // header). At timeScale 0.001 a simulated second is 1 ms, but the SDK honours the header and
  // sleeps a real second per 429: these 4 calls take over 1 s instead of a few ms. Expected: the
  // wait is scaled (e.g. retry-after-ms, which the openai SDK reads, = retryAfterS × timeScale × 1000).
  it('a 429 from a time-scaled server makes the client wait the scaled Retry-After', async () => {
    const limited = await startSimServer({ port: 0, timeScale: 0.001, faults: { seed: 9, errorRate: 0.4, rateLimitShare: 1 } });
    try {
      const c = client(limited, { maxRetries: 5 });
      const t0 = Date.now();
      await Promise.all([1, 2, 3, 4].map((i) => c.call({ model: { ...QWEN, endpoint: limited.url }, kind: 'chat', prompt: `Call ${i}`, decoding: { temperature: 0, maxTokens: 8 } }, never)));
      expect(limited.cluster.faults.counts().errors429).toBeGreaterThan(0);
      expect(Date.now() - t0).toBeLessThan(500);
    } finally {
      await limited.close();
    }
  });

  it('aborting a call rejects promptly and the server drops the request', async () => {
    // 0.05 real s per simulated s: the cold model load alone takes 1.5 s.
    const slow = await startSimServer({ port: 0, timeScale: 0.05 });
    try {
      const ctrl = new AbortController();
      const t0 = Date.now();
      const pending = client(slow).call({ model: { ...QWEN, endpoint: slow.url }, kind: 'chat', prompt: 'Take your time.', decoding: { temperature: 0, maxTokens: 64 } }, ctrl.signal);
      setTimeout(() => ctrl.abort(new Error('stop')), 150);
      await expect(pending).rejects.toThrow();
      expect(Date.now() - t0).toBeLessThan(1000);
      const end = Date.now() + 3000;
      const metrics = (): { running: number; waiting: number; aborted: number } => {
        const m = slow.cluster.metrics();
        return { running: m.reduce((n, g) => n + g.running, 0), waiting: m.reduce((n, g) => n + g.waiting, 0), aborted: m.reduce((n, g) => n + g.requestsAborted, 0) };
      };
      while (metrics().aborted === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(metrics()).toEqual({ running: 0, waiting: 0, aborted: 1 });
    } finally {
      await slow.close();
    }
  });
});
