// Waiting for jobs to end: the job manager reports every saved change (its onChange option) here,
// and callers (the pgwire executor) wait for a job's final state without polling.
import { FINAL_STATES, type Job } from '../jobs/job.ts';

export class JobEvents {
  private readonly waiters = new Map<string, Set<(job: Job) => void>>();
  private readonly rejecters = new Map<string, Set<(e: Error) => void>>();
  private closed: Error | undefined;

  /** Feed of the manager's changes (pass as JobManagerOptions.onChange). */
  readonly changed = (job: Job): void => {
    if (!FINAL_STATES.has(job.state)) return;
    const set = this.waiters.get(job.id);
    this.rejecters.delete(job.id);
    if (!set) return;
    this.waiters.delete(job.id);
    for (const w of set) w(job);
  };

  /** Server shutdown: every waiter is rejected with `reason` (their jobs resume on the next start). */
  close(reason: Error): void {
    this.closed = reason;
    const all = [...this.rejecters.values()];
    this.rejecters.clear();
    this.waiters.clear();
    for (const set of all) for (const r of set) r(reason);
  }

  /** Resolves with the job once it is final; `current` reads its state now (in case it already is). */
  final(id: string, current: () => Job | undefined): Promise<Job> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closed);
      const now = current();
      if (now === undefined) return reject(new Error(`job '${id}' is unknown`));
      if (FINAL_STATES.has(now.state)) return resolve(now);
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      set.add(resolve);
      let rs = this.rejecters.get(id);
      if (!rs) this.rejecters.set(id, (rs = new Set()));
      rs.add(reject);
    });
  }
}
