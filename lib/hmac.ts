// HMAC-SHA256 with Web Crypto (Node and workerd alike): the one key import, hex
// encoding both ways, and a keyed MAC as hex. Every signature cairn makes or checks
// (agent snapshots and replies, Flux and GitHub webhooks, Slack, dashboard sessions)
// goes through these; verification itself stays `crypto.subtle.verify`, which compares
// in constant time.
const encoder = new TextEncoder();

export function hmacKey(
  secret: string,
  usages: ('sign' | 'verify')[],
): ReturnType<typeof crypto.subtle.importKey> {
  return crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    usages,
  );
}

export function hex(buf: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes of an even-length hex string, or undefined when it is not one. */
export function unhex(s: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^([0-9a-f]{2})+$/i.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** HMAC-SHA256 of `data` under `secret`, as lower-case hex. */
export async function hmacHex(secret: string, data: string): Promise<string> {
  return hex(await crypto.subtle.sign('HMAC', await hmacKey(secret, ['sign']), encoder.encode(data)));
}
