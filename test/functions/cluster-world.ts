// The Flux fleet's dev cluster for service tests: the GitHub test server with the dev
// redis step merged, the Kubernetes test server with what Flux applied, and agents that
// push to the service (the Hono app) over `app.request`.
import type { SignedMessage } from '../../lib/agent/index.ts';
import type { KubeObject } from '../../lib/cluster-state.ts';
import { GATE_CONTEXT } from '../../lib/engine/index.ts';
import { ClusterAgent } from '../../lib/node/agent.ts';
import { kubeTransport, loadKubeConfig } from '../../lib/node/kube-client.ts';
import { stepFromPullRequestBody } from '../../lib/render/pull-request.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import { type KubeTestServer, startKubeServer } from '../support/kube-server/index.ts';
import {
  AGENT_SECRET,
  fleetServer,
  githubDelivery,
  openPulls,
  payload,
  pushToMain,
  service,
} from './helpers.ts';

const IMAGE = 'redis:8.0.6';

/** The dev cluster of the Flux fleet: Flux has applied `merge`; the sessions RedisCluster waits for a person. */
export function devCluster(merge: string, phase = 'WaitingForUser'): KubeObject[] {
  const pods: KubeObject[] = Array.from({ length: 3 }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `sessions-${i}`,
      namespace: 'sessions',
      labels: { 'redis.io/cluster': 'sessions', 'redis.io/instance': `sessions-${i}` },
    },
    spec: { containers: [{ name: 'redis', image: IMAGE }] },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'redis', image: IMAGE, restartCount: 0 }],
    },
  }));
  return [
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system', generation: 3 },
      spec: { path: './apps/dev', wait: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
      status: {
        observedGeneration: 3,
        lastAppliedRevision: `main@sha1:${merge}`,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', observedGeneration: 3 },
        ],
      },
    },
    {
      apiVersion: 'redis.io/v1',
      kind: 'RedisCluster',
      metadata: { name: 'sessions', namespace: 'sessions', generation: 2 },
      spec: { instances: 3, imageName: IMAGE, primaryUpdateStrategy: 'supervised' },
      status: {
        phase,
        instances: 3,
        readyInstances: 3,
        currentPrimary: 'sessions-0',
        instancesStatus: {
          'sessions-0': { role: 'master', connected: true },
          'sessions-1': { role: 'slave', connected: true, masterLinkStatus: 'up' },
          'sessions-2': { role: 'slave', connected: true, masterLinkStatus: 'up' },
        },
      },
    },
    ...pods,
  ];
}

export async function world(servers: { stop(): Promise<void> }[], phase = 'WaitingForUser') {
  const github: GitHubTestServer = await fleetServer();
  servers.push(github);
  const svc = service(github);
  await svc.request('/webhooks/github', githubDelivery('push', pushToMain()));
  const pr = openPulls(github).find((p) => stepFromPullRequestBody(p.body)?.cluster === 'dev')!;
  const step = stepFromPullRequestBody(pr.body)!;
  const merge = github.merge(pr.number);
  const kube: KubeTestServer = await startKubeServer(devCluster(merge, phase));
  servers.push(kube);
  const transport = kubeTransport(loadKubeConfig({ kubeconfigText: kube.kubeconfig() }));
  const warnings: string[] = [];
  const agent = (
    opts: { approveNamespaces?: string[]; push?: (m: SignedMessage) => Promise<unknown> } = {},
  ) =>
    new ClusterAgent({
      transport,
      cluster: 'dev',
      agentId: 'agent-0',
      secret: AGENT_SECRET,
      push:
        opts.push ??
        (async (m) =>
          (
            await svc.request('/webhooks/agent', { method: 'POST', headers: m.headers, body: m.body })
          ).json()),
      clock: () => new Date(svc.clock.now()),
      sleep: () => new Promise((r) => setImmediate(r)),
      log: { info: () => {}, warn: (msg, f) => void warnings.push(`${msg} ${JSON.stringify(f ?? {})}`) },
      ...(opts.approveNamespaces ? { approveNamespaces: opts.approveNamespaces } : {}),
    });
  const approve = async (login: string, id: number) => {
    const c = JSON.parse(payload('issue_comment/created.payload.json'));
    c.issue = { ...c.issue, number: pr.number, pull_request: { url: 'x' } };
    c.comment = { ...c.comment, id, body: `/cairn approve ${step.to}`, user: { ...c.comment.user, login } };
    github.permissions.set(login, 'write');
    return svc.request('/webhooks/github', githubDelivery('issue_comment', JSON.stringify(c)));
  };
  /** `/cairn retry` on the step PR, by a writer: re-reads a failed gate. */
  let comments = 8000;
  const retry = () => {
    const c = JSON.parse(payload('issue_comment/created.payload.json'));
    c.issue = { ...c.issue, number: pr.number, pull_request: { url: 'x' } };
    c.comment = {
      ...c.comment,
      id: ++comments,
      body: `/cairn retry ${step.to}`,
      user: { ...c.comment.user, login: 'alice' },
    };
    github.permissions.set('alice', 'write');
    return githubDelivery('issue_comment', JSON.stringify(c));
  };
  const gate = () => github.statuses.get(merge)?.find((s) => s.context === GATE_CONTEXT);
  const patches = () => kube.requests.filter((q) => q.method === 'PATCH');
  const annotations = () =>
    kube.get('redis.io', 'RedisCluster', 'sessions', 'sessions')?.metadata?.annotations;
  return {
    github,
    svc,
    pr,
    step,
    merge,
    kube,
    transport,
    agent,
    approve,
    retry,
    gate,
    patches,
    annotations,
    warnings,
  };
}
