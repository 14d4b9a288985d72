// Waiting for jobs to end: the job manager reports every saved change (its onChange option) here,
// and callers (the pgwire executor) wait for a job's final state without polling.
import { FINAL_STATES, type Job } from '../jobs/job.ts';

export class JobEvents {
  private readonly waiters = new Map<string, Set<(job: Job) => void>>();

  /** Feed of the manager's changes (pass as JobManagerOptions.onChange). */
  readonly changed = (job: Job): void => {
    if (!FINAL_STATES.has(job.state)) return;
    const set = this.waiters.get(job.id);
    if (!set) return;
    this.waiters.delete(job.id);
    for (const w of set) w(job);
  };

  /** Resolves with the job once it is final; `current` reads its state now (in case it already is). */
  final(id: string, current: () => Job | undefined): Promise<Job> {
    return new Promise((resolve, reject) => {
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      set.add(resolve);
      const now = current();
      if (now === undefined) {
        set.delete(resolve);
        reject(new Error(`job '${id}' is unknown`));
      } else if (FINAL_STATES.has(now.state)) {
        set.delete(resolve);
        resolve(now);
      }
    });
  }
}
