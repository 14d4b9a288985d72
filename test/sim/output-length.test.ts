// Output length vs max_tokens, and thinking mode, through the in-process API: the natural length of
// free text scales with the max_tokens a request gives (cost/cost-model.ts OUTPUT_BUDGET: 10% run to
// the cap, the rest uniform on ceil(0.4·M)..M), hand-computed for one prompt and measured over 200;
// without max_tokens it stays 24..384; thinking (THINKING_LENGTH, log-uniform 300..3000) comes first
// and max_tokens caps thinking and answer together.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimCluster } from '../../src/sim/cluster.ts';
import { parseChat } from '../../src/sim/parse-request.ts';
import { textIds } from '../../src/sim/prompt-tokens.ts';
import type { ChatCompletion, SimResult, TextCompletion } from '../../src/sim/protocol.ts';
import { contentHash, Prng } from '../../src/util/prng.ts';
import { DEFAULT_OUTPUT_LENGTH, OUTPUT_BUDGET, THINKING_LENGTH, budgetedLength, expectedOutputTokens, thinkingLength } from '../../src/cost/cost-model.ts';

const QWEN = 'Qwen/Qwen3-8B';
const cluster = (reasoning = false): SimCluster => new SimCluster({ clock: new VirtualClock(), gpus: [{ preload: QWEN }], ...(reasoning ? { reasoning } : {}) });

const body = (text: string, extra: Record<string, unknown>): Record<string, unknown> => ({ model: QWEN, temperature: 0, messages: [{ role: 'user', content: text }], ...extra });

async function chat(c: SimCluster, text: string, extra: Record<string, unknown> = {}): Promise<ChatCompletion> {
  const r: SimResult = await c.submit({ endpoint: 'chat.completions', body: body(text, extra) });
  if (!r.ok) throw new Error(`${r.status}: ${r.body.error.message}`);
  return r.body as ChatCompletion;
}

/** The seed of a greedy answer as the handler forms it (sim/outputs.ts outputSeed): model, messages, 'greedy'. */
const seedOf = (text: string): string => contentHash(QWEN, JSON.stringify(parseChat(body(text, {})).messages), 'greedy');
/** The content's one draw (the first of the answer's generator) and the thinking's one draw. */
const answerDraw = (text: string): number => new Prng(seedOf(text)).next();
const thinkingDraw = (text: string): number => new Prng(`${seedOf(text)}:thinking`).next();

const content = (r: ChatCompletion): string => r.choices[0]?.message.content ?? '';
const finish = (r: ChatCompletion): string | undefined => r.choices[0]?.finish_reason;

// Two prompts whose draws the tests below pin: P ends on its own, Q runs to the cap.
const P = 'Summarize the outlook for ACME, part 3.';
const Q = 'Summarize the outlook for ACME, part 6.';
const SHORT_THINKER = 'Summarize the outlook for ACME, part 2.';

