// A per-process rate limit by key (a token bucket per key), for hot paths where a database counter would cost a
// statement on every request: a visitor's messages. Bounded memory (the least recently used keys go first). Per node:
// with N nodes a client spread over all of them gets up to N times the rate, which still bounds a flood.
import { AppError } from '../../errors.js';
import { recentMap } from './recent-map.js';
import { TokenBucket } from './token-bucket.js';

export function localRate(perMinute: number, opts: { burst?: number; maxKeys?: number; now?: () => number } = {}) {
  const capacity = Math.max(1, opts.burst ?? Math.ceil(perMinute / 2));
  const perMs = perMinute / 60_000;
  const maxKeys = opts.maxKeys ?? 100_000;
  const now = opts.now ?? Date.now;
  const buckets = recentMap<string, TokenBucket>(maxKeys);
  return {
    /** Spends one token of `key`, or throws RATE_LIMITED with the seconds until one is back. */
    take(key: string, message: string): void {
      const t = now();
      let b = buckets.get(key);
      if (!b) buckets.set(key, (b = new TokenBucket(capacity, perMs, t)));
      if (b.take(t)) return;
      throw new AppError('RATE_LIMITED', message, {
        retryAfterSeconds: Math.max(1, Math.ceil(b.msUntil() / 1000)),
      });
    },
  };
}
