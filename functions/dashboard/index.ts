// The fleet dashboard (`GET /`): every repository and cluster, each upgrade path with its
// current position, open PRs, steps in flight, gate verdicts with their evidence, blocked
// goals with their unblock actions and the next maintenance window. Read-only and
// rendered from the store alone (the read model each reconcile keeps, model.ts, and the
// gate verdicts), so a page view costs no GitHub request.
//
// Access: CAIRN_DASHBOARD_TOKEN (unset: the page is off, 401 for everyone). A bearer
// (`Authorization: Bearer`), or a browser session: `?token=` or the sign-in form sets an
// HttpOnly, Secure, SameSite=Strict cookie holding an HMAC of the token (never the token)
// and redirects to the page without it. Every comparison is constant time.
import { secretValues } from '../../lib/config.ts';
import { hmacHex } from '../../lib/hmac.ts';
import type { Services } from '../services.ts';
import { pullRequestUrl } from '../notify.ts';
import { readStatus, type StatusRecord } from '../use-cases.ts';
import { readBoundedBody, tokenMatches } from '../verify.ts';
import { readRecord } from './model.ts';
import { renderDashboard, renderSignIn, STYLE } from './render.ts';
import { fleetView, type ViewInput } from './view.ts';

export { fleetView } from './view.ts';
export { renderDashboard } from './render.ts';
export { dashboardKey, recordDashboard, type RepositoryRecord } from './model.ts';

export const DASHBOARD_COOKIE = 'cairn_dashboard';
const SESSION_SECONDS = 12 * 3600;
const encoder = new TextEncoder();

/** The cookie value for a token: an HMAC of a fixed label under it (changes when the token does). */
export function sessionValue(token: string): Promise<string> {
  return hmacHex(token, 'cairn dashboard session v1');
}

let styleHash: Promise<string> | undefined;
function cspStyleHash(): Promise<string> {
  styleHash ??= crypto.subtle.digest('SHA-256', encoder.encode(STYLE)).then((d) => {
    let bin = '';
    for (const b of new Uint8Array(d)) bin += String.fromCharCode(b);
    return `'sha256-${btoa(bin)}'`;
  });
  return styleHash;
}

async function headers(extra: Record<string, string> = {}): Promise<Headers> {
  return new Headers({
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src ${await cspStyleHash()}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...extra,
  });
}

async function page(status: number, body: Promise<string> | string, extra?: Record<string, string>) {
  return new Response(String(await body), { status, headers: await headers(extra) });
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.get('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

async function authorised(req: Request, token: string): Promise<boolean> {
  const auth = req.headers.get('authorization') ?? '';
  if (auth.startsWith('Bearer ')) return tokenMatches(auth.slice(7), token);
  const session = cookie(req, DASHBOARD_COOKIE);
  return session !== undefined && tokenMatches(session, await sessionValue(token));
}

const challenge = { 'www-authenticate': 'Bearer realm="cairn dashboard"' };

/** Signs the browser in: a session cookie and a redirect to the page (the token leaves the URL). */
async function signIn(token: string, given: string | null, path: string): Promise<Response> {
  if (!(await tokenMatches(given, token))) return page(401, renderSignIn('wrong'), challenge);
  const res = new Response(null, { status: 303, headers: await headers({ location: path }) });
  res.headers.append(
    'set-cookie',
    `${DASHBOARD_COOKIE}=${await sessionValue(token)}; Path=/; Max-Age=${SESSION_SECONDS}; HttpOnly; Secure; SameSite=Strict`,
  );
  return res;
}

const escapeHtml = (v: string) =>
  v
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/**
 * No secret reaches the page, even one quoted in an error a run kept (a store URL with its
 * password, a token in a message): every configured secret value, raw or escaped, is cut.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const v of secrets)
    if (v.length >= 8)
      for (const form of new Set([v, escapeHtml(v)])) out = out.split(form).join('[redacted]');
  return out;
}

/** What the page shows, read from the store. */
export async function readFleet(s: Services): Promise<ViewInput> {
  const records = await Promise.all(s.repositories.map((r) => readRecord(s, r)));
  const clusters = new Set<string>(['default']);
  for (const rec of records) for (const t of rec?.targets ?? []) if (t.cluster) clusters.add(t.cluster);
  const verdicts: (StatusRecord & { cluster: string })[] = [];
  for (const cluster of clusters)
    for (const v of Object.values(await readStatus(s, cluster))) verdicts.push({ ...v, cluster });
  return {
    now: s.now(),
    repositories: s.repositories.map((r, i) => ({
      name: `${r.owner}/${r.repo}`,
      url: pullRequestUrl(s, r, 0).replace(/\/pull\/0$/, ''),
      ...(records[i] ? { record: records[i] } : {}),
      verdicts,
      pullUrl: (n) => pullRequestUrl(s, r, n),
    })),
  };
}

export async function handleDashboard(s: Services, req: Request): Promise<Response> {
  const token = s.config.CAIRN_DASHBOARD_TOKEN;
  if (!token) return page(401, renderSignIn('off'), challenge);
  const url = new URL(req.url);
  if (req.method === 'POST') {
    const body = await readBoundedBody(req, 4096);
    if (!body.ok) return page(body.status, renderSignIn('sign-in'));
    return signIn(token, new URLSearchParams(body.text).get('token'), url.pathname);
  }
  const given = url.searchParams.get('token');
  if (given !== null) return signIn(token, given, url.pathname);
  if (!(await authorised(req, token))) return page(401, renderSignIn('sign-in'), challenge);
  const every = Number(url.searchParams.get('refresh'));
  const refresh = Number.isInteger(every) && every >= 5 && every <= 3600 ? every : undefined;
  const text = String(await renderDashboard(fleetView(await readFleet(s)), refresh));
  return page(200, redact(text, secretValues(s.config)));
}
