// SimCluster.submit: cached_tokens in usage, placement over GPUs, model switch cost through the
// API, image prompts and the encoder cache, OpenAI-style errors, and reproducible faults.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimCluster } from '../../src/sim/cluster.ts';
import { encodePng } from '../../src/storage/png.ts';
import type { ChatCompletion, SimResult } from '../../src/sim/protocol.ts';

const QWEN = 'Qwen/Qwen3-8B';
const LLAVA = 'llava-hf/llava-1.5-7b-hf';
const QWEN_VL = 'Qwen/Qwen2-VL-7B-Instruct';
const SYSTEM = 'You are a meticulous equity analyst. '.repeat(40);

const body = (user: string, model = QWEN, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model, temperature: 0, max_tokens: 32, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: user }], ...extra,
});

function ok(r: SimResult): ChatCompletion {
  if (!r.ok) throw new Error(`${r.status}: ${r.body.error.message}`);
  return r.body as ChatCompletion;
}

describe('SimCluster', () => {
  it('reports cached prompt tokens for a shared system prompt', async () => {
    const c = new SimCluster({ clock: new VirtualClock(), gpus: [{ preload: QWEN }] });
    const first = ok(await c.submit({ endpoint: 'chat.completions', body: body('ACME') }));
    const second = ok(await c.submit({ endpoint: 'chat.completions', body: body('BETA') }));
    expect(first.usage.prompt_tokens_details.cached_tokens).toBe(0);
    const cached = second.usage.prompt_tokens_details.cached_tokens;
    expect(cached % 16).toBe(0);
    expect(cached).toBeGreaterThan(250); // the ~280-token system prompt, in full blocks
    expect(cached).toBeLessThan(second.usage.prompt_tokens);
    expect(second.agentlake_sim).toMatchObject({ simulated: true, gpu: 0 });
    expect(c.prometheus()).toMatch(/vllm:gpu_prefix_cache_hits_total\{model_name="Qwen\/Qwen3-8B",gpu="0"\} [1-9]/);
  });

  it('caches generated tokens, so a continuation of the conversation hits them', async () => {
    const c = new SimCluster({ clock: new VirtualClock(), gpus: [{ preload: QWEN }] });
    const first = ok(await c.submit({ endpoint: 'chat.completions', body: { model: QWEN, temperature: 0, max_tokens: 100, messages: [{ role: 'user', content: 'Tell me about ACME.' }] } }));
    const reply = first.choices[0]?.message.content ?? '';
    const next = ok(await c.submit({ endpoint: 'chat.completions', body: {
      model: QWEN, temperature: 0, max_tokens: 10,
      messages: [{ role: 'user', content: 'Tell me about ACME.' }, { role: 'assistant', content: reply }, { role: 'user', content: 'And the risks?' }],
    } }));
    const seen = first.usage.prompt_tokens + first.usage.completion_tokens;
    expect(next.usage.prompt_tokens_details.cached_tokens).toBe(Math.floor(seen / 16) * 16);
  });

  it('places requests on the least-loaded GPU holding the model, or pins them', async () => {
    const c = new SimCluster({ clock: new VirtualClock(), gpus: [{ preload: QWEN }, { preload: LLAVA }, { preload: QWEN }] });
    const rs = await Promise.all([0, 1, 2, 3].map((i) => c.submit({ endpoint: 'chat.completions', body: body(`stock ${i}`) })));
    expect(rs.map((r) => ok(r).agentlake_sim.gpu)).toEqual([0, 2, 0, 2]);
    const vlm = ok(await c.submit({ endpoint: 'chat.completions', body: body('describe', LLAVA) }));
    expect(vlm.agentlake_sim.gpu).toBe(1);
    const pinned = ok(await c.submit({ endpoint: 'chat.completions', body: body('pinned'), gpu: 1 }));
    expect(pinned.agentlake_sim).toMatchObject({ gpu: 1, model_load_s: 30 }); // Qwen3-8B loads cold there
  });

  it('shows the model switch cost in the response', async () => {
    const c = new SimCluster({ clock: new VirtualClock(), gpus: [{ preload: QWEN }], switchCosts: { coldLoadS: 12 } });
    const r = ok(await c.submit({ endpoint: 'chat.completions', body: body('hello', LLAVA) }));
    expect(r.agentlake_sim.model_load_s).toBe(12);
    expect(r.agentlake_sim.latency_s).toBeGreaterThan(12);
    const back = ok(await c.submit({ endpoint: 'chat.completions', body: body('hello') }));
    expect(back.agentlake_sim.model_load_s).toBe(2);
    expect(c.metrics()[0]).toMatchObject({ modelSwitches: 2, modelLoadS: 14 });
  });

  it('counts image tokens and skips the encoder for a known image', async () => {
    const c = new SimCluster({ clock: new VirtualClock(), gpus: [{ preload: LLAVA }, { preload: QWEN_VL }] });
    const png = `data:image/png;base64,${encodePng(280, 140, new Uint8Array(280 * 140 * 3)).toString('base64')}`;
    const msg = (model: string, text: string): Record<string, unknown> => ({
      model, temperature: 0, max_tokens: 8,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: png } }, { type: 'text', text }] }],
    });
    const a = ok(await c.submit({ endpoint: 'chat.completions', body: msg(LLAVA, 'What does the chart say?') }));
    const b = ok(await c.submit({ endpoint: 'chat.completions', body: msg(LLAVA, 'Is the trend up?') }));
    expect(a.usage.prompt_tokens).toBeGreaterThan(576);
    expect(b.usage.prompt_tokens_details.cached_tokens).toBe(576); // role id + 576 image tokens, in full blocks
    expect(c.metrics()[0]).toMatchObject({ encoderCacheQueries: 2, encoderCacheHits: 1 });
    const q = ok(await c.submit({ endpoint: 'chat.completions', body: msg(QWEN_VL, 'Trend?') }));
    expect(q.usage.prompt_tokens).toBeGreaterThan(50); // 10 × 5 = 50 image tokens for 280×140 px
    expect(q.usage.prompt_tokens).toBeLessThan(80);
    const refused = await c.submit({ endpoint: 'chat.completions', body: msg(QWEN, 'x') });
    expect(refused).toMatchObject({ ok: false, status: 400 });
  });

  it('answers bad requests with OpenAI-style errors', async () => {
    const c = new SimCluster({ clock: new VirtualClock() });
    const unknown = await c.submit({ endpoint: 'chat.completions', body: body('x', 'no-such-model') });
    expect(unknown).toMatchObject({ ok: false, status: 404, body: { error: { code: 'model_not_found', type: 'invalid_request_error' } } });
    const noMessages = await c.submit({ endpoint: 'chat.completions', body: { model: QWEN } });
    expect(noMessages).toMatchObject({ ok: false, status: 400, body: { error: { param: 'messages' } } });
    const wrongKind = await c.submit({ endpoint: 'embeddings', body: { model: QWEN, input: 'x' } });
    expect(wrongKind).toMatchObject({ ok: false, status: 400 });
    const tooLong = await c.submit({ endpoint: 'chat.completions', body: body('x', QWEN, { max_tokens: 40_000 }) });
    expect(tooLong).toMatchObject({ ok: false, status: 400 });
    const badGpu = await c.submit({ endpoint: 'chat.completions', body: body('x'), gpu: 3 });
    expect(badGpu).toMatchObject({ ok: false, status: 400, body: { error: { param: 'gpu' } } });
  });

  it('injects faults at a set rate, reproducibly', async () => {
    const run = async (): Promise<string> => {
      const clock = new VirtualClock();
      const c = new SimCluster({ clock, gpus: [{ preload: QWEN }], faults: { seed: 42, errorRate: 0.2, malformedRate: 0.3, spikeRate: 0.1, spikeS: 3 } });
      const schema = { type: 'object', required: ['a'], properties: { a: { type: 'integer' } } };
      const rs = await Promise.all(Array.from({ length: 100 }, (_, i) =>
        c.submit({ endpoint: 'chat.completions', body: body(`q${i}`, QWEN, { response_format: { type: 'json_schema', json_schema: { schema } } }) })));
      return rs.map((r) => {
        if (!r.ok) return String(r.status);
        const b = r.body as ChatCompletion;
        let parsed = true;
        try {
          JSON.parse(b.choices[0]?.message.content ?? '');
        } catch {
          parsed = false;
        }
        return `${parsed ? 'ok' : 'bad'}${b.agentlake_sim.fault_delay_s > 0 ? '+spike' : ''}`;
      }).join(',') + `,makespan=${clock.now()}`;
    };
    const a = await run();
    expect(await run()).toBe(a);
    const outcomes = a.split(',').slice(0, -1);
    const errors = outcomes.filter((o) => o === '500' || o === '429').length;
    expect(errors).toBeGreaterThan(8);
    expect(errors).toBeLessThan(35);
    expect(outcomes).toContain('429');
    expect(outcomes).toContain('500');
    expect(outcomes.some((o) => o.startsWith('bad'))).toBe(true);
    expect(outcomes.some((o) => o.endsWith('+spike'))).toBe(true);
  });
});
