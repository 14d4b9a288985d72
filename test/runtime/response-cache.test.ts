// The response cache in front of a model client, on an in-memory DuckDB with a scripted client:
// deterministic calls are stored and answered with zero usage, sampled calls without a seed bypass it,
// identical calls in flight share one request, failures are not stored, and the key covers everything
// that determines an answer.
import { setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callKey, ResponseCache } from '../../src/runtime/cached-client.ts';
import type { ModelCall, ModelClient, ModelResult } from '../../src/runtime/model-client.ts';
import { Database } from '../../src/storage/duckdb.ts';

const MODEL = { name: 'qwen3_8b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-8B', paramsB: 8, version: 1 } as const;

function chat(prompt: string, decoding: ModelCall['decoding'] = { temperature: 0, maxTokens: 16 }): ModelCall {
  return { model: MODEL, kind: 'chat', prompt, decoding };
}

/** A client that answers `echo:<prompt>#<n>` after `delayMs`, honouring its signal. */
function scripted(delayMs = 5): ModelClient & { calls: number; fail: boolean } {
  const c = {
    calls: 0,
    fail: false,
    call(call: ModelCall, signal: AbortSignal): Promise<ModelResult> {
      c.calls++;
      const n = c.calls;
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          if (c.fail) reject(new Error('HTTP 500: boom'));
          else resolve({ text: `echo:${call.prompt}#${n}`, usage: { promptTokens: 10, completionTokens: 3, cachedTokens: 4 } });
        }, delayMs);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(signal.reason);
        }, { once: true });
      });
    },
  };
  return c;
}

const never = new AbortController().signal;
// Many calls listen on this one never-aborted signal.
setMaxListeners(0, never);

