import { UsageError } from '../../lib/errors.ts';
import { catalogReleases, parseFeed } from '../../lib/feed.ts';
import type { Command } from '../args.ts';
import { requireStr, str } from '../args.ts';
import { parseNow } from './plan.ts';

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary:
    'Run one PR-engine pass against GitHub: plan the base branch, ensure the step PRs and the dashboard',
  usage:
    'reconcile --github OWNER/REPO [--base BRANCH] [--dry-run] [--window-open] [--auto-merge] [--reviewer LOGIN|ORG/TEAM]... [--assignee LOGIN]... [--feed FILE] [--now ISO-8601] [--format text|json]',
  description:
    'Credentials come from the environment: GITHUB_TOKEN, or a GitHub App (CAIRN_GITHUB_APP_ID,\n' +
    'CAIRN_GITHUB_APP_PRIVATE_KEY, CAIRN_GITHUB_APP_INSTALLATION_ID). GITHUB_API_URL points at\n' +
    'GitHub Enterprise Server. --dry-run reads only and prints what it would do. See docs/github.md.',
  options: {
    github: { type: 'string', value: 'OWNER/REPO', description: 'The repository to reconcile' },
    base: {
      type: 'string',
      value: 'BRANCH',
      description: 'Branch to plan from and open PRs against (default: the default branch)',
    },
    'dry-run': { type: 'boolean', description: 'Read only; print what would be done' },
    'window-open': { type: 'boolean', description: 'A maintenance window is open now (allows auto-merge)' },
    'auto-merge': { type: 'boolean', description: 'The policy allows auto-merge of step PRs' },
    reviewer: {
      type: 'string',
      multiple: true,
      value: 'LOGIN|ORG/TEAM',
      description: 'Request a review from this user or team when a step PR opens',
    },
    assignee: { type: 'string', multiple: true, value: 'LOGIN', description: 'Assign step PRs to this user' },
    feed: {
      type: 'string',
      value: 'FILE',
      description: 'Release feed snapshot (YAML) instead of the catalog lists',
    },
    now: { type: 'string', value: 'ISO-8601', description: 'Plan as of this instant (default: now)' },
    format: {
      type: 'string',
      value: 'FORMAT',
      default: 'text',
      choices: ['text', 'json'],
      description: 'Output format',
    },
  },
  async run(values, _pos, ctx) {
    const slug = requireStr(values, 'github', 'reconcile');
    const m = /^([A-Za-z0-9-]{1,39})\/([A-Za-z0-9._-]{1,100})$/.exec(slug);
    if (!m) throw new UsageError(`--github takes OWNER/REPO, got "${slug}"`);
    const env = ctx.env;
    let auth: { token: string } | { appId: string; privateKey: string; installationId: string };
    if (env.GITHUB_TOKEN) auth = { token: env.GITHUB_TOKEN };
    else if (
      env.CAIRN_GITHUB_APP_ID &&
      env.CAIRN_GITHUB_APP_PRIVATE_KEY &&
      env.CAIRN_GITHUB_APP_INSTALLATION_ID
    )
      auth = {
        appId: env.CAIRN_GITHUB_APP_ID,
        privateKey: env.CAIRN_GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n'),
        installationId: env.CAIRN_GITHUB_APP_INSTALLATION_ID,
      };
    else
      throw new UsageError(
        'reconcile needs credentials: set GITHUB_TOKEN, or CAIRN_GITHUB_APP_ID, CAIRN_GITHUB_APP_PRIVATE_KEY and CAIRN_GITHUB_APP_INSTALLATION_ID',
      );
    const [
      { githubProvider },
      { planTree, reconcile, storeBlobCache, storeScanCache },
      { loadShippedCatalog, readTextFile },
      { systemClock },
      { openStore },
      { resolve },
    ] = await Promise.all([
      import('../../lib/git/github.ts'),
      import('../../lib/engine/index.ts'),
      import('../../lib/node/files.ts'),
      import('../../lib/node/clock.ts'),
      import('../../lib/node/store-open.ts'),
      import('node:path'),
    ]);
    const now = parseNow(str(values, 'now'));
    const catalog = loadShippedCatalog();
    const feed = str(values, 'feed');
    const releases = {
      ...catalogReleases(catalog),
      ...(feed ? parseFeed(readTextFile(resolve(ctx.cwd, feed), 'feed'), feed, catalog) : {}),
    };
    // ETags and blobs read are kept in the store (CAIRN_STORE), so the next run is conditional.
    const store = openStore(env.CAIRN_STORE, { cwd: ctx.cwd });
    const host = githubProvider({
      owner: m[1]!,
      repo: m[2]!,
      auth,
      ...(env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}),
      clock: systemClock,
      cache: store,
      log: ctx.log,
      // Whose PRs carry trusted step blocks: read from GitHub unless given. The Actions
      // GITHUB_TOKEN cannot read GET /user; it acts as github-actions[bot].
      ...(env.CAIRN_GITHUB_LOGIN ? { login: env.CAIRN_GITHUB_LOGIN } : {}),
      ...(env.GITHUB_ACTIONS === 'true' ? { loginWhenRefused: 'github-actions[bot]' } : {}),
    });
    // What the scanner found per blob, so the next run scans only the files a push changed.
    const scanCache = storeScanCache(store);
    const reviewers = (values.reviewer as string[] | undefined) ?? [];
    const assignees = (values.assignee as string[] | undefined) ?? [];
    const report = await reconcile({
      host,
      ...(str(values, 'base') ? { base: str(values, 'base')! } : {}),
      plan: (repo) => planTree(repo, { catalog, releases, now, scanCache }),
      // The policy's pullRequests settings, plus the flags' reviewers and assignees;
      // --auto-merge allows it wherever the policy does not say otherwise.
      settings: (_step, p) => ({
        reviewers: [...new Set([...(p.reviewers ?? []), ...reviewers])],
        assignees: [...new Set([...(p.assignees ?? []), ...assignees])],
        ...(p.labels ? { labels: p.labels } : {}),
        autoMerge: p.autoMerge ?? values['auto-merge'] === true,
      }),
      windowOpen: values['window-open'] === true,
      dryRun: values['dry-run'] === true,
      cache: storeBlobCache(store),
      log: ctx.log,
    }).finally(() => store.close());
    if (str(values, 'format') === 'json') {
      ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `cairn reconcile ${slug} (${report.base} at ${report.commit.slice(0, 12)})${report.dryRun ? ' — dry run, nothing written' : ''}`,
      ...report.actions.map(
        (a) =>
          `  ${a.kind.padEnd(16)} ${a.pr ? `#${a.pr} ` : ''}${a.branch}${a.reason ? `: ${a.reason}` : ''}`,
      ),
      ...report.inFlight.map(
        (f) =>
          `  in flight        #${f.pr} ${f.step.id}: no cairn/gate success on ${f.mergeCommit.slice(0, 12)}`,
      ),
      ...report.ignored.map(
        (i) => `  ignored          #${i.pr}: its step block is not cairn's (${i.reason})`,
      ),
      ...(report.dashboard ? [`dashboard: #${report.dashboard}`] : []),
    ];
    ctx.stdout(`${lines.join('\n')}\n`);
    return 0;
  },
};
