// Group commit of fsyncs (src/group-sync.ts): the seam is the one-directory fsync, instrumented here
// to record when each sync starts and ends. The rule that keeps a 201 durable: every caller resolves only after a
// sync that STARTED after it called (its rename is done by then), and no later than that sync's end.
import { describe, expect, it } from 'vitest';
import { groupedSync } from '../../src/group-sync.js';

function instrumented() {
  let clock = 0;
  const syncs: { dir: string; startedAt: number; endedAt?: number; fail?: boolean }[] = [];
  const pending: (() => void)[] = [];
  const syncOne = (dir: string) => {
    const s = { dir, startedAt: ++clock } as (typeof syncs)[number];
    syncs.push(s);
    return new Promise<void>((resolve, reject) => {
      pending.push(() => {
        s.endedAt = ++clock;
        if (s.fail) reject(new Error('EIO'));
        else resolve();
      });
    });
  };
  /** Ends the oldest sync still running, then lets the promise callbacks run. */
  const finishOne = async () => {
    pending.shift()!();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { syncs, syncOne, finishOne, now: () => ++clock };
}

describe('grouped directory fsync', () => {
  it('answers each caller only after a sync begun after its call, sharing syncs among concurrent callers', async () => {
    const t = instrumented();
    const sync = groupedSync(t.syncOne);
    const calls: { calledAt: number; resolvedAt?: number }[] = [];
    const call = (dir: string) => {
      const c: (typeof calls)[number] = { calledAt: t.now() };
      calls.push(c);
      return sync(dir).then(() => {
        c.resolvedAt = t.now();
      });
    };
    const all = [call('ws/a')]; // starts sync 1 at once
    for (let i = 0; i < 9; i++) all.push(call('ws/a')); // arrive while sync 1 runs: they wait for sync 2
    all.push(call('ws/b')); // another folder: its own sync, not grouped with ws/a
    await Promise.resolve();
    expect(t.syncs.map((s) => s.dir)).toEqual(['ws/a', 'ws/b']);
    expect(calls.every((c) => c.resolvedAt === undefined)).toBe(true);
    await t.finishOne(); // sync 1 of ws/a ends: only its first caller is answered; sync 2 starts for the other nine
    expect(calls.filter((c) => c.resolvedAt !== undefined)).toHaveLength(1);
    expect(t.syncs.map((s) => s.dir)).toEqual(['ws/a', 'ws/b', 'ws/a']);
    await t.finishOne(); // ws/b
    await t.finishOne(); // sync 2 of ws/a
    await Promise.all(all);
    // 11 callers, 3 fsyncs; each caller answered after the end of a sync that started after its call.
    expect(t.syncs).toHaveLength(3);
    for (const c of calls) {
      const covering = t.syncs.find((s) => s.startedAt > c.calledAt && s.endedAt! < c.resolvedAt!);
      expect(covering).toBeDefined();
    }
  });

  it('fails the callers a failed sync covered, and the next caller gets a fresh sync', async () => {
    const t = instrumented();
    const sync = groupedSync(t.syncOne);
    const first = sync('ws/a');
    const second = sync('ws/a'); // waits for sync 2
    t.syncs[0]!.fail = true;
    await t.finishOne();
    await expect(first).rejects.toThrow('EIO');
    t.syncs[1]!.fail = true;
    await t.finishOne();
    await expect(second).rejects.toThrow('EIO');
    const third = sync('ws/a');
    await t.finishOne();
    await expect(third).resolves.toBeUndefined();
    expect(t.syncs).toHaveLength(3);
  });
});
