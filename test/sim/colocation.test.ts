// Several vLLM instances on one simulated GPU (SimGpu.colocate): each with its memory share, KV pool
// and queue, taking turns at the GPU one step at a time (round-robin among those with work). KV
// capacities, finish times and load times hand-computed from ALGORITHMS.md §6.
import { describe, expect, it } from 'vitest';
import { kvCapacityTokensAt, DEVICES } from '../../src/cost/cost-model.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimCluster } from '../../src/sim/cluster.ts';
import { SimGpu } from '../../src/sim/engine.ts';
import type { GpuJob } from '../../src/sim/gpu-job.ts';
import type { SimModelSpec } from '../../src/sim/models.ts';
import type { ChatCompletion, SimResult } from '../../src/sim/protocol.ts';

const QWEN: SimModelSpec = { id: 'Qwen/Qwen3-8B', kind: 'llm', paramsB: 8 };
const LLAVA: SimModelSpec = { id: 'llava-hf/llava-1.5-7b-hf', kind: 'vlm', paramsB: 7, vision: 'llava', encoderParamsB: 0.3 };
const QWEN_VL: SimModelSpec = { id: 'Qwen/Qwen2-VL-7B-Instruct', kind: 'vlm', paramsB: 7, vision: 'qwen2-vl', encoderParamsB: 0.675 };
const QWEN_32B: SimModelSpec = { id: 'Qwen/Qwen3-32B', kind: 'llm', paramsB: 32 };

const ids = (n: number, start: number): number[] => Array.from({ length: n }, (_, i) => start + i);
const job = (model: SimModelSpec, n: number, out: number, start = 0): GpuJob => ({ model, promptIds: ids(n, start), outTokens: out });
const pair = (qwen: number, llava: number): { model: SimModelSpec; memoryFraction: number }[] => [
  { model: QWEN, memoryFraction: qwen },
  { model: LLAVA, memoryFraction: llava },
];

// The memory behind a share: an H100 80GB reports 81,559 MiB; §6's 440k tokens of KV for the 8B
// reference (16 GB of bf16 weights, 131,072 KV bytes per token) are what vLLM's default 0.9 leaves,
// so a share f has (0.9 − f) × 81,559 MiB less than that (one instance's fixed overhead stays).
const H100_BYTES = 81_559 * 2 ** 20; // 85,520,809,984
const AT_DEFAULT = 16e9 + 440_000 * 131_072; // 73,671,680,000 bytes for weights + KV at 0.9
const shareBytes = (f: number): number => AT_DEFAULT - (0.9 - f) * H100_BYTES;
const blocksOf = (bytes: number, perToken: number): number => Math.floor(bytes / perToken / 16) * 16;
/** LLaVA-1.5-7B: 14 GB of weights, KV bytes per token 131,072 × sqrt(7/8) (∝ sqrt(P)). */
const LLAVA_KV_BYTES = 131_072 * Math.sqrt(7 / 8);

// Step times (§6: t0 + max(t_w + β·ctx, t_c·decodes) + prefill), prompts of 1,000 tokens.
const T0 = 0.5e-3;
/** Qwen3-8B is the reference: t_w 6.4 ms, R 30k tokens/s, β 0.052 µs. */
const qwenPrefill = T0 + 6.4e-3 + (1000 / 30_000) * (1 + 500 / 30_500);
const qwenDecode = (ctx: number): number => T0 + 6.4e-3 + 0.052e-6 * ctx;
/** LLaVA-1.5-7B scales by 7/8: t_w 5.6 ms, R 30k × 8/7 tokens/s, β × sqrt(7/8). */
const llavaPrefill = T0 + 5.6e-3 + (1000 / (30_000 * (8 / 7))) * (1 + 500 / 30_500);
const llavaDecode = (ctx: number): number => T0 + 5.6e-3 + 0.052e-6 * Math.sqrt(7 / 8) * ctx;
/** Σ of decode steps for generated tokens g = from..to (context 1,000 + g). */
const decodes = (step: (ctx: number) => number, from: number, to: number): number => {
  let s = 0;
  for (let g = from; g <= to; g++) s += step(1000 + g);
  return s;
};

