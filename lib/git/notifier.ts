// The GitHub provider as the notifier lib/notify/github.ts builds for: the `cairn/gate`
// commit status, the gate's check run and marked PR comments. Failures are reported,
// not thrown: a notification must never stop the gate.
import type { GitHubNotifier } from '../notify/github.ts';
import type { GitHubProvider } from './github.ts';

const outcome = async (fn: () => Promise<void>): Promise<{ ok: boolean; error?: string }> => {
  try {
    await fn();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
};

export function githubNotifier(gh: GitHubProvider): GitHubNotifier {
  return {
    setCommitStatus: (sha, s) =>
      outcome(() =>
        gh.ensureStatus(sha, {
          context: s.context,
          state: s.state,
          description: s.description,
          ...(s.target_url ? { targetUrl: s.target_url } : {}),
        }),
      ),
    upsertCheckRun: (sha, run) => outcome(() => gh.ensureCheckRun(sha, run)),
    upsertComment: (pull, marker, body) => outcome(() => gh.upsertComment(pull, marker, body)),
  };
}
