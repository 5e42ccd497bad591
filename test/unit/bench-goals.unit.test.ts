// Issue 18's "Done means": both benches end with a goals table stating, for each goal, "met" or the distance left.
import { describe, expect, it } from 'vitest';
import { atLeast } from '../../bench/goals.js';

describe('bench goals table', () => {
  it('says "met" at or above the goal and states the distance and share otherwise', () => {
    const ratio = (n: number) => n.toFixed(2);
    expect(atLeast(0.9, 0.9, ratio)).toBe('met');
    expect(atLeast(1.2, 0.9, ratio)).toBe('met');
    expect(atLeast(0.57, 0.9, ratio)).toBe('0.33 short (63 % of the goal)');
    expect(atLeast(800, 1500, (n) => `${n} msg/s`)).toBe('700 msg/s short (53 % of the goal)');
  });
});
