// A child process for the SQLite cross-process tests: opens the store at
// argv[2] and, for each round, races compareAndSet on the round's key, then
// bumps a shared counter with a get + compareAndSet retry loop. Each process
// visits the rounds in its own shuffled order, so both claim some. Prints one
// JSON line: the rounds it won.
import { sqliteStore } from '../../lib/node/store-sqlite.ts';

const [path, id, roundsText, startAtText] = process.argv.slice(2);
const rounds = Number(roundsText);
const store = sqliteStore(path!);
// Start together, so the two processes overlap rather than run one after the other.
while (Date.now() < Number(startAtText)) await new Promise((r) => setTimeout(r, 1));
// mulberry32, seeded by the id: a different fixed order per process.
let seed = [...id!].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 2654435761), 1);
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const order = Array.from({ length: rounds }, (_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [order[i], order[j]] = [order[j]!, order[i]!];
}
const won: number[] = [];
for (const round of order) {
  if (await store.compareAndSet(`round:${round}`, undefined, id!)) won.push(round);
  for (;;) {
    const current = await store.get('counter');
    const next = String(Number(current ?? '0') + 1);
    if (await store.compareAndSet('counter', current, next)) break;
  }
}
await store.close();
process.stdout.write(JSON.stringify({ id, won }) + '\n');
