// Issue 14 (QA of 2026-11-26): a resumable upload's commit holds a lease. `committing_since` is when the committing
// request claimed (or last renewed) it; a commit whose node died stops renewing, and once older than the lease it is
// taken over (a HEAD or repeated last PATCH, or the uploads.reconcile job). It is also the commit's fencing token:
// the File is written in the same transaction that moves the upload to `committed` only while the token is unchanged.
// Uploads left `committing` before this migration have none and count as stale.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('resumable_uploads').addColumn('committing_since', 'text').execute();
}
