// The end of every switch over a kind: unreachable when the switch handles every member of the union
// (a new kind fails to compile until handled), an internal error if a value of another kind arrives.
import { InternalError } from './diagnostic.ts';

/** Throws an InternalError naming the unexpected value's kind; `what` says what was switched over. */
export function assertNever(x: never, what = 'value'): never {
  const kind = typeof x === 'object' && x !== null && 'kind' in x ? String((x as { kind: unknown }).kind) : String(x);
  throw new InternalError(`unexpected ${what} kind '${kind}'`);
}
