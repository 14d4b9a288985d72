// A content-addressed response cache in front of any ModelClient, for deterministic calls only
// (temperature 0 or a fixed seed): a hit is answered from the lakehouse's agentlake_response_cache
// table; identical calls in flight at the same time share one request (in-flight dedup).
import { createHash } from 'node:crypto';
import { isDeterministic } from '../ir/common.ts';
import type { Database } from '../storage/duckdb.ts';
import type { ModelCall, ModelClient, ModelResult } from './model-client.ts';


/** One in-flight request and the callers waiting on it. */
interface Shared {
  readonly ctrl: AbortController;
  callers: number;
  work: Promise<ModelResult & { hit?: boolean }>;
}

/** Waits for a shared request on behalf of one caller; the last caller to abort cancels the request. */
function join(shared: Shared, signal: AbortSignal): Promise<ModelResult & { hit?: boolean }> {
  signal.throwIfAborted();
  shared.callers++;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      if (--shared.callers === 0) shared.ctrl.abort(signal.reason);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    shared.work.then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** The key of a call: everything that determines its output (never the endpoint's credentials). */
export function callKey(c: ModelCall): string {
  const images = (c.images ?? []).map((i) => createHash('sha256').update(i.bytes).digest('hex'));
  const body = JSON.stringify([c.model.endpoint, c.model.modelName, c.kind, c.system ?? '', c.prompt, images, c.decoding, c.returns ?? null]);
  return createHash('sha256').update(body).digest('hex');
}

export class ResponseCache {
  private readonly inFlight = new Map<string, Shared>();
  private ready: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    readonly enabled: boolean,
    /** Holds a virtual clock while the cache table is read or written (CPU work, not GPU time). */
    private readonly hold: () => () => void = () => () => undefined,
  ) {}

  /**
   * Calls through the cache: deterministic calls are looked up, shared while in flight, and stored.
   * `useStore` false (a session with SET agentlake.cache = off) skips the lookup and the store only.
   */
  async call(client: ModelClient, c: ModelCall, signal: AbortSignal, useStore = this.enabled): Promise<ModelResult> {
    if (!isDeterministic(c.decoding)) return { ...(await client.call(c, signal)), cacheHit: false, deduped: false };
    const key = callKey(c);
    const pending = this.inFlight.get(key);
    if (pending) {
      // The server processed the tokens once, for the first caller.
      return { ...(await join(pending, signal)), usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 }, cacheHit: false, deduped: true };
    }
    // The shared request has its own signal: it is cancelled only when every caller has gone.
    const ctrl = new AbortController();
    const shared: Shared = { ctrl, callers: 0, work: Promise.resolve({ usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 } }) };
    shared.work = (async (): Promise<ModelResult & { hit?: boolean }> => {
      if (useStore) {
        const hit = await this.held(() => this.lookup(key));
        if (hit) return { ...hit, hit: true };
      }
      const r = await client.call(c, ctrl.signal);
      if (useStore) await this.held(() => this.store(key, r));
      return r;
    })();
    this.inFlight.set(key, shared);
    try {
      const r: ModelResult & { hit?: boolean } = await join(shared, signal);
      const { hit, ...result } = r;
      return { ...result, cacheHit: hit === true, deduped: false };
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Removes a stored answer (it failed validation). */
  async forget(c: ModelCall): Promise<void> {
    if (!this.enabled || !isDeterministic(c.decoding)) return;
    await this.held(async () => {
      await this.init();
      await this.db.run('DELETE FROM agentlake_response_cache WHERE key = $1', [callKey(c)]);
    });
  }

  private async held<T>(fn: () => Promise<T>): Promise<T> {
    const release = this.hold();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private async init(): Promise<void> {
    this.ready ??= this.db.run('CREATE TABLE IF NOT EXISTS agentlake_response_cache (key VARCHAR PRIMARY KEY, response JSON NOT NULL)');
    await this.ready;
  }

  private async lookup(key: string): Promise<ModelResult | undefined> {
    await this.init();
    const rows = await this.db.all('SELECT response FROM agentlake_response_cache WHERE key = $1', [key]);
    const text = rows[0]?.['response'];
    if (typeof text !== 'string') return undefined;
    const j = JSON.parse(text) as { text?: string; embedding?: number[]; image?: string; usage: ModelResult['usage'] };
    // A cache hit costs no GPU: no tokens were processed by a server.
    return {
      ...(j.text !== undefined ? { text: j.text } : {}),
      ...(j.embedding ? { embedding: j.embedding } : {}),
      ...(j.image !== undefined ? { image: Buffer.from(j.image, 'base64') } : {}),
      usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 },
    };
  }

  private async store(key: string, r: ModelResult): Promise<void> {
    await this.init();
    const body = JSON.stringify({ text: r.text, embedding: r.embedding, image: r.image ? Buffer.from(r.image).toString('base64') : undefined, usage: r.usage });
    await this.db.run('INSERT OR REPLACE INTO agentlake_response_cache VALUES ($1, $2)', [key, body]);
  }
}
