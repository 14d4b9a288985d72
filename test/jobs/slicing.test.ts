// Slicing: N inputs → ceil(N / size) slices of consecutive inputs, one input each by default; a job
// without inputs is one slice; finished slices are not pending.
import { describe, expect, it } from 'vitest';
import { pendingSlices, sliceJob } from '../../src/jobs/slicing.ts';
import { handJob } from './support.ts';

describe('sliceJob', () => {
  it('cuts one slice per input by default, each of cost 1', () => {
    const s = sliceJob(handJob('j', { inputs: 3 }));
    expect(s.map((x) => [x.id, x.start, x.end, x.cost])).toEqual([['j:0', 0, 1, 1], ['j:1', 1, 2, 1], ['j:2', 2, 3, 1]]);
  });

  it('cuts consecutive runs of the slice size; only the last may be smaller', () => {
    const s = sliceJob(handJob('j', { inputs: 7, sliceSize: 3 }));
    expect(s.map((x) => [x.start, x.end, x.cost])).toEqual([[0, 3, 3], [3, 6, 3], [6, 7, 1]]);
  });

  it('makes one slice of a job without inputs', () => {
    const s = sliceJob(handJob('j', { inputs: 0 }));
    expect(s.map((x) => [x.start, x.end, x.cost])).toEqual([[0, 0, 1]]);
  });

  it('rejects a slice size below 1 and skips finished slices', () => {
    expect(() => sliceJob(handJob('j', { inputs: 2, sliceSize: 0 }))).toThrow(RangeError);
    const job = handJob('j', { inputs: 4 });
    expect(pendingSlices({ ...job, progress: { ...job.progress, doneSlices: [0, 2], slicesDone: 2 } }).map((s) => s.index)).toEqual([1, 3]);
  });
});