describe('output length vs max_tokens', () => {
  it('writes the hand-computed natural length for each max_tokens, and runs to the cap in the capped share', async () => {
    const c = cluster();
    const u = answerDraw(P);
    expect(u).toBeCloseTo(0.697872, 6);
    // f = (u − 0.1) / 0.9 = 0.664302. M = 768: lo = ceil(307.2) = 308, 308 + floor(f · 461) = 308 + 306 = 614.
    // M = 614: lo = ceil(245.6) = 246, 246 + floor(f · 369) = 246 + 245 = 491. M = 100: lo = 40, 40 + floor(f · 61) = 80.
    const expected: [number, number][] = [[768, 614], [614, 491], [100, 80]];
    for (const [m, n] of expected) {
      expect(budgetedLength(m, u)).toBe(n);
      const r = await chat(c, P, { max_tokens: m });
      expect(r.usage.completion_tokens, `max_tokens ${m}`).toBe(n);
      expect(finish(r)).toBe('stop');
    }
    // A shorter budget gives the same answer, shorter: the text is one stream cut at its natural length.
    const long = content(await chat(c, P, { max_tokens: 768 }));
    expect(long.startsWith(content(await chat(c, P, { max_tokens: 100 })))).toBe(true);
    // Q's draw is under the 10% capped share: it would run past any budget, so it stops at max_tokens.
    expect(answerDraw(Q)).toBeLessThan(OUTPUT_BUDGET.capShare);
    for (const m of [768, 100, 7]) {
      const r = await chat(c, Q, { max_tokens: m });
      expect(r.usage.completion_tokens).toBe(m);
      expect(finish(r)).toBe('length');
    }
  });

  it('keeps min_tokens, ignore_eos and stop strings working under a budget', async () => {
    const c = cluster();
    expect((await chat(c, P, { max_tokens: 100, min_tokens: 90 })).usage.completion_tokens).toBe(90);
    expect((await chat(c, P, { max_tokens: 100, ignore_eos: true })).usage.completion_tokens).toBe(100);
    const full = content(await chat(c, P, { max_tokens: 100 }));
    const stop = full.split(' ')[5] ?? 'x';
    const cut = await chat(c, P, { max_tokens: 100, stop: [stop] });
    expect(content(cut)).toBe(full.slice(0, full.indexOf(stop)));
    expect(finish(cut)).toBe('stop');
  });

  it('with max_tokens 768, answers run past 384: over 200 prompts the mean and the capped share are the documented ones', async () => {
    const c = cluster();
    const lengths: number[] = [];
    let capped = 0;
    for (let i = 0; i < 200; i++) {
      const r = await chat(c, `Analyse filing ${i} of the quarter.`, { max_tokens: 768 });
      lengths.push(r.usage.completion_tokens);
      if (finish(r) === 'length') capped++;
    }
    const mean = lengths.reduce((s, n) => s + n, 0) / lengths.length;
    // E = 0.1·768 + 0.9·(308 + 768)/2 = 76.8 + 484.2 = 561; the sample's standard error is about 9.5 tokens.
    expect(expectedOutputTokens(768)).toBeCloseTo(561, 9);
    expect(Math.abs(mean - 561)).toBeLessThan(30);
    expect(Math.abs(capped / 200 - OUTPUT_BUDGET.capShare)).toBeLessThan(0.06);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(308);
    expect(Math.max(...lengths)).toBe(768);
    expect(lengths.filter((n) => n > 384).length).toBeGreaterThan(150); // expected share 0.1 + 0.9·384/461 = 0.85
  });

  it('without max_tokens keeps the 24..384 range and the same draw as before', async () => {
    const c = cluster();
    for (let i = 0; i < 50; i++) {
      const text = `Analyse filing ${i} of the quarter.`;
      const r = await chat(c, text);
      expect(r.usage.completion_tokens).toBe(new Prng(seedOf(text)).int(DEFAULT_OUTPUT_LENGTH.min, DEFAULT_OUTPUT_LENGTH.max));
      expect(finish(r)).toBe('stop');
    }
    // Legacy completions default to 16 tokens without max_tokens: the natural length is not scaled to it.
    const cmpl = (await c.submit({ endpoint: 'completions', body: { model: QWEN, prompt: P, temperature: 0 } })).body as TextCompletion;
    expect(cmpl.usage.completion_tokens).toBe(16);
    expect(cmpl.choices[0]?.finish_reason).toBe('length');
  });
});

