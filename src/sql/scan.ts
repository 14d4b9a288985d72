// A tiny SQL-aware scanner for recovery and rewriting: finds top-level commas inside a parenthesized
// list while skipping strings, quoted identifiers, dollar quotes and comments.

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

/** If a string, quoted identifier, dollar quote or comment starts at i, returns the index after it; else i. */
export function skipAtom(text: string, i: number): number {
  const c = text[i];
  if (c === "'" || c === '"') {
    let j = i + 1;
    while (j < text.length) {
      if (text[j] === c) {
        if (text[j + 1] === c) j += 2;
        else return j + 1;
      } else j++;
    }
    return text.length;
  }
  if (c === '-' && text[i + 1] === '-') {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (c === '/' && text[i + 1] === '*') {
    const end = text.indexOf('*/', i + 2);
    return end < 0 ? text.length : end + 2;
  }
  if (c === '$') {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 200));
    if (m) {
      const close = text.indexOf(m[0], i + m[0].length);
      return close < 0 ? i : close + m[0].length;
    }
  }
  return i;
}
