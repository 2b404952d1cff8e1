// Runs every benchmark and prints one table. Each area exports a function
// returning rows; add yours to the list.
import { formatBenchTable, runTargetsBench } from './targets.ts';

const rows = [...(await runTargetsBench())];
console.log(formatBenchTable(rows));
