// The other webhooks: Flux, Argo CD, the cluster agent and registries. Each one is only a
// hint (the gate re-reads the cluster and the feeds before it acts), so what a payload
// says is never trusted; an unauthenticated one is refused before it is parsed.
import { REPLAY_WINDOW_MS, verifySnapshot } from '../lib/agent/snapshot.ts';
import { hintFromDockerHub, hintFromHarbor, hintFromQuay } from '../lib/feeds/hints.ts';
import type { WebhookAnswer } from './github.ts';
import type { Services } from './services.ts';
import { recordAcks, replyTo } from './approvals.ts';
import {
  approvalKey,
  evaluateGates,
  feedSources,
  readFeeds,
  readStatus,
  runRepository,
  snapshotKey,
} from './use-cases.ts';
import { readBoundedBody, tokenMatches, verifyHmacHeader } from './verify.ts';

type Source = 'flux' | 'argocd' | 'agent' | 'registry';

const count = (s: Services, source: Source, outcome: string, event: string = source) =>
  s.metrics.inc('cairn_webhooks_total', { source, event, outcome });

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A notification seen within 10 minutes (same bytes) is not acted on twice. */
async function firstTime(s: Services, source: Source, body: string): Promise<boolean> {
  return s.store.compareAndSet(`functions:meaning:${source}:${await sha256(body)}`, undefined, '1', {
    ttlMs: 10 * 60_000,
  });
}

/** The gates of every configured repository, re-read now. */
async function regate(s: Services) {
  const out = [];
  for (const r of s.repositories) out.push(...(await evaluateGates(s, r)));
  return out;
}

async function gitopsHint(
  s: Services,
  req: Request,
  source: 'flux' | 'argocd',
  authorised: (body: string) => Promise<boolean>,
): Promise<WebhookAnswer> {
  const body = await readBoundedBody(req);
  if (!body.ok) {
    count(s, source, body.status === 413 ? 'too-large' : 'bad-request');
    return { status: body.status, body: { error: body.reason } };
  }
  if (!(await authorised(body.text))) {
    count(s, source, 'unauthorized');
    return { status: 401, body: { error: 'unauthenticated' } };
  }
  if (!(await firstTime(s, source, body.text))) {
    count(s, source, 'duplicate');
    return { status: 200, body: { outcome: 'duplicate' } };
  }
  const gates = await regate(s);
  count(s, source, 'done');
  return { status: 202, body: { outcome: 'done', detail: 'the gates re-read the cluster', gates } };
}

/** Flux notification-controller, provider type `generic-hmac`. */
export function handleFlux(s: Services, req: Request): Promise<WebhookAnswer> {
  const secret = s.config.CAIRN_FLUX_WEBHOOK_SECRET;
  return gitopsHint(s, req, 'flux', async (body) =>
    secret ? verifyHmacHeader(body, req.headers.get('x-signature'), secret) : false,
  );
}

/** Argo CD notifications (a webhook service with the header `X-Cairn-Token`). */
export function handleArgocd(s: Services, req: Request): Promise<WebhookAnswer> {
  const token = s.config.CAIRN_ARGOCD_WEBHOOK_TOKEN;
  return gitopsHint(s, req, 'argocd', async () =>
    token ? tokenMatches(req.headers.get('x-cairn-token'), token) : false,
  );
}

