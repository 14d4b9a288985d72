// Deterministic outputs through the in-process API: same prompt, same text; max_tokens and stop
// honoured; JSON that satisfies the schema; unit-norm embeddings; valid PNGs.
import { describe, expect, it } from 'vitest';
import { readPngSize } from '../../src/storage/png.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimCluster } from '../../src/sim/cluster.ts';
import { textIds } from '../../src/sim/prompt-tokens.ts';
import type { ChatCompletion, EmbeddingList, ImageList, SimEndpoint, SimResult, TextCompletion } from '../../src/sim/protocol.ts';

const QWEN = 'Qwen/Qwen3-8B';
const cluster = (): SimCluster => new SimCluster({ clock: new VirtualClock(), gpus: [{ preload: QWEN }] });

async function call<T>(c: SimCluster, endpoint: SimEndpoint, body: unknown): Promise<T> {
  const r: SimResult = await c.submit({ endpoint, body });
  if (!r.ok) throw new Error(`${r.status}: ${r.body.error.message}`);
  return r.body as T;
}

const chat = (c: SimCluster, extra: Record<string, unknown>, text = 'Summarize the outlook for ACME.'): Promise<ChatCompletion> =>
  call<ChatCompletion>(c, 'chat.completions', { model: QWEN, messages: [{ role: 'user', content: text }], ...extra });

type Schema = Record<string, unknown>;

/** A minimal validator for the schema subset the tests use. */
function valid(v: unknown, s: Schema): boolean {
  if (Array.isArray(s.enum)) return s.enum.includes(v);
  switch (s.type) {
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
      const o = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      return ((s.required ?? []) as string[]).every((k) => k in o) && Object.entries(props).every(([k, sub]) => !(k in o) || valid(o[k], sub));
    }
    case 'array':
      return Array.isArray(v) && v.length >= Number(s.minItems ?? 0) && v.length <= Number(s.maxItems ?? Infinity) && v.every((x) => valid(x, s.items as Schema));
    case 'number':
    case 'integer':
      return typeof v === 'number' && (s.type === 'number' || Number.isInteger(v)) && v >= Number(s.minimum ?? -Infinity) && v <= Number(s.maximum ?? Infinity);
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    default:
      return false;
  }
}

const DECISION: Schema = {
  type: 'object',
  required: ['action', 'confidence', 'rationale', 'urgent', 'tickers', 'score'],
  properties: {
    action: { type: 'string', enum: ['BUY', 'SELL', 'HOLD'] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    score: { type: 'integer', minimum: -5, maximum: 5 },
    rationale: { type: 'string' },
    urgent: { type: 'boolean' },
    tickers: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 4 },
  },
};

describe('text outputs', () => {
  it('gives the same text for the same prompt at temperature 0, another for another prompt', async () => {
    const c = cluster();
    const a = await chat(c, { temperature: 0 });
    const b = await chat(c, { temperature: 0 });
    const other = await chat(c, { temperature: 0 }, 'Something else entirely.');
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content);
    expect(other.choices[0]?.message.content).not.toBe(a.choices[0]?.message.content);
    expect((await chat(cluster(), { temperature: 0 })).choices[0]?.message.content).toBe(a.choices[0]?.message.content);
  });

  it('varies per call when sampling without a seed; a seed makes it reproducible', async () => {
    const c = cluster();
    const [x, y] = [await chat(c, { temperature: 0.8 }), await chat(c, { temperature: 0.8 })];
    expect(x.choices[0]?.message.content).not.toBe(y.choices[0]?.message.content);
    const [s1, s2] = [await chat(c, { temperature: 0.8, seed: 7 }), await chat(c, { temperature: 0.8, seed: 7 })];
    expect(s1.choices[0]?.message.content).toBe(s2.choices[0]?.message.content);
  });

  it('never exceeds max_tokens and says why it stopped', async () => {
    const c = cluster();
    // Under a budget most answers end on their own; the capped share (output-length.test.ts) stops at it.
    const finishes = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const r = await chat(c, { temperature: 0, max_tokens: 5 }, `Name colour ${i}.`);
      expect(r.usage.completion_tokens).toBeLessThanOrEqual(5);
      if (r.choices[0]?.finish_reason === 'length') expect(r.usage.completion_tokens).toBe(5);
      finishes.add(String(r.choices[0]?.finish_reason));
    }
    expect([...finishes].sort()).toEqual(['length', 'stop']);
    const forced = await chat(c, { temperature: 0, max_tokens: 40, ignore_eos: true });
    expect(forced.usage.completion_tokens).toBe(40);
    const free = await chat(c, { temperature: 0, max_completion_tokens: 4000 });
    expect(free.choices[0]?.finish_reason).toBe('stop');
    expect(free.usage.total_tokens).toBe(free.usage.prompt_tokens + free.usage.completion_tokens);
  });

  it('cuts at the first stop string', async () => {
    const c = cluster();
    const full = (await chat(c, { temperature: 0 })).choices[0]?.message.content ?? '';
    const stop = full.split(' ')[3] ?? 'x';
    const cut = await chat(c, { temperature: 0, stop: [stop, 'zzz'] });
    expect(cut.choices[0]?.message.content).toBe(full.slice(0, full.indexOf(stop)));
    expect(cut.choices[0]?.finish_reason).toBe('stop');
  });

  it('answers legacy completions, one choice per prompt', async () => {
    const r = await call<TextCompletion>(cluster(), 'completions', { model: QWEN, prompt: ['Once upon', 'a time'], max_tokens: 8, temperature: 0 });
    expect(r.object).toBe('text_completion');
    expect(r.choices.map((ch) => ch.index)).toEqual([0, 1]);
    expect(r.usage.completion_tokens).toBeLessThanOrEqual(16);
  });
});

