// Exhaustiveness: the `default:` of every `switch (x.kind)` calls assertNever, so a new kind is a type error
// where it is not handled, and an InternalError (a bug in agentlake) if one slips through at run time.
import { InternalError } from './diagnostic.ts';

/** Throws an InternalError naming the unexpected kind; `what` says what was switched on (e.g. 'plan node'). */
export function assertNever(x: never, what?: string): never {
  const value: unknown = x;
  const kind = typeof value === 'object' && value !== null && 'kind' in value ? (value as { kind: unknown }).kind : value;
  const shown = typeof kind === 'string' ? `'${kind}'` : String(kind);
  throw new InternalError(`unexpected ${what ? `${what} ` : ''}kind ${shown}`);
}
