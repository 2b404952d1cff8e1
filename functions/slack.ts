// Slack interactivity: the Approve / Hold buttons of a "needs approval" message
// (lib/notify builds them). A click is trusted only when Slack's signature over the raw
// body verifies (CAIRN_SLACK_SIGNING_SECRET, 5-minute window) and the clicking Slack user
// is listed in CAIRN_SLACK_APPROVERS; with no list, nobody approves from Slack (fail
// closed). Approve records the same approval `/cairn approve` does; Hold withdraws it.
// The gate re-reads the cluster before it acts, on the next cron run or webhook.
import { approvalReply } from '../lib/notify/slack/blocks.ts';
import { parseApprovalAction, verifySlackRequest } from '../lib/notify/slack/verify.ts';
import type { WebhookAnswer } from './github.ts';
import type { Services } from './services.ts';
import { approvalKey } from './use-cases.ts';
import { readBoundedBody } from './verify.ts';

const DAY = 86_400_000;
/** Slack retries a click it got no answer for within 3 s: the same signed body is handled once. */
const REPLAY_TTL_MS = 10 * 60_000;
const STEP_ID = /^[A-Za-z0-9._-]{1,200}$/;

const count = (s: Services, outcome: string) =>
  s.metrics.inc('cairn_webhooks_total', { source: 'slack', event: 'block_actions', outcome });

export async function handleSlack(s: Services, req: Request): Promise<WebhookAnswer> {
  const body = await readBoundedBody(req);
  if (!body.ok) {
    count(s, body.status === 413 ? 'too-large' : 'bad-request');
    return { status: body.status, body: { error: body.reason } };
  }
  const secret = s.config.CAIRN_SLACK_SIGNING_SECRET;
  const signature = req.headers.get('x-slack-signature');
  const verdict = secret
    ? await verifySlackRequest(
        { timestamp: req.headers.get('x-slack-request-timestamp'), signature, body: body.text },
        secret,
        s.now().getTime(),
      )
    : ({ ok: false, reason: 'CAIRN_SLACK_SIGNING_SECRET is not set' } as const);
  if (!verdict.ok) {
    count(s, 'unauthenticated');
    return { status: 401, body: { error: 'unverified Slack request' } };
  }
  if (
    !(await s.store.compareAndSet(`functions:slack:${signature}`, undefined, '1', { ttlMs: REPLAY_TTL_MS }))
  ) {
    count(s, 'duplicate');
    return { status: 200, body: { outcome: 'duplicate' } };
  }
  const action = parseApprovalAction(body.text);
  if (!action.ok || !STEP_ID.test(action.stepId)) {
    count(s, 'ignored');
    return { status: 400, body: { error: action.ok ? 'bad step id' : action.reason } };
  }
  const approvers = (s.config.CAIRN_SLACK_APPROVERS ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (!approvers.includes(action.userId)) {
    count(s, 'refused');
    return {
      status: 200,
      body: {
        response_type: 'ephemeral',
        replace_original: false,
        text: `You are not in CAIRN_SLACK_APPROVERS, so this click changed nothing. Approve on the pull request with /cairn approve instead.`,
      },
    };
  }
  if (action.action === 'approve')
    await s.store.put(approvalKey(action.stepId), `slack:${action.userId}`, { ttlMs: 30 * DAY });
  else await s.store.delete(approvalKey(action.stepId));
  s.log.info('slack approval', { action: action.action, step: action.stepId, user: action.userId });
  count(s, 'done');
  return { status: 200, body: { ...approvalReply(action.action, action.stepId, action.userId) } };
}
