// Runs every benchmark and prints one table. Each area exports a function
// returning rows; add yours to the list.
import { runGateBench } from './gate.ts';
import { runPlannerBench } from './planner.ts';
import { formatBenchTable, runTargetsBench } from './targets.ts';

const rows = [...(await runTargetsBench()), ...(await runPlannerBench()), ...(await runGateBench())];
console.log(formatBenchTable(rows));
