// Approvals delivered to the agent: the status function's answer to a signed
// snapshot or heartbeat carries the approvals waiting for that cluster, signed
// with the same CAIRN_AGENT_SECRET, so the agent (which alone can write to the
// cluster) learns of `/cairn approve` and Slack's Approve without listening on
// any port. Pure and Web Crypto only, like snapshot.ts.
//
// Wire format, in the JSON answer to POST /webhooks/agent:
//   "reply": { "timestamp": "<unix seconds>", "signature": "sha256=<hex>", "body": "<reply JSON>" }
// signature = HMAC-SHA256(secret, "reply.<timestamp>.<body>"): the "reply."
// prefix keeps a reply from ever verifying as a snapshot and the reverse.
// The agent accepts a reply only inside the 5-minute window, only for its own
// cluster and agent id, and only as the answer to the message it just sent
// (`inReplyTo` is that message's sequence), so a recorded reply is worthless.
import { z } from 'zod';
import { hex, hmacKey, unhex } from '../hmac.ts';
import { REPLAY_WINDOW_MS } from './snapshot.ts';

export const APPROVAL_ANNOTATION = 'redis.io/approve-primary-update';
/** Recorded on the CR with the approval, so an approval is used once even across agent restarts. */
export const APPROVAL_ID_ANNOTATION = 'cairn.dev/approval-id';

export const approvalTargetSchema = z.strictObject({
  group: z.literal('redis.io'),
  kind: z.literal('RedisCluster'),
  namespace: z.string().min(1).max(253).optional(),
  name: z.string().min(1).max(253),
  annotation: z.literal(APPROVAL_ANNOTATION),
  value: z.literal('true'),
});

export const deliveredApprovalSchema = z.strictObject({
  /** Unique per approval; the agent applies one id at most once. */
  id: z.string().min(1).max(512),
  cluster: z.string().min(1),
  step: z.string().min(1),
  /** Who approved (a GitHub login, or `slack:<user>`), for the agent's log. */
  by: z.string().max(200),
  target: approvalTargetSchema,
});

export type DeliveredApproval = z.infer<typeof deliveredApprovalSchema>;

export const replySchema = z.strictObject({
  version: z.literal(1),
  kind: z.literal('approvals'),
  cluster: z.string().min(1),
  agent: z.string().min(1),
  /** The sequence of the agent message this answers. */
  inReplyTo: z.number().int().nonnegative(),
  approvals: z.array(deliveredApprovalSchema).max(100),
});

export type Reply = z.infer<typeof replySchema>;

export interface SignedReply {
  timestamp: string;
  signature: string;
  body: string;
}

const encoder = new TextEncoder();

export async function signReply(reply: Reply, secret: string, now: Date): Promise<SignedReply> {
  const body = JSON.stringify(reply);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const mac = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(secret, ['sign']),
    encoder.encode(`reply.${timestamp}.${body}`),
  );
  return { timestamp, signature: `sha256=${hex(mac)}`, body };
}

export type ReplyVerdict = { ok: true; reply: Reply } | { ok: false; reason: string };

/**
 * Verifies a reply before anything in it is trusted: the signature over the
 * raw body, the window, then that it answers exactly `expect` (this agent's
 * cluster, id and the sequence it just sent).
 */
export async function verifyReply(
  signed: unknown,
  secret: string,
  now: Date,
  expect: { cluster: string; agent: string; sequence: number },
): Promise<ReplyVerdict> {
  const s = signed as Partial<SignedReply> | undefined;
  if (!s || typeof s.body !== 'string' || typeof s.timestamp !== 'string' || typeof s.signature !== 'string')
    return { ok: false, reason: 'no signed reply' };
  if (!/^\d{1,12}$/.test(s.timestamp)) return { ok: false, reason: 'malformed timestamp' };
  const mac = s.signature.startsWith('sha256=') ? unhex(s.signature.slice(7)) : undefined;
  if (!mac || mac.length !== 32) return { ok: false, reason: 'malformed signature' };
  const valid = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret, ['verify']),
    mac as Uint8Array<ArrayBuffer>,
    encoder.encode(`reply.${s.timestamp}.${s.body}`),
  );
  if (!valid) return { ok: false, reason: 'bad signature' };
  if (Math.abs(now.getTime() - Number(s.timestamp) * 1000) > REPLAY_WINDOW_MS)
    return { ok: false, reason: `timestamp outside the ${REPLAY_WINDOW_MS / 60_000}-minute window` };
  let json: unknown;
  try {
    json = JSON.parse(s.body);
  } catch {
    return { ok: false, reason: 'reply body is not JSON' };
  }
  const parsed = replySchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { ok: false, reason: `reply: ${i.path.join('.') || '(root)'}: ${i.message}` };
  }
  const r = parsed.data;
  if (r.cluster !== expect.cluster || r.agent !== expect.agent || r.inReplyTo !== expect.sequence)
    return {
      ok: false,
      reason: `the reply answers ${r.cluster}/${r.agent} #${r.inReplyTo}, not ${expect.cluster}/${expect.agent} #${expect.sequence}`,
    };
  return { ok: true, reply: r };
}
