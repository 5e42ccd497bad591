// The one token bucket of Parley's in-process limits (a visitor's messages per node, local-rate.ts; a socket's
// events, realtime/socket-limits.ts): `capacity` tokens, refilled at `perMs` tokens a millisecond up to capacity.
// `now` comes from the caller, so a limit reads the clock once and unit tests pass their own.
export class TokenBucket {
  private tokens: number;

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    private at: number,
  ) {
    this.tokens = capacity;
  }

  /** Refills up to `now`, then spends `cost` tokens if there are that many; whether it did. */
  take(now: number, cost = 1): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.perMs);
    this.at = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Milliseconds until `cost` tokens are back (0 when they are there). */
  msUntil(cost = 1): number {
    return Math.max(0, (cost - this.tokens) / this.perMs);
  }
}
