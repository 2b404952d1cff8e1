// Helm chart repositories: one conditional GET of `index.yaml`, whose
// `entries.<chart>[]` give each chart version with its `created` date and
// `digest`. Charts published to an OCI registry are read with the `oci`
// source (a chart is an OCI artifact; its tags are the chart versions).
import { parse } from 'yaml';
import { RemoteError } from '../../errors.ts';
import { conditionalHeaders, expectOk, type Validators, validatorsOf } from '../http.ts';
import type { SpecOf } from '../spec.ts';
import type { RawItem, SourceReader } from '../types.ts';

interface State {
  validators: Validators;
  items: RawItem[];
}

export function indexUrl(url: string): string {
  return url.endsWith('.yaml') ? url : `${url.replace(/\/$/, '')}/index.yaml`;
}

/** The entries of one chart in a Helm repository index. */
export function chartEntries(text: string, chart: string, host: string): RawItem[] {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new RemoteError(host, `index.yaml is not YAML: ${(e as Error).message.split('\n')[0]}`, {
      retryable: true,
    });
  }
  const entries = (doc as { entries?: Record<string, unknown> } | null)?.entries;
  if (!entries || typeof entries !== 'object')
    throw new RemoteError(host, 'index.yaml has no entries map', { retryable: false });
  const list = entries[chart];
  if (list === undefined) return [];
  if (!Array.isArray(list))
    throw new RemoteError(host, `index.yaml entries.${chart} is not a list`, { retryable: false });
  const out: RawItem[] = [];
  for (const e of list as Record<string, unknown>[]) {
    if (!e || typeof e.version !== 'string') continue;
    const item: RawItem = { tag: e.version };
    if (typeof e.created === 'string') item.published = e.created;
    else if (e.created instanceof Date) item.published = e.created.toISOString();
    if (typeof e.digest === 'string') item.digest = e.digest;
    if (e.deprecated === true) item.prerelease = true;
    out.push(item);
  }
  return out;
}

export const helm: SourceReader<'helm'> = {
  type: 'helm',
  dated: true,
  key: (s) => `helm:${indexUrl(s.url).replace(/^https?:\/\//, '')}#${s.chart}`,
  host: (s) => new URL(s.url).host,
  async read(spec: SpecOf<'helm'>, ctx) {
    const url = indexUrl(spec.url);
    const prev = ctx.previous as State | undefined;
    const headers: Record<string, string> = {
      accept: 'application/x-yaml, text/yaml, */*',
      ...conditionalHeaders(prev?.validators),
    };
    if (spec.credentials) {
      const user = ctx.secret(spec.credentials.username);
      const pass = ctx.secret(spec.credentials.password);
      if (user === undefined || pass === undefined)
        throw new RemoteError(new URL(url).host, "the credentials' secrets are not set", {
          retryable: false,
        });
      headers.authorization = `Basic ${btoa(`${user}:${pass}`)}`;
    }
    const res = await ctx.http.fetch(url, { headers });
    if (res.status === 304 && prev) return { changed: false };
    await expectOk(res, url);
    const items = chartEntries(await res.text(), spec.chart, new URL(url).host);
    return { changed: true, items, state: { validators: validatorsOf(res), items } satisfies State };
  },
};
