// POST /webhooks/github: authenticate, dedupe, route one event to one use case.
// Order matters: the body is bounded (413), the signature checked over the raw bytes
// (401: nothing is parsed), the delivery id claimed (a redelivery is a no-op), and only
// then is the JSON parsed and acted on. A delivery whose handling fails is released
// again, so GitHub's redelivery can retry it. Under `cairn serve` the heavy
// work (a release's feed re-read and re-plan, a push's re-plan, a re-run) is queued
// (./work.ts) and the delivery answered 202 as soon as the job is recorded; a merged PR's
// gate and a comment command (human-paced, one PR each) are still handled before the answer.
import { z } from 'zod';
import { hintFromGithubRelease } from '../lib/feeds/hints.ts';
import { CAIRN_LABEL } from '../lib/engine/index.ts';
import { stepFromPullRequestBody } from '../lib/render/pull-request.ts';
import { parseCommand } from './commands.ts';
import { notify, notifyStep, pullRequestUrl } from './notify.ts';
import type { Repository, Services } from './services.ts';
import {
  approvalKey,
  evaluateGates,
  feedSources,
  mergeKey,
  pauseKey,
  readFeeds,
  readStatus,
  reconcileRepository,
  runRepository,
} from './use-cases.ts';
import { readBoundedBody, verifyGithubSignature } from './verify.ts';
import type { Job } from './work.ts';

const DAY = 86_400_000;
/** A delivery being handled holds its id this long; one handled holds it for 3 days. */
const CLAIM_MS = 10 * 60_000;
const SEEN_MS = 3 * DAY;

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Work queued by this delivery, settled when done (a Worker waits for it after answering). */
  after?: Promise<void>;
}

type Outcome = {
  outcome: 'done' | 'ignored' | 'queued';
  detail: string;
  meaning?: string;
  after?: Promise<void>;
} & Record<string, unknown>;

/**
 * Queues `job` (functions/work.ts) when the runtime queues webhook work: the answer is 202
 * once the job is recorded; `merged` says it joined a job already waiting.
 */
async function queued(s: Services, job: Job, detail: string): Promise<Outcome> {
  const { done, merged } = await s.work!.enqueue(job);
  // Settled when this job and the work it queued (a release's repository runs) are done.
  return { outcome: 'queued', detail, merged, after: done.then(() => s.work!.idle()) };
}

const repositoryJob = (r: Repository, gates = false, retryFailed = false): Job => ({
  kind: 'repository',
  slug: r.slug,
  gates,
  retryFailed,
});

const repoRef = z.object({ full_name: z.string(), default_branch: z.string().optional() });

const pushSchema = z.object({ ref: z.string(), after: z.string(), repository: repoRef });
const pullClosedSchema = z.object({
  action: z.literal('closed'),
  number: z.number().int(),
  pull_request: z.object({
    merged: z.boolean().nullable().optional(),
    merge_commit_sha: z.string().nullable().optional(),
    merged_at: z.string().nullable().optional(),
    labels: z.array(z.object({ name: z.string() })).default([]),
  }),
  repository: repoRef,
});
const commentSchema = z.object({
  action: z.literal('created'),
  issue: z.object({ number: z.number().int(), pull_request: z.unknown().optional() }),
  comment: z.object({
    id: z.number(),
    body: z.string().max(65_536),
    user: z.object({ login: z.string(), type: z.string().optional() }),
  }),
  repository: repoRef,
});
const checkRunSchema = z.object({
  action: z.literal('rerequested'),
  check_run: z.object({ id: z.number(), name: z.string(), head_sha: z.string() }),
  repository: repoRef,
});

function configured(s: Services, fullName: string): Repository | undefined {
  const slug = fullName.toLowerCase();
  return s.repositories.find((r) => r.slug === slug);
}

