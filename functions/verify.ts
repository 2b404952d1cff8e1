// Request authentication, always over the raw body and before anything is parsed. Every
// comparison is constant time: HMACs through Web Crypto's `verify`, shared tokens by
// comparing their HMACs (equal-length digests compared in full).
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { hmacKey, unhex } from '../lib/hmac.ts';

/** The body, read whole only if it stays within `limit` bytes. */
export type BoundedBody = { ok: true; text: string } | { ok: false; status: 413 | 400; reason: string };

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Refuses a body over `limit` before reading it whole: by its Content-Length when it has
 * one, and by counting while reading otherwise (a chunked body that lies is cut off).
 */
export async function readBoundedBody(req: Request, limit = MAX_BODY_BYTES): Promise<BoundedBody> {
  const declared = req.headers.get('content-length');
  if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > limit))
    return { ok: false, status: 413, reason: `body over ${limit} bytes` };
  if (!req.body) return { ok: true, text: '' };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, status: 413, reason: `body over ${limit} bytes` };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, status: 400, reason: 'body is not UTF-8' };
  }
}

const SHA256_SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/**
 * GitHub's `X-Hub-Signature-256` with any of the secrets (two while one is rotated). A
 * SHA-1 `X-Hub-Signature` alone is never enough.
 */
export async function verifyGithubSignature(
  body: string,
  signature: string | null,
  secrets: readonly string[],
): Promise<boolean> {
  if (!signature || !SHA256_SIGNATURE.test(signature) || !body) return false;
  for (const secret of secrets) if (await verifyGithub(secret, body, signature)) return true;
  return false;
}

const encoder = new TextEncoder();

/** Flux notification-controller `generic-hmac`: `X-Signature: sha256=<hex HMAC of the body>`. */
export async function verifyHmacHeader(
  body: string,
  header: string | null,
  secret: string,
): Promise<boolean> {
  if (!header || !SHA256_SIGNATURE.test(header.toLowerCase())) return false;
  const mac = unhex(header.slice(7));
  return !!mac && crypto.subtle.verify('HMAC', await hmacKey(secret, ['verify']), mac, encoder.encode(body));
}

/** A shared token, compared in constant time (by the HMAC of each under a fixed key). */
export async function tokenMatches(given: string | null | undefined, expected: string): Promise<boolean> {
  if (!given) return false;
  const key = await hmacKey(expected, ['sign', 'verify']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(expected));
  return crypto.subtle.verify('HMAC', key, mac, encoder.encode(given));
}
