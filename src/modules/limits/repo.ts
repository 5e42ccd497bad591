// SQL for rate counters: one atomic statement per hit, so concurrent requests on any node see each other's counts.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';

export const limitsRepo = {
  /**
   * Adds `amount` to the key's count in its current window (or starts a new window ending at `windowEnds` when the
   * last one is over) and returns the count after the addition, in one statement.
   */
  async add(db: Db, key: string, amount: number, nowIso: string, windowEnds: string) {
    const r = await sql<{ count: number | string; window_ends: string }>`
      insert into rate_counters (key, count, window_ends) values (${key}, ${amount}, ${windowEnds})
      on conflict (key) do update set
        count = case when rate_counters.window_ends <= ${nowIso} then excluded.count
                     else rate_counters.count + excluded.count end,
        window_ends = case when rate_counters.window_ends <= ${nowIso} then excluded.window_ends
                           else rate_counters.window_ends end
      returning count, window_ends`.execute(db);
    const row = r.rows[0]!;
    return { count: Number(row.count), windowEnds: row.window_ends };
  },
  /** add() for several keys in one statement (one round trip for a request counted against several limits). */
  async addAll(db: Db, hits: { key: string; amount: number; windowEnds: string }[], nowIso: string) {
    const values = sql.join(hits.map((h) => sql`(${h.key}, ${h.amount}, ${h.windowEnds})`));
    const r = await sql<{ key: string; count: number | string; window_ends: string }>`
      insert into rate_counters (key, count, window_ends) values ${values}
      on conflict (key) do update set
        count = case when rate_counters.window_ends <= ${nowIso} then excluded.count
                     else rate_counters.count + excluded.count end,
        window_ends = case when rate_counters.window_ends <= ${nowIso} then excluded.window_ends
                           else rate_counters.window_ends end
      returning key, count, window_ends`.execute(db);
    return new Map(r.rows.map((row) => [row.key, { count: Number(row.count), windowEnds: row.window_ends }]));
  },
  /** Gives back what a refused or undone hit took, in the window it was taken in. */
  subtract: (db: Db, key: string, amount: number, windowEnds: string) =>
    db
      .updateTable('rate_counters')
      .set({ count: sql`count - ${amount}` })
      .where('key', '=', key)
      .where('window_ends', '=', windowEnds)
      .execute(),
  /** The count in the current window (0 when none or over). */
  async current(db: Db, key: string, nowIso: string) {
    const row = await db
      .selectFrom('rate_counters')
      .select('count')
      .where('key', '=', key)
      .where('window_ends', '>', nowIso)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  },
  /** current() of several keys in one statement: key → count (0 when none or over). */
  async currentAll(db: Db, keys: string[], nowIso: string) {
    const rows = await db
      .selectFrom('rate_counters')
      .select(['key', 'count'])
      .where('key', 'in', keys)
      .where('window_ends', '>', nowIso)
      .execute();
    const counts = new Map(keys.map((k) => [k, 0]));
    for (const r of rows) counts.set(r.key, Number(r.count));
    return counts;
  },
  reset: (db: Db, key: string) => db.deleteFrom('rate_counters').where('key', '=', key).execute(),
  prune: (db: Db, beforeIso: string) => db.deleteFrom('rate_counters').where('window_ends', '<', beforeIso).execute(),
};
