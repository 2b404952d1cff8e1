// Journey 1's first step with the service as the Worker build in real workerd (wrangler
// dev, the Durable Object store): the same world, the same agents and simulators; only
// the service differs. workerd reads the real clock, so this world starts now and stays
// within minutes of it.
import { afterAll, expect, it } from 'vitest';
import { howlFleet } from './journeys/howl-fleet.ts';
import { reviewer, stepPulls, gateOn } from './journeys/reviewer.ts';
import { canRunWorkerd, workerd } from './worker.ts';
import { startWorld, type World } from './world.ts';

let world: World | undefined;
afterAll(async () => {
  await world?.stop();
});

const suite = canRunWorkerd()
  ? it
  : (name: string) => process.stderr.write(`SKIP "${name}": needs wrangler and Node >= 22\n`);

suite(
  'workerd: the dev operator step is opened, merged, applied, proven, and the next steps open',
  async () => {
    const service = workerd();
    world = await startWorld({
      ...howlFleet({ fast: true }),
      start: Date.now(),
      cronEveryMs: 15_000,
      debounceMs: 1_000,
      realTime: true,
      remote: service,
    });
    const r = reviewer(world, { reviewDelayMs: 0, backups: false });
    const first = () => stepPulls(world!)[0];
    const end = world.clock.now() + 3 * 60_000;
    while (!(first()?.state === 'merged' && stepPulls(world).length >= 3)) {
      if (world.clock.now() >= end)
        throw new Error(
          `not done in 3 minutes:\n${world.timeline
            .filter((e) => e.kind !== 'cluster')
            .map((e) => `${e.at} ${e.kind} ${e.text}`)
            .join('\n')}\n${service
            .output()
            .split('\n')
            .filter((l) => !l.includes('feed source failed'))
            .slice(-40)
            .join('\n')}`,
        );
      if (first()?.state === 'open' && (await r.act())) continue;
      await world.step(end);
    }
    const merged = first()!;
    expect(
      `${merged.step.component} ${merged.step.environment} ${merged.step.from} -> ${merged.step.to}`,
    ).toBe('howl-redis-operator dev 0.2.3 -> 0.2.6');
    expect(gateOn(world, merged.mergeCommit)?.state).toBe('success');
    expect(stepPulls(world).map((p) => `${p.step.component} ${p.step.environment} ${p.state}`)).toEqual([
      'howl-redis-operator dev merged',
      'howl-redis-operator staging open',
      'redis dev open',
    ]);
    const slack = world.slack.map((m) => m.text ?? '');
    expect(slack).toEqual([
      'Step opened: howl-redis-operator 0.2.3 -> 0.2.6 on dev (dev)',
      'Merged: howl-redis-operator 0.2.3 -> 0.2.6 on dev (dev)',
      'Gate passed: howl-redis-operator 0.2.3 -> 0.2.6 on dev (dev)',
      'Step opened: howl-redis-operator 0.2.3 -> 0.2.6 on staging (staging)',
      'Step opened: redis 6.2.14 -> 7.0.15 on dev (dev)',
    ]);
    process.stdout.write(`journey 1 (first step) in workerd: ${world.githubRequests} GitHub requests\n`);
  },
  240_000,
);
