// Claiming due deliveries with a lease, so two nodes never send the same delivery at once and a crashed node's
// leases expire and are picked up. PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one UPDATE statement (atomic).
import type { Db, Dialect } from '../../db/index.js';
import type { DeliveriesTable } from '../../db/types.js';

export async function claimDue(db: Db, dialect: Dialect, owner: string, leaseMs: number, limit: number): Promise<DeliveriesTable[]> {
  const now = new Date();
  const nowIso = now.toISOString();
  let due = db.selectFrom('deliveries').select('id')
    .where('status', 'in', ['pending', 'failed'])
    .where('next_attempt_at', '<=', nowIso)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', nowIso)]))
    .orderBy('next_attempt_at')
    .limit(limit);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  return db.updateTable('deliveries')
    .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString(), updated_at: nowIso })
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

/** Extends a lease while a long send is under way; false when the lease was lost (re-queued by an admin). */
export async function extendLease(db: Db, id: string, owner: string, leaseMs: number): Promise<boolean> {
  const r = await db.updateTable('deliveries').set({ lease_until: new Date(Date.now() + leaseMs).toISOString() })
    .where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