describe('prompt tokens', () => {
  it('encodes text line by line, each line keeping its newline', () => {
    const text = 'First line of the report\nSecond line\n\nLast';
    expect(textIds(text)).toEqual([...textIds('First line of the report\n'), ...textIds('Second line\n'), ...textIds('\n'), ...textIds('Last')]);
    expect(textIds('')).toEqual([]);
  });
});

describe('structured outputs', () => {
  it('returns JSON satisfying the schema', async () => {
    const c = cluster();
    for (let seed = 0; seed < 20; seed++) {
      const r = await chat(c, { temperature: 1, seed, response_format: { type: 'json_schema', json_schema: { name: 'decision', schema: DECISION } } });
      const value: unknown = JSON.parse(r.choices[0]?.message.content ?? '');
      expect(valid(value, DECISION), JSON.stringify(value)).toBe(true);
    }
  });

  it('truncated JSON says finish_reason length', async () => {
    const r = await chat(cluster(), { temperature: 0, max_tokens: 3, response_format: { type: 'json_schema', json_schema: { schema: DECISION } } });
    expect(r.choices[0]?.finish_reason).toBe('length');
    expect(() => JSON.parse(r.choices[0]?.message.content ?? '')).toThrow();
  });
});

describe('embeddings and images', () => {
  it('embeds into deterministic unit vectors of the model width, float or base64', async () => {
    const c = cluster();
    const body = { model: 'intfloat/e5-small-v2', input: ['alpha', 'beta', 'alpha'] };
    const r = await call<EmbeddingList>(c, 'embeddings', body);
    const vs = r.data.map((d) => d.embedding as number[]);
    expect(vs.map((v) => v.length)).toEqual([384, 384, 384]);
    expect(Math.hypot(...(vs[0] ?? []))).toBeCloseTo(1, 5);
    expect(vs[2]).toEqual(vs[0]);
    expect(vs[1]).not.toEqual(vs[0]);
    const b64 = await call<EmbeddingList>(c, 'embeddings', { ...body, encoding_format: 'base64', dimensions: 64 });
    const buf = Buffer.from(b64.data[0]?.embedding as string, 'base64');
    const f32 = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    expect(f32.length).toBe(64);
    expect(Math.hypot(...f32)).toBeCloseTo(1, 5);
  });

  it('generates real, deterministic PNGs', async () => {
    const c = cluster();
    const body = { model: 'Tongyi-MAI/Z-Image-Turbo', prompt: 'a bull market chart', size: '64x48', n: 2 };
    const r = await call<ImageList>(c, 'images.generations', body);
    const pngs = r.data.map((d) => Buffer.from('b64_json' in d ? d.b64_json : '', 'base64'));
    expect(pngs.map((p) => readPngSize(p))).toEqual([{ width: 64, height: 48 }, { width: 64, height: 48 }]);
    const again = await call<ImageList>(c, 'images.generations', body);
    expect(again.data[0]).toEqual(r.data[0]);
    expect(r.agentlake_sim.simulated).toBe(true);
  });
});
