// The one SQL lexer: what is a comment, quoted string, quoted identifier or dollar-quoted text, and
// the helpers built on it: splitting a script or Query message into statements at top-level
// semicolons, identifiers and their renaming, parameters ($n) and their substitution, top-level
// comma lists. A ';' or '$1' inside skipped text is left alone.

/** One statement of a query string: its text and the offset where it starts. */
export interface StatementText {
  readonly text: string;
  readonly start: number;
}

/** What the lexer skips over: a comment, a quoted string, a quoted identifier or dollar-quoted text. */
export type SkippedKind = 'comment' | 'string' | 'identifier' | 'dollar';

/**
 * Walks `sql`: calls `visit(i)` for every offset outside strings, quoted identifiers, dollar-quoted
 * text and comments (nested block comments included), and `skipped(kind, from, to)` for each of
 * those regions [from, to), quotes and comment markers included.
 */
export function lex(sql: string, visit: (i: number) => void, skipped: (kind: SkippedKind, from: number, to: number) => void = () => undefined): void {
  let i = 0;
  while (i < sql.length) {
    const atom = skippedAt(sql, i);
    if (atom) {
      skipped(atom.kind, i, atom.end);
      i = atom.end;
    } else {
      visit(i);
      i++;
    }
  }
}

/**
 * The comment, quoted string, quoted identifier or dollar-quoted text that starts at `i` (quotes and
 * markers included), or undefined when none does. Unclosed ones run to the end of `sql`.
 */
export function skippedAt(sql: string, i: number): { readonly kind: SkippedKind; readonly end: number } | undefined {
  const n = sql.length;
  const c = sql[i];
  const next = sql[i + 1];
  if (c === '-' && next === '-') {
    const end = sql.indexOf('\n', i);
    return { kind: 'comment', end: end < 0 ? n : end };
  }
  if (c === '/' && next === '*') {
    let depth = 1;
    let j = i + 2;
    while (j < n && depth > 0) {
      if (sql[j] === '/' && sql[j + 1] === '*') (depth++, (j += 2));
      else if (sql[j] === '*' && sql[j + 1] === '/') (depth--, (j += 2));
      else j++;
    }
    return { kind: 'comment', end: j };
  }
  if (c === "'" || c === '"') {
    const escapes = c === "'" && i > 0 && /[eE]/.test(sql[i - 1]!) && (i < 2 || !/[\w$]/.test(sql[i - 2]!));
    let j = i + 1;
    while (j < n) {
      if (escapes && sql[j] === '\\') j += 2;
      else if (sql[j] === c && sql[j + 1] === c) j += 2;
      else if (sql[j] === c) break;
      else j++;
    }
    return { kind: c === "'" ? 'string' : 'identifier', end: Math.min(n, j + 1) };
  }
  if (c === '$' && (i === 0 || !/[\w$]/.test(sql[i - 1]!))) {
    const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 200));
    if (!tag) return undefined;
    const end = sql.indexOf(tag[0], i + tag[0].length);
    return { kind: 'dollar', end: end < 0 ? n : end + tag[0].length };
  }
  return undefined;
}

/** The offset just after the comment, string, quoted identifier or dollar-quoted text at `i`; `i` when none starts there. */
export function skipAtom(sql: string, i: number): number {
  return skippedAt(sql, i)?.end ?? i;
}

/** A slice of text with its offset in the scanned string. */
export interface Part {
  readonly text: string;
  readonly start: number;
}

/** Splits the contents of the parenthesis opened at `open` at depth-1 commas; undefined if unbalanced. */
export function topLevelParts(text: string, open: number): Part[] | undefined {
  const parts: Part[] = [];
  let depth = 0;
  let partStart = open + 1;
  for (let i = open; i < text.length; i++) {
    const skip = skipAtom(text, i);
    if (skip > i) {
      i = skip - 1;
      continue;
    }
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) {
        parts.push({ text: text.slice(partStart, i), start: partStart });
        return parts;
      }
    } else if (c === ',' && depth === 1) {
      parts.push({ text: text.slice(partStart, i), start: partStart });
      partStart = i + 1;
    }
  }
  return undefined;
}

