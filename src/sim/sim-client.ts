// The client for `sim://` models: the in-process simulator (src/sim) behind the same ModelClient
// interface as real servers. Requests are the JSON bodies an OpenAI client would send; 429 and 500
// answers are retried with backoff on the simulator's clock, like the SDK does for real servers.
import { createHash } from 'node:crypto';
import type { SimCluster } from './cluster.ts';
import { inferModelSpec } from './models.ts';
import { SIM_IMAGE_SIZE } from '../cost/cost-model.ts';
import type { ChatCompletion, EmbeddingList, ImageList, SimEndpoint } from './protocol.ts';
import type { ModelRef } from '../ir/common.ts';
import type { GpuDeployment } from '../ir/physical-plan.ts';
import type { ModelCall, ModelClient, ModelResult } from '../runtime/model-client.ts';
import { returnsSchema } from '../runtime/model-client.ts';

const MAX_RETRIES = 4;

/** Thrown when the simulator answers with an error after the retries (a per-row error upstream). */
export class SimCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`HTTP ${status}: ${message}`);
    this.name = 'SimCallError';
  }
}

export class SimClient implements ModelClient {
  private readonly registered = new Set<string>();

  constructor(private readonly cluster: SimCluster) {}

  async call(c: ModelCall, signal: AbortSignal): Promise<ModelResult> {
    this.register(c.model);
    const [endpoint, body] = requestOf(c);
    for (let attempt = 0; ; attempt++) {
      const r = await this.cluster.submit({ endpoint, body, ...(c.order !== undefined ? { order: c.order } : {}), ...(c.gpu !== undefined ? { gpu: c.gpu } : {}) }, signal);
      if (r.ok) return resultOf(endpoint, r.body as never);
      const retryable = r.status === 429 || r.status >= 500;
      if (!retryable || attempt >= MAX_RETRIES) throw new SimCallError(r.status, r.body.error.message);
      // Exponential backoff with deterministic jitter, in simulated seconds.
      const jitter = (parseInt(createHash('sha256').update(`${attempt}:${JSON.stringify(body)}`).digest('hex').slice(0, 4), 16) / 0xffff) * 0.25;
      const wait = r.retryAfterS ?? 0.5 * 2 ** attempt * (1 + jitter);
      await this.cluster.clock.sleepUntil(this.cluster.clock.now() + wait, signal);
    }
  }

  prepare(model: ModelRef, gpu: number): void {
    this.register(model);
    this.cluster.prepare(gpu, model.modelName);
  }

  warmStart(model: ModelRef, gpu: number): void {
    this.register(model);
    this.cluster.warmStart(gpu, model.modelName);
  }

  deploy(gpu: number, d: GpuDeployment, warm: boolean): void {
    for (const m of [...d.models, ...(d.asleep ?? [])]) this.register(m);
    const first = d.models[0];
    if (first === undefined) return;
    const asleep = (d.asleep ?? []).map((m) => m.modelName);
    if (d.memoryFractions !== undefined && d.models.length > 1) {
      this.cluster.colocate(gpu, d.models.map((m, i) => ({ model: m.modelName, memoryFraction: d.memoryFractions?.[i] ?? 0 })), { warm, ...(warm && asleep.length > 0 ? { asleep } : {}) });
    } else if (warm) {
      this.cluster.warmStart(gpu, first.modelName, [...d.models.slice(1).map((m) => m.modelName), ...asleep]);
    } else {
      this.cluster.prepare(gpu, first.modelName);
    }
  }

  /** Catalog models the simulator does not know by name are served with the catalog's KIND and size. */
  private register(m: ModelRef): void {
    if (this.registered.has(m.modelName)) return;
    this.registered.add(m.modelName);
    if (this.cluster.listModels().some((s) => s.id === m.modelName)) return;
    this.cluster.addModel(inferModelSpec(m.modelName, { kind: m.kind, paramsB: m.paramsB }));
  }
}

function requestOf(c: ModelCall): [SimEndpoint, Record<string, unknown>] {
  const model = c.model.modelName;
  if (c.kind === 'embedding') return ['embeddings', { model, input: c.prompt }];
  if (c.kind === 'image') {
    return ['images.generations', { model, prompt: c.prompt, n: 1, size: `${c.decoding.width ?? SIM_IMAGE_SIZE}x${c.decoding.height ?? SIM_IMAGE_SIZE}`, response_format: 'b64_json', ...(c.decoding.seed !== undefined ? { seed: c.decoding.seed } : {}) }];
  }
  const user = c.images?.length
    ? [{ type: 'text', text: c.prompt }, ...c.images.map((i) => ({ type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(i.bytes).toString('base64')}` } }))]
    : c.prompt;
  return ['chat.completions', {
    model,
    messages: [...(c.system ? [{ role: 'system', content: c.system }] : []), { role: 'user', content: user }],
    max_tokens: c.decoding.maxTokens,
    temperature: c.decoding.temperature,
    ...(c.decoding.seed !== undefined ? { seed: c.decoding.seed } : {}),
    ...(c.decoding.topP !== undefined ? { top_p: c.decoding.topP } : {}),
    ...(c.thinking !== undefined ? { chat_template_kwargs: { enable_thinking: c.thinking } } : {}),
    ...(c.returns ? { response_format: { type: 'json_schema', json_schema: { name: 'returns', schema: returnsSchema(c.returns), strict: true } } } : {}),
  }];
}

function resultOf(endpoint: SimEndpoint, body: ChatCompletion | EmbeddingList | ImageList): ModelResult {
  const seconds = body.agentlake_sim.latency_s;
  if (endpoint === 'embeddings') {
    const b = body as EmbeddingList;
    const e = b.data[0]?.embedding;
    return { embedding: Array.isArray(e) ? e : [], usage: { promptTokens: b.usage.prompt_tokens, completionTokens: 0, cachedTokens: 0 }, simulatedSeconds: seconds };
  }
  if (endpoint === 'images.generations') {
    const d = (body as ImageList).data[0];
    return { image: Buffer.from(d && 'b64_json' in d ? d.b64_json : '', 'base64'), usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 }, simulatedSeconds: seconds };
  }
  const b = body as ChatCompletion;
  return {
    text: b.choices[0]?.message.content ?? '',
    usage: { promptTokens: b.usage.prompt_tokens, completionTokens: b.usage.completion_tokens, cachedTokens: b.usage.prompt_tokens_details.cached_tokens },
    simulatedSeconds: seconds,
  };
}
