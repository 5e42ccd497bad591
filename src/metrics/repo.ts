// Read-only aggregates for /metrics, computed at scrape time: queue depth and how late the oldest due item is, and
// deliveries by kind and status. Never writes; the tables belong to src/jobs/ and modules/deliveries/.
import type { Db } from '../db/index.js';

export interface QueueStats {
  depth: number;
  /** The earliest due time (ISO) of an item still waiting, or null when none is due. */
  oldestDue: string | null;
}

export const metricsRepo = {
  async jobs(db: Db, nowIso: string): Promise<QueueStats> {
    const r = await db
      .selectFrom('jobs')
      .select((eb) => [
        eb.fn.countAll().as('depth'),
        eb.fn.min(eb.case().when('run_at', '<=', nowIso).then(eb.ref('run_at')).end()).as('oldestDue'),
      ])
      .where('status', '=', 'queued')
      .executeTakeFirstOrThrow();
    return { depth: Number(r.depth), oldestDue: (r.oldestDue as string | null) ?? null };
  },
  async deliveries(db: Db, nowIso: string): Promise<QueueStats> {
    const r = await db
      .selectFrom('deliveries')
      .select((eb) => [
        eb.fn.countAll().as('depth'),
        eb.fn
          .min(eb.case().when('next_attempt_at', '<=', nowIso).then(eb.ref('next_attempt_at')).end())
          .as('oldestDue'),
      ])
      .where('status', 'in', ['pending', 'failed'])
      .executeTakeFirstOrThrow();
    return { depth: Number(r.depth), oldestDue: (r.oldestDue as string | null) ?? null };
  },
  deliveriesByStatus: (db: Db) =>
    db
      .selectFrom('deliveries')
      .select((eb) => ['kind', 'status', eb.fn.countAll().as('n')])
      .groupBy(['kind', 'status'])
      .execute(),
};
