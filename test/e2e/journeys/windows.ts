// Journey 7: a maintenance window across a DST change. Production may change only on
// weeknights (Monday to Thursday) from 22:00 Europe/Berlin for 4 hours. The operator step
// is merged on Saturday 24 October 2026, outside the window; Berlin leaves summer time on
// Sunday 25 October at 03:00. The step is applied and healthy within minutes, but
// `cairn/gate` stays pending until the window opens on Monday at 22:00 CET, which is
// 21:00 UTC (it would have been 20:00 UTC a week earlier).
import { howlFleet } from './howl-fleet.ts';
import { reviewer, stepPulls, gateOn } from './reviewer.ts';
import { startWorld, type World, type WorldOptions } from '../world.ts';

export const HOUR = 3_600_000;

export const WINDOW_POLICY = [
  'windows:',
  '  - name: weeknights',
  '    kind: allow',
  '    cron: "0 22 * * 1-4"',
  '    duration: 4h',
  '    timezone: Europe/Berlin',
  '    environments: [production]',
];

export async function windowsWorld(extra: Partial<WorldOptions> = {}): Promise<World> {
  return startWorld({
    ...howlFleet({
      environments: ['production'],
      policy: WINDOW_POLICY,
      soaks: { production: '' },
      start: '2026-10-24T06:00:00Z',
    }),
    cronEveryMs: HOUR,
    ...extra,
  });
}

/** Until the operator step (the first) is merged and proven. */
export async function runWindows(w: World, maxMs = 80 * HOUR): Promise<void> {
  const r = reviewer(w);
  const end = w.clock.now() + maxMs;
  const done = () => {
    const first = stepPulls(w)[0];
    return !!first && first.state === 'merged' && gateOn(w, first.mergeCommit)?.state === 'success';
  };
  while (!done()) {
    if (w.clock.now() >= end) throw new Error(`journey 7: not done within ${maxMs / HOUR}h of virtual time`);
    if (await r.act()) continue;
    await w.step(end);
  }
}
