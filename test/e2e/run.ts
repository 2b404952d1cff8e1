// `npm run e2e [journey]`: runs a journey and prints its timeline as it unfolds (virtual
// time, PRs opened and merged, gate verdicts, Slack messages, cluster changes), then the
// wall time and the GitHub requests cairn made. `--quiet-flux` hides Flux's own phases.
import { journeys } from './index.ts';
import type { TimelineEvent } from './world.ts';

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--')) ?? 'journey1';
const quietFlux = args.includes('--quiet-flux');
const journey = journeys[name];
if (!journey) {
  process.stderr.write(`unknown journey "${name}"; one of: ${Object.keys(journeys).join(', ')}\n`);
  process.exit(2);
}
const colour = process.stdout.isTTY;
const paint: Record<TimelineEvent['kind'], string> = {
  human: '35',
  'pr-opened': '32',
  'pr-updated': '32',
  'pr-merged': '32;1',
  'pr-closed': '31',
  gate: '36',
  slack: '33',
  comment: '34',
  cluster: '90',
  service: '31;1',
  cron: '90',
  release: '35;1',
};
let start: number | undefined;
const print = (e: TimelineEvent) => {
  if (quietFlux && e.kind === 'cluster' && e.text.includes(': flux: ')) return;
  const t = Date.parse(e.at);
  start ??= t;
  const h = (t - start) / 3_600_000;
  const clock = `+${String(Math.floor(h)).padStart(3)}h${String(Math.floor((h % 1) * 60)).padStart(2, '0')}m`;
  const kind = e.kind.padEnd(9);
  const line = `${clock} ${e.at.slice(0, 19)}Z ${kind} ${e.text}`;
  process.stdout.write(colour ? `\x1b[${paint[e.kind]}m${line}\x1b[0m\n` : `${line}\n`);
};
const wall = Date.now();
const result = await journey.run({ onEvent: print });
process.stdout.write(
  `\n${journey.title}: ${result.ok ? 'done' : `NOT done: ${result.error}`}; wall ${((Date.now() - wall) / 1000).toFixed(1)} s; ${result.githubRequests} GitHub requests by cairn\n`,
);
process.exit(result.ok ? 0 : 1);
