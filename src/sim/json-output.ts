// Deterministic JSON values that satisfy a JSON schema (the subset structured-output servers
// accept): objects with properties (all emitted, so every required one is there), enums, const,
// strings with length bounds and common formats, numbers/integers within bounds, booleans, arrays
// within item bounds, null, anyOf/oneOf/allOf (first non-null branch), type unions, local $ref.
import type { Prng } from '../util/prng.ts';
import { words } from './words.ts';

type Schema = Readonly<Record<string, unknown>>;

const MAX_DEPTH = 12;

function isSchema(x: unknown): x is Schema {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function resolveRef(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isSchema(node) ? node[key] : undefined;
  }
  return isSchema(node) ? node : {};
}

function finiteOr(x: unknown, fallback: number): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : fallback;
}

function numberIn(s: Schema, rng: Prng, integer: boolean): number {
  let lo = finiteOr(s.minimum, Number.NaN);
  let hi = finiteOr(s.maximum, Number.NaN);
  const exLo = finiteOr(s.exclusiveMinimum, Number.NaN);
  const exHi = finiteOr(s.exclusiveMaximum, Number.NaN);
  const step = integer ? 1 : 0.01;
  if (!Number.isNaN(exLo)) lo = Math.max(Number.isNaN(lo) ? -Infinity : lo, exLo + step);
  if (!Number.isNaN(exHi)) hi = Math.min(Number.isNaN(hi) ? Infinity : hi, exHi - step);
  if (Number.isNaN(lo)) lo = Number.isNaN(hi) ? 0 : Math.min(0, hi - 100);
  if (Number.isNaN(hi)) hi = lo + 100;
  if (integer) {
    const a = Math.ceil(lo);
    const b = Math.floor(hi);
    return b < a ? a : rng.int(a, b);
  }
  const v = Math.round((lo + rng.next() * (hi - lo)) * 100) / 100;
  return Math.min(hi, Math.max(lo, v));
}

function stringFor(s: Schema, rng: Prng): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  switch (s.format) {
    case 'date':
      return `2025-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
    case 'date-time':
      return `2025-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}T${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:00Z`;
    case 'email':
      return `${rng.pick(words)}@example.com`;
    case 'uuid':
      return [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('')).join('-');
    default:
      break;
  }
  const minLen = Math.max(0, finiteOr(s.minLength, 0));
  const maxLen = Math.max(minLen, finiteOr(s.maxLength, Infinity));
  let text = Array.from({ length: rng.int(2, 12) }, () => rng.pick(words)).join(' ');
  while (text.length < minLen) text += ` ${rng.pick(words)}`;
  return text.length > maxLen ? text.slice(0, maxLen) : text;
}

function pickType(s: Schema): string | undefined {
  const t = s.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return (t.find((x) => x !== 'null') ?? t[0]) as string | undefined;
  if (isSchema(s.properties)) return 'object';
  if (s.items !== undefined) return 'array';
  return undefined;
}

function generate(s: Schema, root: Schema, rng: Prng, depth: number): unknown {
  if (typeof s.$ref === 'string') return depth > MAX_DEPTH ? null : generate(resolveRef(root, s.$ref), root, rng, depth + 1);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return rng.pick(s.enum as unknown[]);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = s[key];
    if (Array.isArray(branches) && branches.length > 0) {
      const branch = branches.find((b) => isSchema(b) && b.type !== 'null') ?? branches[0];
      return generate(isSchema(branch) ? branch : {}, root, rng, depth + 1);
    }
  }
  switch (pickType(s)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > MAX_DEPTH) return out;
      const props = isSchema(s.properties) ? s.properties : {};
      const required = Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : [];
      for (const key of [...Object.keys(props), ...required.filter((r) => !(r in props))]) {
        const sub = props[key];
        out[key] = generate(isSchema(sub) ? sub : {}, root, rng, depth + 1);
      }
      return out;
    }
    case 'array': {
      if (depth > MAX_DEPTH) return [];
      const lo = Math.max(0, finiteOr(s.minItems, 1));
      const hi = Math.max(lo, Math.min(finiteOr(s.maxItems, 3), lo + 3));
      const items = isSchema(s.items) ? s.items : {};
      return Array.from({ length: rng.int(lo, hi) }, () => generate(items, root, rng, depth + 1));
    }
    case 'integer':
      return numberIn(s, rng, true);
    case 'number':
      return numberIn(s, rng, false);
    case 'boolean':
      return rng.next() < 0.5;
    case 'null':
      return null;
    default:
      return stringFor(s, rng);
  }
}

/** A value satisfying `schema` (non-schema input yields a string), drawn from `rng`. */
export function jsonFromSchema(schema: unknown, rng: Prng): unknown {
  const root = isSchema(schema) ? schema : {};
  return generate(root, root, rng, 0);
}
