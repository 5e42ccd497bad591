// Limits that hold under concurrency and across nodes: each hit is counted in the database in one atomic statement
// before the limited work runs (reserve, then act), never checked and recorded in two steps. A refused hit gives its
// count back, so refusals do not stretch a lock-out; callers may give back a hit whose work they undid.
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { limitsRepo } from './repo.js';

export interface Limit {
  key: string;
  max: number;
  windowMs: number;
  /** How much this hit counts (1 per attempt; bytes for a byte quota). */
  amount?: number;
  /** The refusal's message. */
  message?: string;
}

export interface Taken {
  key: string;
  amount: number;
  windowEnds: string;
}

let hits = 0;

/** Counts one hit against every limit, or none: throws RATE_LIMITED (with Retry-After) if any is over. */
export async function take(db: Db, limits: Limit[]): Promise<Taken[]> {
  const now = Date.now();
  const nowIso = new Date(now).toISOString();
  const taken: Taken[] = [];
  // Old windows are dead weight; a rare hit sweeps them.
  if (++hits % 500 === 0) await limitsRepo.prune(db, new Date(now - 86_400_000).toISOString()).catch(() => {});
  // Every limit is counted in one statement (distinct keys); a refusal gives all of them back.
  const planned = limits.map((l) => ({
    key: l.key,
    amount: l.amount ?? 1,
    windowEnds: new Date(now + l.windowMs).toISOString(),
  }));
  const counts =
    new Set(planned.map((h) => h.key)).size === planned.length
      ? await limitsRepo.addAll(db, planned, nowIso)
      : undefined;
  for (const [i, limit] of limits.entries()) {
    const hit = planned[i]!;
    const { count, windowEnds } =
      counts?.get(hit.key) ?? (await limitsRepo.add(db, hit.key, hit.amount, nowIso, hit.windowEnds));
    taken.push({ key: limit.key, amount: hit.amount, windowEnds });
    if (count > limit.max) {
      // Give back every hit counted, including those after this one in the single statement.
      const all = counts
        ? planned.map((h) => ({ key: h.key, amount: h.amount, windowEnds: counts.get(h.key)!.windowEnds }))
        : taken;
      await giveBack(db, all);
      const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(windowEnds) - now) / 1000));
      throw new AppError('RATE_LIMITED', limit.message ?? 'Too many requests; try again later', {
        retryAfterSeconds,
      });
    }
  }
  return taken;
}

export async function giveBack(db: Db, taken: Taken[]): Promise<void> {
  for (const t of taken) await limitsRepo.subtract(db, t.key, t.amount, t.windowEnds);
}

/** What a key has used in its current window (for budgets shown before the work, e.g. bytes left this hour). */
export const used = (db: Db, key: string) => limitsRepo.current(db, key, new Date().toISOString());

/** used() of several keys, in one statement: key → count. */
export const usedAll = (db: Db, keys: string[]) => limitsRepo.currentAll(db, keys, new Date().toISOString());

export const resetLimit = (db: Db, key: string) => limitsRepo.reset(db, key);
