// Merkle signatures over an ActionDag (ALGORITHMS.md §1): SHA-256 over canonical JSON of what decides
// an action's output, with each referenced output replaced by the referenced action's signature, in
// topological order so equal subgraphs cascade. Equal signature ⇒ equal value: a hash match is
// confirmed structurally, and a non-deterministic action gets a signature of its own.
import * as crypto from 'node:crypto';
import { InternalError } from '../diag/diagnostic.ts';
import { assertNever } from '../diag/assert-never.ts';
import type { Action, ActionDag, ActionId, ActionKind, ImageInput, PromptSegment } from '../ir/action-dag.ts';
import { isDeterministic, type Decoding, type ModelRef } from '../ir/common.ts';

/**
 * What a signature covers, and what it deliberately leaves out. Labels (never in a signature): the
 * action id, step name, input index, row, round, speaker, span, origin, the parameter name of a bound value,
 * plan-time estimates (`rows`, `tokens`, `objects`) and dependencies that only order (a dependency
 * whose output the action never reads: it changes when the action runs, not what it computes).
 * Text and bound values are concatenated, since the runtime renders them into one string.
 */
export interface SignatureOptions {
  /** Distinguishes non-deterministic actions of different DAGs (e.g. a batch id); default ''. */
  readonly scope?: string;
  /** The hash of a canonical JSON text; default SHA-256 hex (tests inject weak hashes). */
  readonly hash?: (text: string) => string;
}

/** The signatures of one DAG. */
export interface SignatureMap {
  /** Every action's signature: equal signatures mean equal outputs. */
  readonly signature: ReadonlyMap<ActionId, string>;
  /** Every action → the first action (in DAG order) with its signature: its class representative. */
  readonly representative: ReadonlyMap<ActionId, ActionId>;
  /** Actions whose output is a function of their content and inputs (the mergeable ones). */
  readonly deterministic: ReadonlySet<ActionId>;
  /** Signature → the canonical JSON it hashes, for structural confirmation across DAGs. */
  readonly structure: ReadonlyMap<string, string>;
}

/** Resolves a referenced action to its signature. */
type RefSig = (id: ActionId) => string;
type Describe<K extends ActionKind> = (a: Extract<Action, { kind: K }>, ref: RefSig) => Record<string, unknown>;

/** What decides each kind's output (a new kind does not compile until it is described here). */
const DESCRIBE: { readonly [K in ActionKind]: Describe<K> } = {
  // The batch-level input action (input null) yields an empty table at run time.
  sql: (a) => ({ batch: a.input === null, sql: a.sql, params: a.params, paramTypes: a.paramTypes ?? {} }),
  fetch: (a) => ({ key: a.key }),
  format: (a, ref) => ({ format: a.format, parts: segments(a.parts, ref) }),
  llm: (a, ref) => ({ ...modelCall(a, ref), returns: a.returns ?? null }),
  vlm: (a, ref) => ({ ...modelCall(a, ref), image: image(a.image, ref), returns: a.returns ?? null }),
  vlm_encode: (a, ref) => ({ model: model(a.model), image: image(a.image, ref) }),
  vlm_reason: (a, ref) => ({ ...modelCall(a, ref), encoded: ref(a.encoded), returns: a.returns ?? null }),
  embed: (a, ref) => modelCall(a, ref),
  image: (a, ref) => modelCall(a, ref),
};

/** Whether each kind's output is reproducible (mergeable, cacheable). */
const DETERMINISTIC: { readonly [K in ActionKind]: (a: Extract<Action, { kind: K }>) => boolean } = {
  sql: () => true,
  fetch: () => true,
  format: () => true,
  vlm_encode: () => true,
  llm: (a) => isDeterministic(a.decoding),
  vlm: (a) => isDeterministic(a.decoding),
  vlm_reason: (a) => isDeterministic(a.decoding),
  embed: (a) => isDeterministic(a.decoding),
  // A diffusion call samples noise: only a fixed seed makes it reproducible.
  image: (a) => a.decoding.seed !== undefined,
};

