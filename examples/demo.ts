// `npm run demo`: generates the demo lakehouse if it is missing, then plans Q2-Trading over all 160
// symbols on the embedded default (DuckDB, ./lakehouse, sim:// models) and prints the plan.
// Model execution arrives with the runtime; until then the demo stops at EXPLAIN.
import { generateDemoData } from './demo-data/generate.ts';
import { main } from '../src/cli/main.ts';

const lakehouse = process.env['AGENTLAKE_LAKEHOUSE'] ?? './lakehouse';
const summary = await generateDemoData(lakehouse);
console.log(summary.skipped ? `demo lakehouse: ${summary.dir} (already generated)` : `demo lakehouse: generated ${summary.dir}`);
console.log('Q2-Trading over every symbol: catalog/workflows/q2_trading.sql\n');
const started = performance.now();
const code = await main(['explain', 'catalog/workflows/q2_trading.sql', '--lakehouse', lakehouse]);
console.log(`\nplanned in ${((performance.now() - started) / 1000).toFixed(2)} s (no model was called)`);
process.exitCode = code;
