// The one token bucket behind the in-process limits (local-rate.ts, the sockets' eventBudget): it starts full, spends
// what it has, refills at its rate up to its capacity, and says how long until a cost is back.
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../../src/modules/limits/token-bucket.js';
import { localRate } from '../../../../src/modules/limits/local-rate.js';
import { eventBudget } from '../../../../src/realtime/socket-limits.js';

describe('TokenBucket', () => {
  it('spends from a full bucket, refills at its rate, never past its capacity', () => {
    const b = new TokenBucket(3, 1 / 1000, 0); // 3 tokens, one a second
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.msUntil()).toBe(1000);
    expect(b.take(999)).toBe(false);
    expect(b.take(1000)).toBe(true);
    // A long pause fills it to 3, not more.
    expect(b.take(60_000, 3)).toBe(true);
    expect(b.take(60_000)).toBe(false);
    expect(b.msUntil(2)).toBe(2000);
    // A cost larger than what is there is not spent in part.
    expect(b.take(61_000, 2)).toBe(false);
    expect(b.take(62_000, 2)).toBe(true);
  });

  it('is what both in-process limits count with: the same pace for a visitor and for a socket', () => {
    let t = 0;
    const now = () => t;
    const rate = localRate(60, { burst: 3, now });
    const socket = eventBudget({ eventsPerSecond: 1 }, now); // 3 s worth: 3 tokens, one a second
    const visitor = () => {
      try {
        rate.take('v', 'slow down');
        return 'ok';
      } catch {
        return 'drop';
      }
    };
    const both = () => [visitor(), socket.spend()];
    expect([both(), both(), both(), both()]).toEqual([
      ['ok', 'ok'],
      ['ok', 'ok'],
      ['ok', 'ok'],
      ['drop', 'drop'],
    ]);
    t = 1000;
    expect([both(), both()]).toEqual([
      ['ok', 'ok'],
      ['drop', 'drop'],
    ]);
  });
});