export async function handleGithubWebhook(s: Services, req: Request): Promise<WebhookAnswer> {
  const event = req.headers.get('x-github-event') ?? 'unknown';
  const count = (outcome: string) =>
    s.metrics.inc('cairn_webhooks_total', { source: 'github', event, outcome });
  const body = await readBoundedBody(req);
  if (!body.ok) {
    count(body.status === 413 ? 'too-large' : 'bad-request');
    return { status: body.status, body: { error: body.reason } };
  }
  if (!(await verifyGithubSignature(body.text, req.headers.get('x-hub-signature-256'), s.webhookSecrets))) {
    count('unauthorized');
    return { status: 401, body: { error: 'missing or bad X-Hub-Signature-256' } };
  }
  const delivery = req.headers.get('x-github-delivery');
  if (!delivery || !/^[0-9A-Za-z-]{1,64}$/.test(delivery)) {
    count('bad-request');
    return { status: 400, body: { error: 'missing or malformed X-GitHub-Delivery' } };
  }
  const deliveryKey = `functions:delivery:github:${delivery}`;
  if (!(await s.store.compareAndSet(deliveryKey, undefined, 'handling', { ttlMs: CLAIM_MS }))) {
    count('duplicate');
    return { status: 200, body: { outcome: 'duplicate', delivery } };
  }
  let meaningKey: string | undefined;
  try {
    let payload: unknown;
    try {
      payload = JSON.parse(body.text);
    } catch {
      await s.store.put(deliveryKey, 'bad', { ttlMs: SEEN_MS });
      count('bad-request');
      return { status: 400, body: { error: 'body is not JSON' } };
    }
    const action = (payload as { action?: unknown })?.action;
    const key = typeof action === 'string' ? `${event}.${action}` : event;
    const claim = async (meaning: string, ttlMs = SEEN_MS): Promise<boolean> => {
      const k = `functions:meaning:${meaning}`;
      if (!(await s.store.compareAndSet(k, undefined, delivery, { ttlMs }))) return false;
      meaningKey = k;
      return true;
    };
    const { after, ...result } = await route(s, key, payload, claim);
    await s.store.put(deliveryKey, 'done', { ttlMs: SEEN_MS });
    count(result.outcome);
    s.log.info('github webhook', { event: key, delivery, outcome: result.outcome, detail: result.detail });
    return {
      status: result.outcome === 'queued' ? 202 : 200,
      body: { ...result, delivery },
      ...(after ? { after } : {}),
    };
  } catch (e) {
    // Let a redelivery try again.
    await s.store.delete(deliveryKey).catch(() => undefined);
    if (meaningKey) await s.store.delete(meaningKey).catch(() => undefined);
    count('failed');
    s.log.error('github webhook failed', { event, delivery, error: e });
    return { status: 500, body: { error: 'handling failed; redeliver to retry', delivery } };
  }
}

type Claim = (meaning: string, ttlMs?: number) => Promise<boolean>;
const duplicate = (what: string): Outcome => ({ outcome: 'ignored', detail: `already handled: ${what}` });

async function route(s: Services, key: string, payload: unknown, claim: Claim): Promise<Outcome> {
  switch (key) {
    case 'ping':
      return { outcome: 'done', detail: 'pong' };
    case 'release.published':
    case 'release.released':
    case 'release.prereleased':
    case 'release.edited':
    case 'release.deleted':
    case 'release.unpublished':
      return onRelease(s, payload, claim);
    case 'push':
      return onPush(s, payload, claim);
    case 'pull_request.closed':
      return onPullRequestClosed(s, payload, claim);
    case 'issue_comment.created':
      return onComment(s, payload, claim);
    case 'check_run.rerequested':
      return onCheckRunRerequested(s, payload);
    default:
      return { outcome: 'ignored', detail: `cairn does not act on ${key}` };
  }
}

async function onRelease(s: Services, payload: unknown, claim: Claim): Promise<Outcome> {
  const hint = hintFromGithubRelease(payload, await feedSources(s));
  if ('ignored' in hint) return { outcome: 'ignored', detail: hint.ignored };
  if (!hint.hint.keys.length)
    return { outcome: 'ignored', detail: `${hint.hint.reason}: no source cairn reads` };
  // `published` and `released` of one release mean the same; one re-read serves both.
  if (!(await claim(`release:${hint.hint.keys.join(',')}:${hint.hint.tags.join(',')}`, 10 * 60_000)))
    return duplicate(hint.hint.reason);
  if (s.work)
    return queued(
      s,
      { kind: 'feeds', keys: [...hint.hint.keys].sort() },
      `${hint.hint.reason}: feed re-read and re-plan queued`,
    );
  const feed = await readFeeds(s, hint.hint.keys);
  const runs = [];
  for (const r of s.repositories) runs.push(await runRepository(s, r));
  return {
    outcome: 'done',
    detail: hint.hint.reason,
    sources: feed.reports
      .filter((x) => hint.hint.keys.includes(x.key))
      .map((x) => ({ key: x.key, status: x.status })),
    repositories: runs.map((r) => ({
      repository: r.repository,
      opened: r.report?.actions.filter((a) => a.kind === 'opened').length ?? 0,
      ...(r.error ? { error: r.error } : {}),
    })),
  };
}

