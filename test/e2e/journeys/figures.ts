// What journeys 2–6 assert and report: the timeline split into the
// sequences a platform team sees (PRs, `cairn/gate` statuses, Slack
// messages, PR comments, cluster changes), each line `MM-DDTHH:MM:SS text`;
// and each run's wall time and GitHub request count, printed for docs/e2e.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { World } from '../world.ts';

/** Each timeline event on stderr as it happens, when E2E_TRACE is set (the journeys' `onEvent`). */
export const traceEvent = (e: { at: string; kind: string; text: string }) =>
  process.env.E2E_TRACE && process.stderr.write(`${e.at} ${e.kind} ${e.text}\n`);

export interface JourneyLines {
  pulls: string[];
  gates: string[];
  slack: string[];
  comments: string[];
  cluster: string[];
}

/** Commit SHAs (commit times are the wall clock's) and the test servers' ports differ between runs: `<sha>`, `<github>`. */
export function noShas(text: string): string {
  return (
    text
      .replace(/\b[0-9a-f]{7,40}(?![0-9a-z])/g, '<sha>')
      // A status description cut at GitHub's 140 characters may end inside a sha: `0cb672…`.
      .replace(/\b[0-9a-f]{4,6}…/g, '<sha>…')
      .replace(/http:\/\/127\.0\.0\.1:\d+/g, '<github>')
  );
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

/**
 * Compares what a journey saw with its recorded sequences, `test/e2e/expected/<file>.json`
 * under `key` (as journey 1 does). CAIRN_UPDATE_GOLDEN=1 records them from this run
 * instead: review the diff. CAIRN_E2E_PRINT=1 prints them.
 */
export function expectSeen(file: string, key: string, seen: unknown): void {
  const path = join(import.meta.dirname, '..', 'expected', `${file}.json`);
  const all = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  if (process.env.CAIRN_E2E_PRINT) process.stdout.write(`${key}: ${JSON.stringify(seen, null, 2)}\n`);
  if (process.env.CAIRN_UPDATE_GOLDEN) {
    all[key] = seen;
    writeFileSync(path, `${JSON.stringify(all, null, 2)}\n`);
    return;
  }
  expect(seen, `${file}.json ${key}`).toEqual(all[key]);
}

/** The whole text of cairn's comments on PR `number` (the timeline keeps only first lines). */
export function commentBodies(w: World, number: number): string[] {
  return w.github.comments
    .filter((c) => c.issue === number && c.user !== 'alice')
    .map((c) => noShas(c.body.replace(/<!--.*?-->\s*/gs, '')));
}

/** The "Blocked" lines of cairn's dependency dashboard issue: what is blocked, why, and the unblock action. */
export function dashboardBlocked(w: World): string[] {
  const issue = [...w.github.issues.values()].find((i) => i.body?.includes('<!-- cairn:dashboard -->'));
  const body = issue?.body ?? '';
  const at = body.indexOf('## Blocked');
  if (at < 0) return [];
  return body
    .slice(at)
    .split('\n')
    .slice(1)
    .filter((l) => l.startsWith('- '))
    .map(noShas);
}
