// The PR body the engine writes: the step's body from lib/render/pull-request.ts, with
// release notes and the way back added before the hidden step block, cut to fit
// GitHub's body limit without ever cutting the step block.
import type { Plan, Step } from '../planner/types.ts';
import { pullRequestBody, STEP_BLOCK_START } from '../render/pull-request.ts';

/** GitHub refuses a PR body over 65,536 characters. */
export const GITHUB_BODY_LIMIT = 65_536;

export interface ReleaseNotes {
  url?: string;
  /** Changelog text for the versions the step crosses. */
  excerpt?: string;
}

export function stepPullRequestBody(
  step: Step,
  plan: Plan,
  notes?: ReleaseNotes,
  limit = GITHUB_BODY_LIMIT,
): string {
  const body = pullRequestBody(step, plan);
  const at = body.lastIndexOf(STEP_BLOCK_START);
  const head = body.slice(0, at);
  const block = body.slice(at);
  const extra: string[] = [];
  if (!step.oneWay) {
    extra.push(
      '### How to roll back',
      `Revert this pull request's merge commit: the version goes back to \`${step.from}\` and the GitOps tool applies it.`,
      '',
    );
  }
  let notesText = '';
  if (notes?.url || notes?.excerpt) {
    notesText = ['### Release notes', ...(notes.url ? [`- ${notes.url}`] : []), ''].join('\n');
    if (notes.excerpt)
      notesText += `\n<details><summary>Changelog</summary>\n\n${notes.excerpt}\n</details>\n\n`;
  }
  const fixed = head + extra.join('\n');
  const room = limit - fixed.length - block.length;
  if (notesText.length > room) {
    const cut = '\n\n_(changelog truncated to fit the pull request)_\n</details>\n\n';
    notesText = room > cut.length ? notesText.slice(0, room - cut.length) + cut : '';
  }
  return fixed + notesText + block;
}
