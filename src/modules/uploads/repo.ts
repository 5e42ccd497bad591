// SQL for resumable uploads (the resumable_uploads table): create, look up, move between states.
import type { Db } from '../../db/index.js';
import type { ResumableUploadsTable } from '../../db/types.js';

type Status = ResumableUploadsTable['status'];

export const uploadsRepo = {
  insert: (db: Db, row: ResumableUploadsTable) => db.insertInto('resumable_uploads').values(row).execute(),
  byId: (db: Db, id: string) => db.selectFrom('resumable_uploads').selectAll().where('id', '=', id).executeTakeFirst(),
  /**
   * Moves an upload from one state to another; false when it was not in `from` (another request got there first).
   * Leaving `committing` names the commit's lease (`since`): a commit taken over by another node changes nothing.
   */
  async transition(db: Db, id: string, from: Status, to: Status, since?: string): Promise<boolean> {
    let q = db
      .updateTable('resumable_uploads')
      .set({ status: to, committing_since: null })
      .where('id', '=', id)
      .where('status', '=', from);
    if (since !== undefined) q = q.where('committing_since', '=', since);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /**
   * Claims the commit of a finished upload with a lease from `now`: one still `uploading`, or one whose commit's
   * lease went stale (renewed before `staleBefore`, or never: left by a version without leases). False otherwise.
   */
  async claimCommit(db: Db, id: string, now: string, staleBefore: string): Promise<boolean> {
    const r = await db
      .updateTable('resumable_uploads')
      .set({ status: 'committing', committing_since: now })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'uploading'),
          eb.and([
            eb('status', '=', 'committing'),
            eb.or([eb('committing_since', 'is', null), eb('committing_since', '<', staleBefore)]),
          ]),
        ]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /** Renews a commit's lease; false when it is no longer this commit's (taken over, or finished). */
  async renewCommit(db: Db, id: string, since: string, now: string): Promise<boolean> {
    const r = await db
      .updateTable('resumable_uploads')
      .set({ committing_since: now })
      .where('id', '=', id)
      .where('status', '=', 'committing')
      .where('committing_since', '=', since)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /** The commit's end, in the transaction that writes the File: false when the lease is no longer `since`. */
  async markCommitted(db: Db, id: string, since: string, fileId: string): Promise<boolean> {
    const r = await db
      .updateTable('resumable_uploads')
      .set({ status: 'committed', committing_since: null, file_id: fileId })
      .where('id', '=', id)
      .where('status', '=', 'committing')
      .where('committing_since', '=', since)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /** Uploads whose commit is in progress (or was, on a node that died), oldest lease first. */
  committing: (db: Db, limit: number) =>
    db
      .selectFrom('resumable_uploads')
      .selectAll()
      .where('status', '=', 'committing')
      .orderBy('committing_since')
      .limit(limit)
      .execute(),
  /** Which of these ids have a row (any state). */
  async existing(db: Db, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await db.selectFrom('resumable_uploads').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((r) => r.id));
  },
  /** Uploads still receiving bytes past their expiry (the job runs per upload; this finds any it missed). */
  expired: (db: Db, before: string, limit: number) =>
    db
      .selectFrom('resumable_uploads')
      .selectAll()
      .where('status', '=', 'uploading')
      .where('expires_at', '<', before)
      .limit(limit)
      .execute(),
};
