// Structural hashes of IR values: SHA-256 over canonical JSON (sorted keys) that ignores source spans
// and renames action ids to their position, so two DAGs built with different ids hash the same.
import { createHash } from 'node:crypto';
import type { ActionDag } from './action-dag.ts';

/** Keys whose string values (or arrays of strings) are action ids. */
const ID_KEYS = new Set(['id', 'deps', 'action', 'encoded', 'outputs']);

/** Canonical JSON: keys sorted, `span` dropped, ids mapped through `ids`. */
export function canonicalJson(value: unknown, ids: ReadonlyMap<string, string> = new Map()): string {
  const walk = (v: unknown, key: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (typeof v === 'string') return ID_KEYS.has(key) ? (ids.get(v) ?? v) : v;
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      if (k === 'span') continue;
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = walk(x, k);
    }
    return out;
  };
  return JSON.stringify(walk(value, ''));
}

/** Hash of any IR value; for an ActionDag, ids are replaced by their topological position. */
export function structuralHash(value: unknown): string {
  const ids = new Map<string, string>();
  if (isDag(value)) value.actions.forEach((a, i) => ids.set(a.id, `#${i}`));
  return createHash('sha256').update(canonicalJson(value, ids)).digest('hex');
}

function isDag(v: unknown): v is ActionDag {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'action_dag';
}
