// The gate through the whole app: a merged dev step PR, then a signed agent snapshot in
// which Flux or Argo CD looks healthy although the merge commit is not (provably) applied.
// Each keeps `cairn/gate` pending on the merge commit and the next environment unopened;
// late, replayed and out-of-order messages change nothing. The one proving snapshot
// (test/functions/walk.test.ts) is the control: it passes.
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { runCron } from '../../functions/cron.ts';
import { GATE_CONTEXT } from '../../lib/engine/index.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import { devSnapshot, FLUX_SECRET, provenDev } from '../functions/helpers.ts';
import { fleet, githubDelivery, mergedPayload, NOW, openSteps, releasePublished, service } from './world.ts';

type Obj = Record<string, unknown>;

/** What the dev cluster reports once Flux applied `revision` and the operator runs `version`. */
function devCluster(revision: string, version: string, edit: (objs: Obj[]) => void = () => {}): Obj[] {
  const objs = provenDev(revision, version) as unknown as Obj[];
  edit(objs);
  return objs;
}

const kustomization = (objs: Obj[]) => objs[0] as { spec: Obj; status: Obj; metadata: Obj };

/** The Flux Kustomization replaced by an Argo CD Application applying the same folder. */
function asArgo(objs: Obj[], status: Obj): void {
  const ks = kustomization(objs);
  objs[0] = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'dev-infrastructure', namespace: 'argocd' },
    spec: {
      source: {
        repoURL: 'https://example.invalid/fleet.git',
        path: String(ks.spec.path),
        targetRevision: 'main',
      },
    },
    status,
  };
}

const argoStatus = (
  revision: string,
  o: { phase?: string; health?: string; finishedAt?: string; message?: string } = {},
) => ({
  sync: { status: 'Synced', revision },
  health: { status: o.health ?? 'Healthy' },
  operationState: {
    phase: o.phase ?? 'Succeeded',
    ...(o.message ? { message: o.message } : {}),
    operation: { sync: { revision } },
    syncResult: { revision },
    finishedAt: o.finishedAt ?? new Date(NOW - 10 * 60_000).toISOString(),
  },
});

