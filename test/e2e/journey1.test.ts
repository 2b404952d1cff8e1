// Journey 1 (issue 16): howl-cloud on Flux, dev → staging → production, against the real
// service, the real agent loop and the test GitHub and Kubernetes servers, on a virtual
// clock. One world walks the whole path; each test is one environment's part of it and
// asserts the exact sequence of what happened there. Set CAIRN_E2E_PRINT=1 to print the
// sequences a run produced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, journey1World, proven, runJourney1 } from './journeys/journey1.ts';
import { stepPulls } from './journeys/reviewer.ts';
import type { World } from './world.ts';

let world: World;
let howl: Awaited<ReturnType<typeof journey1World>>['howl'];
let started = 0;

/** Timeline lines of `kinds` (and, for cluster changes, of `cluster`), as `MM-DDTHH:MM:SS text`. */
function lines(kinds: string[], from = 0, match?: (text: string) => boolean): string[] {
  const out = world.timeline
    .slice(from)
    .filter((e) => kinds.includes(e.kind) && (!match || match(e.text)))
    .map((e) => `${e.at.slice(5, 19)} ${e.kind === 'cluster' ? '' : `${e.kind} `}${e.text}`);
  if (process.env.CAIRN_E2E_PRINT) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return out;
}
const notFlux = (t: string) => !t.includes(': flux: ');

beforeAll(async () => {
  ({ world, howl } = await journey1World());
  started = Date.now();
}, 60_000);
afterAll(async () => {
  await world?.stop();
});

describe('journey 1: howl-cloud on Flux, dev → staging → production', () => {
  it('dev: the operator chart and its CRDs first with no Redis pod restarted, then 6.2.14 → 7.0.15 after a RedisBackup, then 7.4.11', async () => {
    await runJourney1(
      world,
      () =>
        proven(world, 'redis-7.4.11-') &&
        stepPulls(world)
          .filter((p) => p.step.cluster === 'dev')
          .every((p) => p.state === 'merged'),
      40 * HOUR,
    );
    const dev = stepPulls(world).filter((p) => p.step.cluster === 'dev');
    expect(dev.map((p) => `#${p.number} ${p.step.component} ${p.step.from} -> ${p.step.to}`)).toEqual([
      '#1 howl-redis-operator 0.2.3 -> 0.2.6',
      '#4 redis 6.2.14 -> 7.0.15',
      '#5 redis 7.0.15 -> 7.4.11',
    ]);
    expect(lines(['pr-opened', 'pr-merged', 'human'])).toEqual(EXPECTED.devPulls);
    expect(lines(['slack'])).toEqual(EXPECTED.devSlack);
    expect(lines(['cluster'], 0, (t) => t.startsWith('dev: ') && notFlux(t))).toEqual(EXPECTED.devCluster);
    expect(lines(['gate'], 0, (t) => /^#(1|4|5) merge/.test(t))).toEqual(EXPECTED.devGates);
  }, 60_000);
});

const EXPECTED = {
  devPulls: [] as string[],
  devSlack: [] as string[],
  devCluster: [] as string[],
  devGates: [] as string[],
};
void started;
void howl;
