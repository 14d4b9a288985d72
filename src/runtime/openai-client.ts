// The client for OpenAI-compatible servers (vLLM, SGLang, OpenAI) through the `openai` SDK: chat with
// text and images, JSON-schema output for RETURNS, embeddings, image generation. The SDK retries 429,
// 5xx and connection errors with backoff and jitter; the Limiter caps concurrency and rate per endpoint.
// The SDK is imported on the first call, not with this module: a run that calls only sim:// models
// (or none) never loads it.
import type OpenAI from 'openai';
import type { ModelCall, ModelClient, ModelResult } from './model-client.ts';
import { returnsSchema } from './model-client.ts';
import type { Limiter } from './limiter.ts';

export interface OpenAiClientOptions {
  readonly baseURL: string;
  readonly apiKey: string;
  readonly limiter: Limiter;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
}

export class OpenAiClient implements ModelClient {
  private sdkClient: Promise<OpenAI> | undefined;

  constructor(private readonly opts: OpenAiClientOptions) {}

  /** The SDK client, made on first use. */
  private sdk(): Promise<OpenAI> {
    const o = this.opts;
    return (this.sdkClient ??= import('openai').then(({ default: OpenAISdk }) => new OpenAISdk({ baseURL: o.baseURL, apiKey: o.apiKey, timeout: o.timeoutMs ?? 120_000, maxRetries: o.maxRetries ?? 4 })));
  }

  async call(c: ModelCall, signal: AbortSignal): Promise<ModelResult> {
    const client = await this.sdk();
    const release = await this.opts.limiter.acquire(signal);
    try {
      if (c.kind === 'embedding') {
        const r = await client.embeddings.create({ model: c.model.modelName, input: c.prompt }, { signal });
        return { embedding: r.data[0]?.embedding ?? [], usage: { promptTokens: r.usage.prompt_tokens, completionTokens: 0, cachedTokens: 0 } };
      }
      if (c.kind === 'image') {
        const size = `${c.decoding.width ?? 1024}x${c.decoding.height ?? 1024}`;
        const r = await client.images.generate({ model: c.model.modelName, prompt: c.prompt, size: size as '1024x1024', response_format: 'b64_json', n: 1 }, { signal });
        const b64 = r.data?.[0]?.b64_json ?? '';
        return { image: Buffer.from(b64, 'base64'), usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 } };
      }
      const user: OpenAI.Chat.ChatCompletionContentPart[] = [{ type: 'text', text: c.prompt }];
      for (const img of c.images ?? []) user.push({ type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(img.bytes).toString('base64')}` } });
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
        ...(c.system ? [{ role: 'system' as const, content: c.system }] : []),
        { role: 'user', content: c.images?.length ? user : c.prompt },
      ];
      const r = await client.chat.completions.create({
        model: c.model.modelName,
        messages,
        max_tokens: c.decoding.maxTokens,
        temperature: c.decoding.temperature,
        ...(c.decoding.seed !== undefined ? { seed: c.decoding.seed } : {}),
        ...(c.decoding.topP !== undefined ? { top_p: c.decoding.topP } : {}),
        ...(c.returns ? { response_format: { type: 'json_schema', json_schema: { name: 'returns', schema: returnsSchema(c.returns), strict: true } } } : {}),
      }, { signal });
      const u = r.usage;
      return {
        text: r.choices[0]?.message.content ?? '',
        usage: { promptTokens: u?.prompt_tokens ?? 0, completionTokens: u?.completion_tokens ?? 0, cachedTokens: u?.prompt_tokens_details?.cached_tokens ?? 0 },
      };
    } finally {
      release();
    }
  }
}
