// A planned step as Git sees it: the files it changes and the branch it lives on.
// Pure, over a RepoReader: `cairn apply` (local git) and the PR engine (GitHub) call
// the same functions, so the CLI and the service cannot drift.
export { stepBranchName } from './branch.ts';
export { type FileChange, stepFileChanges } from './changes.ts';
