// Runs a statement while forwarding the NoticeResponses it emits, so progress reaches the client
// before the result does.
import * as msg from './protocol.ts';

/** Runs `work`, yielding NoticeResponses it emits while it runs; returns its result. */
export async function* withNotices<T>(work: (notice: (m: string) => void) => Promise<T>): AsyncGenerator<Uint8Array, T> {
  const pending: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const notice = (m: string): void => {
    if (done) return;
    pending.push(msg.noticeResponse({ code: '00000', message: m }));
    wake?.();
  };
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  void work(notice).then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  ).finally(() => wake?.());
  while (outcome === undefined) {
    while (pending.length > 0) yield pending.shift()!;
    if (outcome !== undefined) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (pending.length > 0 || outcome !== undefined) resolve();
    });
    wake = undefined;
  }
  done = true;
  while (pending.length > 0) yield pending.shift()!;
  const o = outcome as { ok: true; value: T } | { ok: false; error: unknown };
  if (!o.ok) throw o.error;
  return o.value;
}
