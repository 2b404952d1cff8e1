// A child process for the SQLite cross-process lock test: opens the store at
// argv[2] and tries `attempts` times to take the lease lock `cron`. While it
// holds the lock it checks what a guarded resource would: nobody else is inside,
// and its fencing token is larger than the last one the resource saw. Prints one
// JSON line: its tokens and any violations.
import { sqliteStore } from '../../lib/node/store-sqlite.ts';
import { acquire, release } from '../../lib/store/lock.ts';

const [path, id, attemptsText, startAtText] = process.argv.slice(2);
const store = sqliteStore(path!);
const sleep = () => new Promise((r) => setTimeout(r, 1));
while (Date.now() < Number(startAtText)) await sleep();
const tokens: number[] = [];
const violations: string[] = [];
for (let i = 0; i < Number(attemptsText); i++) {
  const holder = `${id}-${i}`;
  const lease = await acquire(store, 'cron', holder, 10_000);
  if (!lease) {
    await sleep();
    continue;
  }
  tokens.push(lease.token);
  const inside = await store.get('inside');
  if (inside !== undefined) violations.push(`${holder} found ${inside} inside`);
  await store.put('inside', holder);
  const fenced = await store.get('fenced');
  if (fenced !== undefined && Number(fenced) >= lease.token) {
    violations.push(`${holder} token ${lease.token} after ${fenced}`);
  }
  await store.put('fenced', String(lease.token));
  await sleep();
  await store.delete('inside');
  if (!(await release(store, 'cron', holder))) violations.push(`${holder} could not release`);
  await sleep(); // give the other process a chance at the free lock
}
await store.close();
process.stdout.write(JSON.stringify({ id, tokens, violations }) + '\n');
