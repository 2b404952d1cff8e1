// Signed cluster snapshots: what the in-cluster agent pushes to the status
// function. Pure and Web Crypto only (`crypto.subtle`), so the verifier runs
// on Workers as well as Node.
//
// Wire format: the body is the snapshot JSON; two headers carry
//   X-Cairn-Timestamp: <unix seconds>
//   X-Cairn-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
// A message is accepted only inside a 5-minute window around the
// receiver's clock, and only once (the signature is remembered for longer
// than the window), so a forged or replayed snapshot changes nothing.
import { z } from 'zod';
import { hex, hmacKey, unhex } from '../hmac.ts';
import type { Store } from '../store/index.ts';

export const REPLAY_WINDOW_MS = 5 * 60_000;
export const TIMESTAMP_HEADER = 'x-cairn-timestamp';
export const SIGNATURE_HEADER = 'x-cairn-signature';

const problemSchema = z.strictObject({
  resource: z.string(),
  kind: z.enum(['forbidden', 'unavailable', 'not-found', 'error']),
  message: z.string(),
});

/** What the agent did with an approval the service delivered (lib/agent/approvals.ts). */
export const approvalAckSchema = z.strictObject({
  id: z.string().min(1).max(512),
  outcome: z.enum(['patched', 'already-set', 'already-used', 'not-waiting', 'refused', 'forbidden']),
  message: z.string().max(1000).optional(),
});

export type ApprovalAck = z.infer<typeof approvalAckSchema>;

export const snapshotSchema = z.strictObject({
  version: z.literal(1),
  kind: z.enum(['snapshot', 'heartbeat']),
  cluster: z.string().min(1),
  agent: z.string().min(1).describe('The agent instance (pod name) that sent it'),
  sequence: z.number().int().nonnegative().describe('Increases with every message of one agent instance'),
  readAt: z.iso
    .datetime()
    .describe('When the objects were read (a heartbeat: when the caches were last confirmed in sync)'),
  /** Heartbeats: the snapshot this one vouches for (nothing relevant changed since). */
  basedOn: z.number().int().nonnegative().optional(),
  objects: z.array(z.record(z.string(), z.unknown())),
  problems: z.array(problemSchema),
  /** Approvals handled since the last message that got through (at most once each). */
  acks: z.array(approvalAckSchema).max(100).optional(),
});

export type Snapshot = z.infer<typeof snapshotSchema>;

const encoder = new TextEncoder();

export interface SignedMessage {
  body: string;
  headers: Record<string, string>;
}

export async function signSnapshot(snapshot: Snapshot, secret: string, now: Date): Promise<SignedMessage> {
  const body = JSON.stringify(snapshot);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const mac = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(secret, ['sign']),
    encoder.encode(`${timestamp}.${body}`),
  );
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: `sha256=${hex(mac)}`,
    },
  };
}

export type VerifyResult = { ok: true; snapshot: Snapshot } | { ok: false; reason: string };

/**
 * Checks the signature over the raw body and timestamp before parsing
 * anything, then the window, then that the message was not seen before.
 */
export async function verifySnapshot(
  body: string,
  headers: Record<string, string | undefined>,
  secret: string,
  now: Date,
  seen: Store,
): Promise<VerifyResult> {
  const timestamp = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'missing or malformed timestamp' };
  const mac = signature?.startsWith('sha256=') ? unhex(signature.slice(7)) : undefined;
  if (!mac || mac.length !== 32) return { ok: false, reason: 'missing or malformed signature' };
  const valid = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret, ['verify']),
    mac as Uint8Array<ArrayBuffer>,
    encoder.encode(`${timestamp}.${body}`),
  );
  if (!valid) return { ok: false, reason: 'bad signature' };
  const skew = Math.abs(now.getTime() - Number(timestamp) * 1000);
  if (skew > REPLAY_WINDOW_MS)
    return { ok: false, reason: `timestamp outside the ${REPLAY_WINDOW_MS / 60_000}-minute window` };
  // Remember the signature past the window's far edge, so no replay inside it is accepted.
  const first = await seen.compareAndSet(`snapshot-seen:${signature}`, undefined, timestamp, {
    ttlMs: 2 * REPLAY_WINDOW_MS + 60_000,
  });
  if (!first) return { ok: false, reason: 'replayed message' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { ok: false, reason: `body: ${i.path.join('.') || '(root)'}: ${i.message}` };
  }
  return { ok: true, snapshot: parsed.data };
}

/**
 * The gate's reading from what an agent pushed: its latest snapshot, made
 * current by a later heartbeat only when that heartbeat vouches for exactly
 * that snapshot (same agent, `basedOn` its sequence). The heartbeat's
 * problems count too. No snapshot: no reading (unknown, closed).
 */
export function readingFromSnapshots(
  snapshot: Snapshot | undefined,
  heartbeat: Snapshot | undefined,
):
  | { readAt: Date; objects: Snapshot['objects']; problems: Snapshot['problems']; cluster: string }
  | undefined {
  if (!snapshot || snapshot.kind !== 'snapshot') return undefined;
  const vouched =
    heartbeat?.kind === 'heartbeat' &&
    heartbeat.agent === snapshot.agent &&
    heartbeat.cluster === snapshot.cluster &&
    heartbeat.basedOn === snapshot.sequence &&
    Date.parse(heartbeat.readAt) > Date.parse(snapshot.readAt);
  return {
    cluster: snapshot.cluster,
    readAt: new Date(vouched ? heartbeat.readAt : snapshot.readAt),
    objects: snapshot.objects,
    problems: vouched ? [...snapshot.problems, ...heartbeat.problems] : snapshot.problems,
  };
}