/** True when `a` may be merged with an action of equal signature. */
export function isMergeable(a: Action): boolean {
  return DETERMINISTIC[a.kind](a as never);
}

/** The canonical JSON `a`'s signature hashes, given the signatures of the actions it reads. */
export function signatureText(a: Action, ref: RefSig, scope = ''): string {
  const body: Record<string, unknown> = { kind: a.kind, ...DESCRIBE[a.kind](a as never, ref) };
  // Two runs of a sampling call differ: tie the signature to this very action.
  if (!isMergeable(a)) body['unique'] = [scope, a.id];
  return canonicalJson(body);
}

/**
 * Signatures of every action, in DAG order. §1's union-find is a plain map here: in topological
 * order each action joins the class of the first action with its signature, so classes are stars.
 * Throws InternalError when an action reads or depends on an action that does not precede it (the
 * DAG is not in topological order) or an id repeats.
 */
export function computeSignatures(dag: ActionDag, opts: SignatureOptions = {}): SignatureMap {
  const shared = opts.hash === undefined && (opts.scope ?? '') === '';
  const known = shared ? computed.get(dag) : undefined;
  if (known) return known;
  const hash = opts.hash ?? sha256;
  const signature = new Map<ActionId, string>();
  const representative = new Map<ActionId, ActionId>();
  const deterministic = new Set<ActionId>();
  const classes = new Map<string, { readonly json: string; readonly rep: ActionId }>();
  for (const a of dag.actions) {
    if (signature.has(a.id)) throw new InternalError(`action '${a.id}' appears twice in the DAG`);
    for (const d of a.deps) if (!signature.has(d)) throw new InternalError(`action '${a.id}' depends on '${d}', which does not precede it`);
    const ref: RefSig = (id) => {
      const s = signature.get(id);
      if (s === undefined) throw new InternalError(`action '${a.id}' reads '${id}', which does not precede it`);
      return s;
    };
    const json = signatureText(a, ref, opts.scope);
    const base = hash(json);
    let sig = base;
    let rep = a.id;
    for (let salt = 1; ; salt++) {
      const c = classes.get(sig);
      if (c === undefined) {
        classes.set(sig, { json, rep: a.id });
        break;
      }
      // Structural confirmation: a hash match with a different structure is a collision.
      if (c.json === json) {
        rep = c.rep;
        break;
      }
      sig = `${base}~${salt}`;
    }
    signature.set(a.id, sig);
    representative.set(a.id, rep);
    if (isMergeable(a)) deterministic.add(a.id);
  }
  const structure = new Map([...classes].map(([sig, c]) => [sig, c.json]));
  const result = { signature, representative, deterministic, structure };
  if (shared) computed.set(dag, result);
  return result;
}

/**
 * Default-option signatures by DAG object (DAGs are immutable values): the rewrite driver asks again
 * for a DAG a rule left unchanged, and dedupDag hands over its output's signatures, which equal the
 * input's (a rewired reference points to an action of the same signature).
 */
const computed = new WeakMap<ActionDag, SignatureMap>();

/** The result of `dedupDag`. */
export interface DedupResult {
  /** The DAG without duplicates (the same object when nothing changed), still topologically ordered. */
  readonly dag: ActionDag;
  /** Every original action → the action of the new DAG that stands for it (itself when kept). */
  readonly canonical: ReadonlyMap<ActionId, ActionId>;
  /** Number of actions removed (merged into an earlier equal action). */
  readonly merged: number;
  /**
   * Output actions kept although equal to an earlier output (two outputs are never merged): alias →
   * the action it equals. Its value may be served from that action; nothing reads the alias itself.
   */
  readonly aliases: ReadonlyMap<ActionId, ActionId>;
  readonly signatures: SignatureMap;
}

/**
 * Merkle dedup: every deterministic action equal to an earlier one is removed, and references,
 * dependencies and input outputs are rewired to the earlier (canonical) action. An action that is
 * some input's output is not merged into an action that already serves as an output: it is kept
 * and reported as an alias, while its readers are rewired to the action it equals.
 */