/** Signed snapshots and heartbeats from `cairn agent` (lib/agent), kept as the gate's reading. */
export async function handleAgent(s: Services, req: Request): Promise<WebhookAnswer> {
  const body = await readBoundedBody(req, 16 * 1024 * 1024);
  if (!body.ok) {
    count(s, 'agent', body.status === 413 ? 'too-large' : 'bad-request');
    return { status: body.status, body: { error: body.reason } };
  }
  const secret = s.config.CAIRN_AGENT_SECRET;
  const headers = {
    'x-cairn-timestamp': req.headers.get('x-cairn-timestamp') ?? undefined,
    'x-cairn-signature': req.headers.get('x-cairn-signature') ?? undefined,
  };
  const v = secret
    ? await verifySnapshot(body.text, headers, secret, s.now(), s.store)
    : ({ ok: false, reason: 'CAIRN_AGENT_SECRET is not set' } as const);
  if (!v.ok) {
    const replay = v.reason === 'replayed message';
    count(s, 'agent', replay ? 'duplicate' : 'unauthorized');
    return { status: replay ? 200 : 401, body: replay ? { outcome: 'duplicate' } : { error: v.reason } };
  }
  const snap = v.snapshot;
  const key = snapshotKey(snap.cluster, snap.kind);
  // Keep the newest message of an agent: an older one arriving late never replaces it.
  const before = await s.store.get(key);
  const old = before ? (JSON.parse(before) as typeof snap) : undefined;
  if (old && old.agent === snap.agent && old.sequence >= snap.sequence) {
    count(s, 'agent', 'ignored', snap.kind);
    return { status: 200, body: { outcome: 'ignored', detail: 'an older message than the one kept' } };
  }
  const ttlMs = 24 * 3600_000 + REPLAY_WINDOW_MS;
  await s.store.put(key, body.text, { ttlMs });
  // A heartbeat vouching for the kept snapshot keeps it too: a cluster quiet for a day
  // (a 72 h soak) must not lose its reading. One vouching for a snapshot this store does
  // not hold (a restarted service, an empty store) asks the agent to send it again.
  let resync = false;
  if (snap.kind === 'heartbeat') {
    const keptKey = snapshotKey(snap.cluster, 'snapshot');
    const kept = await s.store.get(keptKey);
    const last = kept ? (JSON.parse(kept) as typeof snap) : undefined;
    if (last && last.agent === snap.agent && last.sequence === snap.basedOn)
      await s.store.put(keptKey, kept!, { ttlMs });
    else resync = !last || last.agent === snap.agent;
  }
  await recordAcks(s, snap.cluster, snap.acks ?? []);
  const gates =
    snap.kind === 'snapshot'
      ? (await regate(s)).filter((g) => g.cluster === snap.cluster)
      : await regateApproved(s, snap.cluster);
  count(s, 'agent', 'done', snap.kind);
  // The answer carries, signed, the approvals waiting for this cluster (functions/approvals.ts).
  const reply = await replyTo(s, snap, secret!);
  return {
    status: 202,
    body: {
      outcome: 'done',
      cluster: snap.cluster,
      kind: snap.kind,
      gates,
      reply,
      ...(resync ? { resync: true } : {}),
    },
  };
}

/**
 * On a heartbeat, only the steps of this cluster that wait for an approval which has
 * since been given (Slack's Approve does not re-read the gate itself), so the approval
 * is on its way to the agent with this very answer.
 */
async function regateApproved(s: Services, cluster: string) {
  const out = [];
  for (const rec of Object.values(await readStatus(s, cluster))) {
    if (rec.verdict !== 'needs-approval' || (await s.store.get(approvalKey(rec.step))) === undefined)
      continue;
    const r = s.repositories.find((x) => x.slug === rec.repository.toLowerCase());
    if (r) out.push(...(await evaluateGates(s, r, rec.pr)));
  }
  return out;
}

/** Registry push events (Docker Hub, Harbor, Quay): re-read the sources they name. */
export async function handleRegistry(s: Services, req: Request): Promise<WebhookAnswer> {
  const body = await readBoundedBody(req);
  if (!body.ok) {
    count(s, 'registry', body.status === 413 ? 'too-large' : 'bad-request');
    return { status: body.status, body: { error: body.reason } };
  }
  const token = s.config.CAIRN_REGISTRY_WEBHOOK_TOKEN;
  const given = req.headers.get('x-cairn-token') ?? new URL(req.url).searchParams.get('token');
  if (!token || !(await tokenMatches(given, token))) {
    count(s, 'registry', 'unauthorized');
    return { status: 401, body: { error: 'unauthenticated' } };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.text);
  } catch {
    count(s, 'registry', 'bad-request');
    return { status: 400, body: { error: 'body is not JSON' } };
  }
  const sources = await feedSources(s);
  const hint = [hintFromDockerHub, hintFromHarbor, hintFromQuay]
    .map((f) => f(payload, sources))
    .find((h) => 'hint' in h);
  if (!hint || !('hint' in hint) || !hint.hint.keys.length) {
    count(s, 'registry', 'ignored');
    return { status: 200, body: { outcome: 'ignored', detail: 'no source cairn reads is concerned' } };
  }
  if (!(await firstTime(s, 'registry', body.text))) {
    count(s, 'registry', 'duplicate');
    return { status: 200, body: { outcome: 'duplicate' } };
  }
  await readFeeds(s, hint.hint.keys);
  const runs = [];
  for (const r of s.repositories) runs.push(await runRepository(s, r));
  count(s, 'registry', 'done');
  return {
    status: 202,
    body: { outcome: 'done', detail: hint.hint.reason, repositories: runs.map((r) => r.repository) },
  };
}
