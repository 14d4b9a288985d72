// Bundles the CLI (src/cli/main.ts) into dist/cli/ as ESM for Node 20, so bin/agentlake.js runs
// plain JavaScript instead of compiling TypeScript on every call. npm dependencies stay imports
// (`packages: 'external'`: DuckDB is native, the others load from node_modules); code splitting
// keeps dynamically imported parts (the server, the simulator's HTTP server, the S3 client, ...)
// in chunks of their own that load only when used.
//
// Layout: every output file sits in dist/cli/, two folders below the repository root, like the
// sources in src/<area>/; src/engine/bootstrap.ts finds catalog/ as `<its folder>/../../catalog`,
// which therefore still resolves to the repository's catalog/ from the bundle.
//
// Needs src/sql/generated/parser.js (scripts/build-grammar.mjs): `npm run build`, postinstall (so
// `npm ci`) and pretest run that first, then this.
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Packages the bundle loads with require() (their CommonJS builds) instead of import: Node's ESM
 * loader scans a CommonJS package's files for export names before running it (@duckdb/node-api is
 * CommonJS: about 120 ms of a CLI call here) and apache-arrow's ESM build is many more files than its
 * CommonJS one. Same package, same version, same exports; every part of the bundle gets the same copy.
 */
const REQUIRED_PACKAGES = ['@duckdb/node-api', 'apache-arrow'];

/**
 * Of REQUIRED_PACKAGES, those required on first use rather than when the bundle loads: the bundle
 * reads them only inside functions (esbuild turns `import { X } from 'pkg'` into property reads
 * `pkg.X` at the use sites), so a proxy whose export names are known at build time stands in until
 * then. apache-arrow (~90 ms to load here) is used for job results and model outputs, not by
 * `agentlake run -e "SELECT 1"`.
 */
const LAZY_PACKAGES = ['apache-arrow'];
const requireHere = createRequire(import.meta.url);

function moduleSource(pkg) {
  if (!LAZY_PACKAGES.includes(pkg)) return `module.exports = require(${JSON.stringify(pkg)});`;
  const names = Object.getOwnPropertyNames(requireHere(pkg)).filter((n) => n !== '__esModule');
  return `let lib;
const load = () => (lib ??= require(${JSON.stringify(pkg)}));
const names = ${JSON.stringify(names)};
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => names,
  getOwnPropertyDescriptor: (_, key) => (names.includes(key) ? { configurable: true, enumerable: true, writable: true, value: undefined } : undefined),
});`;
}

/** esbuild plugin: `import { X } from 'pkg'` becomes a CommonJS `require('pkg')` for REQUIRED_PACKAGES. */
const requirePackages = {
  name: 'require-packages',
  setup(b) {
    const filter = new RegExp(`^(${REQUIRED_PACKAGES.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'require-package' ? { path: args.path, external: true } : { path: args.path, namespace: 'require-package' }));
    b.onLoad({ filter: /.*/, namespace: 'require-package' }, (args) => ({ contents: moduleSource(args.path), loader: 'js' }));
  },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');

let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  // Installs without devDependencies: a bundle built earlier must already exist.
  if (existsSync(join(outdir, 'main.js'))) process.exit(0);
  console.error('agentlake: esbuild is not installed and dist/cli/main.js does not exist; run npm install');
  process.exit(1);
}
const started = Date.now();
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  legalComments: 'none',
  plugins: [requirePackages],
  // esbuild's require() shim in ESM output calls the real require when one is in scope.
  banner: { js: "import { createRequire as __agentlakeCreateRequire } from 'node:module';\nconst require = __agentlakeCreateRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
console.log(`agentlake: built dist/cli/ (${outputs.length} files) in ${Date.now() - started} ms`);
