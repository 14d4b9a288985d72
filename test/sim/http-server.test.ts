// The OpenAI-compatible HTTP simulator on an ephemeral loopback port, at timeScale 0.001
// (a simulated second takes 1 ms): endpoint shapes, metrics, health and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/sim/http-server.ts';
import { readPngSize } from '../../src/storage/png.ts';

let server: SimServer;
/** Finish reasons of the Qwen answers so far (the metrics count them). */
const finishes: string[] = [];

beforeAll(async () => {
  server = await startSimServer({ port: 0, host: '127.0.0.1', timeScale: 0.001, gpus: [{ preload: 'Qwen/Qwen3-8B' }, {}] });
});

afterAll(async () => {
  await server.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('sim HTTP server', () => {
  it('lists models and answers health', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = (await (await fetch(`${server.url}/models`)).json()) as { object: string; data: { id: string; object: string }[] };
    expect(models.object).toBe('list');
    expect(models.data.map((m) => m.id)).toContain('Qwen/Qwen3-8B');
    expect((await fetch(`${server.origin}/health`)).status).toBe(200);
  });

  it('answers chat completions shaped like OpenAI', async () => {
    const { status, json } = await post('/chat/completions', {
      model: 'Qwen/Qwen3-8B', temperature: 0, max_tokens: 20,
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'Hello there' }] }],
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ object: 'chat.completion', model: 'Qwen/Qwen3-8B', agentlake_sim: { simulated: true } });
    expect(String(json.id)).toMatch(/^chatcmpl-/);
    expect(typeof json.created).toBe('number');
    const choice = (json.choices as Record<string, unknown>[])[0];
    expect(choice).toMatchObject({ index: 0, message: { role: 'assistant' } });
    expect(['stop', 'length']).toContain(choice?.finish_reason);
    finishes.push(String(choice?.finish_reason));
    const usage = json.usage as { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details: { cached_tokens: number } };
    expect(usage.completion_tokens).toBeLessThanOrEqual(20);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.prompt_tokens_details.cached_tokens).toBe(0);
  });

  it('answers completions, embeddings and image generations', async () => {
    const cmpl = await post('/completions', { model: 'Qwen/Qwen3-8B', prompt: 'The market', max_tokens: 5 });
    expect(cmpl.json).toMatchObject({ object: 'text_completion', choices: [{ index: 0, logprobs: null }] });
    finishes.push(String((cmpl.json.choices as { finish_reason: string }[])[0]?.finish_reason));
    const emb = await post('/embeddings', { model: 'intfloat/e5-small-v2', input: 'hello' });
    expect(emb.json).toMatchObject({ object: 'list', data: [{ object: 'embedding', index: 0 }] });
    expect(((emb.json.data as { embedding: number[] }[])[0]?.embedding ?? []).length).toBe(384);
    const img = await post('/images/generations', { model: 'Tongyi-MAI/Z-Image-Turbo', prompt: 'a chart', size: '32x32' });
    const b64 = (img.json.data as { b64_json: string }[])[0]?.b64_json ?? '';
    expect(readPngSize(Buffer.from(b64, 'base64'))).toEqual({ width: 32, height: 32 });
  });

  it('serves Prometheus metrics with vLLM names', async () => {
    const res = await fetch(`${server.origin}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const name of [
      'vllm:prompt_tokens_total', 'vllm:generation_tokens_total', 'vllm:num_requests_running', 'vllm:num_requests_waiting',
      'vllm:gpu_cache_usage_perc', 'vllm:gpu_prefix_cache_hits_total', 'vllm:gpu_prefix_cache_queries_total', 'vllm:request_success_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('simulated');
    // One count per Qwen answer, under the reason it finished for.
    expect(finishes).toHaveLength(2);
    for (const reason of new Set(finishes)) {
      expect(text).toContain(`vllm:request_success_total{model_name="Qwen/Qwen3-8B",gpu="0",finished_reason="${reason}"} ${finishes.filter((f) => f === reason).length}`);
    }
  });

  it('answers bad requests with 400, unknown models and routes with 404', async () => {
    const notJson = await fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{nope' });
    expect(notJson.status).toBe(400);
    const bad = await post('/chat/completions', { model: 'Qwen/Qwen3-8B', messages: [], max_tokens: 5 });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { type: 'invalid_request_error', param: 'messages' } });
    const unknown = await post('/chat/completions', { model: 'gpt-99', messages: [{ role: 'user', content: 'x' }] });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { code: 'model_not_found' } });
    expect((await fetch(`${server.origin}/v2/nothing`)).status).toBe(404);
  });
});
