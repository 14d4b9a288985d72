// The OpenAI-compatible shapes the simulator speaks, shared by the HTTP server and the
// in-process API: endpoint names, response bodies, error bodies and the simulated-timing extra.

/** The endpoints, named after their OpenAI paths (`/v1/<endpoint with / for .>`). */
export type SimEndpoint = 'chat.completions' | 'completions' | 'embeddings' | 'images.generations';

/** URL path (under /v1) of each endpoint. */
export const ENDPOINT_PATHS: Readonly<Record<SimEndpoint, string>> = {
  'chat.completions': '/v1/chat/completions',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  'images.generations': '/v1/images/generations',
};

/** One request to the simulator: the JSON body exactly as a client would POST it. */
export interface SimRequest {
  readonly endpoint: SimEndpoint;
  readonly body: unknown;
  /** Pins the request to one GPU of the cluster (else the cluster places it). */
  readonly gpu?: number;
  /** Position among requests arriving at the same simulated instant (the runtime's plan order). */
  readonly order?: number;
}

/** Why a request finished. */
export type FinishReason = 'stop' | 'length';

/** Simulated timing attached to every response (`agentlake_sim`); none of it is measured. */
export interface SimTiming {
  readonly simulated: true;
  readonly gpu: number;
  readonly device: string;
  /** Simulated seconds: arrival, admission (first scheduled), first token, finish. */
  readonly arrival_s: number;
  readonly start_s: number;
  readonly first_token_s: number;
  readonly finish_s: number;
  readonly queue_s: number;
  readonly latency_s: number;
  /** Model load/wake time the GPU spent while this request waited. */
  readonly model_load_s: number;
  /** Extra latency injected by the fault injector. */
  readonly fault_delay_s: number;
}

/** OpenAI usage block (chat and completions). */
export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
}

/** `POST /v1/chat/completions` response. */
export interface ChatCompletion {
  readonly id: string;
  readonly object: 'chat.completion';
  readonly created: number;
  readonly model: string;
  readonly system_fingerprint: string;
  readonly choices: readonly {
    readonly index: number;
    readonly message: {
      readonly role: 'assistant';
      readonly content: string;
      readonly refusal: null;
      /** Thinking mode only: the thinking, as vLLM's reasoning parser returns it (`reasoning` since vLLM 0.11, `reasoning_content` before and alongside). */
      readonly reasoning_content?: string;
      readonly reasoning?: string;
    };
    readonly logprobs: null;
    readonly finish_reason: FinishReason;
  }[];
  readonly usage: Usage;
  readonly agentlake_sim: SimTiming;
}

/** `POST /v1/completions` response. */
export interface TextCompletion {
  readonly id: string;
  readonly object: 'text_completion';
  readonly created: number;
  readonly model: string;
  readonly system_fingerprint: string;
  readonly choices: readonly { readonly index: number; readonly text: string; readonly logprobs: null; readonly finish_reason: FinishReason }[];
  readonly usage: Usage;
  readonly agentlake_sim: SimTiming;
}

/** `POST /v1/embeddings` response (`embedding` is base64 of little-endian float32 when asked). */
export interface EmbeddingList {
  readonly object: 'list';
  readonly model: string;
  readonly data: readonly { readonly object: 'embedding'; readonly index: number; readonly embedding: number[] | string }[];
  readonly usage: { readonly prompt_tokens: number; readonly total_tokens: number };
  readonly agentlake_sim: SimTiming;
}

/** `POST /v1/images/generations` response. */
export interface ImageList {
  readonly created: number;
  readonly data: readonly ({ readonly b64_json: string } | { readonly url: string })[];
  readonly agentlake_sim: SimTiming;
}

/** Body of a successful response, by endpoint. */
export interface SimResponseBodies {
  'chat.completions': ChatCompletion;
  completions: TextCompletion;
  embeddings: EmbeddingList;
  'images.generations': ImageList;
}

/** OpenAI error body. */
export interface ErrorBody {
  readonly error: { readonly message: string; readonly type: string; readonly param: string | null; readonly code: string | null };
}

/** What `SimCluster.submit` resolves to: the HTTP status and JSON body the server would send. */
export type SimResult =
  | { readonly ok: true; readonly status: 200; readonly body: SimResponseBodies[SimEndpoint] }
  | { readonly ok: false; readonly status: number; readonly body: ErrorBody; readonly retryAfterS?: number };

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  404: 'invalid_request_error',
  429: 'rate_limit_error',
  500: 'server_error',
};

/** A request the simulator refuses, with the status and OpenAI error fields to answer with. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'SimHttpError';
  }

  /** The OpenAI-style error body. */
  toBody(): ErrorBody {
    return { error: { message: this.message, type: ERROR_TYPES[this.status] ?? 'server_error', param: this.param, code: this.code } };
  }
}