describe('ResponseCache', () => {
  let db: Database;

  beforeAll(async () => {
    db = await Database.open(':memory:');
  });

  // Answers are written behind the calls: every cache is flushed before the database closes (as a
  // session does), or the close would cut a write in flight.
  const caches: ResponseCache[] = [];
  const newCache = (enabled: boolean): ResponseCache => {
    const c = new ResponseCache(db, enabled);
    caches.push(c);
    return c;
  };
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.flush()));
    db.close();
  });

  it('stores a deterministic answer and replays it with zero usage', async () => {
    const cache = newCache(true);
    const client = scripted();
    const first = await cache.call(client, chat('store me'), never);
    expect(first).toMatchObject({ text: 'echo:store me#1', cacheHit: false, deduped: false, usage: { promptTokens: 10 } });
    const again = await cache.call(client, chat('store me'), never);
    expect(again).toMatchObject({ text: 'echo:store me#1', cacheHit: true, deduped: false, usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 } });
    expect(client.calls).toBe(1);
    // Written behind the call: once flushed (as a session does before it closes), the row is there and
    // a new cache object over the same table (a new session) hits too.
    await cache.flush();
    expect((await db.all('SELECT count(*) AS n FROM agentlake_response_cache'))[0]?.['n']).toBeGreaterThanOrEqual(1);
    const other = newCache(true);
    expect(await other.call(client, chat('store me'), never)).toMatchObject({ cacheHit: true, text: 'echo:store me#1' });
  });

  it('a burst of answers is readable at once (before its writes commit) and all written by flush', async () => {
    const cache = newCache(true);
    const client = scripted();
    const calls = Array.from({ length: 40 }, (_, i) => chat(`burst ${i}`));
    const out = await Promise.all(calls.map((c) => cache.call(client, c, never)));
    expect(out.every((r) => r.cacheHit === false)).toBe(true);
    // Before the writes commit, the same calls already hit (read your own writes).
    const again = await Promise.all(calls.map((c) => cache.call(client, c, never)));
    expect(again.every((r) => r.cacheHit === true)).toBe(true);
    await cache.flush();
    const rows = await db.all("SELECT count(*) AS n FROM agentlake_response_cache WHERE response LIKE '%burst %'");
    expect(Number(rows[0]?.['n'])).toBe(40);
    expect(client.calls).toBe(40);
  });

  it('never stores or shares a sampled call without a seed; a seed makes it cacheable', async () => {
    const cache = newCache(true);
    const client = scripted();
    const warm = chat('sampled', { temperature: 0.7, maxTokens: 16 });
    const [a, b] = await Promise.all([cache.call(client, warm, never), cache.call(client, warm, never)]);
    expect(a.text).not.toBe(b.text);
    expect(await cache.call(client, warm, never)).toMatchObject({ cacheHit: false });
    expect(client.calls).toBe(3);
    const seeded = chat('sampled', { temperature: 0.7, maxTokens: 16, seed: 3 });
    await cache.call(client, seeded, never);
    expect(await cache.call(client, seeded, never)).toMatchObject({ cacheHit: true });
    expect(client.calls).toBe(4);
  });

  it('disabled: never hits nor stores', async () => {
    const cache = newCache(false);
    const client = scripted();
    await cache.call(client, chat('not stored'), never);
    expect(await cache.call(client, chat('not stored'), never)).toMatchObject({ cacheHit: false, text: 'echo:not stored#2' });
    const rows = await db.query("SELECT count(*) FROM agentlake_response_cache WHERE response LIKE '%not stored%'").catch(() => ({ rows: [[0]] }));
    expect(rows.rows[0]?.[0]).toBe(0);
  });

  it('shares one request between identical calls in flight', async () => {
    const cache = newCache(true);
    const client = scripted(20);
    const results = await Promise.all([1, 2, 3].map(() => cache.call(client, chat('in flight'), never)));
    expect(client.calls).toBe(1);
    expect(results.map((r) => r.text)).toEqual(['echo:in flight#1', 'echo:in flight#1', 'echo:in flight#1']);
    expect(results.map((r) => r.deduped)).toEqual([false, true, true]);
  });

  it('does not store a failure: the next identical call asks the server again', async () => {
    const cache = newCache(true);
    const client = scripted();
    client.fail = true;
    await expect(cache.call(client, chat('flaky'), never)).rejects.toThrow('HTTP 500');
    client.fail = false;
    expect(await cache.call(client, chat('flaky'), never)).toMatchObject({ cacheHit: false, text: 'echo:flaky#2' });
  });

  it('keys on model, endpoint, system, prompt, images, decoding, RETURNS and thinking', () => {
    const base = chat('k');
    const variants: ModelCall[] = [
      { ...base, model: { ...MODEL, modelName: 'Qwen/Qwen3-32B' } },
      { ...base, model: { ...MODEL, endpoint: 'http://gpu1:8000/v1' } },
      { ...base, system: 'You are terse.' },
      { ...base, prompt: 'k2' },
      { ...base, images: [{ id: 'a.png', bytes: new Uint8Array([1, 2, 3]) }] },
      { ...base, decoding: { temperature: 0, maxTokens: 17 } },
      { ...base, returns: { columns: [{ name: 'ok', type: 'BOOLEAN' }] } },
      { ...base, thinking: true },
      { ...base, thinking: false },
    ];
    const keys = new Set([callKey(base), ...variants.map(callKey)]);
    expect(keys.size).toBe(variants.length + 1);
    expect(callKey(chat('k'))).toBe(callKey(base));
    // Images are keyed by content, not by their name.
    expect(callKey({ ...base, images: [{ id: 'a.png', bytes: new Uint8Array([1]) }] })).toBe(callKey({ ...base, images: [{ id: 'b.png', bytes: new Uint8Array([1]) }] }));
  });

  // Regression test (fixed bug): in-flight dedup shares the first caller's promise, and that promise runs under the first
  // caller's AbortSignal only. When the first caller is cancelled, every caller that joined it fails
  // with the first caller's abort reason although its own signal never fired (in the engine: a
  // per-row "E0303: model call failed" for another statement or tenant that shared the call; DESIGN §7
  // wants identical calls from different tenants to run once and both get the result).
  // Expected: the remaining caller still gets the answer (the request continues, or is re-issued,
  // while any caller still wants it).
  it('cancelling one caller does not fail another caller sharing the same in-flight call', async () => {
    const cache = newCache(true);
    const client = scripted(40);
    const a = new AbortController();
    const pa = cache.call(client, chat('shared'), a.signal);
    const pb = cache.call(client, chat('shared'), never);
    setTimeout(() => a.abort(new Error('A cancelled')), 5);
    await expect(pa).rejects.toThrow('A cancelled');
    await expect(pb).resolves.toMatchObject({ text: expect.stringMatching(/^echo:shared#/) });
  });
});
