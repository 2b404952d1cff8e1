// deploy/flux: the Provider and Alert that send Kustomization and HelmRelease events
// to /webhooks/flux, and the Kustomization that runs cairn, validated against the
// Flux APIs. No Flux CRD is in ../shared/fixtures, so the schemas are those of
// @kubernetes-models/flux-cd (generated from Flux's CRDs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { RESOURCES } from '../../lib/cluster/resources.ts';
import { repoRoot } from '../support/fixtures.ts';
import { describeWithKubectl, kustomize, validateManifest, type Manifest } from '../support/k8s-manifests.ts';

const flux = join(repoRoot, 'deploy/flux');
const read = (f: string) =>
  parseAllDocuments(readFileSync(join(flux, f), 'utf8')).map((d) => d.toJS() as Manifest);

describe('deploy/flux', () => {
  const [provider] = read('provider.yaml') as (Manifest & {
    spec: { type: string; address: string; secretRef: { name: string } };
  })[];
  const [alert] = read('alert.yaml') as (Manifest & {
    spec: {
      providerRef: { name: string };
      eventSeverity: string;
      eventSources: { kind: string; name: string }[];
    };
  })[];

  it.each(['provider.yaml', 'alert.yaml', 'flux-kustomization.yaml'])(
    '%s is valid against the Flux API',
    async (f) => {
      for (const o of read(f)) expect(await validateManifest(o)).toEqual([]);
    },
  );

  it('the schema check can fail: an unknown provider type is refused', async () => {
    const wrong = { ...provider!, spec: { ...provider!.spec, type: 'generic-hmac-typo' } };
    expect((await validateManifest(wrong)).join('\n')).toMatch(/type/);
  });

  it('signs with generic-hmac from a Secret and posts to /webhooks/flux', () => {
    expect(provider!.spec.type).toBe('generic-hmac');
    expect(new URL(provider!.spec.address).pathname).toBe('/webhooks/flux');
    expect(provider!.spec.secretRef.name).toBe('cairn-flux-webhook');
    expect(JSON.stringify(provider)).not.toMatch(/token:/);
  });

  it('sends every Kustomization and HelmRelease event, at info and above, of the kinds the gate reads', () => {
    expect(alert!.spec.providerRef.name).toBe(provider!.metadata.name);
    expect(alert!.spec.eventSeverity).toBe('info');
    const kinds = alert!.spec.eventSources.map((s) => s.kind).sort();
    expect(kinds).toEqual(['HelmRelease', 'Kustomization']);
    for (const s of alert!.spec.eventSources) {
      expect(s.name).toBe('*');
      expect(RESOURCES.some((r) => r.kind === s.kind && r.group.endsWith('.toolkit.fluxcd.io'))).toBe(true);
    }
  });

  it('the Kustomization that runs cairn waits for its workloads (so its Ready means rolled out)', () => {
    const k = read('flux-kustomization.yaml').find((o) => o.kind === 'Kustomization') as unknown as {
      spec: { wait: boolean; path: string };
    };
    expect(k.spec.wait).toBe(true);
    expect(k.spec.path).toBe('./deploy/kubernetes/all-in-one');
  });
});

describeWithKubectl('deploy/flux rendered by kubectl kustomize', () => {
  it('renders the Provider and the Alert', () => {
    expect(
      kustomize(flux)
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
    ).toEqual(['Alert/cairn', 'Provider/cairn']);
  });
});