describe('thinking mode', () => {
  it('thinks first, then answers; max_tokens below, at and above thinking + answer caps the two together', async () => {
    const c = cluster();
    const think = { chat_template_kwargs: { enable_thinking: true } };
    // SHORT_THINKER: thinking draw 0.157845 → floor(300 · 10^0.157845) = 431 tokens; answer draw 0.191779,
    // f = 0.101977: at M = 1024, lo = 410, 410 + floor(f · 615) = 472; at M = 600, lo = 240, 240 + floor(f · 361) = 276.
    expect(thinkingLength(thinkingDraw(SHORT_THINKER))).toBe(431);
    expect(budgetedLength(1024, answerDraw(SHORT_THINKER))).toBe(472);
    expect(budgetedLength(600, answerDraw(SHORT_THINKER))).toBe(276);
    const above = await chat(c, SHORT_THINKER, { max_tokens: 1024, ...think });
    const message = above.choices[0]?.message;
    expect(textIds(message?.reasoning_content ?? '')).toHaveLength(431);
    expect(message?.reasoning).toBe(message?.reasoning_content);
    expect(textIds(content(above))).toHaveLength(472);
    expect(above.usage.completion_tokens).toBe(431 + 472);
    expect(finish(above)).toBe('stop');
    // The answer is the one the model gives without thinking.
    const plain = await chat(c, SHORT_THINKER, { max_tokens: 1024 });
    expect(content(above)).toBe(content(plain));
    expect(plain.choices[0]?.message.reasoning_content).toBeUndefined();
    // 600 < 431 + 276: the answer is cut after 169 tokens.
    const cut = await chat(c, SHORT_THINKER, { max_tokens: 600, ...think });
    expect(cut.usage.completion_tokens).toBe(600);
    expect(textIds(content(cut))).toHaveLength(169);
    expect(finish(cut)).toBe('length');
    // At the thinking length, or below it: no answer at all.
    for (const m of [431, 300]) {
      const none = await chat(c, SHORT_THINKER, { max_tokens: m, ...think });
      expect(none.usage.completion_tokens).toBe(m);
      expect(textIds(none.choices[0]?.message.reasoning_content ?? '')).toHaveLength(m);
      expect(content(none)).toBe('');
      expect(finish(none)).toBe('length');
    }
  });

  it('thinks hundreds to thousands of tokens; the GPU decodes thinking and answer', async () => {
    const c = cluster();
    const thinking: number[] = [];
    let completion = 0;
    for (let i = 0; i < 60; i++) {
      const r = await chat(c, `Debate the merits of position ${i}.`, { max_tokens: 4096, chat_template_kwargs: { enable_thinking: true } });
      thinking.push(textIds(r.choices[0]?.message.reasoning_content ?? '').length);
      completion += r.usage.completion_tokens;
    }
    expect(Math.min(...thinking)).toBeGreaterThanOrEqual(THINKING_LENGTH.min);
    expect(Math.max(...thinking)).toBeLessThan(THINKING_LENGTH.max);
    expect(Math.max(...thinking)).toBeGreaterThan(2000);
    // Every generated token is decoded on the GPU (vllm:generation_tokens_total).
    expect(c.metrics()[0]?.generationTokens).toBe(completion);
    // The planner's expected value of the same distribution (thinking ≈ 1,172 + answer ≈ 2,990, capped at
    // 4,096 together: ≈ 3,692), within 5% (about 2.5 standard errors of 60 samples).
    expect(Math.abs(completion / 60 / expectedOutputTokens(4096, true) - 1)).toBeLessThan(0.05);
  });

  it('a reasoning cluster thinks by default; enable_thinking false turns it off; completions never think', async () => {
    const plain = cluster();
    const thinking = cluster(true);
    const on = await chat(thinking, P, { max_tokens: 8192 });
    expect(textIds(on.choices[0]?.message.reasoning_content ?? '').length).toBeGreaterThanOrEqual(THINKING_LENGTH.min);
    const off = await chat(thinking, P, { max_tokens: 768, chat_template_kwargs: { enable_thinking: false } });
    expect(off.choices[0]?.message.reasoning_content).toBeUndefined();
    expect(off.usage.completion_tokens).toBe(614);
    expect(content(off)).toBe(content(await chat(plain, P, { max_tokens: 768 })));
    const cmpl = (await thinking.submit({ endpoint: 'completions', body: { model: QWEN, prompt: P, temperature: 0, max_tokens: 100 } })).body as TextCompletion;
    expect(cmpl.usage.completion_tokens).toBeLessThanOrEqual(100);
    const bad = await thinking.submit({ endpoint: 'chat.completions', body: body(P, { chat_template_kwargs: { enable_thinking: 'yes' } }) });
    expect(bad.ok).toBe(false);
    expect(bad.status).toBe(400);
  });
});