/** Calls `visit(i)` for every offset of `sql` outside strings, identifiers and comments. */
function scan(sql: string, visit: (i: number) => void): void {
  lex(sql, visit);
}

/** One identifier of a script: its name (lower case; a quoted one unquoted) and where it is. */
export interface Identifier {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Written in double quotes. */
  readonly quoted: boolean;
  /** Right after a `.` (`schema.name`). */
  readonly qualified: boolean;
}

/** Every bare word and double-quoted identifier of `sql` outside strings and comments (keywords too). */
export function identifiers(sql: string): Identifier[] {
  const out: Identifier[] = [];
  const wordChar = /[A-Za-z0-9_$]/;
  const qualified = (i: number): boolean => sql[i - 1] === '.';
  lex(
    sql,
    (i) => {
      if (!/[A-Za-z_]/.test(sql[i] ?? '') || (i > 0 && wordChar.test(sql[i - 1] ?? ''))) return;
      let j = i;
      while (j < sql.length && wordChar.test(sql[j] ?? '')) j++;
      out.push({ name: sql.slice(i, j).toLowerCase(), start: i, end: j, quoted: false, qualified: qualified(i) });
    },
    (kind, from, to) => {
      if (kind === 'identifier') out.push({ name: sql.slice(from + 1, to - 1).replace(/""/g, '"').toLowerCase(), start: from, end: to, quoted: true, qualified: qualified(from) });
    },
  );
  return out;
}

/** `sql` with each identifier `rename` answers for replaced by that text (the others kept). */
export function renameIdentifiers(sql: string, rename: (id: Identifier) => string | undefined): string {
  let out = '';
  let from = 0;
  for (const id of identifiers(sql)) {
    const text = rename(id);
    if (text === undefined) continue;
    out += sql.slice(from, id.start) + text;
    from = id.end;
  }
  return out + sql.slice(from);
}

/** The statements of a query string (empty ones dropped), split at semicolons outside parentheses. */
export function splitStatements(sql: string): StatementText[] {
  const out: StatementText[] = [];
  let depth = 0;
  let start = 0;
  const push = (end: number): void => {
    const raw = sql.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text.length > 0 && !/^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*$/.test(text)) out.push({ text, start: start + lead });
  };
  scan(sql, (i) => {
    const c = sql[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ';' && depth === 0) {
      push(i);
      start = i + 1;
    }
  });
  push(sql.length);
  return out;
}

/** The highest $n parameter number in `sql` (0 when none). */
export function parameterCount(sql: string): number {
  let max = 0;
  scan(sql, (i) => {
    if (sql[i] !== '$') return;
    const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
    if (m) max = Math.max(max, Number(m[1]));
  });
  return max;
}

/**
 * Replaces `$n` by `literals[n-1]`. Returns the new text and a map from offsets in it back to
 * offsets in `sql` (for error positions).
 */
export function substituteParameters(sql: string, literals: readonly string[]): { text: string; toOriginal: (offset: number) => number } {
  const edits: { at: number; len: number; literal: string }[] = [];
  scan(sql, (i) => {
    if (sql[i] !== '$') return;
    const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
    if (!m) return;
    const literal = literals[Number(m[1]) - 1];
    if (literal !== undefined) edits.push({ at: i, len: m[0].length, literal });
  });
  let text = '';
  let last = 0;
  const shifts: { newAt: number; oldAt: number; newEnd: number; oldEnd: number }[] = [];
  for (const e of edits) {
    text += sql.slice(last, e.at);
    const newAt = text.length;
    text += e.literal;
    shifts.push({ newAt, oldAt: e.at, newEnd: text.length, oldEnd: e.at + e.len });
    last = e.at + e.len;
  }
  text += sql.slice(last);
  const toOriginal = (offset: number): number => {
    let delta = 0;
    for (const s of shifts) {
      if (offset < s.newAt) break;
      if (offset < s.newEnd) return s.oldAt;
      delta = s.oldEnd - s.newEnd;
    }
    return offset + delta;
  };
  return { text, toOriginal };
}
