// Generates src/sql/generated/parser.js from grammar/agentlake.peggy (a build output, never committed).
import { readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const grammarPath = join(root, 'grammar', 'agentlake.peggy');
const outDir = join(root, 'src', 'sql', 'generated');
const outPath = join(outDir, 'parser.js');

let peggy;
try {
  peggy = (await import('peggy')).default;
} catch {
  // Production installs without devDependencies: a parser generated earlier must already exist.
  if (existsSync(outPath)) process.exit(0);
  console.error('agentlake: peggy is not installed and no generated parser exists; run npm install');
  process.exit(1);
}
if (existsSync(outPath) && statSync(outPath).mtimeMs >= statSync(grammarPath).mtimeMs && !process.argv.includes('--force')) {
  process.exit(0);
}
const source = peggy.generate(readFileSync(grammarPath, 'utf8'), {
  output: 'source',
  format: 'es',
  allowedStartRules: ['Statement', 'SingleStep', 'ReturnsText'],
  grammarSource: 'agentlake.peggy',
});
mkdirSync(outDir, { recursive: true });
writeFileSync(outPath, `// GENERATED from grammar/agentlake.peggy by scripts/build-grammar.mjs. Do not edit.\n${source}`);
writeFileSync(join(outDir, 'parser.d.ts'), `// GENERATED. Types of the peggy parser.
export interface PeggyLocation { start: { offset: number; line: number; column: number }; end: { offset: number; line: number; column: number } }
export interface PeggyExpectation { type: string; text?: string; description?: string; parts?: unknown[]; inverted?: boolean }
export declare class SyntaxError extends Error {
  location: PeggyLocation;
  expected: PeggyExpectation[] | null;
  found: string | null;
}
export declare function parse(input: string, options?: { startRule?: 'Statement' | 'SingleStep' | 'ReturnsText'; offset?: number }): unknown;
`);
console.log('agentlake: generated src/sql/generated/parser.js');
