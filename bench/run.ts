// Runs every benchmark and prints one table. Each area exports a function
// returning rows; add yours to the list.
import { runParseBench } from './parse.ts';
import { runPlannerBench } from './planner.ts';
import { formatBenchTable, runTargetsBench } from './targets.ts';
import { runWholeCommandBench } from './whole-command.ts';

const rows = [
  ...(await runWholeCommandBench()),
  ...(await runTargetsBench()),
  ...(await runPlannerBench()),
  ...runParseBench(),
];
console.log(formatBenchTable(rows));
