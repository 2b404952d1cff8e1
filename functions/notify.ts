// Slack messages for what the service did (lib/notify builds and sends them): a step PR
// opened, merged, its gate passed, failed or waiting for an approval. Each event is sent
// once (a store key per event), only when SLACK_WEBHOOK_URL is set, and a failure is
// logged, never thrown: a notification never blocks or changes an upgrade.
import type { ConditionOutcome } from '../lib/gate/types.ts';
import { type Evidence, type NotifyEvent, type NotifyStep } from '../lib/notify/events.ts';
import { SlackSender } from '../lib/notify/slack/sender.ts';
import type { Step } from '../lib/planner/types.ts';
import type { Repository, Services } from './services.ts';

const senders = new WeakMap<Services, SlackSender>();

export function notifyStep(step: Step): NotifyStep {
  return {
    id: step.id,
    component: step.component,
    from: step.from,
    to: step.to,
    ...(step.cluster ? { cluster: step.cluster } : {}),
    ...(step.environment ? { environment: step.environment } : {}),
    file: step.target.file,
    ...(step.change === 'record' ? { record: true as const } : {}),
  };
}

/** The PR's web address: github.com, or a GitHub Enterprise Server's host. */
export function pullRequestUrl(s: Services, r: Repository, number: number): string {
  const api = s.config.GITHUB_API_URL;
  const web =
    api && !/^https:\/\/api\.github\.com\/?$/.test(api)
      ? api.replace(/\/api\/v3\/?$/, '')
      : 'https://github.com';
  return `${web}/${r.owner}/${r.repo}/pull/${number}`;
}

export function evidenceOf(outcomes: readonly ConditionOutcome[]): Evidence[] {
  return outcomes.map((o) => ({
    check: o.condition.text,
    status: o.result.status === 'healthy' ? 'pass' : o.result.status === 'degraded' ? 'fail' : 'unknown',
    detail: o.result.reasons.join('; '),
  }));
}

/** Messages Slack did not take (an outage, limits past the retries), kept for the next cron run. */
const OUTBOX_KEY = 'functions:slack-outbox';
const OUTBOX_TTL_MS = 86_400_000;
const OUTBOX_MAX = 200;
/** Cron runs that try one held message before it is given up (Slack may have taken it and lost the answer). */
const OUTBOX_TRIES = 3;

function senderFor(s: Services): SlackSender {
  let sender = senders.get(s);
  if (!sender) {
    sender = new SlackSender({
      fetch: (s.runtime.fetch ?? ((u: string, i?: RequestInit) => fetch(u, i))) as typeof fetch,
      now: () => s.clock.now(),
      sleep: s.runtime.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      logger: s.log,
    });
    senders.set(s, sender);
  }
  return sender;
}

async function send(s: Services, url: string, event: NotifyEvent) {
  // An app's incoming webhook carries buttons too; they are offered only when the
  // service can verify the clicks (CAIRN_SLACK_SIGNING_SECRET, POST /webhooks/slack).
  return senderFor(s).notify({ kind: 'webhook', url }, event, {
    interactive: !!s.config.CAIRN_SLACK_SIGNING_SECRET,
  });
}

/** Changes the outbox (a map of once-key to event) by compare-and-set. */
type Held = { event: NotifyEvent; tries: number };

async function editOutbox(s: Services, edit: (box: Record<string, Held>) => void): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await s.store.get(OUTBOX_KEY);
    const box = before ? (JSON.parse(before) as Record<string, Held>) : {};
    edit(box);
    const keys = Object.keys(box);
    for (const k of keys.slice(0, Math.max(0, keys.length - OUTBOX_MAX))) delete box[k];
    if (await s.store.compareAndSet(OUTBOX_KEY, before, JSON.stringify(box), { ttlMs: OUTBOX_TTL_MS }))
      return;
  }
  s.log.warn('slack outbox lost to contention');
}

/** Sends `event` once per `onceKey`; returns whether it was delivered (an undelivered one waits in the outbox). */
export async function notify(s: Services, event: NotifyEvent, onceKey: string): Promise<boolean> {
  const url = s.config.SLACK_WEBHOOK_URL;
  if (!url) return false;
  try {
    if (
      !(await s.store.compareAndSet(`functions:notified:${onceKey}`, undefined, '1', {
        ttlMs: 30 * 86_400_000,
      }))
    )
      return false;
    const result = await send(s, url, event);
    if (!result.ok) {
      s.log.warn('slack notification failed', { event: event.kind, error: result.error });
      if (result.retryable) await editOutbox(s, (box) => void (box[onceKey] = { event, tries: 0 }));
    }
    return result.ok;
  } catch (e) {
    s.log.warn('slack notification failed', { event: event.kind, error: e });
    return false;
  }
}

/** The cron run's retry of what Slack did not take; returns how many left the outbox (delivered or given up). */
export async function flushOutbox(s: Services): Promise<number> {
  const url = s.config.SLACK_WEBHOOK_URL;
  const text = url ? await s.store.get(OUTBOX_KEY) : undefined;
  if (!url || !text) return 0;
  const delivered: string[] = [];
  let failed: string | undefined;
  for (const [key, held] of Object.entries(JSON.parse(text) as Record<string, Held>)) {
    const result = await send(s, url, held.event);
    // Delivered, refused for good, or tried often enough: out of the box.
    if (result.ok || !result.retryable || held.tries + 1 >= OUTBOX_TRIES) {
      if (!result.ok)
        s.log.warn('slack notification given up', { event: held.event.kind, error: result.error });
      delivered.push(key);
      continue;
    }
    failed = key; // still down: keep it and the rest, in order, for the next run
    break;
  }
  if (delivered.length || failed)
    await editOutbox(s, (box) => {
      for (const k of delivered) delete box[k];
      const held = failed ? box[failed] : undefined;
      if (failed && held) box[failed] = { ...held, tries: held.tries + 1 };
    });
  return delivered.length;
}
