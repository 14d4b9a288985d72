// Parses the text of a prompt literal into static text and {{name}} placeholders, keeping the source
// span of each placeholder. In single-quoted literals \n, \t and \\ are escapes (prompts are
// multi-line); dollar-quoted literals are taken verbatim.
import type { StringLit } from '../sql/ast.ts';
import { diag, type Diagnostic } from '../diag/diagnostic.ts';
import type { Span } from '../diag/span.ts';

/** Static text or an unresolved placeholder. */
export type RawPart = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'slot'; readonly name: string; readonly span: Span };

/** Splits a literal into parts; bad placeholders become diagnostics (and are kept as text). */
export function parseTemplateText(lit: StringLit, diags: Diagnostic[]): RawPart[] {
  const raw = lit.raw;
  const parts: RawPart[] = [];
  let text = '';
  const flush = (): void => {
    if (text.length > 0) parts.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (lit.quote === 'single' && c === "'" && raw[i + 1] === "'") {
      text += "'";
      i++;
    } else if (lit.quote === 'single' && c === '\\' && i + 1 < raw.length) {
      const n = raw[i + 1];
      text += n === 'n' ? '\n' : n === 't' ? '\t' : n === '\\' ? '\\' : `\\${n}`;
      i++;
    } else if (c === '{' && raw[i + 1] === '{') {
      const close = raw.indexOf('}}', i + 2);
      const start = lit.rawStart + i;
      if (close < 0) {
        diags.push(diag('P0121', "unclosed placeholder: '{{' without '}}'", { start, end: start + 2 }));
        text += raw.slice(i);
        break;
      }
      const inner = raw.slice(i + 2, close);
      const span = { start, end: lit.rawStart + close + 2 };
      const name = inner.trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        diags.push(diag('P0120', `bad placeholder '{{${inner}}}': expected {{name}} with a parameter, step or column name`, span));
        text += raw.slice(i, close + 2);
      } else {
        flush();
        parts.push({ kind: 'slot', name: name.toLowerCase(), span });
      }
      i = close + 1;
    } else text += c;
  }
  flush();
  return parts;
}
