// Journey 1: howl-cloud on Flux, dev → staging → production (issue 16). The reviewer
// merges each step once its gate on the head says ready, takes a RedisBackup before
// the major, and approves production's supervised primary update with /cairn approve.
import { live, reviewer, stepPulls, gateOn } from './reviewer.ts';
import { howlFleet } from './howl-fleet.ts';
import { startWorld, type World, type WorldOptions } from '../world.ts';

export const HOUR = 3_600_000;

export async function journey1World(extra: Partial<WorldOptions> = {}) {
  const fleet = howlFleet();
  const world = await startWorld({ ...fleet, cronEveryMs: 6 * HOUR, ...extra });
  return { world, howl: fleet.howl };
}

/** Whether step `id` (a prefix of the step id) is merged and proven. */
export const proven = (w: World, id: string) =>
  stepPulls(w).some(
    (p) => p.step.id.startsWith(id) && p.state === 'merged' && gateOn(w, p.mergeCommit)?.state === 'success',
  );

/** Runs the journey until `done` (default: every step of the fleet merged and proven). */
export async function runJourney1(
  w: World,
  done: () => boolean = () => {
    const s = stepPulls(w);
    return (
      s.length === 9 && s.every((p) => p.state === 'merged' && gateOn(w, p.mergeCommit)?.state === 'success')
    );
  },
  maxMs = 400 * HOUR,
): Promise<void> {
  await live(w, reviewer(w), 'journey 1', done, maxMs);
}