export function dedupDag(dag: ActionDag, opts: SignatureOptions = {}): DedupResult {
  const signatures = computeSignatures(dag, opts);
  const outputs = new Set(dag.inputs.flatMap((s) => s.outputs));
  const canonical = new Map<ActionId, ActionId>();
  // What a reader of each action reads after dedup (an alias's readers read the action it equals).
  const source = new Map<ActionId, ActionId>();
  const aliases = new Map<ActionId, ActionId>();
  const servesOutput = new Set<ActionId>();
  let merged = 0;
  for (const a of dag.actions) {
    const rep = signatures.representative.get(a.id) ?? a.id;
    if (rep === a.id || !signatures.deterministic.has(a.id)) {
      canonical.set(a.id, a.id);
      source.set(a.id, a.id);
      if (outputs.has(a.id)) servesOutput.add(a.id);
    } else if (outputs.has(a.id) && servesOutput.has(rep)) {
      canonical.set(a.id, a.id);
      source.set(a.id, rep);
      aliases.set(a.id, rep);
    } else {
      canonical.set(a.id, rep);
      source.set(a.id, rep);
      if (outputs.has(a.id)) servesOutput.add(rep);
      merged++;
    }
  }
  let changed = merged > 0;
  const actions: Action[] = [];
  for (const a of dag.actions) {
    if (canonical.get(a.id) !== a.id) continue;
    const b = rewire(a, (id) => source.get(id) ?? id);
    if (b !== a) changed = true;
    actions.push(b);
  }
  const inputs = dag.inputs.map((s) => {
    const next = [...new Set(s.outputs.map((id) => canonical.get(id) ?? id))];
    if (next.length === s.outputs.length && next.every((id, i) => id === s.outputs[i])) return s;
    changed = true;
    return { ...s, outputs: next };
  });
  if (!changed) return { dag, canonical, merged, aliases, signatures };
  const next: ActionDag = { ...dag, inputs, actions };
  if (computed.get(dag) === signatures) {
    const kept = (m: ReadonlyMap<ActionId, string>): Map<ActionId, string> => new Map(actions.map((a) => [a.id, m.get(a.id) ?? '']));
    computed.set(next, { signature: kept(signatures.signature), representative: kept(signatures.representative), deterministic: new Set(actions.filter((a) => signatures.deterministic.has(a.id)).map((a) => a.id)), structure: signatures.structure });
  }
  return { dag: next, canonical, merged, aliases, signatures };
}

/** `a` with every dependency and reference mapped through `to`; `a` itself when none moves. */
function rewire(a: Action, to: (id: ActionId) => ActionId): Action {
  if (!moves(a, to)) return a;
  const deps = [...new Set(a.deps.map(to))];
  let moved = deps.length !== a.deps.length || deps.some((d, i) => d !== a.deps[i]);
  const segs = (list: readonly PromptSegment[]): readonly PromptSegment[] => {
    if (!list.some((s) => s.kind === 'ref' && to(s.action) !== s.action)) return list;
    moved = true;
    return list.map((s) => (s.kind === 'ref' ? { ...s, action: to(s.action) } : s));
  };
  const img = (i: ImageInput): ImageInput => {
    if (i.kind !== 'ref' || to(i.action) === i.action) return i;
    moved = true;
    return { kind: 'ref', action: to(i.action) };
  };
  let b: Action;
  switch (a.kind) {
    case 'sql':
    case 'fetch':
      b = { ...a, deps };
      break;
    case 'format':
      b = { ...a, deps, parts: segs(a.parts) };
      break;
    case 'vlm_encode':
      b = { ...a, deps, image: img(a.image) };
      break;
    case 'vlm':
      b = { ...a, deps, system: segs(a.system), prompt: segs(a.prompt), image: img(a.image) };
      break;
    case 'vlm_reason':
      if (to(a.encoded) !== a.encoded) moved = true;
      b = { ...a, deps, system: segs(a.system), prompt: segs(a.prompt), encoded: to(a.encoded) };
      break;
    case 'llm':
    case 'embed':
    case 'image':
      b = { ...a, deps, system: segs(a.system), prompt: segs(a.prompt) };
      break;
    default:
      assertNever(a, 'action');
  }
  return moved ? b : a;
}

