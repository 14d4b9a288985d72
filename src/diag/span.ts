// Source spans: half-open byte ranges [start, end) into one source text.
// Every user-facing node and diagnostic carries one; line/column are derived only when rendering.

/** A half-open range of UTF-16 offsets into a source text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A named source text (a file, `-e` argument, or stored catalog definition). */
export interface Source {
  readonly name: string;
  readonly text: string;
}

/** 1-based line and column of an offset. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const stop = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < stop; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: stop - lineStart + 1 };
}