async function mergedDev() {
  const server = await fleet();
  const svc = service(server);
  await svc.request('/webhooks/github', githubDelivery('release', releasePublished()));
  const dev = openSteps(server).find(
    (s) => s.step.component === 'howl-redis-operator' && s.step.environment === 'dev',
  )!;
  expect(dev).toBeDefined();
  const pre = server.branchSha('main')!;
  const merge = server.merge(dev.pr.number);
  await svc.request('/webhooks/github', githubDelivery('pull_request', mergedPayload(dev.pr.number, merge)));
  let sequence = 0;
  const push = async (objects: Obj[], opts: { sequence?: number; at?: number } = {}) => {
    const signed = await devSnapshot(objects, opts.sequence ?? ++sequence, opts.at ?? NOW);
    const res = await svc.request('/webhooks/agent', {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    return { res, signed };
  };
  const gate = () => server.statuses.get(merge)?.find((s) => s.context === GATE_CONTEXT);
  const staging = () =>
    openSteps(server).filter(
      (s) => s.step.component === 'howl-redis-operator' && s.step.environment === 'staging',
    );
  return { server, svc, dev, pre, merge, push, gate, staging };
}

describeWithFixtures('the gate through the whole app', () => {
  it('control: the proving snapshot passes', async () => {
    const { push, merge, dev, gate } = await mergedDev();
    const { res } = await push(devCluster(merge, dev.step.to));
    expect(await res.json()).toMatchObject({ gates: [{ pr: dev.pr.number, verdict: 'pass' }] });
    expect(gate()?.state).toBe('success');
  });

  type Variant = [string, (w: { merge: string; pre: string; to: string; from: string }) => Obj[], RegExp];
  const variants: Variant[] = [
    ['Flux Ready on the pre-merge SHA', ({ pre, to }) => devCluster(pre, to), /which does not contain merge/],
    [
      'Flux Ready with a stale observedGeneration',
      ({ merge, to }) => devCluster(merge, to, (o) => void (kustomization(o).status.observedGeneration = 2)),
      /observedGeneration/,
    ],
    [
      'Flux Ready condition for an older generation',
      ({ merge, to }) =>
        devCluster(merge, to, (o) => {
          kustomization(o).status.conditions = [{ type: 'Ready', status: 'True', observedGeneration: 2 }];
        }),
      /generation 2/,
    ],
    [
      'Flux still reconciling',
      ({ merge, to }) =>
        devCluster(merge, to, (o) => {
          kustomization(o).status.conditions = [
            { type: 'Ready', status: 'Unknown', reason: 'Progressing' },
            { type: 'Reconciling', status: 'True' },
          ];
        }),
      /Ready is Unknown|reconcil/i,
    ],
    [
      'a Kustomization without wait, Ready on the merge, the operator not rolled out',
      ({ merge, from }) =>
        devCluster(merge, from, (o) => {
          delete kustomization(o).spec.wait;
          delete kustomization(o).spec.healthChecks;
        }),
      /redis-operator:v0\.2\.6, not 0\.2\.7/,
    ],
    [
      'Argo CD Healthy on the pre-merge SHA',
      ({ pre, to }) => devCluster(pre, to, (o) => asArgo(o, argoStatus(pre))),
      /does not contain merge commit/,
    ],
    [
      'Argo CD with a sync operation still running',
      ({ merge, to }) =>
        devCluster(merge, to, (o) =>
          asArgo(o, {
            ...argoStatus(merge, { phase: 'Running' }),
            sync: { status: 'OutOfSync', revision: merge },
          }),
        ),
      /sync operation is Running/,
    ],
    [
      'Argo CD Healthy seconds after the sync finished',
      ({ merge, to }) =>
        devCluster(merge, to, (o) =>
          asArgo(o, argoStatus(merge, { finishedAt: new Date(NOW - 2000).toISOString() })),
        ),
      /within 10 s of the sync finishing/,
    ],
    [
      'Argo CD sync error with health Healthy',
      ({ merge, to }) =>
        devCluster(merge, to, (o) =>
          asArgo(o, argoStatus(merge, { phase: 'Error', message: 'one or more objects failed to apply' })),
        ),
      /last sync Error: one or more objects failed to apply/,
    ],
  ];

  it.each(variants)(
    '%s: the gate stays closed and the next environment waits',
    async (_name, cluster, why) => {
      const w = await mergedDev();
      const before = w.staging().length;
      const { res } = await w.push(
        cluster({ merge: w.merge, pre: w.pre, to: w.dev.step.to, from: w.dev.step.from }),
      );
      const answer = (await res.json()) as { gates: { pr: number; verdict: string }[] };
      expect(answer.gates).toHaveLength(1);
      expect(answer.gates[0]!.verdict).not.toBe('pass');
      expect(w.gate()?.state).not.toBe('success');
      expect(w.gate()?.description ?? '').toMatch(why);
      await runCron(w.svc.cairn.services(w.svc.env), 'after');
      expect(w.gate()?.state).not.toBe('success');
      expect(w.staging()).toHaveLength(before);
    },
  );

  it('late, replayed and out-of-order messages change nothing', async () => {
    const w = await mergedDev();
    // The newest reading says Flux is still on the old spec.
    const stale = devCluster(
      w.merge,
      w.dev.step.to,
      (o) => void (kustomization(o).status.observedGeneration = 2),
    );
    await w.push(stale, { sequence: 10 });
    // A proving snapshot with an older sequence arrives late: kept out.
    const late = await w.push(devCluster(w.merge, w.dev.step.to), { sequence: 9, at: NOW + 1000 });
    expect(await late.res.json()).toMatchObject({ outcome: 'ignored' });
    expect(w.gate()?.state).toBe('pending');
    // A proving snapshot signed before the 5-minute window: refused.
    const old = await w.push(devCluster(w.merge, w.dev.step.to), { sequence: 11, at: NOW - 6 * 60_000 });
    expect(old.res.status).toBe(401);
    // Flux says it succeeded at the merge commit: only a hint, the kept reading decides.
    const event = JSON.stringify({
      involvedObject: { kind: 'Kustomization', namespace: 'flux-system', name: 'infrastructure' },
      reason: 'ReconciliationSucceeded',
      metadata: { revision: `main@sha1:${w.merge}` },
    });
    const mac = createHmac('sha256', FLUX_SECRET).update(event).digest('hex');
    const hint = await w.svc.request('/webhooks/flux', {
      method: 'POST',
      headers: { 'x-signature': `sha256=${mac}` },
      body: event,
    });
    expect(await hint.json()).toMatchObject({
      outcome: 'done',
      gates: [{ verdict: expect.not.stringMatching(/^pass$/) }],
    });
    expect(w.gate()?.state).toBe('pending');
    // The real proof, with a newer sequence, opens it.
    w.svc.clock.advance(2000);
    const proof = await w.push(devCluster(w.merge, w.dev.step.to), { sequence: 12, at: NOW + 2000 });
    expect(await proof.res.json()).toMatchObject({ gates: [{ verdict: 'pass' }] });
    expect(w.gate()?.state).toBe('success');
  });
});
