// Runs every benchmark and prints one table. Each area exports a function
// returning rows; add yours to the list.
import { runFeedsBench } from './feeds.ts';
import { runFunctionsBench } from './functions.ts';
import { runGateBench } from './gate.ts';
import { runParseBench } from './parse.ts';
import { runPlannerBench } from './planner.ts';
import { runStoreBench } from './store.ts';
import { formatBenchTable, runTargetsBench } from './targets.ts';
import { runWholeCommandBench } from './whole-command.ts';

const rows = [
  ...(await runWholeCommandBench()),
  ...(await runTargetsBench()),
  ...(await runPlannerBench()),
  ...(await runFeedsBench()),
  ...(await runStoreBench()),
  ...(await runGateBench()),
  ...runParseBench(),
  ...(await runFunctionsBench()),
];
console.log(formatBenchTable(rows));
