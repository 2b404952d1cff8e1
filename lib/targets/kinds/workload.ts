// Plain workloads (Deployment, StatefulSet, DaemonSet): container images.
// This is how an operator installed from manifests is pinned (Redis
// Enterprise operator.yaml: `image: redislabs/operator:8.0.20-23`), and how a
// hand-written Redis StatefulSet runs. Only images in ../identify.ts count.
import { foundAt } from '../found.ts';
import { identifyImage } from '../identify.ts';
import type { Found, KindExample } from '../kind.ts';
import { child, childIn, itemSegment, joinPath, seqItems, stringOf } from '../nodes.ts';
import { pickImageTag } from '../tokens.ts';
import { apiGroup } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

const examples: KindExample[] = [
  {
    file: 'operators/redis-enterprise/operator.yaml',
    text: [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: redis-enterprise-operator',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: redis-enterprise-operator',
      '          image: redislabs/operator:7.4.6-2',
      '        - name: sidecar',
      '          image: busybox:1.36',
      '',
    ].join('\n'),
    expect: [
      {
        field: 'spec.template.spec.containers[name=redis-enterprise-operator].image',
        current: '7.4.6-2',
        component: 'redis-enterprise-operator',
        role: 'operator',
      },
    ],
  },
];

export const workload = defineKind({
  id: 'workload',
  summary: 'Deployment / StatefulSet / DaemonSet container images of known components',
  accepts: (view) => KINDS.has(view.kind ?? '') && apiGroup(view.apiVersion) === 'apps',
  find: (view) => {
    const pod = childIn(view.doc.contents, ['spec', 'template', 'spec']);
    const out: Found[] = [];
    for (const list of ['initContainers', 'containers']) {
      seqItems(child(pod, list)).forEach((c, i) => {
        const node = child(c, 'image');
        const image = stringOf(node);
        if (!image) return;
        const id = identifyImage(image);
        if (!id) return;
        const field = joinPath(joinPath(`spec.template.spec.${list}`, itemSegment(c, i)), 'image');
        const f = foundAt(view, field, node, pickImageTag);
        f.image = image.split('@')[0]!.replace(/:[^:/]*$/, '');
        f.identity = id;
        out.push(f);
      });
    }
    return out;
  },
  examples,
});
