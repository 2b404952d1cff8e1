import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readClusterState } from '../../lib/cluster-state.ts';
import { ValidationError } from '../../lib/errors.ts';
import { repoRoot } from '../support/fixtures.ts';

const file = 'examples/flux-fleet/cluster-state/production.yaml';

describe('cluster state from kubectl output', () => {
  it('takes the oldest kubelet minor and the running operators from a List', () => {
    const state = readClusterState(readFileSync(join(repoRoot, file), 'utf8'), file, 'production');
    expect(state.facts).toEqual({
      name: 'production',
      kubernetesVersion: '1.23',
      operators: { 'redis-enterprise-operator': '6.4.2-6', 'howl-redis-operator': 'v0.2.3' },
      // Scalar spec fields of custom resources, for planning rules (a RedisCluster's primaryUpdateStrategy).
      resources: {
        'RedisCluster/sessions/sessions': {
          'spec.imageName': 'redis:7.2.4',
          'spec.instances': '3',
          'spec.primaryUpdateStrategy': 'supervised',
        },
        'RedisEnterpriseCluster/redis-enterprise/rec': {
          'spec.nodes': '3',
          'spec.redisEnterpriseImageSpec.versionTag': '6.4.2-81',
        },
      },
    });
    expect(state.notes).toEqual([
      'production: nodes run different Kubernetes minors (1.23, 1.24); planning for 1.23',
    ]);
    expect(state.objects.map((o) => o.kind)).toContain('RedisCluster');
  });

  it('reads multi-document files and ignores images that are not operators', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: { name: cache }
spec: { template: { spec: { containers: [ { name: redis, image: "docker.io/library/redis:7.2.4" } ] } } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: op }
spec: { template: { spec: { containers: [ { name: op, image: "mirror.example.com/redislabs/operator:7.4.6-2@sha256:${'a'.repeat(64)}" } ] } } }
`;
    expect(readClusterState(text, 's.yaml', 'c').facts).toEqual({
      name: 'c',
      operators: { 'redis-enterprise-operator': '7.4.6-2' },
    });
  });

  it('names the file and line of a document that is not an object', () => {
    expect(() => readClusterState('kind: List\nitems: []\n---\n- just\n- a list\n', 'bad.yaml', 'c')).toThrow(
      ValidationError,
    );
    expect(() => readClusterState('kind: List\nitems: []\n---\n- just\n- a list\n', 'bad.yaml', 'c')).toThrow(
      'bad.yaml:4: expected a Kubernetes object or List',
    );
  });
});

describe('cluster state of the wrong shape', () => {
  // `image: 42` used to end in "TypeError: refOrRepository.trim is not a function" and a stack trace.
  it('image: 42 is a file:line:field error', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: op }
    spec:
      template:
        spec:
          containers:
            - name: op
              image: 42
`;
    let err: unknown;
    try {
      readClusterState(text, 'state.yaml', 'prod');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([
      {
        file: 'state.yaml',
        line: 12,
        column: 22,
        field: 'items[0].spec.template.spec.containers[0].image',
        message: 'must be a string',
      },
    ]);
  });

  it.each([
    ['kind: Node\nstatus: { nodeInfo: { kubeletVersion: 1.29 } }\n', 'status.nodeInfo.kubeletVersion'],
    ['kind: Deployment\nspec: { template: { spec: { containers: {} } } }\n', 'spec.template.spec.containers'],
    ['kind: Deployment\nmetadata: { name: [a] }\n', 'metadata.name'],
    ['kind: List\nitems: 3\n', 'items'],
    ['kind: List\nitems: [3]\n', 'items[0]'],
    ['kind: 7\n', 'kind'],
  ])('%j names the field %s, never a raw exception', (text, field) => {
    expect(() => readClusterState(text, 's.yaml', 'c')).toThrow(ValidationError);
    expect(() => readClusterState(text, 's.yaml', 'c')).toThrow(
      new RegExp(`s\\.yaml:\\d+(:\\d+)? ${field.replace(/[.[\]]/g, '\\$&')}`),
    );
  });
});