async function onPush(s: Services, payload: unknown, claim: Claim): Promise<Outcome> {
  const p = pushSchema.safeParse(payload);
  if (!p.success) return { outcome: 'ignored', detail: 'not a push payload' };
  const r = configured(s, p.data.repository.full_name);
  if (!r)
    return {
      outcome: 'ignored',
      detail: `${p.data.repository.full_name} is not a repository cairn reconciles`,
    };
  const branch = p.data.repository.default_branch;
  if (!branch || p.data.ref !== `refs/heads/${branch}`)
    return { outcome: 'ignored', detail: `${p.data.ref} is not the default branch` };
  if (!(await claim(`push:${r.slug}:${p.data.after}`))) return duplicate(`push of ${p.data.after}`);
  if (s.work) return queued(s, repositoryJob(r), `re-plan of ${r.owner}/${r.repo} queued`);
  const report = await reconcileRepository(s, r);
  return {
    outcome: 'done',
    detail: `re-planned ${r.owner}/${r.repo} at ${report.commit.slice(0, 12)}`,
    actions: report.actions,
    ...(report.problems.length ? { problems: report.problems } : {}),
  };
}

async function onPullRequestClosed(s: Services, payload: unknown, claim: Claim): Promise<Outcome> {
  const p = pullClosedSchema.safeParse(payload);
  if (!p.success) return { outcome: 'ignored', detail: 'not a pull_request.closed payload' };
  const r = configured(s, p.data.repository.full_name);
  if (!r)
    return {
      outcome: 'ignored',
      detail: `${p.data.repository.full_name} is not a repository cairn reconciles`,
    };
  if (!p.data.pull_request.labels.some((l) => l.name === CAIRN_LABEL))
    return { outcome: 'ignored', detail: `#${p.data.number} is not a cairn step PR` };
  if (!(await claim(`pr-closed:${r.slug}#${p.data.number}`))) return duplicate(`#${p.data.number} closed`);
  const { merged, merge_commit_sha: commit, merged_at: at } = p.data.pull_request;
  if (merged && commit) {
    // The merge commit and time start the gate's watch (its timeout counts from the merge).
    await s.store.put(
      mergeKey(r, p.data.number),
      JSON.stringify({ commit, at: at ?? s.now().toISOString() }),
      {
        ttlMs: 30 * DAY,
      },
    );
    const pr = (await s.host(r).listPullRequests(CAIRN_LABEL)).find((x) => x.number === p.data.number);
    const step = pr ? stepFromPullRequestBody(pr.body) : undefined;
    if (step)
      await notify(
        s,
        {
          kind: 'merged',
          step: notifyStep(step),
          pr: { number: p.data.number, url: pullRequestUrl(s, r, p.data.number) },
          mergeCommit: commit,
        },
        `merged:${step.id}:${commit}`,
      );
    const gates = await evaluateGates(s, r, p.data.number);
    return {
      outcome: 'done',
      detail: `#${p.data.number} merged as ${commit.slice(0, 12)}: watching its gate`,
      gates,
    };
  }
  // Closed unmerged: the hop is skipped by a human; the report and dashboard say so.
  if (s.work)
    return queued(
      s,
      repositoryJob(r),
      `#${p.data.number} closed unmerged: re-plan of ${r.owner}/${r.repo} queued`,
    );
  const report = await reconcileRepository(s, r);
  const skipped = report.actions.filter((a) => a.kind === 'skipped-by-human' && a.pr === p.data.number);
  return {
    outcome: 'done',
    detail: `#${p.data.number} closed unmerged: skipped by a human`,
    actions: skipped,
  };
}

const WRITE = new Set(['admin', 'maintain', 'write']);

