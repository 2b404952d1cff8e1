// What journeys 2–6 assert and report: the timeline split into the
// sequences a platform team sees (PRs, `cairn/gate` statuses, Slack
// messages, PR comments, cluster changes), each line `MM-DDTHH:MM:SS text`;
// and each run's wall time and GitHub request count, printed for docs/e2e.md.
import type { World } from '../world.ts';

export interface JourneyLines {
  pulls: string[];
  gates: string[];
  slack: string[];
  comments: string[];
  cluster: string[];
}

/** Commit SHAs (commit times are the wall clock's) and the test servers' ports differ between runs: `<sha>`, `<github>`. */
export function noShas(text: string): string {
  return text
    .replace(/\b[0-9a-f]{7,40}(?![0-9a-z])/g, '<sha>')
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, '<github>');
}

/** Every text of a Slack message's blocks, in order (where the evidence is). */
export function slackTexts(m: { text?: string; blocks?: unknown[] }): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(noShas(o.text));
      for (const [k, x] of Object.entries(o)) if (k !== 'text' || typeof x !== 'string') walk(x);
    }
  };
  walk(m.blocks ?? []);
  return out;
}

export function journeyLines(w: World, from = 0): JourneyLines {
  const pick = (kinds: string[], strip = false) =>
    w.timeline
      .slice(from)
      .filter((e) => kinds.includes(e.kind))
      .map((e) => `${e.at.slice(5, 19)} ${strip ? '' : `${e.kind} `}${noShas(e.text)}`);
  const out = {
    pulls: pick(['pr-opened', 'pr-updated', 'pr-merged', 'pr-closed', 'human']),
    gates: pick(['gate']),
    slack: pick(['slack']),
    comments: pick(['comment']),
    cluster: pick(['cluster'], true),
  };
  return out;
}

/** Prints a journey's figures (docs/e2e.md keeps the measured ones). */
export function recordFigures(journey: string, wallMs: number, githubRequests: number): void {
  process.stderr.write(
    `E2E FIGURES ${journey}: wall ${(wallMs / 1000).toFixed(1)} s, ${githubRequests} GitHub requests\n`,
  );
}

/** With CAIRN_E2E_PRINT=1, prints what a journey saw as JSON (to refresh its expected sequences after an intended change). */
export function printSeen(name: string, seen: unknown): void {
  if (process.env.CAIRN_E2E_PRINT) process.stdout.write(`E2E SEEN ${name} ${JSON.stringify(seen)}\n`);
}

/** The whole text of cairn's comments on PR `number` (the timeline keeps only first lines). */
export function commentBodies(w: World, number: number): string[] {
  return w.github.comments
    .filter((c) => c.issue === number && c.user !== 'alice')
    .map((c) => noShas(c.body.replace(/<!--.*?-->\s*/gs, '')));
}
