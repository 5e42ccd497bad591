// src/memory.ts's trigger: a collection only when the event loop was idle over the last interval and the resident
// memory grew by enough since the last one — never in the middle of a busy spell.
import { describe, expect, it } from 'vitest';
import { type IdleCollectorOptions, shouldCollect, startIdleCollector } from '../../src/memory.js';
import { growingPercentFor, headroomBytesOf } from '../../src/heap-headroom.js';

const options: Pick<Required<IdleCollectorOptions>, 'idleIntervals' | 'growthBytes'> = {
  idleIntervals: 5,
  growthBytes: 32 * 1024 * 1024,
};

describe('idle collector', () => {
  it('collects when idle long enough and grown, not sooner nor when not grown', () => {
    expect(shouldCollect(5, 40 * 1024 * 1024, options)).toBe(true);
    expect(shouldCollect(4, 40 * 1024 * 1024, options)).toBe(false);
    expect(shouldCollect(0, 40 * 1024 * 1024, options)).toBe(false);
    expect(shouldCollect(9, 8 * 1024 * 1024, options)).toBe(false);
  });

  it('waits out a busy event loop and collects once it is idle', async () => {
    const collected: number[] = [];
    const stop = startIdleCollector({
      intervalMs: 100,
      idleIntervals: 2,
      growthBytes: 0,
      onCollect: () => collected.push(Date.now()),
    });
    try {
      // Busy: 90 ms of synchronous work in every 100 ms, for 1 s.
      const busyUntil = Date.now() + 1000;
      while (Date.now() < busyUntil) {
        const sliceEnd = Math.min(busyUntil, Date.now() + 90);
        while (Date.now() < sliceEnd);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(collected).toEqual([]);
      await new Promise((r) => setTimeout(r, 600));
      expect(collected.length).toBeGreaterThanOrEqual(1);
      expect(collected[0]).toBeGreaterThanOrEqual(busyUntil);
    } finally {
      stop();
    }
  });
});

describe('heap headroom', () => {
  const MiB = 1024 * 1024;
  it('keeps the limit at least the headroom above a small heap, and V8 its own factor above twice the headroom', () => {
    expect(growingPercentFor(30 * MiB, 64 * MiB)).toBe(225);
    expect(growingPercentFor(64 * MiB, 64 * MiB)).toBe(100);
    expect(growingPercentFor(100 * MiB, 64 * MiB)).toBe(75);
    expect(growingPercentFor(5 * MiB, 64 * MiB)).toBe(400);
    expect(growingPercentFor(0, 64 * MiB)).toBe(400);
    expect(growingPercentFor(128 * MiB, 64 * MiB)).toBe(0);
    expect(growingPercentFor(30 * MiB, 0)).toBe(0);
    for (const live of [8, 20, 30, 45, 64, 90, 127].map((n) => n * MiB)) {
      const percent = growingPercentFor(live, 64 * MiB);
      expect(live * (percent / 100)).toBeGreaterThanOrEqual(Math.min(64 * MiB, live * 4));
    }
  });

  it('reads PARLEY_HEAP_HEADROOM_MB (64 MiB unless set; 0 turns it off)', () => {
    expect(headroomBytesOf({})).toBe(64 * MiB);
    expect(headroomBytesOf({ PARLEY_HEAP_HEADROOM_MB: '0' })).toBe(0);
    expect(headroomBytesOf({ PARLEY_HEAP_HEADROOM_MB: ' 128 ' })).toBe(128 * MiB);
  });
});
