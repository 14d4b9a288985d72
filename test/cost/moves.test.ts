// bestMove (cost/moves.ts): a model with work and no GPU first; else the most work per GPU, only if
// one more GPU ends it sooner after the move; ties by name.
import { describe, expect, it } from 'vitest';
import { bestMove } from '../../src/cost/moves.ts';

describe('bestMove', () => {
  it('sends a freed GPU to a model no GPU holds first', () => {
    expect(bestMove([{ name: 'a', workS: 500, gpus: 1, moveS: 2 }, { name: 'b', workS: 5, gpus: 0, moveS: 7 }])).toBe('b');
  });

  it('else to the most work per GPU, when one more GPU ends it sooner even after the move', () => {
    // a: 100 s on 2 GPUs (50 s); b: 90 s on 1 (90 s); with a third GPU after a 2 s wake b ends at 46 s.
    expect(bestMove([{ name: 'a', workS: 100, gpus: 2, moveS: 2 }, { name: 'b', workS: 90, gpus: 1, moveS: 2 }])).toBe('b');
    // 10 s of work on one GPU: a 54 s load would end it later, so nowhere.
    expect(bestMove([{ name: 'b', workS: 10, gpus: 1, moveS: 54 }])).toBeUndefined();
    expect(bestMove([])).toBeUndefined();
  });

  it('breaks ties by name, whatever the order given', () => {
    const c = [{ name: 'z', workS: 40, gpus: 1, moveS: 1 }, { name: 'm', workS: 40, gpus: 1, moveS: 1 }];
    expect(bestMove(c)).toBe('m');
    expect(bestMove([...c].reverse())).toBe('m');
  });
});
