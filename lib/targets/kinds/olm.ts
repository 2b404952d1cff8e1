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
        f.identity = { component: 'alauda-redis-operator', role: 'operator' };
        f.problem = `OLM package "redis-operator" is published by more than one project and catalog source "${stringOf(child(spec, 'source')) ?? ''}" does not say which: add "# cairn: component=<id>" on this line`;
        f.problemOffset = f.token?.start ?? csv.range?.[0] ?? 0;
        delete f.token;
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
