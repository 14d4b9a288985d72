// A content-addressed response cache in front of any ModelClient, for deterministic calls only
// (temperature 0 or a fixed seed): a hit is answered from the lakehouse's agentlake_response_cache
// table; identical calls in flight at the same time share one request (in-flight dedup). Answers are
// written behind the calls, many per INSERT (group commit), and read back from memory until the
// write commits; `flush()` waits for the writes. Lookups check an in-memory index of stored key
// prefixes first, so a miss costs no query, and the lookups that do query share one SELECT.
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
  // `thinking` only when set, so the keys of calls without it stay what they were.
  const body = JSON.stringify([c.model.endpoint, c.model.modelName, c.kind, c.system ?? '', c.prompt, images, c.decoding, c.returns ?? null, ...(c.thinking !== undefined ? [c.thinking] : [])]);
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
      // Written behind: the answer goes back at once; lookups see it before the write commits.
      if (useStore) this.store(key, r);
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
    // Whatever this cache's default: a call made with the store on (a session's SET) may have stored it.
    if (!isDeterministic(c.decoding)) return;
    const key = callKey(c);
    this.unwritten.delete(key);
    await this.held(async () => {
      // After any write of it still queued.
      await this.stores.idle();
      await this.init();
      await this.db.run('DELETE FROM agentlake_response_cache WHERE key = $1', [key]);
    });
  }

  /** Resolves once every answer stored so far is written (before the lakehouse closes). */
  async flush(): Promise<void> {
    await this.stores.idle();
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
    const body = this.unwritten.get(key);
    if (body !== undefined) return answerOf(body);
    // Most lookups of a new batch miss: the key index answers those without a query.
    this.indexed ??= this.loadIndex();
    await this.indexed;
    if (!this.index.has(indexKey(key))) return undefined;
    return this.lookups.submit(key);
  }

  /** The first 16 hex digits of every stored key (a false match only costs a query). */
  private readonly index = new Set<string>();
  private indexed: Promise<void> | undefined;

  private async loadIndex(): Promise<void> {
    await this.init();
    for (const r of await this.db.all('SELECT DISTINCT substr(key, 1, 16) AS k FROM agentlake_response_cache')) this.index.add(String(r['k']));
  }

  /**
   * Queues an answer's write (group commit: writes queued while one runs share its successor's
   * INSERT). A failed write only loses the cached answer: the call already succeeded.
   */
  private store(key: string, r: ModelResult): void {
    const body = JSON.stringify({ text: r.text, embedding: r.embedding, image: r.image ? Buffer.from(r.image).toString('base64') : undefined, usage: r.usage });
    this.unwritten.set(key, body);
    this.index.add(indexKey(key));
    const done = (): void => {
      if (this.unwritten.get(key) === body) this.unwritten.delete(key);
    };
    this.stores.submit({ key, body }).then(done, done);
  }

  /** Answers stored but not yet written, by key. */
  private readonly unwritten = new Map<string, string>();

  /** Lookups queued while one runs are answered by one SELECT. */
  private readonly lookups = new Coalescer<string, ModelResult | undefined>(async (keys) => {
    await this.init();
    const distinct = [...new Set(keys)];
    const rows = await this.db.all(`SELECT key, response FROM agentlake_response_cache WHERE key IN (${distinct.map((_, i) => `$${i + 1}`).join(', ')})`, distinct);
    const found = new Map(rows.map((r) => [String(r['key']), r['response']]));
    return keys.map((k) => {
      const text = found.get(k);
      return typeof text === 'string' ? answerOf(text) : undefined;
    });
  });

  /** Answers queued while one write runs are written by one INSERT (one commit: group commit). */
  private readonly stores = new Coalescer<{ key: string; body: string }, void>(async (entries) => {
    await this.init();
    // One row per key (the last answer wins): an upsert may not touch a row twice.
    const rows = [...new Map(entries.map((e) => [e.key, e.body])).entries()];
    await this.db.run(`INSERT OR REPLACE INTO agentlake_response_cache VALUES ${rows.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`, rows.flat());
    return entries.map(() => undefined);
  });
}

/** What the key index keeps of a key. */
function indexKey(key: string): string {
  return key.slice(0, 16);
}

/** A stored answer as a result. A cache hit costs no GPU: no tokens were processed by a server. */
function answerOf(text: string): ModelResult {
  const j = JSON.parse(text) as { text?: string; embedding?: number[]; image?: string; usage: ModelResult['usage'] };
  return {
    ...(j.text !== undefined ? { text: j.text } : {}),
    ...(j.embedding ? { embedding: j.embedding } : {}),
    ...(j.image !== undefined ? { image: Buffer.from(j.image, 'base64') } : {}),
    usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 },
  };
}

/**
 * Runs requests in batches without waiting for any: a request arriving while nothing runs starts a
 * batch of one at once; requests arriving while a batch runs queue, and the next batch takes them
 * all (up to `max`). A failed batch fails each of its requests.
 */
export class Coalescer<Req, Res> {
  private queue: { req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }[] = [];
  private running = false;
  private idlers: (() => void)[] = [];

  constructor(
    private readonly run: (reqs: Req[]) => Promise<readonly Res[]>,
    private readonly max = 256,
  ) {}

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.max);
        try {
          const out = await this.run(batch.map((b) => b.req));
          batch.forEach((b, i) => b.resolve(out[i] as Res));
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.running = false;
      for (const w of this.idlers.splice(0)) w();
    }
  }
}