/** Whether any dependency or reference of `a` maps elsewhere (checked without allocating). */
function moves(a: Action, to: (id: ActionId) => ActionId): boolean {
  for (const d of a.deps) if (to(d) !== d) return true;
  const segs = (list: readonly PromptSegment[]): boolean => {
    for (const s of list) if (s.kind === 'ref' && to(s.action) !== s.action) return true;
    return false;
  };
  switch (a.kind) {
    case 'sql':
    case 'fetch':
      return false;
    case 'format':
      return segs(a.parts);
    case 'vlm_encode':
      return a.image.kind === 'ref' && to(a.image.action) !== a.image.action;
    case 'vlm':
      return segs(a.system) || segs(a.prompt) || (a.image.kind === 'ref' && to(a.image.action) !== a.image.action);
    case 'vlm_reason':
      return segs(a.system) || segs(a.prompt) || to(a.encoded) !== a.encoded;
    case 'llm':
    case 'embed':
    case 'image':
      return segs(a.system) || segs(a.prompt);
    default:
      return assertNever(a, 'action');
  }
}

function modelCall(a: { readonly kind: ActionKind; readonly model: ModelRef; readonly system: readonly PromptSegment[]; readonly prompt: readonly PromptSegment[]; readonly decoding: Decoding }, ref: RefSig): Record<string, unknown> {
  return { model: model(a.model), decoding: decoding(a.kind, a.decoding), system: segments(a.system, ref), prompt: segments(a.prompt, ref) };
}

/** A model by catalog name and version, plus where it is served (two catalogs may reuse a name). */
function model(m: ModelRef): Record<string, unknown> {
  return { name: m.name, version: m.version, endpoint: m.endpoint, modelName: m.modelName };
}

/**
 * Only what changes the output: greedy decoding ignores seed and top_p; diffusion reads seed and
 * size only; sampling keeps everything (its signature is unique anyway).
 */
function decoding(kind: ActionKind, d: Decoding): Record<string, unknown> {
  if (kind === 'image') return { seed: d.seed ?? null, width: d.width ?? null, height: d.height ?? null };
  if (d.temperature === 0) return { temperature: 0, maxTokens: d.maxTokens };
  return { temperature: d.temperature, maxTokens: d.maxTokens, seed: d.seed ?? null, topP: d.topP ?? null };
}

/** Runs of text and bound values become one string; references become their signature. */
function segments(list: readonly PromptSegment[], ref: RefSig): unknown[] {
  const out: unknown[] = [];
  let text = '';
  for (const s of list) {
    if (s.kind === 'text') text += s.text;
    else if (s.kind === 'value') text += s.value;
    else {
      if (text !== '') out.push(text);
      text = '';
      out.push({ ref: ref(s.action), render: s.render, column: s.column ?? null });
    }
  }
  if (text !== '') out.push(text);
  return out;
}

function image(i: ImageInput, ref: RefSig): Record<string, unknown> {
  return i.kind === 'object' ? { key: i.key } : { ref: ref(i.action) };
}

/**
 * JSON with object keys sorted at every level (nothing dropped: user data may use any key), written
 * directly: the same text as JSON.stringify over a key-sorted copy, without building the copy.
 */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const x: unknown = value[i];
      if (i > 0) out += ',';
      out += x === undefined || typeof x === 'function' || typeof x === 'symbol' ? 'null' : canonicalJson(x);
    }
    return `${out}]`;
  }
  let out = '{';
  let first = true;
  for (const k of Object.keys(value).sort()) {
    const x = (value as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(x)}`;
    first = false;
  }
  return `${out}}`;
}

/** SHA-256 hex; crypto.hash (Node ≥ 20.12) is the one-shot form, a third of createHash's cost per call. */
function sha256(text: string): string {
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}