describe('SimGpu.colocate', () => {
  it('gives each instance the KV of its share, and alternates their steps round-robin', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock() });
    expect(gpu.colocate(pair(0.45, 0.45), { warm: true })).toBe(true);
    // 0.45 of the H100: 73,671,680,000 − 0.45 × 85,520,809,984 = 35,187,315,507 bytes for weights + KV.
    const qwenKv = blocksOf(shareBytes(0.45) - 16e9, 131_072);
    const llavaKv = blocksOf(shareBytes(0.45) - 14e9, LLAVA_KV_BYTES);
    expect([qwenKv, llavaKv]).toEqual([146_384, 172_800]);
    expect(gpu.kvCapacityTokens(QWEN)).toBe(qwenKv);
    expect(gpu.kvCapacityTokens(LLAVA)).toBe(llavaKv);
    expect(kvCapacityTokensAt(DEVICES.h100, QWEN, 0.45)).toBe(qwenKv);
    expect(gpu.residentModels).toEqual([QWEN.id, LLAVA.id]);

    const [q, l] = await Promise.all([gpu.run(job(QWEN, 1000, 10), undefined, 0), gpu.run(job(LLAVA, 1000, 4, 50_000), undefined, 1)]);
    // Turns: Qwen prefill, LLaVA prefill, then Qwen decode g, LLaVA decode g for g = 1..3 (LLaVA's 4th
    // token ends it), then Qwen's decodes 4..9 alone.
    const llavaEnd = qwenPrefill + llavaPrefill + decodes(qwenDecode, 1, 3) + decodes(llavaDecode, 1, 3);
    const qwenEnd = qwenPrefill + llavaPrefill + decodes(qwenDecode, 1, 9) + decodes(llavaDecode, 1, 3);
    expect(q?.firstTokenS).toBeCloseTo(qwenPrefill, 12);
    expect(l?.startS).toBeCloseTo(qwenPrefill, 12); // admitted at its first turn
    expect(l?.firstTokenS).toBeCloseTo(qwenPrefill + llavaPrefill, 12);
    expect(l?.finishS).toBeCloseTo(llavaEnd, 12);
    expect(q?.finishS).toBeCloseTo(qwenEnd, 12);
    expect([q?.modelLoadS, l?.modelLoadS]).toEqual([0, 0]);
    const m = gpu.metrics();
    expect(m).toMatchObject({ model: `${QWEN.id},${LLAVA.id}`, modelSwitches: 0, modelLoadS: 0, steps: 2 + 9 + 3, generationTokens: 14 });
    expect(m.models.map((r) => [r.model, r.generationTokens, r.promptTokens, r.requestSuccess.stop])).toEqual([[QWEN.id, 10, 1000, 1], [LLAVA.id, 4, 1000, 1]]);
  });

  it('runs a lone busy instance exactly as fast as the GPU alone, step for step', async () => {
    const shared = new SimGpu({ index: 0, clock: new VirtualClock() });
    shared.colocate(pair(0.45, 0.45), { warm: true });
    const alone = new SimGpu({ index: 0, clock: new VirtualClock(), preload: QWEN });
    const a = await shared.run(job(QWEN, 1000, 10));
    const b = await alone.run(job(QWEN, 1000, 10));
    expect(a.latencyS).toBe(b.latencyS);
    expect(a.latencyS).toBeCloseTo(qwenPrefill + decodes(qwenDecode, 1, 9), 12);
    expect(shared.metrics().steps).toBe(alone.metrics().steps);
  });

  it('bounds each instance by its own KV budget: what fits the GPU alone can be refused or wait on a share', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock() });
    gpu.colocate(pair(0.3, 0.6), { warm: true });
    // 0.3: 73,671,680,000 − 0.6 × 85,520,809,984 − 16e9 = 6,359,194,009.6 bytes of KV → 48,512 tokens.
    expect(gpu.kvCapacityTokens(QWEN)).toBe(blocksOf(shareBytes(0.3) - 16e9, 131_072));
    expect(gpu.kvCapacityTokens(QWEN)).toBe(48_512);
    const alone = new SimGpu({ index: 0, clock: new VirtualClock(), preload: QWEN });
    expect(alone.kvCapacityTokens(QWEN)).toBe(440_000);
    // 60,000 tokens fit the 440k pool of the GPU alone, not the 48,512 of the share: a 400, as any over-capacity request.
    await expect(gpu.run(job(QWEN, 59_990, 10))).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/has 48512 on this GPU/) });
    await expect(alone.run(job(QWEN, 59_990, 10))).resolves.toMatchObject({ startS: 0 });
    // Two 30,000-token prompts: 2 × 1,875 blocks do not fit the share's 3,032, so the second waits for the first.
    const [x, y] = await Promise.all([gpu.run(job(QWEN, 30_000, 2, 0)), gpu.run(job(QWEN, 30_000, 2, 100_000))]);
    expect(y?.startS).toBeCloseTo(x?.finishS ?? -1, 12);
    const t = alone.metrics().busyS;
    const [u, v] = await Promise.all([alone.run(job(QWEN, 30_000, 2, 0)), alone.run(job(QWEN, 30_000, 2, 100_000))]);
    expect([u?.startS, v?.startS]).toEqual([t, t]);
  });

  it('refuses shares that are not positive, add up to more than 0.95, repeat a model or leave no KV', () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock() });
    expect(() => gpu.colocate([], { warm: true })).toThrow(RangeError);
    expect(() => gpu.colocate(pair(0, 0.45), { warm: true })).toThrow(/memoryFraction of 'Qwen\/Qwen3-8B' must be in \(0, 1\]/);
    expect(() => gpu.colocate(pair(-0.1, 0.45), { warm: true })).toThrow(RangeError);
    expect(() => gpu.colocate(pair(Number.NaN, 0.45), { warm: true })).toThrow(RangeError);
    expect(() => gpu.colocate(pair(0.5, 0.46), { warm: true })).toThrow(/add up to 0.96; .* at most 0.95/);
    expect(() => gpu.colocate([{ model: QWEN, memoryFraction: 0.3 }, { model: QWEN, memoryFraction: 0.3 }], { warm: true })).toThrow(/listed twice/);
    // 32B: 64 GB of weights in 0.45 × 85.5 GB = 38.5 GB.
    expect(() => gpu.colocate([{ model: QWEN_32B, memoryFraction: 0.45 }, { model: QWEN, memoryFraction: 0.45 }], { warm: true })).toThrow(/'Qwen\/Qwen3-32B' does not fit/);
    // 8B at 0.22: 73.67 GB − 0.68 × 85.52 GB − 16 GB = −0.48 GB: no KV at all.
    expect(() => gpu.colocate(pair(0.22, 0.45), { warm: true })).toThrow(/'Qwen\/Qwen3-8B' does not fit .* KV for 0 tokens/);
    // 8B at 0.24: 1.23 GB of KV = 9,360 tokens, less than one 32,768-token sequence (vLLM refuses to start).
    expect(() => gpu.colocate(pair(0.24, 0.45), { warm: true })).toThrow(/KV for 9360 tokens, less than its max_model_len \(32768\)/);
    expect(gpu.metrics()).toMatchObject({ model: '', modelSwitches: 0 });
    expect(gpu.colocate(pair(0.45, 0.45), { warm: true })).toBe(true);
    // Warm only on a fresh GPU, as warmStart.
    expect(gpu.colocate(pair(0.45, 0.45), { warm: true })).toBe(false);
  });

  it('deploys cold: the instances load one after another (30 s + 29 s), then serve', async () => {
    const clock = new VirtualClock();
    const gpu = new SimGpu({ index: 0, clock });
    expect(gpu.colocate(pair(0.45, 0.45), { warm: false })).toBe(true);
    const l = await gpu.run(job(LLAVA, 1000, 10));
    // Qwen3-8B: 22 s + 16 GB / 2 GB/s = 30 s; LLaVA-1.5-7B: 22 s + 14 GB / 2 GB/s = 29 s.
    expect(l.modelLoadS).toBe(59);
    expect(l.startS).toBe(59);
    expect(l.finishS).toBeCloseTo(59 + llavaPrefill + decodes(llavaDecode, 1, 9), 9);
    expect(gpu.metrics()).toMatchObject({ modelSwitches: 2, modelLoadS: 59, model: `${QWEN.id},${LLAVA.id}` });
    expect(gpu.isColocated).toBe(true);
  });

  it('leaves co-location for a model that is not resident: drains, sleeps both, loads it; a slept instance wakes with its share', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock() });
    gpu.colocate(pair(0.45, 0.45), { warm: true });
    const [q, vl] = await Promise.all([gpu.run(job(QWEN, 1000, 10), undefined, 0), gpu.run(job(QWEN_VL, 1000, 1, 50_000), undefined, 1)]);
    // FIFO: the Qwen request runs out, then Qwen2-VL-7B loads cold (29 s) on the GPU alone.
    expect(q?.finishS).toBeCloseTo(qwenPrefill + decodes(qwenDecode, 1, 9), 12);
    expect(vl?.startS).toBeCloseTo((q?.finishS ?? 0) + 29, 9);
    expect(vl?.modelLoadS).toBe(29);
    expect(gpu.isColocated).toBe(false);
    expect(gpu.residentModels).toEqual([QWEN_VL.id]);
    expect(gpu.kvCapacityTokens(QWEN_VL)).toBe(kvCapacityTokensAt(DEVICES.h100, QWEN_VL, 0.9));
    // LLaVA slept with its 0.45 share: it wakes (0.4 s + 14 GB / 10 GB/s = 1.8 s) with that KV pool.
    const l = await gpu.run(job(LLAVA, 1000, 1));
    expect(l.modelLoadS).toBeCloseTo(1.8, 12);
    expect(gpu.kvCapacityTokens(LLAVA)).toBe(172_800);
    expect(gpu.metrics()).toMatchObject({ model: LLAVA.id, modelSwitches: 2 });
  });

  it('keeps FIFO order across a switch: a request for a co-resident model queued behind another model waits for it', async () => {
    const gpu = new SimGpu({ index: 0, clock: new VirtualClock() });
    gpu.colocate(pair(0.45, 0.45), { warm: true });
    const [q, vl, l] = await Promise.all([
      gpu.run(job(QWEN, 1000, 10), undefined, 0),
      gpu.run(job(QWEN_VL, 1000, 1, 50_000), undefined, 1),
      gpu.run(job(LLAVA, 1000, 1, 90_000), undefined, 2),
    ]);
    // Qwen runs out; Qwen2-VL loads cold (29 s) and runs; then LLaVA wakes (1.8 s): it waited for both loads.
    expect(vl?.startS).toBeCloseTo((q?.finishS ?? 0) + 29, 9);
    expect(l?.startS).toBeCloseTo((vl?.finishS ?? 0) + 1.8, 9);
    expect(l?.modelLoadS).toBeCloseTo(30.8, 12);
  });
});

