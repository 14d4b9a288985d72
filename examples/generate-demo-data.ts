// CLI: `npx tsx examples/generate-demo-data.ts [--lakehouse DIR] [--force]` writes the demo
// lakehouse (default ./lakehouse); a thin wrapper over generateDemoData.
import { generateDemoData } from './demo-data/generate.ts';

const USAGE = 'usage: generate-demo-data [--lakehouse DIR] [--force]';

function parseArgs(argv: readonly string[]): { dir: string; force: boolean } {
  let dir = './lakehouse';
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') force = true;
    else if (arg === '--lakehouse' && argv[i + 1] !== undefined) dir = argv[++i] ?? dir;
    else if (arg?.startsWith('--lakehouse=')) dir = arg.slice('--lakehouse='.length);
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`error: unexpected argument '${arg ?? ''}'\n${USAGE}`);
      process.exit(2);
    }
  }
  return { dir, force };
}

const { dir, force } = parseArgs(process.argv.slice(2));
const summary = await generateDemoData(dir, { force });
if (summary.skipped) {
  console.log(`demo data v${summary.version} is already in ${summary.dir} (use --force to regenerate)`);
} else {
  const tables = Object.entries(summary.tables).map(([name, n]) => `${name} ${n}`).join(', ');
  console.log(`wrote demo data v${summary.version} to ${summary.dir}: ${tables}; ${summary.objects} chart objects`);
}
