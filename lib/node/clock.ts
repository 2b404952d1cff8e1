// Node-only: the real clock. The core takes a clock as input; entry points pass this one.
import type { Clock } from '../store/index.ts';

export const systemClock: Clock = { now: () => Date.now() };