async function onComment(s: Services, payload: unknown, claim: Claim): Promise<Outcome> {
  const p = commentSchema.safeParse(payload);
  if (!p.success) return { outcome: 'ignored', detail: 'not an issue_comment.created payload' };
  const parsed = parseCommand(p.data.comment.body);
  if (!parsed) return { outcome: 'ignored', detail: 'no /cairn command' };
  const r = configured(s, p.data.repository.full_name);
  if (!r)
    return {
      outcome: 'ignored',
      detail: `${p.data.repository.full_name} is not a repository cairn reconciles`,
    };
  if (p.data.comment.user.type === 'Bot')
    return { outcome: 'ignored', detail: 'comments by bots are not commands' };
  if (!(await claim(`comment:${r.slug}:${p.data.comment.id}`)))
    return duplicate(`comment ${p.data.comment.id}`);
  const host = s.host(r);
  const number = p.data.issue.number;
  const login = p.data.comment.user.login;
  const reply = async (text: string) => {
    const marker = `<!-- cairn:reply ${p.data.comment.id} -->`;
    await host.ensureComment(number, marker, `${marker}\n@${login}: ${text}`);
  };
  if (!parsed.ok) {
    await reply(parsed.problem);
    return { outcome: 'ignored', detail: parsed.problem };
  }
  const { command, version } = parsed;
  // Write permission, as GitHub says now (never as the payload claims).
  const perm = await host.octokit.rest.repos.getCollaboratorPermissionLevel({
    owner: r.owner,
    repo: r.repo,
    username: login,
  });
  const level = String((perm.data as { role_name?: string }).role_name ?? perm.data.permission);
  if (!WRITE.has(level) && !WRITE.has(perm.data.permission)) {
    await reply(
      `\`${command}\` needs write permission on ${r.owner}/${r.repo}; you have ${perm.data.permission}. Nothing was changed.`,
    );
    return { outcome: 'ignored', detail: `${login} has no write permission`, command };
  }
  const pr = (await host.listPullRequests(CAIRN_LABEL)).find((x) => x.number === number);
  const step = pr ? stepFromPullRequestBody(pr.body) : undefined;
  if (!pr || !step) {
    await reply(`#${number} is not a cairn step pull request. Nothing was changed.`);
    return { outcome: 'ignored', detail: `#${number} has no step block`, command };
  }
  if (step.to !== version && `v${step.to}` !== version) {
    await reply(
      `this pull request upgrades ${step.component} to ${step.to}, not ${version}. Nothing was changed.`,
    );
    return { outcome: 'ignored', detail: `version ${version} is not this step's`, command };
  }
  switch (command) {
    case 'approve': {
      await s.store.put(approvalKey(step.id), login, { ttlMs: 30 * DAY });
      const gates = pr.state === 'merged' ? await evaluateGates(s, r, number) : [];
      await reply(
        `approved ${step.component} ${step.from} → ${step.to}. The gate re-reads the cluster before it acts.`,
      );
      return { outcome: 'done', detail: `approved by ${login}`, command, gates };
    }
    case 'retry': {
      const gates = pr.state === 'merged' ? await evaluateGates(s, r, number) : [];
      if (s.work) {
        const { done } = await s.work.enqueue(repositoryJob(r));
        await reply(
          `re-evaluated ${step.component} ${step.to}: ${gates.map((g) => g.verdict).join(', ') || 'the PR is not merged'}; its re-plan is queued.`,
        );
        return {
          outcome: 'done',
          detail: `retry by ${login}`,
          command,
          gates,
          after: done.then(() => s.work!.idle()),
        };
      }
      const report = await reconcileRepository(s, r);
      await reply(
        `re-evaluated ${step.component} ${step.to}: ${gates.map((g) => g.verdict).join(', ') || 'the PR is not merged; its step was re-planned'}.`,
      );
      return { outcome: 'done', detail: `retry by ${login}`, command, gates, actions: report.actions.length };
    }
    case 'pause':
      await s.store.put(pauseKey(r, step.to), login, { ttlMs: 365 * DAY });
      await reply(`paused ${step.component} at ${step.to}: no auto-merge and no next step until \`resume\`.`);
      return { outcome: 'done', detail: `paused by ${login}`, command };
    case 'resume': {
      await s.store.delete(pauseKey(r, step.to));
      const gates = pr.state === 'merged' ? await evaluateGates(s, r, number) : [];
      await reply(`resumed ${step.component} at ${step.to}.`);
      return { outcome: 'done', detail: `resumed by ${login}`, command, gates };
    }
    case 'explain': {
      const status = (await readStatus(s, step.cluster ?? 'default'))[step.id];
      const lines = [
        `${step.component} ${step.from} → ${step.to} (${step.role}${step.cluster ? `, cluster ${step.cluster}` : ''})`,
        '',
        ...step.rules.map((x) => `- ${x.text} (${x.source})`),
        ...step.risks.map((x) => `- risk: ${x}`),
        ...(step.oneWay ? ['- one-way: rolling back needs a restore from backup'] : []),
        `- gate: applied, then ${step.gate.health.join('; ') || 'no health conditions'}`,
        status ? `- last verdict: ${status.verdict}: ${status.text} (${status.at})` : '- no gate verdict yet',
      ];
      await reply(lines.join('\n'));
      return { outcome: 'done', detail: `explained to ${login}`, command };
    }
  }
}

async function onCheckRunRerequested(s: Services, payload: unknown): Promise<Outcome> {
  const p = checkRunSchema.safeParse(payload);
  if (!p.success) return { outcome: 'ignored', detail: 'not a check_run.rerequested payload' };
  const r = configured(s, p.data.repository.full_name);
  if (!r)
    return {
      outcome: 'ignored',
      detail: `${p.data.repository.full_name} is not a repository cairn reconciles`,
    };
  if (p.data.check_run.name !== 'cairn/gate')
    return { outcome: 'ignored', detail: `check run ${p.data.check_run.name} is not cairn's` };
  // A re-run asked for from GitHub's UI reads failed gates again too.
  if (s.work) return queued(s, repositoryJob(r, true, true), `re-run of ${r.owner}/${r.repo} queued`);
  const run = await runRepository(s, r, true);
  if (run.error) throw new Error(run.error);
  return { outcome: 'done', detail: `re-evaluated ${r.owner}/${r.repo}`, gates: run.gates };
}
