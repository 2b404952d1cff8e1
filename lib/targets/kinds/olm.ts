// OLM `Subscription` (operators.coreos.com): the operator version is
// `spec.startingCSV` (`<package>.v<version>`), and `spec.channel` when the
// channel is a version. Package names come from ../identify.ts.
import { foundAt } from '../found.ts';
import { identifyPackage } from '../identify.ts';
import type { Found, KindExample } from '../kind.ts';
import { child, childIn, stringOf } from '../nodes.ts';
import { pickCsvVersion } from '../tokens.ts';
import { apiGroup } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'olm/redis-operator.yaml',
    text: [
      'apiVersion: operators.coreos.com/v1alpha1',
      'kind: Subscription',
      'metadata:',
      '  name: redis-operator',
      '  namespace: operators',
      'spec:',
      '  name: redis-operator',
      '  source: alauda-operators',
      '  sourceNamespace: olm',
      '  channel: stable',
      '  installPlanApproval: Manual',
      '  startingCSV: redis-operator.v3.18.0',
      '',
    ].join('\n'),
    expect: [
      { field: 'spec.startingCSV', current: '3.18.0', component: 'alauda-redis-operator', role: 'operator' },
    ],
  },
];

export const olmSubscription = defineKind({
  id: 'olm-subscription',
  summary: 'OLM Subscription spec.startingCSV / spec.channel',
  accepts: (view) => view.kind === 'Subscription' && apiGroup(view.apiVersion) === 'operators.coreos.com',
  find: (view) => {
    const spec = child(view.doc.contents, 'spec');
    const pkg = stringOf(child(spec, 'name'));
    if (!pkg) return [];
    const id = identifyPackage(pkg, stringOf(child(spec, 'source')));
    const out: Found[] = [];
    const csv = childIn(spec, ['startingCSV']);
    if (csv) {
      const f = foundAt(view, 'spec.startingCSV', csv, pickCsvVersion(pkg));
      if (id) f.identity = id;
      else if (pkg === 'redis-operator') {
        // Settled by the custom resources beside it (resolveAmbiguous), else reported.
        f.identity = { component: 'alauda-redis-operator', role: 'operator' };
        f.ambiguous = {
          operators: ['alauda-redis-operator'],
          problem: `OLM package "redis-operator" is published by more than one project, catalog source "${stringOf(child(spec, 'source')) ?? ''}" does not say which, and no Alauda Redis (middleware.alauda.io) is in the same cluster or directory: add "# cairn: component=<id>" on this line`,
        };
        if (!f.token) {
          f.problem = f.ambiguous.problem;
          f.problemOffset = csv.range?.[0] ?? 0;
        }
      }
      out.push(f);
    }
    const channel = child(spec, 'channel');
    const channelText = stringOf(channel);
    if (channel && channelText && /^v?\d/.test(channelText) && id) {
      const f = foundAt(view, 'spec.channel', channel);
      f.identity = id;
      f.range = true;
      out.push(f);
    }
    return out;
  },
  examples,
});

interface ScopedHit {
  file: string;
  cluster?: string;
  identity?: { component: string; managedBy?: string };
  found: Found;
}

const dirOf = (file: string) => (file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '');

/**
 * Settles a guessed operator identity (an OLM Subscription of a package several
 * projects publish) from the targets in the same scope: the same cluster when
 * both are placed, else the same directory or one below it. A Redis managed by
 * the guessed operator there (an Alauda `middleware.alauda.io` Redis) confirms
 * it; without one, the guess is reported, not planned.
 */
export function resolveAmbiguous(hits: readonly ScopedHit[]): void {
  for (const h of hits) {
    const amb = h.found.ambiguous;
    if (!amb) continue;
    const evidence = hits.some(
      (o) =>
        o !== h &&
        !o.found.ambiguous &&
        o.identity !== undefined &&
        (amb.operators.includes(o.identity.managedBy ?? '') ||
          amb.operators.includes(o.identity.component)) &&
        (h.cluster && o.cluster ? h.cluster === o.cluster : dirOf(o.file).startsWith(dirOf(h.file))),
    );
    delete h.found.ambiguous;
    if (evidence || !h.found.token) continue;
    h.found.problem = amb.problem;
    h.found.problemOffset = h.found.token.start;
    delete h.found.token;
  }
}