function ok(r: SimResult): ChatCompletion {
  if (!r.ok) throw new Error(`${r.status}: ${r.body.error.message}`);
  return r.body as ChatCompletion;
}

const body = (model: string): Record<string, unknown> => ({ model, temperature: 0, max_tokens: 8, messages: [{ role: 'user', content: `hello ${model}` }] });

describe('SimCluster.colocate', () => {
  it('places unpinned requests for either co-resident model on that GPU, others elsewhere', async () => {
    const c = new SimCluster({ clock: new VirtualClock(), gpus: 2 });
    expect(c.colocate(0, [{ model: QWEN.id, memoryFraction: 0.45 }, { model: LLAVA.id, memoryFraction: 0.45 }], { warm: true })).toBe(true);
    const q = ok(await c.submit({ endpoint: 'chat.completions', body: body(QWEN.id) }));
    const l = ok(await c.submit({ endpoint: 'chat.completions', body: body(LLAVA.id) }));
    const vl = ok(await c.submit({ endpoint: 'chat.completions', body: body(QWEN_VL.id) }));
    expect([q.agentlake_sim.gpu, q.agentlake_sim.model_load_s]).toEqual([0, 0]);
    expect([l.agentlake_sim.gpu, l.agentlake_sim.model_load_s]).toEqual([0, 0]);
    expect([vl.agentlake_sim.gpu, vl.agentlake_sim.model_load_s]).toEqual([1, 29]);
    expect(c.metrics().map((g) => [g.model, g.modelSwitches])).toEqual([[`${QWEN.id},${LLAVA.id}`, 0], [QWEN_VL.id, 1]]);
  });

  it('refuses an unknown GPU or model', () => {
    const c = new SimCluster({ clock: new VirtualClock(), gpus: 1 });
    expect(() => c.colocate(3, [{ model: QWEN.id, memoryFraction: 0.45 }], { warm: true })).toThrow(/no gpu 3/);
    expect(() => c.colocate(0, [{ model: 'no/such', memoryFraction: 0.45 }], { warm: true })).toThrow(/unknown model 'no\/such'/);
  });
});
