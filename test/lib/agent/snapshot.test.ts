import { systemClock } from '../../../lib/node/clock.ts';
import { describe, expect, it } from 'vitest';
import {
  readingFromSnapshots,
  type Snapshot,
  signSnapshot,
  verifySnapshot,
} from '../../../lib/agent/index.ts';
import { memoryStore } from '../../../lib/store/index.ts';

const SECRET = 'a-shared-secret-of-some-length';
const T0 = new Date('2026-12-01T09:00:00Z');
const snap: Snapshot = {
  version: 1,
  kind: 'snapshot',
  cluster: 'prod',
  agent: 'cairn-agent-7d9f',
  sequence: 1,
  readAt: T0.toISOString(),
  objects: [{ apiVersion: 'redis.io/v1', kind: 'RedisCluster', metadata: { name: 'cache' } }],
  problems: [],
};

describe('signed snapshots', () => {
  it('a signed snapshot verifies, once', async () => {
    const store = memoryStore(systemClock);
    const m = await signSnapshot(snap, SECRET, T0);
    expect(await verifySnapshot(m.body, m.headers, SECRET, T0, store)).toEqual({ ok: true, snapshot: snap });
    expect(await verifySnapshot(m.body, m.headers, SECRET, new Date(T0.getTime() + 60_000), store)).toEqual({
      ok: false,
      reason: 'replayed message',
    });
  });

  it('a changed body, another secret or a changed timestamp is rejected', async () => {
    const m = await signSnapshot(snap, SECRET, T0);
    const forged = m.body.replace('"sequence":1', '"sequence":2');
    expect(await verifySnapshot(forged, m.headers, SECRET, T0, memoryStore(systemClock))).toMatchObject({
      reason: 'bad signature',
    });
    expect(
      await verifySnapshot(m.body, m.headers, 'another-secret-entirely', T0, memoryStore(systemClock)),
    ).toMatchObject({
      reason: 'bad signature',
    });
    const later = { ...m.headers, 'x-cairn-timestamp': String(Number(m.headers['x-cairn-timestamp']) + 1) };
    expect(await verifySnapshot(m.body, later, SECRET, T0, memoryStore(systemClock))).toMatchObject({
      reason: 'bad signature',
    });
  });

  it('outside the 5-minute window it is rejected, even with a good signature', async () => {
    const m = await signSnapshot(snap, SECRET, T0);
    const sixMinutes = new Date(T0.getTime() + 6 * 60_000);
    expect(
      await verifySnapshot(m.body, m.headers, SECRET, sixMinutes, memoryStore(systemClock)),
    ).toMatchObject({
      ok: false,
      reason: 'timestamp outside the 5-minute window',
    });
    const fourMinutes = new Date(T0.getTime() + 4 * 60_000);
    expect((await verifySnapshot(m.body, m.headers, SECRET, fourMinutes, memoryStore(systemClock))).ok).toBe(
      true,
    );
  });

  it('missing headers and a signed body that is not a snapshot are rejected with the field', async () => {
    expect(await verifySnapshot('{}', {}, SECRET, T0, memoryStore(systemClock))).toMatchObject({
      reason: 'missing or malformed timestamp',
    });
    const bad = await signSnapshot({ ...snap, cluster: '' }, SECRET, T0);
    expect(await verifySnapshot(bad.body, bad.headers, SECRET, T0, memoryStore(systemClock))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('body: cluster:'),
    });
  });
});

describe('a reading from what the agent pushed', () => {
  const beat = (over: Partial<Snapshot>): Snapshot => ({
    ...snap,
    kind: 'heartbeat',
    sequence: 2,
    basedOn: 1,
    readAt: '2026-12-01T09:04:00.000Z',
    objects: [],
    ...over,
  });

  it('a heartbeat that vouches for the snapshot keeps it current, with its problems', () => {
    const problem = { resource: 'redis.io/RedisCluster', kind: 'forbidden' as const, message: '403' };
    const r = readingFromSnapshots(snap, beat({ problems: [problem] }))!;
    expect(r.readAt.toISOString()).toBe('2026-12-01T09:04:00.000Z');
    expect(r.objects).toEqual(snap.objects);
    expect(r.problems).toEqual([problem]);
  });

  it('a heartbeat for another snapshot or agent does not: the snapshot ages and goes stale', () => {
    expect(readingFromSnapshots(snap, beat({ basedOn: 0 }))!.readAt).toEqual(T0);
    expect(readingFromSnapshots(snap, beat({ agent: 'someone-else' }))!.readAt).toEqual(T0);
    expect(readingFromSnapshots(snap, beat({ basedOn: undefined }))!.readAt).toEqual(T0);
  });

  it('without a snapshot there is no reading', () => {
    expect(readingFromSnapshots(undefined, beat({}))).toBeUndefined();
  });
});
