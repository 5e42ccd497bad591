// SQL for the delivery log and a file's deliveries: each list walks an index in id order (the keyset), see
// migration 1800. Claims use the shared lease (jobs/repo.ts claimLeased).
import type { Db, Dialect } from '../../db/index.js';
import type { DeliveriesTable, DeliveryAttemptsTable } from '../../db/types.js';
import { nowIso } from '../../ids.js';
import { chatsRepo } from '../chats/repo.js';
import { holdUntilCommit } from '../../db/lock-repo.js';

export interface DeliveryLogFilter {
  status?: DeliveriesTable['status'];
  fileId?: string;
  kind?: DeliveriesTable['kind'];
  chatId?: string;
  cursor?: string;
  limit: number;
}

export const deliveriesRepo = {
  /** The delivery log of a workspace, newest first. */
  log(db: Db, workspaceId: string, f: DeliveryLogFilter) {
    let q = db.selectFrom('deliveries').selectAll().where('workspace_id', '=', workspaceId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.fileId) q = q.where('file_id', '=', f.fileId);
    if (f.kind) q = q.where('kind', '=', f.kind);
    if (f.chatId) q = q.where('chat_id', '=', f.chatId);
    if (f.cursor) q = q.where('id', '<', f.cursor);
    return q.orderBy('id', 'desc').limit(f.limit);
  },
  /** The deliveries of a page of files (List File, a file's details), oldest first. */
  ofFiles: (db: Db, fileIds: string[]) =>
    db.selectFrom('deliveries').selectAll().where('file_id', 'in', fileIds).orderBy('id'),
  /** File names already used by a chat's S3 forwards (a new key gets " (2)" instead of overwriting). */
  s3NamesOfChat: async (db: Db, chatId: string): Promise<Set<string>> => {
    const keys = await db
      .selectFrom('deliveries')
      .select('s3_key')
      .where('chat_id', '=', chatId)
      .where('kind', '=', 's3')
      .execute();
    return new Set(keys.map((k) => (k.s3_key ?? '').split('/').pop()!).filter(Boolean));
  },
  insert: (db: Db, rows: DeliveriesTable[]) =>
    rows.length === 0
      ? Promise.resolve()
      : db
          .insertInto('deliveries')
          .values(rows)
          .execute()
          .then(() => {}),
  /** The forwards (s3, callback) of some files. */
  forwardsOf: (db: Db, fileIds: string[]) =>
    db
      .selectFrom('deliveries')
      .selectAll()
      .where('file_id', 'in', fileIds)
      .where('kind', 'in', ['s3', 'callback'])
      .execute(),
  /**
   * Of these deliveries, those with an attempt that got no answer: a timeout, a dropped connection, a process that
   * died mid-send. The receiver may have taken the file all the same.
   */
  async unanswered(db: Db, deliveryIds: string[]): Promise<Set<string>> {
    if (deliveryIds.length === 0) return new Set();
    const rows = await db
      .selectFrom('delivery_attempts')
      .select('delivery_id')
      .distinct()
      .where('delivery_id', 'in', deliveryIds)
      .where('http_status', 'is', null)
      .execute();
    return new Set(rows.map((r) => r.delivery_id));
  },
  /** Drops the forwards of some files not sent yet and not being sent (no live lease) at `now`. */
  dropUnsentForwards: (db: Db, fileIds: string[], now: string) =>
    db
      .deleteFrom('deliveries')
      .where('file_id', 'in', fileIds)
      .where('kind', 'in', ['s3', 'callback'])
      .where('status', 'in', ['pending', 'failed'])
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .execute(),
  /** Records an attempt before its send, and counts it on the delivery. */
  async startAttempt(db: Db, d: Pick<DeliveriesTable, 'id' | 'attempts'>, attemptId: string, startedAt: string) {
    await db
      .insertInto('delivery_attempts')
      .values({
        id: attemptId,
        delivery_id: d.id,
        started_at: startedAt,
        finished_at: null,
        outcome: null,
        http_status: null,
        error: null,
      })
      .execute();
    await db
      .updateTable('deliveries')
      .set({ attempts: d.attempts + 1 })
      .where('id', '=', d.id)
      .execute();
  },
  finishAttempt: (db: Db, attemptId: string, patch: Partial<DeliveryAttemptsTable>) =>
    db.updateTable('delivery_attempts').set(patch).where('id', '=', attemptId).execute(),
  /** Records a delivery's outcome only while `owner` holds its lease; false when someone else took it. */
  async recordIfLeased(db: Db, id: string, owner: string, patch: Partial<DeliveriesTable>): Promise<boolean> {
    const r = await db
      .updateTable('deliveries')
      .set(patch)
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /**
   * Whether the delivery's chat still exists, row-locking it until the transaction ends. A deletion of copies records
   * its outcome after this, in the lock order lifecycle's deleteChats takes too, so the two never miss each other.
   */
  chatLocked: async (db: Db, chatId: string): Promise<boolean> => (await chatsRepo.lockChats(db, [chatId])) > 0,
  /**
   * Removes a delivery and its attempt log: for a deletion of copies whose chat no longer exists (an erased
   * visitor's), the last thing to do, and its row (the S3 key names the file) must not outlive the erasure.
   */
  async forget(db: Db, id: string) {
    await db.deleteFrom('delivery_attempts').where('delivery_id', '=', id).execute();
    await db.deleteFrom('deliveries').where('id', '=', id).execute();
  },
  byId: (db: Db, id: string, workspaceId?: string) =>
    db
      .selectFrom('deliveries')
      .selectAll()
      .where('id', '=', id)
      .$if(workspaceId !== undefined, (q) => q.where('workspace_id', '=', workspaceId!))
      .executeTakeFirst(),
  attempts: (db: Db, deliveryId: string) =>
    db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('started_at')
      .execute(),
  /**
   * Queues a delivery to be sent now; false when there is no such delivery. One being sent at this moment (its lease
   * is live) is left to finish: that send is the re-send, and the receiver never gets the file twice at once. Either
   * way the delivery is `pending` from here until an attempt records its outcome, so the re-send's answer (and any
   * read after it) says the file is on its way, not the outcome of the attempt before (which a worker's retry on the
   * backoff schedule may still be holding the lease for).
   */
  async retryNow(db: Db, workspaceId: string, id: string): Promise<boolean> {
    const now = nowIso();
    const r = await db
      .updateTable('deliveries')
      .set({ status: 'pending', next_attempt_at: now, lease_owner: null, lease_until: null, updated_at: now })
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return true;
    // Under way: only the state changes; the lease holder records the attempt's outcome over it.
    const underWay = await db
      .updateTable('deliveries')
      .set({ status: 'pending', updated_at: now })
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return Number(underWay.numUpdatedRows) > 0;
  },
  /**
   * Backfills of one workspace and kind run one after another until their transactions end (PostgreSQL; SQLite has
   * one writer at a time anyway), so each sees the deliveries the one before it planned and no file is sent twice.
   */
  holdBackfill: async (db: Db, dialect: Dialect, workspaceId: string, kind: 's3' | 'callback') => {
    await holdUntilCommit(db, dialect, `backfill:${workspaceId}:${kind}`);
  },
  /** Servable files of a workspace (since `from`) with no delivery of this kind yet: what a backfill forwards. */
  filesWithoutDelivery: (db: Db, workspaceId: string, kind: 's3' | 'callback', from?: string) =>
    db
      .selectFrom('files')
      .select(['id', 'workspace_id', 'chat_id', 'name'])
      .where('workspace_id', '=', workspaceId)
      .where(
        'id',
        'not in',
        db.selectFrom('deliveries').select('file_id').where('workspace_id', '=', workspaceId).where('kind', '=', kind),
      )
      .$if(from !== undefined, (q) => q.where('created_at', '>=', from!))
      // Held (pending) and quarantined files are forwarded only when they are released.
      .where((eb) => eb.or([eb('scan', 'in', ['clean', 'skipped']), eb('released_at', 'is not', null)]))
      .orderBy('id')
      .execute(),
};
