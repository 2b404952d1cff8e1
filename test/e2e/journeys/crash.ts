// Journey 8: the service process dies at seeded random points of journey 1's dev part and
// a new one starts with an EMPTY store. It must rebuild where every path stands from
// GitHub (PRs, step blocks, `cairn/gate` statuses) and the cluster (the agent resends a
// snapshot when the new process holds none), and end where journey 1 ends, with no
// duplicate PR.
import { howlFleet } from './howl-fleet.ts';
import { gateOn, reviewer, stepPulls } from './reviewer.ts';
import { startWorld, type World, type WorldOptions } from '../world.ts';

export const HOUR = 3_600_000;

/** A small seeded PRNG (mulberry32): the same seed, the same crash points. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function devWorld(extra: Partial<WorldOptions> = {}): Promise<World> {
  return startWorld({ ...howlFleet({ environments: ['dev'] }), cronEveryMs: 6 * HOUR, ...extra });
}

export const devDone = (w: World) => {
  const s = stepPulls(w);
  return (
    s.length === 3 && s.every((p) => p.state === 'merged' && gateOn(w, p.mergeCommit)?.state === 'success')
  );
};

/**
 * Runs dev's three steps with the reviewer; before world step `n` for each `n` in
 * `crashes` the service process is killed and replaced by one with an empty store.
 * Returns the step numbers at which it crashed.
 */
export async function runWithCrashes(
  w: World,
  crashes: ReadonlySet<number>,
  maxMs = 80 * HOUR,
): Promise<number[]> {
  const r = reviewer(w);
  const end = w.clock.now() + maxMs;
  const done: number[] = [];
  for (let n = 1; !devDone(w); n++) {
    if (w.clock.now() >= end) throw new Error(`journey 8: not done within ${maxMs / HOUR}h of virtual time`);
    if (crashes.has(n)) {
      await w.crash();
      done.push(n);
    }
    if (await r.act()) continue;
    await w.step(end);
  }
  return done;
}

/** `count` distinct crash points in 1..`span`, from `seed`. */
export function crashPoints(seed: number, count: number, span: number): Set<number> {
  const rand = seeded(seed);
  const out = new Set<number>();
  while (out.size < count) out.add(1 + Math.floor(rand() * span));
  return out;
}
