// The server's one DuckDB connection is shared by the job runner, the job store and result reads;
// cancelling a job interrupts the connection, which may hit whatever statement runs at that instant.
// Bookkeeping statements retry when that happens; jobs never do (their cancel is the interrupt).
import type { Job } from '../jobs/job.ts';
import type { JobStore } from '../jobs/job-store.ts';

/** True for DuckDB's "Interrupted!" error. */
export function isInterrupt(e: unknown): boolean {
  return e instanceof Error && /\binterrupt/i.test(e.message);
}

/** Runs `fn`, again (up to `tries` times in all) when an interrupt aborted it. */
export async function retryInterrupted<T>(fn: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= tries || !isInterrupt(e)) throw e;
    }
  }
}

/** A job store whose statements retry after an interrupt meant for a job. */
export class RetryingJobStore implements JobStore {
  constructor(private readonly inner: JobStore) {}
  save(job: Job): Promise<void> {
    return retryInterrupted(() => this.inner.save(job));
  }
  load(): Promise<Job[]> {
    return retryInterrupted(() => this.inner.load());
  }
}
