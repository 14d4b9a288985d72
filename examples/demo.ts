// `npm run demo`: generates the demo lakehouse if it is missing, then runs Q2-Trading over all 160
// symbols on the embedded default (DuckDB, ./lakehouse, sim:// models on a simulated GPU) and prints
// the decisions and the run summary. GPU time is simulated; the figures say so.
import { generateDemoData } from './demo-data/generate.ts';
import { main } from '../src/cli/main.ts';

const lakehouse = process.env['AGENTLAKE_LAKEHOUSE'] ?? './lakehouse';
const summary = await generateDemoData(lakehouse);
console.log(summary.skipped ? `demo lakehouse: ${summary.dir} (already generated)` : `demo lakehouse: generated ${summary.dir}`);
console.log('Q2-Trading over every symbol (catalog/workflows/q2_trading.sql) on sim:// models, 1 simulated H100\n');
process.exitCode = await main(['run', 'catalog/workflows/q2_trading.sql', '--lakehouse', lakehouse, '--no-cache']);
