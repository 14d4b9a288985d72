#!/usr/bin/env node
// agentlake CLI entry: runs the JavaScript bundle in dist/cli/, which `npm ci` / `npm install`
// (postinstall), `npm run build` and `npm test` build from src/ with esbuild (scripts/build.mjs).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('agentlake: dist/cli/main.js is missing; run `npm run build` (or `npm ci`) first\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
