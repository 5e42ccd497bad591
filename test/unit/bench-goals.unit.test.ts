// Issue 18's "Done means": both benches end with a goals table stating, for each goal, "met" or the distance left.
import { describe, expect, it } from 'vitest';
import { atLeast, stallMs, stallVerdict, worstDelay } from '../../bench/goals.js';

describe('bench goals table', () => {
  it('says "met" at or above the goal and states the distance and share otherwise', () => {
    const ratio = (n: number) => n.toFixed(2);
    expect(atLeast(0.9, 0.9, ratio)).toBe('met');
    expect(atLeast(1.2, 0.9, ratio)).toBe('met');
    expect(atLeast(0.57, 0.9, ratio)).toBe('0.33 short (63 % of the goal)');
    expect(atLeast(800, 1500, (n) => `${n} msg/s`)).toBe('700 msg/s short (53 % of the goal)');
  });
});

describe('bench event-loop stalls', () => {
  it("takes the monitor's own interval off its readings: an idle loop reads the interval, which is no stall", () => {
    expect(stallMs(0.0202, 20)).toBeCloseTo(0.2);
    expect(stallMs(0.0191, 20)).toBe(0);
    expect(stallMs(0.179, 20)).toBeCloseTo(159);
  });

  it('judges "no stall over ~5 ms" on the longest stall of every phase', () => {
    const phases = [
      { p99: 1, max: 3 },
      { p99: 4, max: 12 },
      { p99: 2, max: 4 },
    ];
    expect(worstDelay(phases)).toEqual({ p99: 4, max: 12 });
    expect(worstDelay([])).toEqual({ p99: 0, max: 0 });
    expect(stallVerdict({ p99: 3, max: 5 })).toBe('met');
    expect(stallVerdict(worstDelay(phases))).toBe('max 2× the ~5 ms goal');
  });
});
