// Verifies that a request really comes from Slack (interactive buttons, slash
// commands): v0 HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the app's
// signing secret, compared in constant time, and a timestamp no more than
// five minutes from now (replays are refused). Web Crypto only: runs on Workers.
import { z } from 'zod';
import { hmacHex } from '../../hmac.ts';
import { APPROVE_ACTION, HOLD_ACTION } from './blocks.ts';

export const SLACK_MAX_SKEW_S = 300;

export type SlackVerdict =
  { ok: true } | { ok: false; reason: 'missing-headers' | 'stale-timestamp' | 'bad-signature' };

const encoder = new TextEncoder();

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ (y[i % Math.max(y.length, 1)] ?? 0);
  return diff === 0;
}

export interface SlackRequest {
  /** `X-Slack-Request-Timestamp`. */
  timestamp: string | null | undefined;
  /** `X-Slack-Signature`, e.g. `v0=a2114d57...`. */
  signature: string | null | undefined;
  /** The raw body exactly as received. */
  body: string;
}

/**
 * Checks a request's signature against one or more signing secrets (two while
 * rotating). `nowMs` is the caller's clock.
 */
export async function verifySlackRequest(
  req: SlackRequest,
  signingSecrets: string | readonly string[],
  nowMs: number,
): Promise<SlackVerdict> {
  if (!req.timestamp || !req.signature || !/^\d+$/.test(req.timestamp))
    return { ok: false, reason: 'missing-headers' };
  if (Math.abs(nowMs / 1000 - Number(req.timestamp)) > SLACK_MAX_SKEW_S)
    return { ok: false, reason: 'stale-timestamp' };
  const base = `v0:${req.timestamp}:${req.body}`;
  let match = false;
  for (const secret of typeof signingSecrets === 'string' ? [signingSecrets] : signingSecrets) {
    if (!secret) continue;
    // Check every secret, so the time taken does not say which one matched.
    if (timingSafeEqual(`v0=${await hmacHex(secret, base)}`, req.signature)) match = true;
  }
  return match ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

const interactionSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string(), username: z.string().optional(), name: z.string().optional() }),
  response_url: z.string().optional(),
  actions: z
    .array(z.object({ action_id: z.string(), value: z.string().optional(), block_id: z.string().optional() }))
    .min(1),
});

export type ApprovalAction =
  | {
      ok: true;
      action: 'approve' | 'hold';
      stepId: string;
      userId: string;
      userName?: string;
      responseUrl?: string;
    }
  | { ok: false; reason: string };

/** Reads an Approve/Hold click from a verified interaction body (`payload=<json>`, form-encoded). */
export function parseApprovalAction(body: string): ApprovalAction {
  const raw = new URLSearchParams(body).get('payload');
  if (!raw) return { ok: false, reason: 'no payload field' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
  const parsed = interactionSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, reason: `not a block action: ${parsed.error.issues[0]?.message ?? ''}` };
  const p = parsed.data;
  const a = p.actions.find((x) => x.action_id === APPROVE_ACTION || x.action_id === HOLD_ACTION);
  if (!a || !a.value) return { ok: false, reason: 'no cairn approval action' };
  const userName = p.user.username ?? p.user.name;
  return {
    ok: true,
    action: a.action_id === APPROVE_ACTION ? 'approve' : 'hold',
    stepId: a.value,
    userId: p.user.id,
    ...(userName ? { userName } : {}),
    ...(p.response_url ? { responseUrl: p.response_url } : {}),
  };
}
