// gpt-tokenizer (o200k BPE), loaded on first use rather than at start-up: building its tables takes a
// few hundred milliseconds, which a CLI call with no model call (`agentlake run -e "SELECT 1"`) should
// not pay. The API stays synchronous: the package's CommonJS build is loaded with require().
import { createRequire } from 'node:module';

type GptTokenizer = typeof import('gpt-tokenizer');

let loaded: GptTokenizer | undefined;

function tokenizer(): GptTokenizer {
  return (loaded ??= createRequire(import.meta.url)('gpt-tokenizer') as GptTokenizer);
}

/** gpt-tokenizer's `encode`. */
export const encode: GptTokenizer['encode'] = (...args) => tokenizer().encode(...args);

/** gpt-tokenizer's `decode`. */
export const decode: GptTokenizer['decode'] = (...args) => tokenizer().decode(...args);

/** gpt-tokenizer's `countTokens`. */
export const countTokens: GptTokenizer['countTokens'] = (...args) => tokenizer().countTokens(...args);
